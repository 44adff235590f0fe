#include "patches/PatchDeployDialog.h"

#include "ConsoleConnection.h"
#include "JsonTableModel.h"
#include "TableColumns.h"
#include "patches/PatchTable.h"

#include <QComboBox>
#include <QCompleter>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTableView>
#include <QTimeZone>
#include <QVBoxLayout>

namespace breeze::console {

PatchDeployDialog::PatchDeployDialog(ConsoleConnection& connection, const FleetScope& scope, QWidget* parent)
    : QDialog(parent), m_client(connection.api()), m_target(new QComboBox(this)),
      m_now(new QRadioButton(tr("Now"), this)), m_later(new QRadioButton(tr("At"), this)),
      m_at(new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600), this)),
      m_restart(new QComboBox(this)), m_preview(new JsonTableModel(TableColumns::deploymentPreview(), this)),
      m_table(patchTable(m_preview, this, false)), m_summary(new QLabel(this)),
      m_deploy(new QPushButton(tr("Deploy"), this)) {
    setWindowTitle(tr("Deploy approved updates"));
    for (const auto& org : connection.tree().organisations()) {
        m_target->addItem(tr("All of %1").arg(org.name), "org:" + org.id);
        for (const auto& site : connection.tree().sites())
            if (site.parentId == org.id)
                m_target->addItem(org.name + " / " + site.name, "site:" + site.id);
    }
    m_target->setEditable(true);
    m_target->setInsertPolicy(QComboBox::NoInsert);
    m_target->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_target->completer()->setFilterMode(Qt::MatchContains);
    m_target->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    m_target->setCurrentIndex(-1);
    m_target->lineEdit()->setPlaceholderText(tr("Type to find a site or organisation"));
    if (!scope.siteId.isEmpty())
        chooseTarget("site:" + scope.siteId);
    else if (!scope.orgId.isEmpty())
        chooseTarget("org:" + scope.orgId);
    m_at->setCalendarPopup(true);
    m_at->setDisplayFormat("yyyy-MM-dd HH:mm");
    m_now->setChecked(true);
    auto* zone = new QLabel(QString::fromUtf8(QTimeZone::systemTimeZoneId()), this);
    zone->setTextFormat(Qt::PlainText);
    zone->setToolTip(tr("The time is this workstation's"));
    auto* later = new QHBoxLayout;
    later->addWidget(m_at);
    later->addWidget(zone);
    later->addStretch();
    for (const auto& [label, value] : {std::pair{tr("as each device's patch policy says"), "policy"},
                                       std::pair{tr("if an update needs it"), "if_required"},
                                       std::pair{tr("always"), "always"}, std::pair{tr("never"), "never"}})
        m_restart->addItem(label, QString(value));
    m_summary->setTextFormat(Qt::PlainText);
    auto* form = new QFormLayout;
    form->addRow(tr("Devices"), m_target);
    form->addRow(m_now);
    form->addRow(m_later, later);
    form->addRow(tr("Restart"), m_restart);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    buttons->addButton(m_deploy, QDialogButtonBox::AcceptRole);
    // Deploying installs software on many machines: Enter cancels, Deploy is clicked on purpose.
    m_deploy->setAutoDefault(false);
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_deploy, &QPushButton::clicked, this, &QDialog::accept);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto* heading = new QLabel(tr("What it would install now:"), this);
    heading->setTextFormat(Qt::PlainText);
    layout->addWidget(heading);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summary);
    layout->addWidget(buttons);
    connect(m_target, &QComboBox::currentIndexChanged, this, &PatchDeployDialog::refreshPreview);
    connect(m_restart, &QComboBox::currentIndexChanged, this, &PatchDeployDialog::refreshPreview);
    connect(m_at, &QDateTimeEdit::dateTimeChanged, this, [this] { m_later->setChecked(true); });
    resize(820, 480);
    refreshPreview();
}

void PatchDeployDialog::chooseTarget(const QString& target) {
    m_target->setCurrentIndex(m_target->findData(target));
}

void PatchDeployDialog::chooseRestart(const QString& reboot) {
    m_restart->setCurrentIndex(std::max(0, m_restart->findData(reboot)));
}

DeploymentTarget PatchDeployDialog::target() const {
    const QString chosen = m_target->currentData().toString();
    return {chosen.section(':', 0, 0) == "org" ? DeploymentTarget::Kind::Organisation
                                               : DeploymentTarget::Kind::Site,
            chosen.section(':', 1), m_later->isChecked() ? m_at->dateTime() : QDateTime(),
            m_restart->currentData().toString()};
}

QString PatchDeployDialog::summary() const {
    return m_summary->text();
}

void PatchDeployDialog::refreshPreview() {
    m_deploy->setEnabled(false);
    m_preview->setItems({});
    if (m_target->currentIndex() < 0) {
        m_summary->setText(tr("Choose where to deploy."));
        return;
    }
    m_summary->setText(tr("Looking at what each device would install…"));
    const int request = ++m_request;
    m_client.preview(target(), [this, request](const DeploymentPreview& preview, const QString& error) {
        if (request != m_request)
            return;
        if (!error.isEmpty()) {
            m_summary->setText(error);
            return;
        }
        m_preview->setItems(preview.rows);
        m_table->resizeColumnsToContents();
        m_summary->setText(
            preview.installs == 0
                ? tr("Nothing approved is missing on these %n device(s).", nullptr, preview.devices)
                : tr("%1 update(s) on %2 device(s).").arg(preview.installs).arg(preview.devices));
        m_deploy->setEnabled(preview.installs > 0);
    });
}

} // namespace breeze::console
