#include "AdministrationView.h"

#include "ApiClient.h"
#include "JsonTableModel.h"
#include "ListLoader.h"

#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QUrlQuery>
#include <QVBoxLayout>
#include <stdexcept>

namespace breeze::console {

AdministrationView::AdministrationView(ApiClient& api, QWidget* parent) : QWidget(parent), m_api(api) {
    m_tabs = new QTabWidget(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    const auto add = [this](const QString& title, const QString& path, QList<JsonTableModel::Column> columns,
                            QWidget* extra = nullptr) {
        auto* model = new JsonTableModel(std::move(columns), this);
        m_tabs->addTab(listPage(path, model, extra), title);
    };
    add(tr("Organisations"), "/api/v1/orgs",
        {{"name", tr("Name")},
         {"require_device_approval", tr("Approval required")},
         {"created_at", tr("Created")}});
    add(tr("Sites"), "/api/v1/sites",
        {{"name", tr("Name")}, {"timezone", tr("Time zone")}, {"org_id", tr("Organisation")}});
    add(tr("Users"), "/api/v1/users",
        {{"email", tr("E-mail")},
         {"display_name", tr("Name")},
         {"mfa_enabled", tr("Two-factor")},
         {"disabled", tr("Disabled")},
         {"last_login_at", tr("Last sign-in")}});
    add(tr("Roles"), "/api/v1/roles",
        {{"name", tr("Role")}, {"description", tr("Description")}, {"builtin", tr("Built in")}});
    add(tr("API keys"), "/api/v1/api-keys",
        {{"name", tr("Name")},
         {"prefix", tr("Prefix")},
         {"role", tr("Role")},
         {"status", tr("Status")},
         {"expires_at", tr("Expires")},
         {"last_used_at", tr("Last used")}});
    auto* newKey = new QPushButton(tr("New enrollment key…"), this);
    connect(newKey, &QPushButton::clicked, this, &AdministrationView::createEnrollmentKey);
    add(tr("Enrollment keys"), "/api/v1/enrollment-keys",
        {{"name", tr("Name")},
         {"prefix", tr("Prefix")},
         {"uses", tr("Uses")},
         {"max_uses", tr("Max uses")},
         {"status", tr("Status")},
         {"expires_at", tr("Expires")}},
        newKey);
    auto* auditFilter = new QWidget(this);
    auto* filterLayout = new QHBoxLayout(auditFilter);
    filterLayout->setContentsMargins(0, 0, 0, 0);
    auto* action = new QLineEdit(auditFilter);
    action->setPlaceholderText(tr("Action, e.g. devices. or auth.login"));
    auto* result = new QComboBox(auditFilter);
    result->addItems({tr("any result"), "success", "failure", "denied"});
    auto* apply = new QPushButton(tr("Filter"), auditFilter);
    filterLayout->addWidget(action);
    filterLayout->addWidget(result);
    filterLayout->addWidget(apply);
    connect(apply, &QPushButton::clicked, this, [this, action, result] {
        QUrlQuery query;
        if (!action->text().trimmed().isEmpty())
            query.addQueryItem("action", action->text().trimmed());
        if (result->currentIndex() > 0)
            query.addQueryItem("result", result->currentText());
        m_auditFilter = query.toString(QUrl::FullyEncoded);
        const int index = m_tabs->currentIndex();
        m_pages[index].loaded = false;
        load(index);
    });
    add(tr("Audit log"), "/api/v1/audit",
        {{"at", tr("When")},
         {"actor_label", tr("Who")},
         {"address", tr("From")},
         {"action", tr("Action")},
         {"resource_id", tr("Resource")},
         {"result", tr("Result")}},
        auditFilter);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (!m_pages[index].loaded)
            load(index);
    });
}

QWidget* AdministrationView::listPage(const QString& path, JsonTableModel* model, QWidget* extra) {
    auto* page = new QWidget(m_tabs);
    auto* layout = new QVBoxLayout(page);
    auto* bar = new QHBoxLayout;
    if (extra)
        bar->addWidget(extra, 1);
    else
        bar->addStretch(1);
    auto* refresh = new QPushButton(tr("Refresh"), page);
    bar->addWidget(refresh);
    layout->addLayout(bar);
    auto* status = new QLabel(page);
    status->setTextFormat(Qt::PlainText);
    layout->addWidget(status);
    auto* proxy = new QSortFilterProxyModel(page);
    proxy->setSourceModel(model);
    proxy->setSortRole(Qt::UserRole);
    auto* table = new QTableView(page);
    table->setModel(proxy);
    table->setSortingEnabled(true);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    connect(model, &QAbstractItemModel::modelReset, table, [table] { table->resizeColumnsToContents(); });
    layout->addWidget(table);
    const int index = static_cast<int>(m_pages.size());
    m_pages.append({path, model, status});
    connect(refresh, &QPushButton::clicked, this, [this, index] { load(index); });
    return page;
}

