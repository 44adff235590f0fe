#include "scripts/ScriptsView.h"

#include "ConsoleConnection.h"
#include "ListLoader.h"
#include "ScriptParameterModel.h"
#include "scripts/ExecutionHistoryPanel.h"
#include "scripts/RunScriptDialog.h"
#include "scripts/ScriptEditor.h"
#include "scripts/ScriptHistoryPanel.h"
#include "widgets/ChoiceDelegate.h"
#include "widgets/Confirmation.h"
#include "widgets/InlineMessage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
QStringList osList(const QJsonObject& script) {
    QStringList list;
    for (const auto& os : script.value("os").toArray())
        list << os.toString();
    return list;
}
} // namespace

ScriptsView::ScriptsView(ConsoleConnection& connection, QWidget* parent)
    : QWidget(parent), m_connection(connection),
      m_model(new JsonTableModel(
          {{"name", tr("Name")}, {"language", tr("Language")}, {"version", tr("Version")}}, this)),
      m_filter(new QSortFilterProxyModel(this)), m_table(new QTableView(this)), m_search(new QLineEdit(this)),
      m_tabs(new QTabWidget(this)), m_name(new QLineEdit(this)), m_language(new QComboBox(this)),
      m_library(new QComboBox(this)), m_category(new QLineEdit(this)), m_description(new QLineEdit(this)),
      m_timeout(new QSpinBox(this)), m_runAs(new QLineEdit(this)), m_linux(new QCheckBox(tr("Linux"), this)),
      m_macos(new QCheckBox(tr("macOS"), this)), m_windows(new QCheckBox(tr("Windows"), this)),
      m_editor(new ScriptEditor(this)), m_parameters(new ScriptParameterModel(this)),
      m_parameterTable(new QTableView(this)), m_note(new QLineEdit(this)), m_status(new InlineMessage(this)),
      m_save(new QPushButton(tr("Save"), this)), m_run(new QPushButton(tr("Run…"), this)),
      m_delete(new QPushButton(tr("Delete"), this)),
      m_history(new ScriptHistoryPanel(connection.api(), this)),
      m_executions(new ExecutionHistoryPanel(connection, this)) {
    // The library list.
    m_filter->setSourceModel(m_model);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setFilterKeyColumn(-1);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(0, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_search->setPlaceholderText(tr("Search scripts"));
    m_search->setClearButtonEnabled(true);
    auto* newButton = new QPushButton(tr("New script"), this);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_search);
    leftLayout->addWidget(m_table, 1);
    auto* leftButtons = new QHBoxLayout;
    leftButtons->addWidget(newButton);
    leftButtons->addWidget(refresh);
    leftLayout->addLayout(leftButtons);

    // The editor: settings, text, parameters.
    m_language->addItem("bash", "bash");
    m_language->addItem("sh", "sh");
    m_language->addItem("Python", "python");
    m_language->addItem("PowerShell", "powershell");
    m_timeout->setRange(1, 86400);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setValue(300);
    m_runAs->setPlaceholderText(tr("the agent's account"));
    m_description->setPlaceholderText(tr("What it does, for the next technician"));
    auto* settings = new QGridLayout;
    const auto label = [this](const QString& text) { return new QLabel(text, this); };
    settings->addWidget(label(tr("Name")), 0, 0);
    settings->addWidget(m_name, 0, 1);
    settings->addWidget(label(tr("Language")), 0, 2);
    settings->addWidget(m_language, 0, 3);
    settings->addWidget(label(tr("Library")), 1, 0);
    settings->addWidget(m_library, 1, 1);
    settings->addWidget(label(tr("Category")), 1, 2);
    settings->addWidget(m_category, 1, 3);
    settings->addWidget(label(tr("Timeout")), 2, 0);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(m_timeout);
    runRow->addWidget(label(tr("Run as")));
    runRow->addWidget(m_runAs, 1);
    settings->addLayout(runRow, 2, 1);
    settings->addWidget(label(tr("Runs on")), 2, 2);
    auto* osRow = new QHBoxLayout;
    osRow->addWidget(m_linux);
    osRow->addWidget(m_macos);
    osRow->addWidget(m_windows);
    osRow->addStretch();
    settings->addLayout(osRow, 2, 3);
    settings->addWidget(label(tr("Description")), 3, 0);
    settings->addWidget(m_description, 3, 1, 1, 3);
    settings->setColumnStretch(1, 3);
    settings->setColumnStretch(3, 2);

    m_parameterTable->setModel(m_parameters);
    m_parameterTable->setItemDelegateForColumn(ScriptParameterModel::Type,
                                               new ChoiceDelegate(ScriptParameterModel::types(), this));
    m_parameterTable->horizontalHeader()->setStretchLastSection(true);
    m_parameterTable->verticalHeader()->hide();
    m_parameterTable->setMaximumHeight(110);
    auto* addParameter = new QPushButton(tr("Add"), this);
    auto* removeParameter = new QPushButton(tr("Remove"), this);
    auto* parameterBox = new QGroupBox(tr("Parameters (environment variables of the same name)"), this);
    auto* parameterLayout = new QHBoxLayout(parameterBox);
    parameterLayout->addWidget(m_parameterTable, 1);
    auto* parameterButtons = new QVBoxLayout;
    parameterButtons->addWidget(addParameter);
    parameterButtons->addWidget(removeParameter);
    parameterButtons->addStretch();
    parameterLayout->addLayout(parameterButtons);

    m_note->setPlaceholderText(tr("What this save changes (kept with the version)"));
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_status, 1);
    actions->addWidget(m_note, 1);
    actions->addWidget(m_save);
    actions->addWidget(m_run);
    actions->addWidget(m_delete);

    auto* editorPage = new QWidget(this);
    auto* editorLayout = new QVBoxLayout(editorPage);
    editorLayout->addLayout(settings);
    editorLayout->addWidget(m_editor, 1);
    editorLayout->addWidget(parameterBox);
    editorLayout->addLayout(actions);
    m_tabs->addTab(editorPage, tr("Editor"));
    m_tabs->addTab(m_history, tr("History"));
    m_tabs->addTab(m_executions, tr("Executions"));

    auto* splitter = new QSplitter(this);
    splitter->addWidget(left);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({280, 800});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_search, &QLineEdit::textChanged, m_filter, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (!current.isValid())
                    return;
                const QJsonObject item = m_model->items().at(m_filter->mapToSource(current).row()).toObject();
                if (item.value("id").toString() != m_current.value("id").toString())
                    openScript(item.value("id").toString());
            });
    connect(newButton, &QPushButton::clicked, this, &ScriptsView::newScript);
    connect(refresh, &QPushButton::clicked, this, &ScriptsView::reload);
    connect(m_language, &QComboBox::currentIndexChanged, this,
            [this] { m_editor->setLanguage(m_language->currentData().toString()); });
    connect(addParameter, &QPushButton::clicked, this, [this] {
        const int row = m_parameters->addParameter();
        m_parameterTable->edit(m_parameters->index(row, ScriptParameterModel::Name));
    });
    connect(removeParameter, &QPushButton::clicked, this,
            [this] { m_parameters->removeParameter(m_parameterTable->currentIndex().row()); });
    connect(m_save, &QPushButton::clicked, this, &ScriptsView::save);
    connect(m_run, &QPushButton::clicked, this, &ScriptsView::runCurrent);
    connect(m_delete, &QPushButton::clicked, this, &ScriptsView::deleteCurrent);
    auto* saveKey = new QShortcut(QKeySequence::Save, this, [this] { save(); });
    saveKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(m_history, &ScriptHistoryPanel::restored, this, [this](const QJsonObject& script) {
        show(script);
        reload();
        setStatus(tr("Version %1 is now current.").arg(script.value("version").toInt()));
    });
    connect(m_executions, &ExecutionHistoryPanel::openRequested, this, &ScriptsView::executionOpened);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) == m_executions)
            m_executions->reload();
    });
    newScript();
}

