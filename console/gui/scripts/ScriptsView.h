#pragma once

#include "JsonTableModel.h"

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace breeze::console {

class InlineMessage;

class ConsoleConnection;
class ExecutionHistoryPanel;
class ScriptEditor;
class ScriptHistoryPanel;
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
    // Starts a new script in the editor (not saved until Save).
    void newScript();
    // Opens the script with this id in the editor.
    void openScript(const QString& id);
    void save();
    void runCurrent();

    QTableView* library() const { return m_table; }
    ScriptEditor* editor() const { return m_editor; }
    ScriptParameterModel* parameters() const { return m_parameters; }
    ScriptHistoryPanel* history() const { return m_history; }
    ExecutionHistoryPanel* executions() const { return m_executions; }
    QTabWidget* tabs() const { return m_tabs; }
    QLineEdit* nameField() const { return m_name; }
    QComboBox* languageField() const { return m_language; }
    QLineEdit* noteField() const { return m_note; }
    QString status() const;
    const QJsonObject& current() const { return m_current; }

Q_SIGNALS:
    // The Run dialog started a run (the server's answer); also when an execution is opened from the history.
    void runStarted(const QJsonObject& answer);
    void executionOpened(const QJsonObject& execution);

private:
    void show(const QJsonObject& script);
    QJsonObject editedFields() const;
    void setStatus(const QString& text, bool error = false);
    void deleteCurrent();

    ConsoleConnection& m_connection;
    JsonTableModel* m_model;
    QSortFilterProxyModel* m_filter;
    QTableView* m_table;
    QLineEdit* m_search;
    QTabWidget* m_tabs;
    QLineEdit* m_name;
    QComboBox* m_language;
    QComboBox* m_library;
    QLineEdit* m_category;
    QLineEdit* m_description;
    QSpinBox* m_timeout;
    QLineEdit* m_runAs;
    QCheckBox* m_linux;
    QCheckBox* m_macos;
    QCheckBox* m_windows;
    ScriptEditor* m_editor;
    ScriptParameterModel* m_parameters;
    QTableView* m_parameterTable;
    QLineEdit* m_note;
    InlineMessage* m_status;
    QPushButton* m_save;
    QPushButton* m_run;
    QPushButton* m_delete;
    ScriptHistoryPanel* m_history;
    ExecutionHistoryPanel* m_executions;
    QJsonObject m_current; // the script as last loaded or saved (with content); empty for a new one
};

} // namespace breeze::console
