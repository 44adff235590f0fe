#include "devices/DeviceBulkMenu.h"

#include "ConsoleConnection.h"
#include "widgets/PowerQuestion.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QInputDialog>
#include <QSet>
#include <functional>

namespace breeze::console {

namespace {
QString nameOnly(const QModelIndex& node) {
    return node.data().toString().section(" (", 0, 0); // without the "(online/total)" counts
}

// Menu texts treat '&' as a shortcut marker: names and tags ("R&D") are shown as typed.
QString literal(QString text) {
    return text.replace('&', "&&");
}
} // namespace

DeviceBulkMenu::DeviceBulkMenu(ConsoleConnection& connection, QStringList deviceIds, QWidget* parent)
    : QMenu(parent), m_connection(connection), m_ids(std::move(deviceIds)) {
    addSection(m_ids.size() == 1 ? tr("1 device") : tr("%1 devices").arg(m_ids.size()));
    addCommands();
    addSeparator();
    addTags();
    addGroups();
    addSites();
    addSeparator();
    addAction(tr("Open"), this, [this] {
        for (const QString& id : m_ids.mid(0, 10))
            Q_EMIT openRequested(id);
    });
    addCopies();
}

// Host names and addresses to the clipboard, one device per line, for a ticket or a terminal.
void DeviceBulkMenu::addCopies() {
    const auto copy = [this](const std::function<QString(const Device&)>& field, const QString& what) {
        QStringList lines;
        for (const QString& id : m_ids)
            if (const Device* device = m_connection.devices().device(id))
                lines << field(*device);
        QGuiApplication::clipboard()->setText(lines.join('\n'));
        Q_EMIT status(
            tr("Copied the %1 of %n device(s).", nullptr, static_cast<int>(lines.size())).arg(what));
    };
    addAction(m_ids.size() == 1 ? tr("Copy host name") : tr("Copy host names"), this, [copy] {
        copy(
            [](const Device& device) {
                return device.hostname.isEmpty() ? device.identity : device.hostname;
            },
            tr("host names"));
    });
    addAction(m_ids.size() == 1 ? tr("Copy IP addresses") : tr("Copy IP addresses (one device per line)"),
              this, [copy] {
                  copy(
                      [](const Device& device) {
                          return device.addresses.isEmpty() ? device.lastAddress : device.addresses.join(' ');
                      },
                      tr("IP addresses"));
              });
}

void DeviceBulkMenu::addCommands() {
    const auto run = [this](const DeviceCommand& command, const QString& verb) {
        for (const QString& id : m_ids)
            m_connection.commands().send(id, command.type, command.args, "bulk");
        Q_EMIT status(
            tr("%1: sent to %2 devices; each runs when its device is online").arg(verb).arg(m_ids.size()));
    };
    addAction(tr("Run script…"), this, [this] { Q_EMIT runScriptRequested(m_ids); });
    if (m_ids.size() <= 8) {
        addAction(m_ids.size() == 1 ? tr("Open terminal") : tr("Open terminals"), this, [this] {
            for (const QString& id : m_ids)
                Q_EMIT terminalRequested(id, false);
        });
        addAction(tr("Open terminal beside the current one"), this, [this] {
            for (const QString& id : m_ids)
                Q_EMIT terminalRequested(id, true);
        });
    }
    addSeparator();
    addAction(tr("Ping"), this, [run] { run(DeviceCommand::ping(), tr("Ping")); });
    addAction(tr("Collect inventory now"), this,
              [run] { run(DeviceCommand::collectInventory(), tr("Inventory")); });
    addSeparator();
    for (const auto& [command, verb] : {std::pair{&DeviceCommand::restart, tr("Restart")},
                                        std::pair{&DeviceCommand::shutDown, tr("Shut down")}}) {
        addAction(verb + "…", this, [this, run, command = command, verb = verb] {
            // Names what it will restart or shut down.
            if (const auto delay = askPowerDelay(parentWidget(), verb, targetNames()))
                run(command(*delay), verb);
        });
    }
}

QString DeviceBulkMenu::targetNames() const {
    QStringList names;
    for (const QString& id : m_ids.mid(0, 5)) {
        const Device* device = m_connection.devices().device(id);
        names << (device ? (device->hostname.isEmpty() ? device->identity : device->hostname) : id);
    }
    if (m_ids.size() > 5)
        return tr("%1 and %n more", nullptr, static_cast<int>(m_ids.size() - 5)).arg(names.join(", "));
    return names.join(", ");
}

void DeviceBulkMenu::addTags() {
    QMenu* tags = addMenu(tr("Tags"));
    tags->addAction(tr("Add tag…"), this, [this] {
        bool ok = false;
        const QString tag =
            QInputDialog::getText(parentWidget(), tr("Add tag"),
                                  tr("Tag for %1 device(s):").arg(m_ids.size()), QLineEdit::Normal, {}, &ok)
                .trimmed();
        if (ok && !tag.isEmpty())
            Q_EMIT changeRequested(m_ids, DeviceChange::addTag(tag).body, tr("Tagging %1").arg(tag));
    });
    QStringList present;
    QSet<QString> seen;
    for (const QString& id : m_ids)
        if (const Device* device = m_connection.devices().device(id))
            for (const QString& tag : device->tags)
                if (!seen.contains(tag.toLower())) {
                    seen.insert(tag.toLower());
                    present << tag;
                }
    present.sort(Qt::CaseInsensitive);
    QMenu* remove = tags->addMenu(tr("Remove tag"));
    remove->setEnabled(!present.isEmpty());
    for (const QString& tag : present)
        remove->addAction(literal(tag), this, [this, tag] {
            Q_EMIT changeRequested(m_ids, DeviceChange::removeTag(tag).body, tr("Removing tag %1").arg(tag));
        });
}

void DeviceBulkMenu::addGroups() {
    // Only groups every selected device may join: of their organisation, and of their site unless the group
    // is organisation-wide.
    QSet<QString> orgs, sites;
    for (const QString& id : m_ids)
        if (const Device* device = m_connection.devices().device(id)) {
            orgs.insert(device->orgId);
            sites.insert(device->siteId);
        }
    QMenu* groups = addMenu(tr("Device group"));
    groups->addAction(tr("No group"), this, [this] {
        Q_EMIT changeRequested(m_ids, DeviceChange::group({}).body, tr("Taking devices out of their group"));
    });
    groups->addSeparator();
    QVector<TenancyNode> choices;
    for (const auto& group : m_connection.tree().groups())
        if (orgs.size() == 1 && orgs.contains(group.parentId) &&
            (group.siteId.isEmpty() || (sites.size() == 1 && sites.contains(group.siteId))))
            choices.push_back(group);
    std::sort(choices.begin(), choices.end(),
              [](const auto& a, const auto& b) { return a.name.compare(b.name, Qt::CaseInsensitive) < 0; });
    for (const auto& group : choices)
        groups->addAction(literal(group.name), this, [this, group] {
            Q_EMIT changeRequested(m_ids, DeviceChange::group(group.id).body,
                                   tr("Moving devices to group %1").arg(group.name));
        });
    if (choices.isEmpty())
        groups->addAction(orgs.size() > 1 ? tr("(devices of several organisations)") : tr("(no groups here)"))
            ->setEnabled(false);
}

void DeviceBulkMenu::addSites() {
    QMenu* move = addMenu(tr("Move to site"));
    FleetTreeModel& tree = m_connection.tree();
    for (int o = 0; o < tree.rowCount(tree.organisationsRoot()); ++o) {
        const QModelIndex org = tree.index(o, 0, tree.organisationsRoot());
        for (int s = 0; s < tree.rowCount(org); ++s) {
            const QModelIndex site = tree.index(s, 0, org);
            const QString siteId = site.data(FleetTreeModel::IdRole).toString();
            const QString label = nameOnly(site) + " — " + nameOnly(org);
            move->addAction(literal(label), this, [this, siteId, label] {
                Q_EMIT changeRequested(m_ids, DeviceChange::site(siteId).body,
                                       tr("Moving devices to %1").arg(label));
            });
        }
    }
}

} // namespace breeze::console
