#include "patches/PatchesView.h"

#include "ConsoleConnection.h"
#include "TableColumns.h"
#include "patches/PatchDeployDialog.h"
#include "patches/PatchTable.h"
#include "widgets/InlineMessage.h"
#include "widgets/KeyboardPaths.h"
#include "widgets/RecordForm.h"
#include "widgets/SelectionGate.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <memory>

namespace breeze::console {

PatchesView::PatchesView(ConsoleConnection& connection, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_client(connection.api()), m_search(new QLineEdit(this)),
      m_securityOnly(new QCheckBox(tr("Security updates only"), this)), m_state(new QComboBox(this)),
      m_scope(new QComboBox(this)), m_patches(new JsonTableModel(TableColumns::patchCatalog(), this)),
      m_grid(patchTable(m_patches, this, true)),
      m_deployments(new PatchDeploymentsPanel(connection.api(), this)),
      m_compliance(new PatchComplianceChart(connection.api(), this)),
      m_policies(new PatchPoliciesPanel(connection.api(), this)), m_status(new InlineMessage(this)) {
    m_status->setWordWrap(true);
    connect(m_deployments, &PatchDeploymentsPanel::message, m_status, &InlineMessage::say);
    connect(m_policies, &PatchPoliciesPanel::message, m_status, &InlineMessage::say);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_grid);
    splitter->addWidget(lowerTabs());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filterBar());
    layout->addWidget(splitter, 1);
    layout->addLayout(decisionBar());
    layout->addWidget(m_status);
    // Deployments move on their own: refresh them while the view is shown.
    auto* timer = new QTimer(this);
    timer->setInterval(5000);
    connect(timer, &QTimer::timeout, this, [this] {
        if (isVisible())
            m_deployments->reload();
    });
    timer->start();
}

QLayout* PatchesView::filterBar() {
    m_search->setPlaceholderText(tr("Search packages"));
    downArrowInto(m_search, m_grid);
    m_search->setClearButtonEnabled(true);
    m_state->addItem(tr("Any state"), QString());
    m_state->addItem(tr("Missing somewhere"), QString("missing"));
    m_state->addItem(tr("Failed somewhere"), QString("failed"));
    m_state->addItem(tr("Waiting for a reboot"), QString("pending_reboot"));
    auto* refresh = new QPushButton(tr("Refresh"), this);
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_search, 1);
    filters->addWidget(m_securityOnly);
    filters->addWidget(m_state);
    filters->addWidget(refresh);
    connect(refresh, &QPushButton::clicked, this, &PatchesView::reload);
    connect(m_search, &QLineEdit::returnPressed, this, &PatchesView::reload);
    connect(m_securityOnly, &QCheckBox::toggled, this, &PatchesView::reload);
    connect(m_state, &QComboBox::currentIndexChanged, this, &PatchesView::reload);
    return filters;
}

QLayout* PatchesView::decisionBar() {
    m_scope->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* actions = new QHBoxLayout;
    actions->addWidget(new QLabel(tr("Decide for"), this));
    actions->addWidget(m_scope);
    const auto button = [&](const QString& label, auto action) {
        auto* created = new QPushButton(label, this);
        connect(created, &QPushButton::clicked, this, action);
        actions->addWidget(created);
        return created;
    };
    // Decisions act on the selected updates: their buttons wait for a selection.
    QList<QAbstractButton*> decisions;
    decisions << button(tr("Approve"), [this] { decideSelected("approved"); });
    decisions << button(tr("Reject"), [this] { decideSelected("rejected"); });
    decisions << button(tr("Defer…"), [this] {
        bool ok = false;
        const int days = QInputDialog::getInt(this, tr("Defer"),
                                              tr("Defer for how many days after each update was first seen?"),
                                              7, 1, 365, 1, &ok);
        if (ok)
            decideSelected("deferred", days);
    });
    decisions << button(tr("Clear decision"), [this] { decideSelected("none"); });
    enableWithSelection(m_grid, decisions);
    actions->addStretch();
    button(tr("Deploy approved…"), [this] { askDeployment(); });
    return actions;
}

QWidget* PatchesView::lowerTabs() {
    auto* lower = new QTabWidget(this);
    lower->addTab(m_deployments, tr("Deployments"));
    lower->addTab(m_compliance, tr("Compliance"));
    lower->addTab(m_policies, tr("Policies"));
    return lower;
}

void PatchesView::askDeployment() {
    PatchDeployDialog dialog(m_connection, m_fleetScope, this);
    if (dialog.exec() == QDialog::Accepted)
        deploy(dialog.target());
}

