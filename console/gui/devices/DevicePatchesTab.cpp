#include "devices/DevicePatchesTab.h"

#include "ConsoleConnection.h"
#include "PatchClient.h"
#include "TableColumns.h"
#include "widgets/InlineMessage.h"
#include "widgets/SelectionGate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace breeze::console {

DevicePatchesTab::DevicePatchesTab(ConsoleConnection& connection, QString deviceId, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_client(connection.api()), m_deviceId(std::move(deviceId)),
      m_model(new JsonTableModel(TableColumns::devicePatches(), this)), m_table(new QTableView(this)),
      m_reboot(new QLabel(this)), m_status(new InlineMessage(this)),
      m_scan(new QPushButton(tr("Scan now"), this)) {
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_reboot->setTextFormat(Qt::PlainText);
    m_reboot->setWordWrap(true);
    m_status->setWordWrap(true);
    auto* rollBackButton = new QPushButton(tr("Roll back"), this);
    rollBackButton->setToolTip(tr("Install the version the device had before the selected update"));
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_scan);
    bar->addWidget(rollBackButton);
    // Decisions for this device alone.
    QList<QAbstractButton*> decisions;
    for (const auto& [label, decision] :
         {std::pair{tr("Approve here"), "approved"}, std::pair{tr("Reject here"), "rejected"},
          std::pair{tr("Defer here…"), "deferred"}, std::pair{tr("Clear here"), "none"}}) {
        auto* button = new QPushButton(label, this);
        button->setToolTip(
            tr("A decision for this device only; a rejection for its site or organisation still wins"));
        connect(button, &QPushButton::clicked, this, [this, decision = QString(decision)] {
            if (decision != "deferred") {
                decideSelected(decision);
                return;
            }
            bool ok = false;
            const int days = QInputDialog::getInt(
                this, tr("Defer"), tr("Defer on this device for how many days?"), 7, 1, 365, 1, &ok);
            if (ok)
                decideSelected(decision, days);
        });
        bar->addWidget(button);
        decisions << button;
    }
    bar->addWidget(m_reboot, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);
    connect(m_scan, &QPushButton::clicked, this, &DevicePatchesTab::scan);
    connect(rollBackButton, &QPushButton::clicked, this, [this] { rollBack(m_table->currentIndex().row()); });
    enableWithSelection(m_table, {rollBackButton});
    enableWithSelection(m_table, decisions);
}

QString DevicePatchesTab::status() const {
    return m_status->text();
}

void DevicePatchesTab::reload() {
    m_client.devicePatches(m_deviceId, [this](const DevicePatchList& list, const QString& error) {
        if (!error.isEmpty()) {
            m_status->showError(error);
            return;
        }
        m_model->setItems(list.items);
        m_reboot->setText(
            (list.rebootRequired ? tr("A reboot is pending. ") : QString()) +
            (list.scannedAt.isEmpty() ? tr("Never scanned.") : tr("Last scan: %1").arg(list.scannedAt)));
    });
}

void DevicePatchesTab::scan() {
    m_scan->setEnabled(false);
    m_status->showInformation(tr("Asking the device to scan…"));
    m_client.scan(m_deviceId, [this](const QString& commandId, const QString& error) {
        if (!error.isEmpty()) {
            m_scan->setEnabled(true);
            m_status->showError(error);
            return;
        }
        follow(commandId, tr("Scan"));
    });
}

void DevicePatchesTab::rollBack(int row) {
    if (row < 0 || row >= m_model->rowCount()) {
        m_status->showWarning(tr("Select an installed update first."));
        return;
    }
    const QJsonObject patch = m_model->items().at(row).toObject();
    const QString name = patchName(patch);
    m_status->showInformation(tr("Rolling back %1…").arg(name));
    m_client.rollBack(m_deviceId, patchId(patch),
                      [this, name](const QString& commandId, const QString& error) {
                          if (!error.isEmpty()) {
                              m_status->showError(error);
                              return;
                          }
                          follow(commandId, tr("Rollback of %1").arg(name));
                      });
}

void DevicePatchesTab::decideSelected(const QString& decision, int deferDays) {
    const int row = m_table->currentIndex().row();
    if (row < 0 || row >= m_model->rowCount()) {
        m_status->showWarning(tr("Select an update first."));
        return;
    }
    const QJsonObject patch = m_model->items().at(row).toObject();
    m_client.decide(patchId(patch), PatchDecision{decision, {}, {}, m_deviceId, deferDays},
                    [this, name = patchName(patch)](bool, const QString& error) {
                        if (!error.isEmpty())
                            m_status->showError(error);
                        else
                            m_status->showSuccess(tr("Decision recorded for %1 on this device.").arg(name));
                        reload();
                    });
}

void DevicePatchesTab::follow(const QString& commandId, const QString& what) {
    m_client.command(
        commandId, [this, commandId, what](const CommandProgress& progress, const QString& error) {
            if (error.isEmpty() && progress.running()) {
                m_status->showInformation(
                    progress.status == "pending"
                        ? tr("%1: pending — queued, it runs when the device is back online").arg(what)
                        : tr("%1: %2").arg(what, progress.status));
                QTimer::singleShot(1000, this, [this, commandId, what] { follow(commandId, what); });
                return;
            }
            m_scan->setEnabled(true);
            if (!error.isEmpty())
                m_status->showError(error);
            else
                m_status->say(progress.status == "completed" ? InlineMessage::Kind::Success
                                                             : InlineMessage::Kind::Error,
                              tr("%1: %2").arg(what, progress.status) +
                                  (progress.error.isEmpty() ? QString() : " — " + progress.error));
            reload();
        });
}

} // namespace breeze::console
