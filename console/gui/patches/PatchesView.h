#pragma once

#include "JsonTableModel.h"
#include "PatchClient.h"
#include "patches/PatchComplianceChart.h"
#include "patches/PatchDeploymentsPanel.h"
#include "patches/PatchPoliciesPanel.h"

#include <QDateTime>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QTableView;

namespace breeze::console {

class ConsoleConnection;
class InlineMessage;
class RecordForm;

// Patch management for the fleet: the approval grid (each update with its severity, security flag, how many
// devices miss it, failed it or have it, and the partner-wide decision), filters and search, decisions for
// the selected updates at the level chosen (partner-wide or one organisation; a rejection anywhere wins),
// deployment of what is approved to a site or organisation now or at a time, and below: the deployments with
// their devices' progress, compliance per site as a chart, and the patch policies.
class PatchesView : public QWidget {
    Q_OBJECT

public:
    explicit PatchesView(ConsoleConnection& connection, QWidget* parent = nullptr);

    void reload();
    // Counts and compliance of the organisation or site chosen in the tree; decisions default to its
    // organisation. Reloads when the view has loaded before.
    void setScope(const FleetScope& scope);
    // "approved", "rejected", "deferred" (with deferDays) or "none", for every selected update, at the level
    // the scope box names.
    void decideSelected(const QString& decision, int deferDays = 0);
    // Deploys to a site or organisation ("site:ID" / "org:ID"); an invalid `at` means now.
    void deploy(const QString& target, const QDateTime& at);
    void deploy(const DeploymentTarget& target);

    QTableView* grid() const { return m_grid; }
    const JsonTableModel& patches() const { return *m_patches; }
    const JsonTableModel& deployments() const { return m_deployments->deployments(); }
    QComboBox* scopeBox() const { return m_scope; }
    QChartView* complianceChart() const { return m_compliance; }
    const JsonTableModel& policies() const { return m_policies->policies(); }
    QTableView* policyTable() const { return m_policies->table(); }
    RecordForm* newPolicy() { return m_policies->newPolicy(); }
    RecordForm* editSelectedPolicy() { return m_policies->editSelectedPolicy(); }
    RecordForm* assignSelectedPolicy() { return m_policies->assignSelectedPolicy(); }
    QString status() const;

private:
    QLayout* filterBar();
    QLayout* decisionBar();
    QWidget* lowerTabs();
    // Where, when and how to deploy what is approved, after a preview.
    void askDeployment();
    // The decision box's entry for a scope: "site:ID", "org:ID" or "" (partner-wide).
    static QString decisionLevelOf(const FleetScope& scope);

    ConsoleConnection& m_connection;
    PatchClient m_client;
    QLineEdit* m_search;
    QCheckBox* m_securityOnly;
    QComboBox* m_state;
    QComboBox* m_scope;
    JsonTableModel* m_patches;
    QTableView* m_grid;
    PatchDeploymentsPanel* m_deployments;
    PatchComplianceChart* m_compliance;
    PatchPoliciesPanel* m_policies;
    InlineMessage* m_status;
    FleetScope m_fleetScope;
    int m_pending = 0;
    int m_request = 0;
    QString m_emptyNote; // what the status says about an empty grid, cleared when the grid fills // answers
                         // to an older reload (another filter) are dropped
};

} // namespace breeze::console
