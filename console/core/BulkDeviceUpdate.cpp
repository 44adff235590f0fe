#include "BulkDeviceUpdate.h"

#include <QPointer>

namespace breeze::console {

BulkDeviceUpdate::BulkDeviceUpdate(ApiClient& api, QStringList deviceIds, QJsonObject change, QObject* parent)
    : QObject(parent), m_api(api), m_ids(std::move(deviceIds)), m_change(std::move(change)) {}

void BulkDeviceUpdate::start() {
    if (m_ids.isEmpty()) {
        Q_EMIT finished(0, 0, {});
        deleteLater();
        return;
    }
    for (int i = 0; i < kInFlight; ++i)
        sendNext();
}

void BulkDeviceUpdate::cancel() {
    m_cancelled = true;
}

void BulkDeviceUpdate::sendNext() {
    if (m_cancelled || m_next >= m_ids.size())
        return;
    const QString id = m_ids[m_next++];
    ++m_inFlight;
    m_api.patch("/api/v1/devices/" + id, m_change, [self = QPointer(this)](const ApiReply& reply) {
        if (!self)
            return;
        --self->m_inFlight;
        if (reply.ok()) {
            ++self->m_succeeded;
        } else {
            ++self->m_failed;
            if (self->m_firstError.isEmpty())
                self->m_firstError = reply.errorMessage;
        }
        Q_EMIT self->progress(self->m_succeeded + self->m_failed, self->total());
        self->sendNext();
        if (self->m_inFlight == 0 && (self->m_cancelled || self->m_next >= self->m_ids.size())) {
            Q_EMIT self->finished(self->m_succeeded, self->m_failed, self->m_firstError);
            self->deleteLater();
        }
    });
}

} // namespace breeze::console
