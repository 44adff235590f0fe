#include "scripts/RunScriptDialog.h"

#include "ConsoleConnection.h"
#include "PlainTextMarkup.h"
#include "RecordClient.h"
#include "ScriptValueCheck.h"
#include "widgets/InlineMessage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTimeZone>
#include <QVBoxLayout>

namespace breeze::console {

RunScriptDialog::RunScriptDialog(ConsoleConnection& connection, const QJsonObject& script,
                                 const QStringList& deviceIds, QWidget* parent,
                                 const QString& preferredScriptId)
    : QDialog(parent), m_connection(connection), m_client(connection.api()), m_deviceIds(deviceIds),
      m_version(new QSpinBox(this)),
      m_onSelection(new QRadioButton(
          tr("The selected devices (%n)", nullptr, static_cast<int>(deviceIds.size())), this)),
      m_onSite(new QRadioButton(tr("Every device of the site"), this)),
      m_onGroup(new QRadioButton(tr("Every device of the group"), this)), m_site(new QComboBox(this)),
      m_group(new QComboBox(this)), m_parameterForm(nullptr),
      m_parameterBox(new QGroupBox(tr("Parameters"), this)), m_timeout(new QSpinBox(this)),
      m_error(new InlineMessage(this)), m_targetSummary(new QLabel(this)) {
    setWindowTitle(tr("Run script"));
    auto* form = new QFormLayout;
    if (script.isEmpty()) {
        m_scripts = new QComboBox(this);
        makeSearchable(m_scripts);
        m_scripts->lineEdit()->setPlaceholderText(tr("Loading the library…"));
        form->addRow(tr("Script"), m_scripts);
        m_client.list([this, preferredScriptId](const QJsonArray& items, const QString& error) {
            QSignalBlocker quiet(m_scripts);
            m_scripts->clear();
            m_scripts->lineEdit()->setPlaceholderText(tr("Type to find a script"));
            if (!error.isEmpty()) {
                m_error->showError(error);
                return;
            }
            for (const auto& item : items)
                m_scripts->addItem(recordName(item.toObject()), item.toObject());
            m_scripts->model()->sort(0);
            if (items.isEmpty())
                m_error->showError(tr("The library has no scripts yet."));
            // The script chosen in the library, if any; else none until the technician picks one.
            int preferred = -1;
            for (int row = 0; row < m_scripts->count(); ++row)
                if (recordId(m_scripts->itemData(row).toJsonObject()) == preferredScriptId)
                    preferred = row;
            m_scripts->setCurrentIndex(preferred);
            if (preferred >= 0)
                setScript(Script::fromRecord(m_scripts->itemData(preferred).toJsonObject()));
        });
        connect(m_scripts, &QComboBox::currentIndexChanged, this, [this](int index) {
            if (index >= 0)
                setScript(Script::fromRecord(m_scripts->itemData(index).toJsonObject()));
        });
    } else {
        auto* name = new QLabel(recordName(script), this);
        name->setTextFormat(Qt::PlainText);
        form->addRow(tr("Script"), name);
    }
    form->addRow(tr("Version"), m_version);
    m_parameterForm = new QFormLayout(m_parameterBox);
    m_timeout->setRange(1, 86400);
    m_timeout->setSuffix(tr(" s"));
    form->addRow(tr("Timeout"), m_timeout);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_run = buttons->addButton(tr("Run"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_run, &QPushButton::clicked, this, &RunScriptDialog::run);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(targetBox());
    layout->addWidget(m_targetSummary);
    layout->addWidget(whenBox());
    layout->addWidget(m_parameterBox);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    if (!script.isEmpty())
        setScript(Script::fromRecord(script));
}

// Targets: the selection it was opened with, or a whole site or group, found by typing. Without a selection
// nothing is chosen: a whole site is never the silent default.
QWidget* RunScriptDialog::targetBox() {
    const FleetTreeModel& tree = m_connection.tree();
    const auto nameOf = [](const QVector<TenancyNode>& nodes, const QString& id) {
        for (const auto& node : nodes)
            if (node.id == id)
                return node.name;
        return QString();
    };
    for (const auto& site : tree.sites())
        m_site->addItem(nameOf(tree.organisations(), site.parentId) + " / " + site.name, site.id);
    for (const auto& group : tree.groups())
        m_group->addItem(
            nameOf(tree.organisations(), group.parentId) + " / " +
                (group.siteId.isEmpty() ? QString() : nameOf(tree.sites(), group.siteId) + " / ") +
                group.name,
            group.id);
    for (QComboBox* box : {m_site, m_group}) {
        box->model()->sort(0);
        makeSearchable(box);
        box->setCurrentIndex(-1);
        box->lineEdit()->setPlaceholderText(tr("Type to find one"));
    }
    auto* targets = new QGroupBox(tr("Run on"), this);
    auto* targetLayout = new QFormLayout(targets);
    targetLayout->addRow(m_onSelection);
    targetLayout->addRow(m_onSite, m_site);
    targetLayout->addRow(m_onGroup, m_group);
    m_onSelection->setEnabled(!m_deviceIds.isEmpty());
    m_onSelection->setChecked(!m_deviceIds.isEmpty());
    m_onGroup->setEnabled(m_group->count() > 0);
    connect(m_site, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            m_onSite->setChecked(true);
        summariseTarget();
    });
    connect(m_group, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            m_onGroup->setChecked(true);
        summariseTarget();
    });
    for (QRadioButton* choice : {m_onSelection, m_onSite, m_onGroup})
        connect(choice, &QRadioButton::toggled, this, &RunScriptDialog::summariseTarget);
    m_targetSummary->setTextFormat(Qt::PlainText); // host names are the agents' words
    m_targetSummary->setWordWrap(true);
    summariseTarget();
    return targets;
}

