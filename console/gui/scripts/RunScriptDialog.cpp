#include "scripts/RunScriptDialog.h"

#include "ConsoleConnection.h"
#include "ListLoader.h"
#include "PlainTextMarkup.h"
#include "ScriptValueCheck.h"
#include "widgets/InlineMessage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace breeze::console {

RunScriptDialog::RunScriptDialog(ConsoleConnection& connection, const QJsonObject& script,
                                 const QStringList& deviceIds, QWidget* parent)
    : QDialog(parent), m_connection(connection), m_deviceIds(deviceIds), m_version(new QSpinBox(this)),
      m_onSelection(new QRadioButton(
          tr("The selected devices (%n)", nullptr, static_cast<int>(deviceIds.size())), this)),
      m_onSite(new QRadioButton(tr("Every device of the site"), this)),
      m_onGroup(new QRadioButton(tr("Every device of the group"), this)), m_site(new QComboBox(this)),
      m_group(new QComboBox(this)), m_parameterForm(nullptr),
      m_parameterBox(new QGroupBox(tr("Parameters"), this)), m_timeout(new QSpinBox(this)),
      m_error(new InlineMessage(this)) {
    setWindowTitle(tr("Run script"));
    auto* form = new QFormLayout;
    if (script.isEmpty()) {
        m_scripts = new QComboBox(this);
        m_scripts->addItem(tr("Loading the library…"));
        form->addRow(tr("Script"), m_scripts);
        loadAllPages(connection.api(), "/api/v1/scripts?limit=500",
                     [this](const QJsonArray& items, const QString& error) {
                         m_scripts->clear();
                         if (!error.isEmpty()) {
                             m_error->showError(error);
                             return;
                         }
                         for (const auto& item : items)
                             m_scripts->addItem(item.toObject().value("name").toString(), item.toObject());
                         if (items.isEmpty())
                             m_error->showError(tr("The library has no scripts yet."));
                     });
        connect(m_scripts, &QComboBox::currentIndexChanged, this,
                [this] { setScript(m_scripts->currentData().toJsonObject()); });
    } else {
        auto* name = new QLabel(script.value("name").toString(), this);
        name->setTextFormat(Qt::PlainText);
        form->addRow(tr("Script"), name);
    }
    form->addRow(tr("Version"), m_version);

    // Targets: the selection it was opened with, or a whole site or group.
    for (const auto& site : connection.tree().sites()) {
        QString organisation;
        for (const auto& org : connection.tree().organisations())
            if (org.id == site.parentId)
                organisation = org.name;
        m_site->addItem(organisation + " / " + site.name, site.id);
    }
    for (const auto& group : connection.tree().groups())
        m_group->addItem(group.name, group.id);
    m_group->model()->sort(0);
    auto* targets = new QGroupBox(tr("Run on"), this);
    auto* targetLayout = new QFormLayout(targets);
    targetLayout->addRow(m_onSelection);
    targetLayout->addRow(m_onSite, m_site);
    targetLayout->addRow(m_onGroup, m_group);
    m_onSelection->setEnabled(!deviceIds.isEmpty());
    (deviceIds.isEmpty() ? m_onSite : m_onSelection)->setChecked(true);
    m_onGroup->setEnabled(m_group->count() > 0);
    connect(m_site, &QComboBox::activated, this, [this] { m_onSite->setChecked(true); });
    connect(m_group, &QComboBox::activated, this, [this] { m_onGroup->setChecked(true); });

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
    layout->addWidget(targets);
    layout->addWidget(m_parameterBox);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    if (!script.isEmpty())
        setScript(script);
}

