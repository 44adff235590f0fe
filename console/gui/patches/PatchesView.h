#pragma once

#include "JsonTableModel.h"

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace breeze::console {

class ConsoleConnection;
class RecordForm;

// Patch management for the fleet: the approval grid (each update with its severity, security flag, how many
// devices miss it, failed it or have it, and the partner-wide decision), filters and search, decisions for
// the selected updates at the level chosen (partner-wide or one organisation; a rejection anywhere wins),
// deployment of what is approved to a site or organisation now or at a time, the deployments with their
// devices' progress, and compliance per site as a chart.
class PatchesView : public QWidget {
    Q_OBJECT

public:
    explicit PatchesView(ConsoleConnection& connection, QWidget* parent = nullptr);

    void reload();
    // "approved", "rejected", "deferred" (with deferDays) or "none", for every selected update, at the level
    // the scope box names.
    void decideSelected(const QString& decision, int deferDays = 0);
    // Deploys to a site or organisation ("site:ID" / "org:ID"); an invalid `at` means now.
    void deploy(const QString& target, const QDateTime& at);

    QTableView* grid() const { return m_grid; }
    const JsonTableModel& patches() const { return *m_patches; }
    const JsonTableModel& deployments() const { return *m_deployments; }
    QComboBox* scopeBox() const { return m_scope; }
    QChartView* complianceChart() const { return m_chart; }
    const JsonTableModel& policies() const { return *m_policies; }
    QTableView* policyTable() const { return m_policyTable; }
    // The forms (RecordForm) for a new policy, and for assigning the selected one; null when none is
    // selected.
    RecordForm* newPolicy();
    // The same form for the selected policy, filled with what it has; only changes are sent.
    RecordForm* editSelectedPolicy();
    RecordForm* assignSelectedPolicy();
    QString status() const;

private:
    void loadDeployments();
    void loadCompliance();
    void loadPolicies();
    // The policy form's fields, filled from `policy` when editing (empty: a new policy).
    QList<struct FormField> policyFields(const QJsonObject& policy) const;
    void showDeployment(const QJsonObject& deployment);

    ConsoleConnection& m_connection;
    QLineEdit* m_search;
    QCheckBox* m_securityOnly;
    QComboBox* m_state;
    QComboBox* m_scope;
    JsonTableModel* m_patches;
    QTableView* m_grid;
    JsonTableModel* m_deployments;
    QTableView* m_deploymentTable;
    QChartView* m_chart;
    JsonTableModel* m_policies;
    QTableView* m_policyTable;
    QLabel* m_status;
    int m_pending = 0;
    int m_request = 0; // answers to an older reload (another filter) are dropped
};

} // namespace breeze::console
