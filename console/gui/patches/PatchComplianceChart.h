#pragma once

#include "PatchClient.h"

#include <QChartView>

namespace breeze::console {

// Compliance per site as bars: the share of scanned devices with nothing missing, and with no security update
// missing, titled with the fleet's total.
class PatchComplianceChart : public QChartView {
    Q_OBJECT

public:
    PatchComplianceChart(ApiClient& api, QWidget* parent = nullptr);
    void reload();
    void setScope(const FleetScope& scope) { m_scope = scope; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void display(const PatchCompliance& compliance);

    PatchClient m_client;
    FleetScope m_scope;
};

} // namespace breeze::console
