#pragma once

#include "DeviceCommands.h"

#include <QMenu>
#include <QStringList>

namespace breeze::console {

class ConsoleConnection;

// The device table's context menu for the selected devices: commands (ping, inventory, restart, shut down), a
// script from the library, tags, device group, site, and opening their windows. Commands go through the
// CommandRunner; changes of site, group and tags are asked for through `changeRequested` so the window can
// show their progress.
class DeviceBulkMenu : public QMenu {
    Q_OBJECT

public:
    DeviceBulkMenu(ConsoleConnection& connection, QStringList deviceIds, QWidget* parent);

Q_SIGNALS:
    void status(const QString& message);
    // A change for every selected device (a DeviceChange's body), with what it does in words ("Tagging web").
    void changeRequested(const QStringList& deviceIds, const QJsonObject& change, const QString& what);
    void openRequested(const QString& deviceId);
    void runScriptRequested(const QStringList& deviceIds);
    // A terminal on the device: in a tab of its own, or beside the terminal shown last.
    void terminalRequested(const QString& deviceId, bool beside);

private:
    // The selected devices by name: the first five, then how many more.
    QString targetNames() const;
    void addCommands();
    void addCopies();
    void addTags();
    void addGroups();
    void addSites();

    ConsoleConnection& m_connection;
    QStringList m_ids;
};

} // namespace breeze::console
