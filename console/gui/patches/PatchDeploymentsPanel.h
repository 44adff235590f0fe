#pragma once

#include "JsonTableModel.h"
#include "PatchClient.h"
#include "widgets/InlineMessage.h"

#include <QWidget>

class QTableView;

namespace breeze::console {

// Patch deployments, newest first; opening one shows each device's install and per-package results.
class PatchDeploymentsPanel : public QWidget {
    Q_OBJECT

public:
    PatchDeploymentsPanel(ApiClient& api, QWidget* parent = nullptr);

    void reload();
    const JsonTableModel& deployments() const { return *m_deployments; }

Q_SIGNALS:
    void message(InlineMessage::Kind kind, const QString& text);

private:
    void showDeployment(const QJsonObject& deployment);

    PatchClient m_client;
    JsonTableModel* m_deployments;
    QTableView* m_table;
};

} // namespace breeze::console
