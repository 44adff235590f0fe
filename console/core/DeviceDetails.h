#pragma once

#include "ApiClient.h"
#include "DeviceInventory.h"
#include "DeviceSummary.h"
#include "MetricSeries.h"
#include "ScopedApi.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

namespace breeze::console {

// Everything the device view shows about one device, loaded from the REST API: the record, the inventory
// sections, metrics for a range, and the command history. Each part arrives with its own signal, so the view
// fills in as answers come; a failure names what could not be loaded.
class DeviceDetails : public QObject {
    Q_OBJECT

public:
    DeviceDetails(ApiClient& api, QString deviceId, QObject* parent = nullptr);

    const QString& deviceId() const { return m_deviceId; }
    void loadAll();
    void loadMetrics(const QString& range); // 1h, 24h, 7d, 30d
    void loadCommands();
    // Whether the history holds the process and service listings the tabs ask for (off: they would crowd out
    // what a technician did).
    void setCommandListings(bool shown) { m_listings = shown; }
    bool complete() const { return m_pending == 0; }

Q_SIGNALS:
    void deviceLoaded(const DeviceSummary& device);
    void inventoryLoaded(const DeviceInventory& inventory);
    void metricsLoaded(const MetricSeries& series);
    void commandsLoaded(const QJsonArray& commands); // rows for the history table, newest first
    void failed(const QString& what, const QString& message);
    void allLoaded();

private:
    void finishedOne();

    ScopedApi m_api;
    QString m_deviceId;
    bool m_listings = false;
    int m_pending = 0;
};

} // namespace breeze::console
