#pragma once

#include "ApiClient.h"
#include "FleetScope.h"
#include "ScopedApi.h"

#include <QDateTime>
#include <QJsonArray>
#include <QList>
#include <QString>
#include <functional>

namespace breeze::console {

struct PatchFilter {
    QString search;
    bool securityOnly = false;
    QString state;    // missing, failed, pending_reboot; empty: any
    FleetScope scope; // counts only the devices of this organisation or site
};

struct PatchDecision {
    QString decision; // approved, rejected, deferred or none (clears)
    QString orgId;    // the level: at most one of these; none: partner-wide
    QString siteId;
    QString deviceId;
    int deferDays = 0;
};

struct DeploymentTarget {
    enum class Kind { Organisation, Site } kind = Kind::Site;
    QString id;
    QDateTime at;              // invalid: now
    QString reboot = "policy"; // or never, if_required, always
};

// What a deployment would install now, device by device, as its table shows it ("device", "packages",
// "window", "restart"), and how many installs in all.
struct DeploymentPreview {
    QJsonArray rows;
    int devices = 0;
    int installs = 0;
};

struct DeploymentStarted {
    bool scheduled = false;
    QString scheduledAt;
    int queuedDevices = 0;
};

struct PatchCompliance {
    struct Site {
        QString name;
        double share = 0;         // of scanned devices fully patched, 0..1
        double securityShare = 0; // with no security update missing
    };
    QList<Site> sites;
    int fullyPatched = 0;
    int scanned = 0;
};

struct DevicePatchList {
    QJsonArray items; // rows for JsonTableModel: name, installed_version, version, state, security, …
    bool rebootRequired = false;
    QString scannedAt; // empty: never
};

// A command's progress as the console follows it.
struct CommandProgress {
    QString status;
    QString error;
    bool running() const { return status == "pending" || status == "sent" || status == "running"; }
};

// The one place that knows the REST paths and JSON of patch management: the catalog as the caller's devices
// see it, decisions, deployments, compliance, and one device's updates, scans and rollbacks.
class PatchClient {
public:
    explicit PatchClient(ApiClient& api) : m_api(api) {}

    using Items = std::function<void(const QJsonArray& items, const QString& error)>;
    template <typename T> using Answer = std::function<void(const T& value, const QString& error)>;

    void patches(const PatchFilter& filter, Items done);
    void decide(const QString& patchId, const PatchDecision& decision, Answer<bool> done);
    void deploy(const DeploymentTarget& target, Answer<DeploymentStarted> done);
    void preview(const DeploymentTarget& target, Answer<DeploymentPreview> done);
    void deployments(Items done); // the newest 100
    // One row per device and package: hostname, name, version, status, installed_version.
    void deploymentOutcome(const QString& deploymentId, Items done);
    void compliance(const FleetScope& scope, Answer<PatchCompliance> done);

    void devicePatches(const QString& deviceId, Answer<DevicePatchList> done);
    void scan(const QString& deviceId, Answer<QString> done); // the command's id
    void rollBack(const QString& deviceId, const QString& patchId, Answer<QString> done);
    void command(const QString& commandId, Answer<CommandProgress> done);

private:
    ScopedApi m_api;
};

// What the console shows of an update row: its id and package name.
QString patchId(const QJsonObject& patch);
QString patchName(const QJsonObject& patch);

} // namespace breeze::console
