#include "DeviceDetails.h"

namespace breeze::console {

DeviceDetails::DeviceDetails(ApiClient& api, QString deviceId, QObject* parent)
    : QObject(parent), m_api(api), m_deviceId(std::move(deviceId)) {}

void DeviceDetails::finishedOne() {
    if (--m_pending == 0)
        Q_EMIT allLoaded();
}

void DeviceDetails::loadAll() {
    m_pending = 4;
    const QString base = "/api/v1/devices/" + m_deviceId;
    m_api.get(base, [this](const ApiReply& reply) {
        if (reply.ok())
            Q_EMIT deviceLoaded(DeviceSummary::fromJson(reply.object()));
        else
            Q_EMIT failed(tr("the device"), reply.errorMessage);
        finishedOne();
    });
    m_api.get(base + "/inventory", [this](const ApiReply& reply) {
        if (reply.ok())
            Q_EMIT inventoryLoaded(
                DeviceInventory::fromSections(reply.object().value("sections").toObject()));
        else
            Q_EMIT failed(tr("the inventory"), reply.errorMessage);
        finishedOne();
    });
    loadMetrics("1h");
    loadCommands();
}

void DeviceDetails::loadMetrics(const QString& range) {
    m_api.get("/api/v1/devices/" + m_deviceId + "/metrics?range=" + range, [this](const ApiReply& reply) {
        if (reply.ok())
            Q_EMIT metricsLoaded(MetricSeries::fromPoints(reply.object().value("range").toString(),
                                                          reply.object().value("resolution").toString(),
                                                          reply.object().value("points").toArray()));
        else
            Q_EMIT failed(tr("the metrics"), reply.errorMessage);
        if (m_pending > 0)
            finishedOne();
    });
}

void DeviceDetails::loadCommands() {
    m_api.get("/api/v1/commands?limit=100&device=" + m_deviceId + (m_listings ? "" : "&listings=false"),
              [this](const ApiReply& reply) {
                  if (reply.ok())
                      Q_EMIT commandsLoaded(reply.object().value("items").toArray());
                  else
                      Q_EMIT failed(tr("the command history"), reply.errorMessage);
                  if (m_pending > 0)
                      finishedOne();
              });
}

} // namespace breeze::console
