#pragma once

#include "Script.h"
#include "ScriptClient.h"

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QTabWidget;
class QTableView;

namespace breeze::console {

class ConsoleConnection;
class ExecutionHistoryPanel;
class ScriptSchedulesPanel;
class ScriptEditor;
class ScriptEditorPage;
class ScriptHistoryPanel;
class ScriptLibraryList;
class ScriptParameterModel;

// The script library: the list (searchable, partner-wide scripts and each organisation's own) beside the
// chosen script in three tabs: the editor (its settings, the text in QScintilla, its parameters; Save makes
// a new version), its history (diff and restore) and the executions (filterable). Run opens the Run dialog;
// the window follows each run in its own monitor window.
class ScriptsView : public QWidget {
    Q_OBJECT

public:
    explicit ScriptsView(ConsoleConnection& connection, QWidget* parent = nullptr);

    void reload();
    // The executions shown are those of the organisation or site chosen in the tree.
    void setScope(const FleetScope& scope);
    // Starts a new script in the editor (not saved until Save).
    void newScript();
    // Opens the script with this id in the editor.
    void openScript(const QString& id);
    void save();
    void runCurrent();

    QTableView* library() const;
    ScriptEditor* editor() const;
    ScriptParameterModel* parameters() const;
    ScriptHistoryPanel* history() const { return m_history; }
    ExecutionHistoryPanel* executions() const { return m_executions; }
    ScriptSchedulesPanel* schedules() const { return m_schedules; }
    QTabWidget* tabs() const { return m_tabs; }
    QLineEdit* nameField() const;
    QComboBox* languageField() const;
    QLineEdit* noteField() const;
    QString status() const;
    // The script in the editor as last loaded or saved (with its text), as a library record; empty for a new
    // one.
    QJsonObject current() const;

Q_SIGNALS:
    // The Run dialog started a run (the server's answer); also when an execution is opened from the history.
    void runStarted(const QJsonObject& answer);
    void executionOpened(const QJsonObject& execution);

private:
    void show(const Script& script);
    void deleteCurrent();

    ConsoleConnection& m_connection;
    ScriptClient m_client;
    ScriptLibraryList* m_library;
    QTabWidget* m_tabs;
    ScriptEditorPage* m_editor;
    ScriptHistoryPanel* m_history;
    ExecutionHistoryPanel* m_executions;
    ScriptSchedulesPanel* m_schedules;
    Script m_current; // as last loaded or saved; not saved (no id) for a new one
};

} // namespace breeze::console
