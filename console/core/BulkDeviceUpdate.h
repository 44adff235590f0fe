#pragma once

#include "ApiClient.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>

namespace breeze::console {

// One change (a PATCH body: move, group, tags) applied to many devices, a few requests at a time so a
// thousand-device selection neither floods the server nor freezes the console. It reports progress as answers
// arrive and, at the end, how many were refused and why; it deletes itself once finished. The live channel
// brings the changed devices back into the models, so nothing here touches them.
class BulkDeviceUpdate : public QObject {
    Q_OBJECT

public:
    BulkDeviceUpdate(ApiClient& api, QStringList deviceIds, QJsonObject change, QObject* parent = nullptr);

    void start();
    // Stops sending more; answers already on their way are still counted.
    void cancel();
    int total() const { return static_cast<int>(m_ids.size()); }

Q_SIGNALS:
    void progress(int done, int total);
    // `firstError` in words, empty when every device took the change.
    void finished(int succeeded, int failed, const QString& firstError);

private:
    void sendNext();

    static constexpr int kInFlight = 8;
    ApiClient& m_api;
    QStringList m_ids;
    QJsonObject m_change;
    int m_next = 0;
    int m_inFlight = 0;
    int m_succeeded = 0;
    int m_failed = 0;
    bool m_cancelled = false;
    QString m_firstError;
};

} // namespace breeze::console
