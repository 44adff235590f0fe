#pragma once

#include "ApiClient.h"
#include "DeviceTableModel.h"
#include "FleetTreeModel.h"
#include "LiveChannel.h"

#include <QObject>
#include <functional>

class QTimer;

namespace breeze::console {

// Keeps a DeviceTableModel true: loads every visible device page by page, then applies live events; a device
// it has not seen (new enrollment) is fetched on its own; after a reconnect it reloads once.
class DeviceDirectory : public QObject {
    Q_OBJECT

public:
    DeviceDirectory(ApiClient& api, LiveChannel& live, DeviceTableModel& model, FleetTreeModel& tree,
                    QObject* parent = nullptr);

    void reload();
    bool loading() const { return m_loading; }

Q_SIGNALS:
    void loadingChanged(bool loading);
    void progress(int loaded);
    void loaded(int total);
    void failed(const QString& message);

private:
    void loadPage(const QString& cursor);
    void loadTenancy(const std::function<void(const QString& error)>& then);
    void tenancyChanged();
    void fetchDevice(const QString& id);

    ApiClient& m_api;
    DeviceTableModel& m_model;
    FleetTreeModel& m_tree;
    bool m_loading = false;
    bool m_reloadAgain = false;
    QVector<Device> m_pending;
    QTimer* m_tenancyReload;
    bool m_tenancyAgain = false;
};

} // namespace breeze::console