QString ScriptsView::status() const {
    return m_status->text();
}

void ScriptsView::setStatus(const QString& text, bool error) {
    if (error)
        m_status->showError(text);
    else
        m_status->showInformation(text);
}

void ScriptsView::reload() {
    // Organisations for the library choice of a new script: the partner-wide library or one organisation's.
    const QString chosen = m_library->currentData().toString();
    m_library->clear();
    m_library->addItem(tr("All organisations (partner-wide)"), QString());
    for (const auto& org : m_connection.tree().organisations())
        m_library->addItem(org.name, org.id);
    m_library->setCurrentIndex(std::max(0, m_library->findData(chosen)));
    loadAllPages(m_connection.api(), "/api/v1/scripts?limit=500",
                 [this](const QJsonArray& items, const QString& error) {
                     if (!error.isEmpty()) {
                         setStatus(error, true);
                         return;
                     }
                     m_model->setItems(items);
                     m_executions->setScripts(items);
                 });
}

void ScriptsView::newScript() {
    show(QJsonObject{{"language", "bash"}, {"timeout_seconds", 300}, {"os", QJsonArray{"linux", "macos"}}});
    m_table->clearSelection();
    setStatus(tr("A new script: Save adds it to the library."));
}

void ScriptsView::openScript(const QString& id) {
    m_connection.api().get("/api/v1/scripts/" + id, [this](const ApiReply& reply) {
        if (!reply.ok()) {
            setStatus(reply.errorMessage, true);
            return;
        }
        show(reply.object());
        setStatus({});
    });
}