// Now, or at a time in the workstation's time zone (named beside the field), once or again every day or week.
// The server keeps a schedule and makes its runs.
QWidget* RunScriptDialog::whenBox() {
    auto* box = new QGroupBox(tr("When"), this);
    m_now = new QRadioButton(tr("Now"), box);
    m_later = new QRadioButton(tr("At"), box);
    m_at = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600), box);
    m_at->setCalendarPopup(true);
    m_at->setDisplayFormat("yyyy-MM-dd HH:mm");
    m_repeat = new QComboBox(box);
    m_repeat->addItem(tr("once"), "once");
    m_repeat->addItem(tr("then every day"), "daily");
    m_repeat->addItem(tr("then every week"), "weekly");
    auto* zone = new QLabel(QString::fromUtf8(QTimeZone::systemTimeZoneId()), box);
    zone->setTextFormat(Qt::PlainText);
    zone->setToolTip(tr("The time is this workstation's; a repeated run keeps this time of day there"));
    auto* later = new QHBoxLayout;
    later->addWidget(m_at);
    later->addWidget(zone);
    later->addWidget(m_repeat);
    later->addStretch();
    auto* layout = new QFormLayout(box);
    layout->addRow(m_now);
    layout->addRow(m_later, later);
    m_now->setChecked(true);
    const auto followChoice = [this] {
        m_run->setText(m_later->isChecked() ? tr("Schedule") : tr("Run"));
        m_at->setEnabled(m_later->isChecked());
        m_repeat->setEnabled(m_later->isChecked());
    };
    connect(m_later, &QRadioButton::toggled, this, followChoice);
    connect(m_at, &QDateTimeEdit::dateTimeChanged, this, [this] { m_later->setChecked(true); });
    followChoice();
    return box;
}

void RunScriptDialog::scheduleAt(const QDateTime& at, const QString& repeat) {
    m_at->setDateTime(at);
    m_repeat->setCurrentIndex(std::max(0, m_repeat->findData(repeat)));
    m_later->setChecked(true);
}

void RunScriptDialog::makeSearchable(QComboBox* box) {
    box->setEditable(true);
    box->setInsertPolicy(QComboBox::NoInsert);
    box->completer()->setCompletionMode(QCompleter::PopupCompletion);
    box->completer()->setFilterMode(Qt::MatchContains);
    box->completer()->setCaseSensitivity(Qt::CaseInsensitive);
}

// The devices the chosen target holds as the console knows them (the server decides at run time, and
// refuses what it must, with the reason).
void RunScriptDialog::summariseTarget() {
    const auto aim = target();
    if (!aim) {
        m_targetSummary->setText(tr("Choose where it runs."));
        return;
    }
    QStringList names;
    const DeviceTableModel& devices = m_connection.devices();
    for (int row = 0; row < devices.rowCount(); ++row) {
        const Device& device = devices.at(row);
        const bool chosen =
            aim->deviceIds.isEmpty()
                ? (!aim->siteId.isEmpty() ? device.siteId == aim->siteId : device.groupId == aim->groupId)
                : aim->deviceIds.contains(device.id);
        if (chosen && !device.revoked)
            names << (device.hostname.isEmpty() ? device.identity : device.hostname);
    }
    names.sort(Qt::CaseInsensitive);
    const int count = static_cast<int>(names.size());
    constexpr int kNamed = 10;
    QString list = names.mid(0, kNamed).join(", ");
    if (count > kNamed)
        list = tr("%1 and %n more", nullptr, count - kNamed).arg(list);
    m_targetSummary->setText(count == 0 ? tr("Runs on no device: the target holds none.")
                                        : tr("Runs on %n device(s): %1", nullptr, count).arg(list));
}

QString RunScriptDialog::targetSummary() const {
    return m_targetSummary->text();
}

void RunScriptDialog::setScript(const Script& script) {
    m_script = script;
    m_version->setRange(1, std::max(1, script.version));
    m_version->setValue(script.version);
    m_timeout->setValue(script.timeoutSeconds);
    while (m_parameterForm->rowCount() > 0)
        m_parameterForm->removeRow(0);
    m_fields.clear();
    const auto parameters = script.parameters();
    for (const auto& parameter : parameters) {
        QWidget* field = fieldFor(parameter);
        field->setObjectName(parameter.name);
        const QString label =
            (parameter.label.isEmpty() ? parameter.name : parameter.label) + (parameter.required ? " *" : "");
        auto* labelWidget = new QLabel(label, m_parameterBox);
        labelWidget->setTextFormat(Qt::PlainText);
        labelWidget->setToolTip(plainTextTooltip(parameter.description));
        m_parameterForm->addRow(labelWidget, field);
        m_fields << qMakePair(parameter, field);
    }
    m_parameterBox->setVisible(!parameters.isEmpty());
}

