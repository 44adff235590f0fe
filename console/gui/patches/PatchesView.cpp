#include "patches/PatchesView.h"

#include "ConsoleConnection.h"
#include "ListLoader.h"
#include "PlainTextMarkup.h"
#include "widgets/RecordForm.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QUrlQuery>
#include <QVBoxLayout>
#include <QValueAxis>

namespace breeze::console {

namespace {
QTableView* table(QAbstractItemModel* model, QWidget* parent, bool multiSelect) {
    auto* view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(multiSelect ? QAbstractItemView::ExtendedSelection
                                       : QAbstractItemView::SingleSelection);
    view->horizontalHeader()->setStretchLastSection(true);
    view->verticalHeader()->hide();
    return view;
}
} // namespace

PatchesView::PatchesView(ConsoleConnection& connection, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_search(new QLineEdit(this)),
      m_securityOnly(new QCheckBox(tr("Security updates only"), this)), m_state(new QComboBox(this)),
      m_scope(new QComboBox(this)), m_patches(new JsonTableModel({{"name", tr("Package")},
                                                                  {"version", tr("Version")},
                                                                  {"severity", tr("Severity")},
                                                                  {"security", tr("Security")},
                                                                  {"missing", tr("Missing")},
                                                                  {"failed", tr("Failed")},
                                                                  {"installed", tr("Installed")},
                                                                  {"decision", tr("Partner decision")},
                                                                  {"repository", tr("Repository")}},
                                                                 this)),
      m_grid(table(m_patches, this, true)),
      m_deployments(new JsonTableModel({{"created_at", tr("Created")},
                                        {"scheduled_at", tr("Scheduled")},
                                        {"status", tr("Status")},
                                        {"device_count", tr("Devices")},
                                        {"statuses", tr("Installs")},
                                        {"requested_by", tr("By")}},
                                       this)),
      m_deploymentTable(table(m_deployments, this, false)), m_chart(new QChartView(this)),
      m_policies(new JsonTableModel({{"name", tr("Policy")},
                                     {"window_days", tr("Days")},
                                     {"window_start", tr("Window")},
                                     {"window_minutes", tr("Minutes")},
                                     {"reboot", tr("Reboot")},
                                     {"auto_approve_security", tr("Security auto-approved")},
                                     {"assignments", tr("Assigned to")}},
                                    this)),
      m_policyTable(table(m_policies, this, false)), m_status(new QLabel(this)) {
    m_search->setPlaceholderText(tr("Search packages"));
    m_search->setClearButtonEnabled(true);
    m_state->addItem(tr("Any state"), QString());
    m_state->addItem(tr("Missing somewhere"), QString("missing"));
    m_state->addItem(tr("Failed somewhere"), QString("failed"));
    m_state->addItem(tr("Waiting for a reboot"), QString("pending_reboot"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_scope->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_search, 1);
    filters->addWidget(m_securityOnly);
    filters->addWidget(m_state);
    filters->addWidget(refresh);

    auto* approve = new QPushButton(tr("Approve"), this);
    auto* reject = new QPushButton(tr("Reject"), this);
    auto* defer = new QPushButton(tr("Defer…"), this);
    auto* clear = new QPushButton(tr("Clear decision"), this);
    auto* deployButton = new QPushButton(tr("Deploy approved…"), this);
    auto* actions = new QHBoxLayout;
    actions->addWidget(new QLabel(tr("Decide for"), this));
    actions->addWidget(m_scope);
    for (auto* button : {approve, reject, defer, clear})
        actions->addWidget(button);
    actions->addStretch();
    actions->addWidget(deployButton);

    auto* lower = new QTabWidget(this);
    lower->addTab(m_deploymentTable, tr("Deployments"));
    lower->addTab(m_chart, tr("Compliance"));
    auto* policyPage = new QWidget(this);
    auto* policyLayout = new QVBoxLayout(policyPage);
    auto* policyButtons = new QHBoxLayout;
    auto* newPolicyButton = new QPushButton(tr("New policy…"), policyPage);
    auto* editPolicy = new QPushButton(tr("Edit…"), policyPage);
    auto* assignButton = new QPushButton(tr("Assign…"), policyPage);
    auto* deletePolicy = new QPushButton(tr("Delete"), policyPage);
    policyButtons->addWidget(newPolicyButton);
    policyButtons->addWidget(editPolicy);
    policyButtons->addWidget(assignButton);
    policyButtons->addWidget(deletePolicy);
    policyButtons->addStretch();
    policyLayout->addLayout(policyButtons);
    policyLayout->addWidget(m_policyTable, 1);
    lower->addTab(policyPage, tr("Policies"));
    connect(newPolicyButton, &QPushButton::clicked, this, [this] { newPolicy(); });
    connect(editPolicy, &QPushButton::clicked, this, [this] { editSelectedPolicy(); });
    connect(assignButton, &QPushButton::clicked, this, [this] { assignSelectedPolicy(); });
    connect(deletePolicy, &QPushButton::clicked, this, [this] {
        const int row = m_policyTable->currentIndex().row();
        if (row < 0)
            return;
        m_connection.api().request(
            "DELETE",
            "/api/v1/patch-policies/" + m_policies->items().at(row).toObject().value("id").toString(), {},
            [this](const ApiReply& reply) {
                m_status->setText(reply.ok() ? tr("Policy deleted.") : reply.errorMessage);
                loadPolicies();
            });
    });
    m_chart->setRenderHint(QPainter::Antialiasing);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_grid);
    splitter->addWidget(lower);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);
    layout->addLayout(actions);
    layout->addWidget(m_status);

    connect(refresh, &QPushButton::clicked, this, &PatchesView::reload);
    connect(m_search, &QLineEdit::returnPressed, this, &PatchesView::reload);
    connect(m_securityOnly, &QCheckBox::toggled, this, &PatchesView::reload);
    connect(m_state, &QComboBox::currentIndexChanged, this, &PatchesView::reload);
    connect(approve, &QPushButton::clicked, this, [this] { decideSelected("approved"); });
    connect(reject, &QPushButton::clicked, this, [this] { decideSelected("rejected"); });
    connect(clear, &QPushButton::clicked, this, [this] { decideSelected("none"); });
    connect(defer, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const int days = QInputDialog::getInt(this, tr("Defer"),
                                              tr("Defer for how many days after each update was "
                                                 "first seen?"),
                                              7, 1, 365, 1, &ok);
        if (ok)
            decideSelected("deferred", days);
    });
    connect(deployButton, &QPushButton::clicked, this, [this] {
        // Where and when: a site or an organisation, now or at a time.
        QDialog dialog(this);
        dialog.setWindowTitle(tr("Deploy approved updates"));
        auto* target = new QComboBox(&dialog);
        for (const auto& org : m_connection.tree().organisations()) {
            target->addItem(tr("All of %1").arg(org.name), "org:" + org.id);
            for (const auto& site : m_connection.tree().sites())
                if (site.parentId == org.id)
                    target->addItem(org.name + " / " + site.name, "site:" + site.id);
        }
        auto* now = new QRadioButton(tr("Now"), &dialog);
        auto* later = new QRadioButton(tr("At"), &dialog);
        auto* at = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600), &dialog);
        at->setCalendarPopup(true);
        now->setChecked(true);
        auto* form = new QFormLayout(&dialog);
        form->addRow(tr("Devices"), target);
        form->addRow(now);
        form->addRow(later, at);
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
        form->addRow(buttons);
        connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        if (dialog.exec() == QDialog::Accepted && target->currentIndex() >= 0)
            deploy(target->currentData().toString(), later->isChecked() ? at->dateTime() : QDateTime());
    });
    connect(m_deploymentTable, &QTableView::activated, this, [this](const QModelIndex& index) {
        showDeployment(m_deployments->items().at(index.row()).toObject());
    });
    // Deployments move on their own: refresh them while the view is shown.
    auto* timer = new QTimer(this);
    timer->setInterval(5000);
    connect(timer, &QTimer::timeout, this, [this] {
        if (isVisible())
            loadDeployments();
    });
    timer->start();
}

