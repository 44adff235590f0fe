#include "scripts/ScriptEditorPage.h"

#include "ScriptParameterModel.h"
#include "scripts/ScriptEditor.h"
#include "widgets/ChoiceDelegate.h"
#include "widgets/InlineMessage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

ScriptEditorPage::ScriptEditorPage(QWidget* parent)
    : QWidget(parent), m_name(new QLineEdit(this)), m_language(new QComboBox(this)),
      m_library(new QComboBox(this)), m_category(new QLineEdit(this)), m_description(new QLineEdit(this)),
      m_timeout(new QSpinBox(this)), m_runAs(new QLineEdit(this)), m_linux(new QCheckBox(tr("Linux"), this)),
      m_macos(new QCheckBox(tr("macOS"), this)), m_windows(new QCheckBox(tr("Windows"), this)),
      m_editor(new ScriptEditor(this)), m_parameters(new ScriptParameterModel(this)),
      m_parameterTable(new QTableView(this)), m_note(new QLineEdit(this)), m_status(new InlineMessage(this)),
      m_save(new QPushButton(tr("Save"), this)), m_run(new QPushButton(tr("Run…"), this)),
      m_delete(new QPushButton(tr("Delete"), this)) {
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(settingsGrid());
    layout->addWidget(m_editor, 1);
    layout->addWidget(parameterBox());
    layout->addLayout(actionBar());
    connect(m_language, &QComboBox::currentIndexChanged, this,
            [this] { m_editor->setLanguage(m_language->currentData().toString()); });
}

QLayout* ScriptEditorPage::settingsGrid() {
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
    return settings;
}

QWidget* ScriptEditorPage::parameterBox() {
    m_parameterTable->setModel(m_parameters);
    m_parameterTable->setItemDelegateForColumn(ScriptParameterModel::Type,
                                               new ChoiceDelegate(ScriptParameterModel::types(), this));
    m_parameterTable->horizontalHeader()->setStretchLastSection(true);
    m_parameterTable->verticalHeader()->hide();
    m_parameterTable->setMaximumHeight(110);
    auto* addParameter = new QPushButton(tr("Add"), this);
    auto* removeParameter = new QPushButton(tr("Remove"), this);
    auto* box = new QGroupBox(tr("Parameters (environment variables of the same name)"), this);
    auto* layout = new QHBoxLayout(box);
    layout->addWidget(m_parameterTable, 1);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(addParameter);
    buttons->addWidget(removeParameter);
    buttons->addStretch();
    layout->addLayout(buttons);
    connect(addParameter, &QPushButton::clicked, this, [this] {
        const int row = m_parameters->addParameter();
        m_parameterTable->edit(m_parameters->index(row, ScriptParameterModel::Name));
    });
    connect(removeParameter, &QPushButton::clicked, this,
            [this] { m_parameters->removeParameter(m_parameterTable->currentIndex().row()); });
    return box;
}

QLayout* ScriptEditorPage::actionBar() {
    m_note->setPlaceholderText(tr("What this save changes (kept with the version)"));
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_status, 1);
    actions->addWidget(m_note, 1);
    actions->addWidget(m_save);
    actions->addWidget(m_run);
    actions->addWidget(m_delete);
    connect(m_save, &QPushButton::clicked, this, &ScriptEditorPage::saveRequested);
    connect(m_run, &QPushButton::clicked, this, &ScriptEditorPage::runRequested);
    connect(m_delete, &QPushButton::clicked, this, &ScriptEditorPage::deleteRequested);
    return actions;
}

void ScriptEditorPage::setOrganisations(const QVector<TenancyNode>& organisations) {
    const QString chosen = m_library->currentData().toString();
    m_library->clear();
    m_library->addItem(tr("All organisations (partner-wide)"), QString());
    for (const auto& org : organisations)
        m_library->addItem(org.name, org.id);
    m_library->setCurrentIndex(std::max(0, m_library->findData(chosen)));
}

void ScriptEditorPage::show(const Script& script) {
    m_name->setText(script.name);
    m_language->setCurrentIndex(std::max(0, m_language->findData(script.language)));
    m_editor->setLanguage(m_language->currentData().toString());
    m_library->setCurrentIndex(std::max(0, m_library->findData(script.orgId)));
    m_library->setEnabled(!script.isSaved()); // a script stays in the library it was made in
    m_category->setText(script.category);
    m_description->setText(script.description);
    m_timeout->setValue(script.timeoutSeconds);
    m_runAs->setText(script.runAs);
    for (const auto& [box, system] :
         {std::pair{m_linux, "linux"}, std::pair{m_macos, "macos"}, std::pair{m_windows, "windows"}})
        box->setChecked(script.os.contains(system));
    m_editor->setText(script.content);
    m_parameters->setDefinitions(script.definitions);
    m_note->clear();
    m_run->setEnabled(script.isSaved());
    m_delete->setEnabled(script.isSaved());
}

Script ScriptEditorPage::edited(const Script& shown) const {
    Script script = shown;
    script.name = m_name->text().trimmed();
    script.language = m_language->currentData().toString();
    script.category = m_category->text().trimmed();
    script.description = m_description->text();
    script.timeoutSeconds = m_timeout->value();
    script.runAs = m_runAs->text().trimmed();
    script.os.clear();
    for (const auto& [box, system] :
         {std::pair{m_linux, "linux"}, std::pair{m_macos, "macos"}, std::pair{m_windows, "windows"}})
        if (box->isChecked())
            script.os << system;
    script.content = m_editor->text();
    script.definitions = m_parameters->definitions();
    if (!script.isSaved())
        script.orgId = m_library->currentData().toString();
    return script;
}

QString ScriptEditorPage::note() const {
    return m_note->text();
}

void ScriptEditorPage::setBusy(bool saving) {
    m_save->setEnabled(!saving);
}

void ScriptEditorPage::setStatus(const QString& text, bool error) {
    if (error)
        m_status->showError(text);
    else
        m_status->showInformation(text);
}

QString ScriptEditorPage::status() const {
    return m_status->text();
}

} // namespace breeze::console
