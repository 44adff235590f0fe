#pragma once

#include "JsonTableModel.h"
#include "RecordClient.h"
#include "ScriptClient.h"

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace breeze::console {

class ConsoleConnection;
class InlineMessage;

// Script executions, newest first, filtered by script, device (host name), who ran them and status.
// Opening one shows its output.
class ExecutionHistoryPanel : public QWidget {
    Q_OBJECT

public:
    explicit ExecutionHistoryPanel(ConsoleConnection& connection, QWidget* parent = nullptr);

    // The scripts the script filter offers (the library as loaded).
    void setScripts(const QJsonArray& scripts);
    void setScriptFilter(const QString& scriptId);
    void setDeviceFilter(const QString& hostname);
    void setStatusFilter(const QString& status);
    void setOnlyMine(bool mine);
    // A user id from the list the filter offers (the users the technician may list).
    void setUserFilter(const QString& userId);
    // The organisation or site chosen in the tree; reloads when the panel has been shown.
    void setScope(const FleetScope& scope);
    void reload();
    const JsonTableModel& model() const { return *m_model; }
    QTableView* table() const { return m_table; }

Q_SIGNALS:
    void openRequested(const QJsonObject& execution);

private:
    ExecutionFilter filter() const;
    void loadUsers();

    ConsoleConnection& m_connection;
    ScriptClient m_client;
    RecordClient m_records;
    QComboBox* m_script;
    QLineEdit* m_device;
    QComboBox* m_user;
    QComboBox* m_status;
    InlineMessage* m_note;
    JsonTableModel* m_model;
    QTableView* m_table;
    QString m_myId;
    FleetScope m_scope;
    bool m_usersLoaded = false;
    int m_request = 0;
};

} // namespace breeze::console