QString PatchesView::status() const {
    return m_status->text();
}

void PatchesView::reload() {
    const QString chosen = m_scope->currentData().toString();
    m_scope->clear();
    m_scope->addItem(tr("All organisations (partner-wide)"), QString());
    for (const auto& org : m_connection.tree().organisations())
        m_scope->addItem(org.name, org.id);
    m_scope->setCurrentIndex(std::max(0, m_scope->findData(chosen)));
    QUrlQuery query;
    query.addQueryItem("limit", "500");
    if (!m_search->text().trimmed().isEmpty())
        query.addQueryItem("q", m_search->text().trimmed());
    if (m_securityOnly->isChecked())
        query.addQueryItem("security", "true");
    if (!m_state->currentData().toString().isEmpty())
        query.addQueryItem("state", m_state->currentData().toString());
    const int request = ++m_request;
    loadAllPages(m_connection.api(), "/api/v1/patches?" + query.toString(QUrl::FullyEncoded),
                 [this, request](const QJsonArray& items, const QString& error) {
                     if (request != m_request)
                         return;
                     if (!error.isEmpty()) {
                         m_status->setText(error);
                         return;
                     }
                     m_patches->setItems(items);
                 });
    loadDeployments();
    loadCompliance();
    loadPolicies();
}

void PatchesView::loadPolicies() {
    m_connection.api().get("/api/v1/patch-policies", [this](const ApiReply& reply) {
        if (reply.ok())
            m_policies->setItems(reply.object().value("items").toArray());
    });
}