void RunScriptDialog::setScript(const QJsonObject& script) {
    m_script = script;
    m_version->setRange(1, std::max(1, script.value("version").toInt()));
    m_version->setValue(script.value("version").toInt());
    m_timeout->setValue(script.value("timeout_seconds").toInt(300));
    while (m_parameterForm->rowCount() > 0)
        m_parameterForm->removeRow(0);
    m_fields.clear();
    const QJsonArray parameters = script.value("parameters").toArray();
    for (const auto& value : parameters) {
        const QJsonObject parameter = value.toObject();
        const QString type = parameter.value("type").toString();
        const QString fallback = parameter.value("default").toString();
        QWidget* field = nullptr;
        if (type == "boolean") {
            auto* box = new QCheckBox(m_parameterBox);
            box->setChecked(fallback == "true");
            field = box;
        } else if (type == "choice") {
            auto* box = new QComboBox(m_parameterBox);
            if (!parameter.value("required").toBool() && fallback.isEmpty())
                box->addItem(tr("(not set)"), QVariant());
            for (const auto& choice : parameter.value("choices").toArray())
                box->addItem(choice.toString(), choice.toString());
            box->setCurrentIndex(std::max(0, box->findData(fallback)));
            field = box;
        } else {
            auto* line = new QLineEdit(fallback, m_parameterBox);
            if (type == "secret") {
                line->setEchoMode(QLineEdit::Password);
                line->setPlaceholderText(tr("never stored in clear, never shown again"));
            } else if (type == "number") {
                line->setPlaceholderText(tr("a number"));
            }
            field = line;
        }
        field->setObjectName(parameter.value("name").toString());
        QString label = parameter.value("label").toString();
        if (label.isEmpty())
            label = parameter.value("name").toString();
        if (parameter.value("required").toBool())
            label += " *";
        auto* labelWidget = new QLabel(label, m_parameterBox);
        labelWidget->setTextFormat(Qt::PlainText);
        labelWidget->setToolTip(plainTextTooltip(parameter.value("description").toString()));
        m_parameterForm->addRow(labelWidget, field);
        m_fields << qMakePair(parameter, field);
    }
    m_parameterBox->setVisible(!parameters.isEmpty());
}

QWidget* RunScriptDialog::parameterField(const QString& name) const {
    for (const auto& [parameter, field] : m_fields)
        if (parameter.value("name").toString() == name)
            return field;
    return nullptr;
}

void RunScriptDialog::chooseSite(const QString& siteId) {
    m_site->setCurrentIndex(m_site->findData(siteId));
    m_onSite->setChecked(true);
}

void RunScriptDialog::chooseGroup(const QString& groupId) {
    m_group->setCurrentIndex(m_group->findData(groupId));
    m_onGroup->setChecked(true);
}

QString RunScriptDialog::error() const {
    return m_error->text();
}

QJsonObject RunScriptDialog::values() const {
    QJsonObject values;
    for (const auto& [parameter, field] : m_fields) {
        const QString name = parameter.value("name").toString();
        if (auto* box = qobject_cast<QCheckBox*>(field)) {
            values[name] = box->isChecked();
        } else if (auto* combo = qobject_cast<QComboBox*>(field)) {
            if (combo->currentData().isValid())
                values[name] = combo->currentData().toString();
        } else if (auto* line = qobject_cast<QLineEdit*>(field)) {
            // An empty optional field is "not given" (its default applies), not an empty value.
            if (!line->text().isEmpty())
                values[name] = line->text();
        }
    }
    return values;
}

void RunScriptDialog::run() {
    if (m_script.isEmpty()) {
        m_error->showError(tr("Choose a script first."));
        return;
    }
    QJsonObject body{{"parameters", values()}, {"timeout_seconds", m_timeout->value()}};
    if (m_version->value() != m_script.value("version").toInt())
        body["version"] = m_version->value();
    else if (const QString problem = checkScriptValues(m_script.value("parameters").toArray(), values());
             !problem.isEmpty()) {
        // (an older version may have other parameters: the server checks those)
        m_error->showError(problem);
        return;
    }
    if (m_onSelection->isChecked())
        body["device_ids"] = QJsonArray::fromStringList(m_deviceIds);
    else if (m_onSite->isChecked() && m_site->currentIndex() >= 0)
        body["site_id"] = m_site->currentData().toString();
    else if (m_onGroup->isChecked() && m_group->currentIndex() >= 0)
        body["group_id"] = m_group->currentData().toString();
    else {
        m_error->showError(tr("Choose where to run it."));
        return;
    }
    m_run->setEnabled(false);
    m_error->showInformation(tr("Starting…"));
    m_connection.api().post(
        "/api/v1/scripts/" + m_script.value("id").toString() + "/runs", body, [this](const ApiReply& reply) {
            m_run->setEnabled(true);
            if (!reply.ok()) {
                m_error->showError(reply.errorMessage.isEmpty() ? tr("The server did not answer.")
                                                                : reply.errorMessage);
                return;
            }
            m_error->clear();
            Q_EMIT started(reply.object());
            accept();
        });
}

} // namespace breeze::console
