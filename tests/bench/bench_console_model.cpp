// bench-console-model: the console's device models at fleet scale, no server needed. Builds --devices devices
// from JSON pages as the REST API sends them, behind the same sort/filter proxy the main window uses (sorted
// by host name), then measures a search keystroke and 1,000 live status changes applied one event at a time.
// Prints {"devices":…, "load_ms":…, "filter_ms":…, "update_1000_ms":…, "max_update_ms":…} as its last line.
#include "DeviceFilterModel.h"
#include "DeviceTableModel.h"
#include "FleetTreeModel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <iostream>
#include <random>

using namespace breeze::console;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    int count = 100'000;
    for (int i = 1; i + 1 < argc; ++i)
        if (QString(argv[i]) == "--devices")
            count = QString(argv[i + 1]).toInt();

    // The pages as the server would send them (500 devices each).
    const char* systems[] = {"Debian GNU/Linux 12 (bookworm)", "Ubuntu 24.04 LTS", "Windows 11 Pro",
                             "Rocky Linux 9.4", "macOS 15.1"};
    std::vector<QByteArray> pages;
    for (int start = 0; start < count; start += 500) {
        QJsonArray items;
        for (int i = start; i < std::min(count, start + 500); ++i)
            items.append(QJsonObject{
                {"id", QString("00000000-0000-4000-8000-%1").arg(i, 12, 10, QChar('0'))},
                {"org_id", QString("org-%1").arg(i % 200 % 20)},
                {"site_id", QString("site-%1").arg(i % 200)},
                // Half the devices in one of their site's two groups; every seventh tagged.
                {"group_id", i % 4 < 2 ? QJsonValue(QString("group-%1-%2").arg(i % 200).arg(i % 4))
                                       : QJsonValue(QJsonValue::Null)},
                {"tags", i % 7 ? QJsonArray() : QJsonArray{"web", "prod"}},
                {"identity", QString("machine-%1").arg(i)},
                {"hostname", QString("host-%1").arg(i, 6, 10, QChar('0'))},
                {"os", systems[i % 5]},
                {"agent_version", "0.1.0"},
                {"status", i % 3 ? "online" : "offline"},
                {"approval", "approved"},
                {"last_address", QString("10.%1.%2.%3").arg(i / 65536).arg(i / 256 % 256).arg(i % 256)},
                {"last_seen_at", "2026-11-25T12:00:00.000Z"},
                {"revoked_at", QJsonValue::Null}});
        pages.push_back(QJsonDocument(QJsonObject{{"items", items}}).toJson(QJsonDocument::Compact));
    }

    DeviceTableModel model;
    DeviceFilterModel proxy(model);
    // The tree of 20 organisations, 200 sites and 400 groups follows the same model.
    FleetTreeModel tree(model);
    QVector<TenancyNode> organisations;
    QVector<TenancyNode> sites;
    QVector<TenancyNode> groups;
    for (int o = 0; o < 20; ++o)
        organisations.push_back({QString("org-%1").arg(o), {}, QString("Organisation %1").arg(o), {}});
    for (int s = 0; s < 200; ++s) {
        const QString site = QString("site-%1").arg(s);
        const QString org = QString("org-%1").arg(s % 20);
        sites.push_back({site, org, QString("Site %1").arg(s), {}});
        groups.push_back({QString("group-%1-0").arg(s), org, "Servers", site});
        groups.push_back({QString("group-%1-1").arg(s), org, "Workstations", site});
    }
    tree.setTenancy(organisations, sites, groups);
    proxy.sort(DeviceTableModel::Hostname);

    QElapsedTimer timer;
    timer.start();
    QVector<Device> devices;
    devices.reserve(count);
    for (const auto& page : pages)
        for (const auto& item : QJsonDocument::fromJson(page).object().value("items").toArray())
            devices.push_back(Device::fromJson(item.toObject()));
    model.setDevices(std::move(devices));
    const double loadMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    if (tree.data(tree.organisationsRoot(), FleetTreeModel::TotalRole).toInt() != count)
        std::cerr << "warning: the tree does not hold every device\n";

    // One keystroke of a search for a host name.
    timer.restart();
    proxy.setSearch("host-0421");
    const double filterMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    const int matches = proxy.rowCount();
    timer.restart();
    proxy.setSearch("");
    const double clearMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

    // 1,000 live status changes, each applied as it arrives; the longest one is what would freeze the UI.
    std::mt19937 random(42);
    double maxUpdateMs = 0;
    timer.restart();
    for (int i = 0; i < 1000; ++i) {
        const int index = static_cast<int>(random() % static_cast<unsigned>(count));
        QElapsedTimer one;
        one.start();
        model.applyEvent({{"kind", i % 2 ? "online" : "offline"},
                          {"device_id", QString("00000000-0000-4000-8000-%1").arg(index, 12, 10, QChar('0'))},
                          {"at", "2026-11-25T12:00:01.000Z"}});
        maxUpdateMs = std::max(maxUpdateMs, static_cast<double>(one.nsecsElapsed()) / 1e6);
    }
    const double updateMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

    // One live batch of heartbeat summaries (CPU, memory, user) for 1,000 devices, as the server sends them.
    QJsonArray summaries;
    for (int i = 0; i < 1000; ++i)
        summaries.append(QJsonObject{
            {"device_id", QString("00000000-0000-4000-8000-%1").arg(i * 97 % count, 12, 10, QChar('0'))},
            {"seen_at_ms", 1'800'000'000'000.0},
            {"cpu_percent", i % 100},
            {"memory_percent", 50},
            {"last_user", "alice"}});
    timer.restart();
    model.applySummaries(summaries);
    const double summariesMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

    const auto round = [](double v) { return QString::number(v, 'f', 1); };
    std::cout
        << QString(
               "{\"devices\":%1,\"load_ms\":%2,\"filter_ms\":%3,\"filter_matches\":%4,\"update_1000_ms\":%5,"
               "\"max_update_ms\":%6,\"clear_filter_ms\":%7,\"summaries_1000_ms\":%8}")
               .arg(model.rowCount())
               .arg(round(loadMs), round(filterMs))
               .arg(matches)
               .arg(round(updateMs), round(maxUpdateMs), round(clearMs), round(summariesMs))
               .toStdString()
        << std::endl;
    return 0;
}
