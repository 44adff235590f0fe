#pragma once

#include "ScriptClient.h"

#include <QWidget>

class QTableView;

namespace breeze::console {

class ConsoleConnection;
class InlineMessage;
class JsonTableModel;

// The runs the server will make: each schedule with its script, where it runs, when next, how it repeats and
// why its last time made no run, if it did not; Delete stops one (after asking).
class ScriptSchedulesPanel : public QWidget {
    Q_OBJECT

public:
    explicit ScriptSchedulesPanel(ConsoleConnection& connection, QWidget* parent = nullptr);
    void reload();
    void deleteSelected();
    const JsonTableModel& model() const { return *m_model; }
    QTableView* table() const { return m_table; }

private:
    ConsoleConnection& m_connection;
    ScriptClient m_client;
    JsonTableModel* m_model;
    QTableView* m_table;
    InlineMessage* m_status;
};

} // namespace breeze::console
