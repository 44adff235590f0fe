#include "scripts/ScriptsView.h"

#include "ConsoleConnection.h"
#include "scripts/ExecutionHistoryPanel.h"
#include "scripts/RunScriptDialog.h"
#include "scripts/ScriptEditor.h"
#include "scripts/ScriptEditorPage.h"
#include "scripts/ScriptHistoryPanel.h"
#include "scripts/ScriptLibraryList.h"
#include "scripts/ScriptSchedulesPanel.h"
#include "widgets/Confirmation.h"

#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace breeze::console {

ScriptsView::ScriptsView(ConsoleConnection& connection, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_client(connection.api()),
      m_library(new ScriptLibraryList(this)), m_tabs(new QTabWidget(this)),
      m_editor(new ScriptEditorPage(this)), m_history(new ScriptHistoryPanel(connection.api(), this)),
      m_executions(new ExecutionHistoryPanel(connection, this)),
      m_schedules(new ScriptSchedulesPanel(connection, this)) {
    m_tabs->addTab(m_editor, tr("Editor"));
    m_tabs->addTab(m_history, tr("History"));
    m_tabs->addTab(m_executions, tr("Executions"));
    m_tabs->addTab(m_schedules, tr("Schedules"));
    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_library);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({280, 800});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_library, &ScriptLibraryList::chosen, this, [this](const QJsonObject& item) {
        const Script chosen = Script::fromRecord(item);
        if (chosen.id != m_current.id)
            openScript(chosen.id);
    });
    connect(m_library, &ScriptLibraryList::newRequested, this, &ScriptsView::newScript);
    connect(m_library, &ScriptLibraryList::refreshRequested, this, &ScriptsView::reload);
    connect(m_editor, &ScriptEditorPage::saveRequested, this, &ScriptsView::save);
    connect(m_editor, &ScriptEditorPage::runRequested, this, &ScriptsView::runCurrent);
    connect(m_editor, &ScriptEditorPage::deleteRequested, this, &ScriptsView::deleteCurrent);
    auto* saveKey = new QShortcut(QKeySequence::Save, this, [this] { save(); });
    saveKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(m_history, &ScriptHistoryPanel::restored, this, [this](const Script& script) {
        show(script);
        reload();
        m_editor->setStatus(tr("Version %1 is now current.").arg(script.version));
    });
    connect(m_executions, &ExecutionHistoryPanel::openRequested, this, &ScriptsView::executionOpened);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) == m_executions)
            m_executions->reload();
        else if (m_tabs->widget(index) == m_schedules)
            m_schedules->reload();
    });
    newScript();
}

QTableView* ScriptsView::library() const {
    return m_library->table();
}

ScriptEditor* ScriptsView::editor() const {
    return m_editor->editor();
}

ScriptParameterModel* ScriptsView::parameters() const {
    return m_editor->parameters();
}

QLineEdit* ScriptsView::nameField() const {
    return m_editor->nameField();
}

QComboBox* ScriptsView::languageField() const {
    return m_editor->languageField();
}

QLineEdit* ScriptsView::noteField() const {
    return m_editor->noteField();
}

QString ScriptsView::status() const {
    return m_editor->status();
}

QJsonObject ScriptsView::current() const {
    return m_current.isSaved() ? m_current.record() : QJsonObject();
}

void ScriptsView::setScope(const FleetScope& scope) {
    m_executions->setScope(scope);
}

void ScriptsView::reload() {
    // Organisations for the library choice of a new script: the partner-wide library or one organisation's.
    m_editor->setOrganisations(m_connection.tree().organisations());
    m_client.list([this](const QJsonArray& items, const QString& error) {
        if (!error.isEmpty()) {
            m_editor->setStatus(error, true);
            return;
        }
        m_library->setScripts(items);
        m_executions->setScripts(items);
    });
    // The tab on show loads too (it may have been chosen before signing in).
    if (m_tabs->currentWidget() == m_schedules)
        m_schedules->reload();
    else if (m_tabs->currentWidget() == m_executions)
        m_executions->reload();
}

void ScriptsView::newScript() {
    show(Script());
    m_library->clearSelection();
    m_editor->setStatus(tr("A new script: Save adds it to the library."));
}

void ScriptsView::openScript(const QString& id) {
    m_client.script(id, [this](const Script& script, const QString& error) {
        if (!error.isEmpty()) {
            m_editor->setStatus(error, true);
            return;
        }
        show(script);
        m_editor->setStatus({});
    });
}

void ScriptsView::show(const Script& script) {
    m_current = script;
    m_editor->show(script);
    m_history->setScript(script.id, script.version);
    if (script.isSaved())
        m_executions->setScriptFilter(script.id);
}

void ScriptsView::save() {
    const Script edited = m_editor->edited(m_current);
    const bool creating = !m_current.isSaved();
    const int before = m_current.version;
    m_editor->setBusy(true);
    m_client.save(
        edited, m_editor->note(), [this, creating, before](const Script& script, const QString& error) {
            m_editor->setBusy(false);
            if (!error.isEmpty()) {
                // What was typed stays; the server says what to change.
                m_editor->setStatus(error, true);
                return;
            }
            show(script);
            reload();
            m_editor->setStatus(creating ? tr("Added to the library as version 1.")
                                : script.version != before
                                    ? tr("Saved as version %1.").arg(script.version)
                                    : tr("Saved (the script itself did not change, so no new version)."));
        });
}

void ScriptsView::runCurrent() {
    if (!m_current.isSaved())
        return;
    if (m_editor->editor()->isModified())
        m_editor->setStatus(tr("Unsaved changes are not part of the run: it runs the saved version."));
    auto* dialog = new RunScriptDialog(m_connection, m_current.record(), {}, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &RunScriptDialog::started, this, &ScriptsView::runStarted);
    connect(dialog, &RunScriptDialog::scheduled, m_schedules, &ScriptSchedulesPanel::reload);
    dialog->open();
}

void ScriptsView::deleteCurrent() {
    if (!m_current.isSaved())
        return;
    if (!Confirmation::ask(this, tr("Delete script"),
                           tr("Remove \"%1\" from the library? Its versions stay in the history of what ran.")
                               .arg(m_current.name)))
        return;
    m_client.remove(m_current.id, [this](bool, const QString& error) {
        if (!error.isEmpty()) {
            m_editor->setStatus(error, true);
            return;
        }
        newScript();
        reload();
        m_editor->setStatus(tr("Deleted."));
    });
}

} // namespace breeze::console