void AdministrationView::loadCurrent() {
    load(m_tabs->currentIndex());
}

void AdministrationView::load(int index) {
    Page& page = m_pages[index];
    page.loaded = true;
    page.status->setText(tr("Loading…"));
    const QString path = page.path == "/api/v1/audit" && !m_auditFilter.isEmpty()
                             ? page.path + "?" + m_auditFilter
                             : page.path;
    loadAllPages(m_api, path, [this, index](const QJsonArray& items, const QString& error) {
        Page& done = m_pages[index];
        if (!error.isEmpty()) {
            done.status->setText(tr("Could not load this list: %1").arg(error));
            done.loaded = false;
            return;
        }
        done.model->setItems(items);
        done.status->setText(items.size() == 1 ? tr("1 entry") : tr("%1 entries").arg(items.size()));
    });
}

void AdministrationView::createEnrollmentKey() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("New enrollment key"));
    auto* form = new QFormLayout;
    auto* site = new QComboBox(&dialog);
    auto* name = new QLineEdit(&dialog);
    auto* days = new QSpinBox(&dialog);
    days->setRange(1, 365);
    days->setValue(7);
    days->setSuffix(tr(" days"));
    auto* uses = new QSpinBox(&dialog);
    uses->setRange(0, 100000);
    uses->setSpecialValueText(tr("unlimited"));
    uses->setValue(25);
    form->addRow(tr("Site"), site);
    form->addRow(tr("Name"), name);
    form->addRow(tr("Valid for"), days);
    form->addRow(tr("Machines"), uses);
    auto* problem = new QLabel(&dialog);
    problem->setTextFormat(Qt::PlainText);
    problem->setStyleSheet("color: #c62828");
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addLayout(form);
    layout->addWidget(problem);
    layout->addWidget(buttons);
    loadAllPages(m_api, "/api/v1/sites", [site](const QJsonArray& sites, const QString&) {
        for (const auto& entry : sites)
            site->addItem(entry.toObject().value("name").toString(), entry.toObject().value("id").toString());
    });
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        QJsonObject body{{"site_id", site->currentData().toString()},
                         {"expires_in_seconds", days->value() * 86400}};
        if (uses->value() > 0)
            body["max_uses"] = uses->value();
        if (!name->text().trimmed().isEmpty())
            body["name"] = name->text().trimmed();
        m_api.post("/api/v1/enrollment-keys", body, [&, this](const ApiReply& reply) {
            if (!reply.ok()) {
                problem->setText(reply.errorMessage);
                return;
            }
            const QString key = reply.object().value("key").toString();
            const auto cas = m_api.sslConfiguration().caCertificates();
            QString command;
            try {
                command = agentInstallCommand(m_api.server(),
                                              cas.isEmpty() ? QByteArray() : cas.last().toPem(), key);
            } catch (const std::invalid_argument& error) {
                problem->setText(
                    tr("The key was made, but no install line can be built: %1").arg(error.what()));
                return;
            }
            QDialog show(this);
            show.setWindowTitle(tr("Install command"));
            auto* text = new QPlainTextEdit(command, &show);
            text->setReadOnly(true);
            auto* copy = new QPushButton(tr("Copy"), &show);
            connect(copy, &QPushButton::clicked, &show, [command, copy] {
                QGuiApplication::clipboard()->setText(command);
                copy->setText(tr("Copied"));
            });
            auto* note = new QLabel(
                tr("Run this line on the machine to enroll it. The key is shown only now."), &show);
            auto* showLayout = new QVBoxLayout(&show);
            showLayout->addWidget(note);
            showLayout->addWidget(text);
            showLayout->addWidget(copy, 0, Qt::AlignRight);
            show.resize(700, 300);
            dialog.accept();
            show.exec();
            for (int i = 0; i < m_pages.size(); ++i)
                if (m_pages[i].path == "/api/v1/enrollment-keys")
                    load(i);
        });
    });
    dialog.exec();
}

} // namespace breeze::console
