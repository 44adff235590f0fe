#pragma once

#include "SessionClient.h"

#include <QWidget>

class QTableWidget;
class QPushButton;

namespace breeze::console {

class InlineMessage;

// A device's live and past sessions (terminal, files): who, when, how it ended and the bytes each way, with a
// button that plays a terminal session's recording.
class DeviceSessionsTab : public QWidget {
    Q_OBJECT

public:
    DeviceSessionsTab(ApiClient& api, QString deviceId, QWidget* parent = nullptr);

    void reload();
    QTableWidget* table() const { return m_table; }
    // Downloads and opens the recording of the selected (or given) session.
    void playRecording(const QString& sessionId = {});

Q_SIGNALS:
    void loaded();
    void playerOpened(QWidget* player);

private:
    SessionClient m_client;
    QString m_deviceId;
    QTableWidget* m_table;
    QPushButton* m_play;
    InlineMessage* m_message;
};

} // namespace breeze::console