QList<FormField> PatchesView::policyFields(const QJsonObject& policy) const {
    const bool editing = !policy.isEmpty();
    // Editing: each field starts from the policy's value (and only changes are sent); creating: from
    // defaults.
    const auto initial = [&](const char* key, const QJsonValue& fallback) {
        return editing ? policy.value(key) : fallback;
    };
    const QJsonValue unset(QJsonValue::Undefined);
    QList<FormField> fields;
    fields << FormField("name", tr("Name"), FormField::Kind::Text, true, initial("name", unset));
    if (!editing) {
        FormField org =
            FormField::choiceFrom("org_id", tr("Organisation"), "/api/v1/orgs", "id", "name", false);
        org.allowNone = true; // none: the partner-wide policy
        fields << org;
    }
    fields << FormField("auto_approve_security", tr("Auto-approve security updates"), FormField::Kind::Flag,
                        false, initial("auto_approve_security", unset));
    FormField severities("auto_approve_severities", tr("Auto-approve severities"), FormField::Kind::Checklist,
                         false, initial("auto_approve_severities", unset));
    severities.options = {"critical", "important", "moderate", "low"};
    fields << severities
           << FormField("auto_approve_pattern", tr("Auto-approve packages (e.g. openssl*)"),
                        FormField::Kind::Text, false, initial("auto_approve_pattern", unset));
    FormField days("window_days", tr("Window days"), FormField::Kind::Checklist, false,
                   initial("window_days", unset));
    days.options = {tr("Sunday"),   tr("Monday"), tr("Tuesday"), tr("Wednesday"),
                    tr("Thursday"), tr("Friday"), tr("Saturday")};
    days.sendIndexes = true;
    fields << days
           << FormField("window_start", tr("Window start (HH:MM, site time)"), FormField::Kind::Text, false,
                        initial("window_start", "02:00"));
    const auto number = [&](const char* key, const QString& label, int fallback, int minimum, int maximum) {
        FormField field(key, label, FormField::Kind::Number, true, initial(key, fallback));
        field.minimum = minimum;
        field.maximum = maximum;
        return field;
    };
    const auto choice = [&](const char* key, const QString& label, const QString& fallback,
                            QStringList options) {
        FormField field(key, label, FormField::Kind::Choice, true, initial(key, fallback));
        field.options = std::move(options);
        return field;
    };
    fields << number("window_minutes", tr("Window length (minutes)"), 120, 15, 1440)
           << number("scan_interval_hours", tr("Scan every (hours)"), 24, 1, 720)
           << choice("reboot", tr("Reboot"), "if_required", {"if_required", "never", "always"})
           << number("reboot_delay_minutes", tr("Reboot delay (minutes)"), 15, 0, 1440)
           << choice("missed_window", tr("Missed window"), "next_window", {"next_window", "when_online"});
    return fields;
}

