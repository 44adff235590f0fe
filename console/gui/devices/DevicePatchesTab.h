#pragma once

#include "JsonTableModel.h"
#include "PatchClient.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace breeze::console {

class ConsoleConnection;
class InlineMessage;

// A device's updates: each with its state (missing, installed, failed, waiting for a reboot), the version it
// replaces, the decision that applies to this device and the last error; whether a reboot is pending; Scan
// now (the agent refreshes its package lists and reports back) and Roll back for an installed update.
class DevicePatchesTab : public QWidget {
    Q_OBJECT

public:
    DevicePatchesTab(ConsoleConnection& connection, QString deviceId, QWidget* parent = nullptr);

    void reload();
    void scan();
    // Rolls back the update in `row` of the table.
    void rollBack(int row);
    // A decision for this device alone on the selected update ("approved", "rejected", "deferred" with days,
    // or "none" to clear it); a rejection elsewhere still wins.
    void decideSelected(const QString& decision, int deferDays = 0);

    const JsonTableModel& patches() const { return *m_model; }
    QTableView* table() const { return m_table; }
    QString status() const;

private:
    // Polls a command until it is final, then reloads.
    void follow(const QString& commandId, const QString& what);

    ConsoleConnection& m_connection;
    PatchClient m_client;
    QString m_deviceId;
    JsonTableModel* m_model;
    QTableView* m_table;
    QLabel* m_reboot;
    InlineMessage* m_status;
    QPushButton* m_scan;
};

} // namespace breeze::console