QString PatchesView::status() const {
    return m_status->text();
}

void PatchesView::reload() {
    const QString chosen = m_scope->currentData().toString();
    m_scope->clear();
    m_scope->addItem(tr("All organisations (partner-wide)"), QString());
    for (const auto& org : m_connection.tree().organisations()) {
        m_scope->addItem(org.name, "org:" + org.id);
        for (const auto& site : m_connection.tree().sites())
            if (site.parentId == org.id)
                m_scope->addItem(org.name + " / " + site.name, "site:" + site.id);
    }
    m_scope->setCurrentIndex(
        std::max(0, m_scope->findData(chosen.isEmpty() ? decisionLevelOf(m_fleetScope) : chosen)));
    const int request = ++m_request;
    m_client.patches(
        {m_search->text(), m_securityOnly->isChecked(), m_state->currentData().toString(), m_fleetScope},
        [this, request](const QJsonArray& items, const QString& error) {
            if (request != m_request)
                return;
            if (!error.isEmpty()) {
                m_status->showError(error);
                return;
            }
            m_patches->setItems(items);
            // An empty grid says why rather than looking broken (and stops saying so once
            // it is not).
            if (!items.isEmpty() && m_status->message() == m_emptyNote)
                m_status->clear();
            if (items.isEmpty())
                m_status->showInformation(
                    m_search->text().trimmed().isEmpty() && !m_securityOnly->isChecked() &&
                            m_state->currentIndex() == 0
                        ? tr("No device here has reported an update: scan them from a device's "
                             "Patches tab, or let a patch policy scan them.")
                        : tr("No update matches these filters."));
        });
    m_deployments->reload();
    m_compliance->reload();
    m_policies->reload();
}

void PatchesView::setScope(const FleetScope& scope) {
    if (scope == m_fleetScope)
        return;
    m_fleetScope = scope;
    m_compliance->setScope(scope);
    m_scope->setCurrentIndex(std::max(0, m_scope->findData(decisionLevelOf(scope))));
    if (m_request > 0)
        reload();
}

void PatchesView::decideSelected(const QString& decision, int deferDays) {
    const auto rows = m_grid->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_status->showWarning(tr("Select the updates to decide on first."));
        return;
    }
    const QString level = m_scope->currentData().toString();
    const QString levelId = level.section(':', 1);
    const PatchDecision chosen{decision, level.startsWith("org:") ? levelId : QString(),
                               level.startsWith("site:") ? levelId : QString(), QString(), deferDays};
    m_status->showInformation(tr("Sending %n decision(s)…", nullptr, static_cast<int>(rows.size())));
    m_pending = static_cast<int>(rows.size());
    auto refused = std::make_shared<QStringList>();
    for (const auto& index : rows) {
        const QJsonObject patch = m_patches->items().at(index.row()).toObject();
        m_client.decide(patchId(patch), chosen,
                        [this, refused, name = patchName(patch)](bool, const QString& error) {
                            if (!error.isEmpty())
                                *refused << name + ": " + error;
                            if (--m_pending > 0)
                                return;
                            if (refused->isEmpty())
                                m_status->showSuccess(tr("Decisions recorded."));
                            else
                                m_status->showError(refused->join("\n"));
                            reload();
                        });
    }
}

QString PatchesView::decisionLevelOf(const FleetScope& scope) {
    if (!scope.siteId.isEmpty())
        return "site:" + scope.siteId;
    return scope.orgId.isEmpty() ? QString() : "org:" + scope.orgId;
}

void PatchesView::deploy(const QString& target, const QDateTime& at) {
    deploy(DeploymentTarget{target.section(':', 0, 0) == "org" ? DeploymentTarget::Kind::Organisation
                                                               : DeploymentTarget::Kind::Site,
                            target.section(':', 1), at});
}

void PatchesView::deploy(const DeploymentTarget& aim) {
    m_status->showInformation(tr("Starting the deployment…"));
    m_client.deploy(aim, [this](const DeploymentStarted& started, const QString& error) {
        if (!error.isEmpty()) {
            m_status->showError(error);
            return;
        }
        m_status->showSuccess(started.scheduled
                                  ? tr("Scheduled for %1.").arg(started.scheduledAt)
                                  : tr("Queued for %n device(s); the others had nothing approved to install.",
                                       nullptr, started.queuedDevices));
        m_deployments->reload();
    });
}

} // namespace breeze::console