void ScriptsView::show(const QJsonObject& script) {
    m_current = script.contains("id") ? script : QJsonObject();
    m_name->setText(script.value("name").toString());
    m_language->setCurrentIndex(std::max(0, m_language->findData(script.value("language").toString("bash"))));
    m_editor->setLanguage(m_language->currentData().toString());
    m_library->setCurrentIndex(std::max(0, m_library->findData(script.value("org_id").toString())));
    m_library->setEnabled(m_current.isEmpty()); // a script stays in the library it was made in
    m_category->setText(script.value("category").toString());
    m_description->setText(script.value("description").toString());
    m_timeout->setValue(script.value("timeout_seconds").toInt(300));
    m_runAs->setText(script.value("run_as").toString());
    const QStringList os = osList(script);
    m_linux->setChecked(os.contains("linux"));
    m_macos->setChecked(os.contains("macos"));
    m_windows->setChecked(os.contains("windows"));
    m_editor->setText(script.value("content").toString());
    m_parameters->setDefinitions(script.value("parameters").toArray());
    m_note->clear();
    m_run->setEnabled(!m_current.isEmpty());
    m_delete->setEnabled(!m_current.isEmpty());
    m_history->setScript(m_current.value("id").toString(), m_current.value("version").toInt());
    if (!m_current.isEmpty())
        m_executions->setScriptFilter(m_current.value("id").toString());
}

QJsonObject ScriptsView::editedFields() const {
    QJsonArray os;
    for (const auto& [box, name] :
         {std::pair{m_linux, "linux"}, std::pair{m_macos, "macos"}, std::pair{m_windows, "windows"}})
        if (box->isChecked())
            os.append(name);
    QJsonObject body{{"name", m_name->text().trimmed()},
                     {"language", m_language->currentData().toString()},
                     {"category", m_category->text().trimmed()},
                     {"description", m_description->text()},
                     {"timeout_seconds", m_timeout->value()},
                     {"run_as", m_runAs->text().trimmed()},
                     {"os", os},
                     {"content", m_editor->text()},
                     {"parameters", m_parameters->definitions()}};
    if (!m_note->text().trimmed().isEmpty())
        body["note"] = m_note->text().trimmed();
    return body;
}

void ScriptsView::save() {
    QJsonObject body = editedFields();
    const bool creating = m_current.isEmpty();
    if (creating && !m_library->currentData().toString().isEmpty())
        body["org_id"] = m_library->currentData().toString();
    const int before = m_current.value("version").toInt();
    m_save->setEnabled(false);
    const auto done = [this, creating, before](const ApiReply& reply) {
        m_save->setEnabled(true);
        if (!reply.ok()) {
            // What was typed stays; the server says what to change.
            setStatus(reply.errorMessage.isEmpty() ? tr("The server did not answer.") : reply.errorMessage,
                      true);
            return;
        }
        const QJsonObject script = reply.object();
        show(script);
        reload();
        const int version = script.value("version").toInt();
        setStatus(creating            ? tr("Added to the library as version 1.")
                  : version != before ? tr("Saved as version %1.").arg(version)
                                      : tr("Saved (the script itself did not change, so no new version)."));
    };
    if (creating)
        m_connection.api().post("/api/v1/scripts", body, done);
    else
        m_connection.api().patch("/api/v1/scripts/" + m_current.value("id").toString(), body, done);
}

void ScriptsView::runCurrent() {
    if (m_current.isEmpty())
        return;
    if (m_editor->isModified())
        setStatus(tr("Unsaved changes are not part of the run: it runs the saved version."));
    auto* dialog = new RunScriptDialog(m_connection, m_current, {}, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &RunScriptDialog::started, this, &ScriptsView::runStarted);
    dialog->open();
}

void ScriptsView::deleteCurrent() {
    if (m_current.isEmpty())
        return;
    if (!Confirmation::ask(this, tr("Delete script"),
                           tr("Remove \"%1\" from the library? Its versions stay in the history of what ran.")
                               .arg(m_current.value("name").toString())))
        return;
    m_connection.api().request("DELETE", "/api/v1/scripts/" + m_current.value("id").toString(), {},
                               [this](const ApiReply& reply) {
                                   if (!reply.ok()) {
                                       setStatus(reply.errorMessage, true);
                                       return;
                                   }
                                   newScript();
                                   reload();
                                   setStatus(tr("Deleted."));
                               });
}

} // namespace breeze::console