// A password field for secrets, a box for choices, a tick for booleans, a line for the rest.
QWidget* RunScriptDialog::fieldFor(const ScriptParameter& parameter) {
    if (parameter.type == "boolean") {
        auto* box = new QCheckBox(m_parameterBox);
        box->setChecked(parameter.defaultValue == "true");
        return box;
    }
    if (parameter.type == "choice") {
        auto* box = new QComboBox(m_parameterBox);
        if (!parameter.required && parameter.defaultValue.isEmpty())
            box->addItem(tr("(not set)"), QVariant());
        for (const auto& choice : parameter.choices)
            box->addItem(choice, choice);
        box->setCurrentIndex(std::max(0, box->findData(parameter.defaultValue)));
        return box;
    }
    auto* line = new QLineEdit(parameter.defaultValue, m_parameterBox);
    if (parameter.type == "secret") {
        line->setEchoMode(QLineEdit::Password);
        line->setPlaceholderText(tr("never stored in clear, never shown again"));
    } else if (parameter.type == "number") {
        line->setPlaceholderText(tr("a number"));
    }
    return line;
}

QWidget* RunScriptDialog::parameterField(const QString& name) const {
    for (const auto& [parameter, field] : m_fields)
        if (parameter.name == name)
            return field;
    return nullptr;
}

void RunScriptDialog::chooseSite(const QString& siteId) {
    m_site->setCurrentIndex(m_site->findData(siteId));
}

void RunScriptDialog::chooseGroup(const QString& groupId) {
    m_group->setCurrentIndex(m_group->findData(groupId));
}

QString RunScriptDialog::error() const {
    return m_error->text();
}

QVariantMap RunScriptDialog::values() const {
    QVariantMap values;
    for (const auto& [parameter, field] : m_fields) {
        if (auto* box = qobject_cast<QCheckBox*>(field)) {
            values[parameter.name] = box->isChecked();
        } else if (auto* combo = qobject_cast<QComboBox*>(field)) {
            if (combo->currentData().isValid())
                values[parameter.name] = combo->currentData().toString();
        } else if (auto* line = qobject_cast<QLineEdit*>(field)) {
            // An empty optional field is "not given" (its default applies), not an empty value.
            if (!line->text().isEmpty())
                values[parameter.name] = line->text();
        }
    }
    return values;
}

std::optional<RunTarget> RunScriptDialog::target() const {
    if (m_onSelection->isChecked())
        return RunTarget{m_deviceIds, {}, {}};
    if (m_onSite->isChecked() && m_site->currentIndex() >= 0)
        return RunTarget{{}, m_site->currentData().toString(), {}};
    if (m_onGroup->isChecked() && m_group->currentIndex() >= 0)
        return RunTarget{{}, {}, m_group->currentData().toString()};
    return std::nullopt;
}

void RunScriptDialog::run() {
    if (!m_script || !m_script->isSaved()) {
        m_error->showError(tr("Choose a script first."));
        return;
    }
    RunRequest request{values(), m_timeout->value(), 0, {}};
    if (m_version->value() != m_script->version)
        request.version = m_version->value();
    else if (const QString problem = checkRunValues(*m_script, request.values); !problem.isEmpty()) {
        // (an older version may have other parameters: the server checks those)
        m_error->showError(problem);
        return;
    }
    const auto aim = target();
    if (!aim) {
        m_error->showError(tr("Choose where to run it."));
        return;
    }
    request.target = *aim;
    send(request);
}

void RunScriptDialog::send(const RunRequest& request) {
    m_run->setEnabled(false);
    if (m_later->isChecked()) {
        m_error->showInformation(tr("Scheduling…"));
        const RunSchedule when{m_at->dateTime(), m_repeat->currentData().toString(),
                               QString::fromUtf8(QTimeZone::systemTimeZoneId())};
        m_client.schedule(m_script->id, request, when,
                          [this](const QJsonObject& schedule, const QString& error) {
                              m_run->setEnabled(true);
                              if (!error.isEmpty()) {
                                  m_error->showError(error);
                                  return;
                              }
                              m_error->clear();
                              Q_EMIT scheduled(schedule);
                              accept();
                          });
        return;
    }
    m_error->showInformation(tr("Starting…"));
    m_client.run(m_script->id, request, [this](const QJsonObject& answer, const QString& error) {
        m_run->setEnabled(true);
        if (!error.isEmpty()) {
            m_error->showError(error);
            return;
        }
        m_error->clear();
        Q_EMIT started(answer);
        accept();
    });
}

} // namespace breeze::console
