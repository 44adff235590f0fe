#include "devices/DevicePatchesTab.h"

#include "ConsoleConnection.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace breeze::console {

DevicePatchesTab::DevicePatchesTab(ConsoleConnection& connection, QString deviceId, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_deviceId(std::move(deviceId)),
      m_model(new JsonTableModel({{"name", tr("Package")},
                                  {"installed_version", tr("Installed")},
                                  {"version", tr("Update")},
                                  {"state", tr("State")},
                                  {"security", tr("Security")},
                                  {"decision", tr("Decision")},
                                  {"last_error", tr("Last error")}},
                                 this)),
      m_table(new QTableView(this)), m_reboot(new QLabel(this)), m_status(new QLabel(this)),
      m_scan(new QPushButton(tr("Scan now"), this)) {
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    for (auto* label : {m_reboot, m_status}) {
        label->setTextFormat(Qt::PlainText);
        label->setWordWrap(true);
    }
    auto* rollBackButton = new QPushButton(tr("Roll back"), this);
    rollBackButton->setToolTip(tr("Install the version the device had before the selected update"));
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_scan);
    bar->addWidget(rollBackButton);
    bar->addWidget(m_reboot, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);
    connect(m_scan, &QPushButton::clicked, this, &DevicePatchesTab::scan);
    connect(rollBackButton, &QPushButton::clicked, this, [this] { rollBack(m_table->currentIndex().row()); });
}

QString DevicePatchesTab::status() const {
    return m_status->text();
}

void DevicePatchesTab::reload() {
    m_connection.api().get("/api/v1/devices/" + m_deviceId + "/patches", [this](const ApiReply& reply) {
        if (!reply.ok()) {
            m_status->setText(reply.errorMessage);
            return;
        }
        const QJsonObject body = reply.object();
        m_model->setItems(body.value("items").toArray());
        const QString scanned = body.value("scanned_at").toString();
        m_reboot->setText((body.value("reboot_required").toBool() ? tr("A reboot is pending. ") : QString()) +
                          (scanned.isEmpty() ? tr("Never scanned.") : tr("Last scan: %1").arg(scanned)));
    });
}

void DevicePatchesTab::scan() {
    m_scan->setEnabled(false);
    m_status->setText(tr("Asking the device to scan…"));
    m_connection.api().post("/api/v1/devices/" + m_deviceId + "/patch-scan", QJsonObject{},
                            [this](const ApiReply& reply) {
                                if (!reply.ok()) {
                                    m_scan->setEnabled(true);
                                    m_status->setText(reply.errorMessage);
                                    return;
                                }
                                follow(reply.object().value("command_id").toString(), tr("Scan"));
                            });
}

void DevicePatchesTab::rollBack(int row) {
    if (row < 0 || row >= m_model->rowCount()) {
        m_status->setText(tr("Select an installed update first."));
        return;
    }
    const QJsonObject patch = m_model->items().at(row).toObject();
    m_status->setText(tr("Rolling back %1…").arg(patch.value("name").toString()));
    m_connection.api().post(
        "/api/v1/devices/" + m_deviceId + "/patches/" + patch.value("id").toString() + "/rollback",
        QJsonObject{}, [this, name = patch.value("name").toString()](const ApiReply& reply) {
            if (!reply.ok()) {
                m_status->setText(reply.errorMessage);
                return;
            }
            follow(reply.object().value("command_id").toString(), tr("Rollback of %1").arg(name));
        });
}

void DevicePatchesTab::follow(const QString& commandId, const QString& what) {
    m_connection.api().get("/api/v1/commands/" + commandId, [this, commandId, what](const ApiReply& reply) {
        const QString state = reply.object().value("status").toString();
        if (reply.ok() && (state == "pending" || state == "sent" || state == "running")) {
            m_status->setText(tr("%1: %2 (the device does it when it is online)").arg(what, state));
            QTimer::singleShot(1000, this, [this, commandId, what] { follow(commandId, what); });
            return;
        }
        m_scan->setEnabled(true);
        const QString error = reply.object().value("error").toString();
        m_status->setText(reply.ok()
                              ? tr("%1: %2").arg(what, state) + (error.isEmpty() ? QString() : " — " + error)
                              : reply.errorMessage);
        reload();
    });
}

} // namespace breeze::console
