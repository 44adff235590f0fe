#pragma once

#include "DeviceFilterModel.h"
#include "FleetScope.h"
#include "ScopedApi.h"

#include <QList>
#include <QString>
#include <functional>

namespace breeze::console {

// A named device filter of the signed-in technician, as the server keeps it.
struct SavedFilter {
    QString id;
    QString name;
    QString search;
    DeviceFilterModel::Condition condition = DeviceFilterModel::Condition::Any;
    FleetScope scope;
};

// The one place that knows /api/v1/me/device-filters: list, save (by name, replacing) and delete.
class SavedFilterClient {
public:
    explicit SavedFilterClient(ApiClient& api) : m_api(api) {}

    template <typename T> using Answer = std::function<void(const T& value, const QString& error)>;

    void list(Answer<QList<SavedFilter>> done);
    void save(const SavedFilter& filter, Answer<SavedFilter> done);
    void remove(const QString& id, Answer<bool> done);

    // The condition's name in a saved definition ("offline"; "scripts_failed" for Listed); empty for Any.
    static QString conditionName(DeviceFilterModel::Condition condition);
    static DeviceFilterModel::Condition conditionNamed(const QString& name);

private:
    ScopedApi m_api;
};

} // namespace breeze::console
