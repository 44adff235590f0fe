#include "patches/PatchDeploymentsPanel.h"

#include "RecordClient.h"
#include "TableColumns.h"
#include "patches/PatchTable.h"

#include <QDialog>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

PatchDeploymentsPanel::PatchDeploymentsPanel(ApiClient& api, QWidget* parent)
    : QWidget(parent), m_client(api), m_deployments(new JsonTableModel(TableColumns::deployments(), this)),
      m_table(patchTable(m_deployments, this, false)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        showDeployment(m_deployments->items().at(index.row()).toObject());
    });
}

void PatchDeploymentsPanel::reload() {
    m_client.deployments([this](const QJsonArray& items, const QString& error) {
        if (error.isEmpty())
            m_deployments->setItems(items);
    });
}

void PatchDeploymentsPanel::showDeployment(const QJsonObject& deployment) {
    m_client.deploymentOutcome(recordId(deployment), [this](const QJsonArray& rows, const QString& error) {
        if (!error.isEmpty()) {
            Q_EMIT message(InlineMessage::Kind::Error, error);
            return;
        }
        auto* dialog = new QDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Deployment"));
        auto* model = new JsonTableModel(TableColumns::deploymentOutcome(), dialog);
        model->setItems(rows);
        auto* layout = new QVBoxLayout(dialog);
        layout->addWidget(patchTable(model, dialog, false));
        dialog->resize(700, 400);
        dialog->show();
    });
}

} // namespace breeze::console
