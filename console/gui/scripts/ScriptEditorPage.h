#pragma once

#include "FleetTreeModel.h"
#include "Script.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;

namespace breeze::console {

class InlineMessage;
class ScriptEditor;
class ScriptParameterModel;

// The editor tab of the script library: a script's settings (name, language, library, category, timeout,
// account, systems, description), its text in QScintilla, its parameters, a note for the version, and Save,
// Run and Delete, which the view carries out.
class ScriptEditorPage : public QWidget {
    Q_OBJECT

public:
    explicit ScriptEditorPage(QWidget* parent = nullptr);

    // The libraries a new script may go to: partner-wide, or one of these organisations.
    void setOrganisations(const QVector<TenancyNode>& organisations);
    void show(const Script& script);
    // The script as edited: `shown` with every field from the form (and, when new, the library chosen).
    Script edited(const Script& shown) const;
    QString note() const;
    void setBusy(bool saving);
    void setStatus(const QString& text, bool error = false);
    QString status() const;

    ScriptEditor* editor() const { return m_editor; }
    ScriptParameterModel* parameters() const { return m_parameters; }
    QLineEdit* nameField() const { return m_name; }
    QComboBox* languageField() const { return m_language; }
    QLineEdit* noteField() const { return m_note; }

Q_SIGNALS:
    void saveRequested();
    void runRequested();
    void deleteRequested();

private:
    QLayout* settingsGrid();
    QWidget* parameterBox();
    QLayout* actionBar();

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
};

} // namespace breeze::console
