#pragma once

#include "DeviceCommands.h"
#include "ProcessSampler.h"
#include "widgets/InlineMessage.h"

#include <QElapsedTimer>
#include <QWidget>

class QCheckBox;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTimer;
class QTreeView;

namespace breeze::console {

class DeviceTablePage;
class JsonTableModel;

// The device's processes (searchable), as a task manager shows them: each one's share of the machine's CPU
// and memory, updated every five seconds while the tab is shown and the device is online, as a list or as a
// tree of parents and children. End process asks first (TERM or KILL). A listing is a command to the agent,
// not inventory, so it is asked for only while someone looks.
class DeviceProcessesTab : public QWidget {
    Q_OBJECT

public:
    explicit DeviceProcessesTab(QWidget* parent = nullptr);
    // The output of a list_processes command.
    void showListing(const QJsonObject& output);
    int count() const;
    void refresh();
    // Live updates only go to a device that is online (a listing for an offline one would wait in its queue).
    void setDeviceOnline(bool online);
    void setTree(bool tree);
    QTreeView* tree() const { return m_tree; }
    DeviceTablePage* list() const { return m_table; }

    // What this tab asked of the device and how it went; each tab keeps its own.
    void say(InlineMessage::Kind kind, const QString& text);
    QString status() const { return m_status->message(); }

Q_SIGNALS:
    void commandRequested(const DeviceCommand& command, const QString& tag, const QString& doing);

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* toolbar();
    void fillTree(const QJsonArray& rows);
    void endSelected();
    QJsonObject selectedProcess() const;

    ProcessSampler m_sampler;
    DeviceTablePage* m_table;
    JsonTableModel* m_rows; // the tree's cells are formatted as the list's
    QStandardItemModel* m_treeModel;
    QSortFilterProxyModel* m_treeSort;
    QTreeView* m_tree;
    InlineMessage* m_status;
    QPushButton* m_refresh;
    QCheckBox* m_live;
    QCheckBox* m_asTree;
    QTimer* m_tick;
    bool m_online = false;
    bool m_waiting = false; // a listing asked for and not answered: no second one meanwhile
    QElapsedTimer m_askedAt;
};

} // namespace breeze::console