RecordForm* PatchesView::newPolicy() {
    auto* form = new RecordForm(m_connection.api(), tr("New patch policy"), "POST", "/api/v1/patch-policies",
                                policyFields({}), this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &RecordForm::saved, this, [this] { loadPolicies(); });
    form->open();
    return form;
}

RecordForm* PatchesView::editSelectedPolicy() {
    const int row = m_policyTable->currentIndex().row();
    if (row < 0) {
        m_status->setText(tr("Select a policy first."));
        return nullptr;
    }
    const QJsonObject policy = m_policies->items().at(row).toObject();
    auto* form =
        new RecordForm(m_connection.api(), tr("Edit patch policy"), "PATCH",
                       "/api/v1/patch-policies/" + policy.value("id").toString(), policyFields(policy), this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &RecordForm::saved, this, [this] { loadPolicies(); });
    form->open();
    return form;
}

RecordForm* PatchesView::assignSelectedPolicy() {
    const int row = m_policyTable->currentIndex().row();
    if (row < 0) {
        m_status->setText(tr("Select a policy first."));
        return nullptr;
    }
    const QString id = m_policies->items().at(row).toObject().value("id").toString();
    FormField org = FormField::choiceFrom("org_id", tr("Organisation (all its sites)"), "/api/v1/orgs", "id",
                                          "name", false);
    org.allowNone = true;
    FormField site =
        FormField::choiceFrom("site_id", tr("Or one site"), "/api/v1/sites", "id", "name", false);
    site.allowNone = true;
    auto* form = new RecordForm(m_connection.api(), tr("Assign policy"), "POST",
                                "/api/v1/patch-policies/" + id + "/assignments", {org, site}, this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &RecordForm::saved, this, [this] { loadPolicies(); });
    form->open();
    return form;
}

void PatchesView::decideSelected(const QString& decision, int deferDays) {
    const auto rows = m_grid->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_status->setText(tr("Select the updates to decide on first."));
        return;
    }
    QJsonObject body{{"decision", decision}};
    if (!m_scope->currentData().toString().isEmpty())
        body["org_id"] = m_scope->currentData().toString();
    if (decision == "deferred")
        body["defer_days"] = deferDays;
    m_status->setText(tr("Sending %n decision(s)…", nullptr, static_cast<int>(rows.size())));
    m_pending = static_cast<int>(rows.size());
    auto refused = std::make_shared<QStringList>();
    for (const auto& index : rows) {
        const QJsonObject patch = m_patches->items().at(index.row()).toObject();
        m_connection.api().post(
            "/api/v1/patches/" + patch.value("id").toString() + "/decision", body,
            [this, refused, name = patch.value("name").toString()](const ApiReply& reply) {
                if (!reply.ok())
                    *refused << name + ": " + reply.errorMessage;
                if (--m_pending > 0)
                    return;
                m_status->setText(refused->isEmpty() ? tr("Decisions recorded.") : refused->join("\n"));
                reload();
            });
    }
}

void PatchesView::deploy(const QString& target, const QDateTime& at) {
    QJsonObject body;
    const QString kind = target.section(':', 0, 0);
    body[kind == "org" ? "org_id" : "site_id"] = target.section(':', 1);
    if (at.isValid())
        body["scheduled_at"] = at.toUTC().toString(Qt::ISODate);
    m_status->setText(tr("Starting the deployment…"));
    m_connection.api().post("/api/v1/patch-deployments", body, [this](const ApiReply& reply) {
        if (!reply.ok()) {
            m_status->setText(reply.errorMessage);
            return;
        }
        const QJsonObject deployment = reply.object();
        const int queued = deployment.value("summary").toObject().value("queued").toArray().size();
        m_status->setText(deployment.value("status").toString() == "scheduled"
                              ? tr("Scheduled for %1.").arg(deployment.value("scheduled_at").toString())
                              : tr("Queued for %n device(s); the others had nothing approved to install.",
                                   nullptr, queued));
        loadDeployments();
    });
}

void PatchesView::loadDeployments() {
    m_connection.api().get("/api/v1/patch-deployments?limit=100", [this](const ApiReply& reply) {
        if (reply.ok())
            m_deployments->setItems(reply.object().value("items").toArray());
    });
}

void PatchesView::loadCompliance() {
    m_connection.api().get("/api/v1/patch-compliance", [this](const ApiReply& reply) {
        if (!reply.ok())
            return;
        // Per site: the share of scanned devices with nothing missing, and with no security update missing.
        auto* all = new QBarSet(tr("Fully patched %"));
        auto* security = new QBarSet(tr("Security updates %"));
        QStringList sites;
        for (const auto& value : reply.object().value("sites").toArray()) {
            const QJsonObject site = value.toObject();
            sites << plainTextLabel(site.value("site_name").toString()); // QtCharts draws labels as HTML
            *all << site.value("share").toDouble() * 100;
            *security << site.value("by_severity")
                                 .toObject()
                                 .value("security")
                                 .toObject()
                                 .value("share")
                                 .toDouble() *
                             100;
        }
        auto* series = new QBarSeries;
        series->append(all);
        series->append(security);
        auto* chart = new QChart;
        chart->addSeries(series);
        auto* axisX = new QBarCategoryAxis;
        axisX->append(sites);
        chart->addAxis(axisX, Qt::AlignBottom);
        series->attachAxis(axisX);
        auto* axisY = new QValueAxis;
        axisY->setRange(0, 100);
        chart->addAxis(axisY, Qt::AlignLeft);
        series->attachAxis(axisY);
        const QJsonObject total = reply.object().value("total").toObject();
        chart->setTitle(tr("%1 of %2 scanned devices fully patched")
                            .arg(total.value("fully_patched").toInt())
                            .arg(total.value("scanned").toInt()));
        QChart* old = m_chart->chart();
        m_chart->setChart(chart);
        delete old;
    });
}

// A deployment's devices: each install's status and per-package results.
void PatchesView::showDeployment(const QJsonObject& deployment) {
    m_connection.api().get("/api/v1/patch-deployments/" + deployment.value("id").toString(),
                           [this](const ApiReply& reply) {
                               if (!reply.ok()) {
                                   m_status->setText(reply.errorMessage);
                                   return;
                               }
                               auto* dialog = new QDialog(this);
                               dialog->setAttribute(Qt::WA_DeleteOnClose);
                               dialog->setWindowTitle(tr("Deployment"));
                               QJsonArray rows;
                               for (const auto& value : reply.object().value("devices").toArray()) {
                                   const QJsonObject device = value.toObject();
                                   for (const auto& result : device.value("results").toArray()) {
                                       QJsonObject row = result.toObject();
                                       row["hostname"] = device.value("hostname");
                                       rows.append(row);
                                   }
                                   if (device.value("results").toArray().isEmpty())
                                       rows.append(QJsonObject{{"hostname", device.value("hostname")},
                                                               {"status", device.value("status")}});
                               }
                               auto* model = new JsonTableModel({{"hostname", tr("Device")},
                                                                 {"name", tr("Package")},
                                                                 {"version", tr("Version")},
                                                                 {"status", tr("Status")},
                                                                 {"installed_version", tr("Now")}},
                                                                dialog);
                               model->setItems(rows);
                               auto* layout = new QVBoxLayout(dialog);
                               layout->addWidget(table(model, dialog, false));
                               dialog->resize(700, 400);
                               dialog->show();
                           });
}

} // namespace breeze::console
