#include "administration/AdministrationView.h"

#include "ApiClient.h"
#include "JsonTableModel.h"
#include "ListLoader.h"
#include "widgets/Confirmation.h"
#include "widgets/InlineMessage.h"
#include "widgets/RecordForm.h"

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
#include <QPointer>
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
    const FormField orgChoice = FormField::choiceFrom("org_id", tr("Organisation"), "/api/v1/orgs");
    const FormField roleChoice = FormField::choiceFrom("role", tr("Role"), "/api/v1/roles", "name", "name");

    add(tr("Organisations"), "/api/v1/orgs",
        {{"name", tr("Name")},
         {"require_device_approval", tr("Approval required")},
         {"created_at", tr("Created")}});
    addAction(tr("New…"), [this] {
        openForm(tr("New organisation"), "POST", "/api/v1/orgs",
                 {{"name", tr("Name"), FormField::Kind::Text, true},
                  {"require_device_approval", tr("New devices wait for approval"), FormField::Kind::Flag}});
    });
    addAction(tr("Edit…"), [this] {
        const QJsonObject org = selectedRecord();
        if (!org.isEmpty())
            openForm(tr("Organisation %1").arg(org.value("name").toString()), "PATCH",
                     "/api/v1/orgs/" + org.value("id").toString(),
                     {{"name", tr("Name"), FormField::Kind::Text, true, org.value("name")},
                      {"require_device_approval", tr("New devices wait for approval"), FormField::Kind::Flag,
                       false, org.value("require_device_approval")}});
    });

    add(tr("Sites"), "/api/v1/sites",
        {{"name", tr("Name")}, {"timezone", tr("Time zone")}, {"org_id", tr("Organisation")}});
    addAction(tr("New…"), [this, orgChoice] {
        openForm(tr("New site"), "POST", "/api/v1/sites",
                 {orgChoice,
                  {"name", tr("Name"), FormField::Kind::Text, true},
                  {"timezone", tr("Time zone (e.g. Europe/Berlin)"), FormField::Kind::Text}});
    });
    addAction(tr("Edit…"), [this] {
        const QJsonObject site = selectedRecord();
        if (!site.isEmpty())
            openForm(tr("Site %1").arg(site.value("name").toString()), "PATCH",
                     "/api/v1/sites/" + site.value("id").toString(),
                     {{"name", tr("Name"), FormField::Kind::Text, true, site.value("name")},
                      {"timezone", tr("Time zone"), FormField::Kind::Text, false, site.value("timezone")}});
    });

    add(tr("Device groups"), "/api/v1/groups",
        {{"name", tr("Name")},
         {"site_id", tr("Site (empty: whole organisation)")},
         {"org_id", tr("Organisation")}});
    addAction(tr("New…"), [this, orgChoice] {
        FormField site = FormField::choiceFrom("site_id", tr("Site"), "/api/v1/sites", "id", "name", false);
        site.allowNone = true;
        openForm(tr("New device group"), "POST", "/api/v1/groups",
                 {orgChoice, site, {"name", tr("Name"), FormField::Kind::Text, true}});
    });
    addAction(tr("Rename…"), [this] {
        const QJsonObject group = selectedRecord();
        if (!group.isEmpty())
            openForm(tr("Device group %1").arg(group.value("name").toString()), "PATCH",
                     "/api/v1/groups/" + group.value("id").toString(),
                     {{"name", tr("Name"), FormField::Kind::Text, true, group.value("name")}});
    });
    addAction(tr("Delete…"), [this] {
        deleteSelected(tr("Delete the device group \"%1\"? Its devices stay, outside any group."),
                       "/api/v1/groups/");
    });

    add(tr("Users"), "/api/v1/users",
        {{"email", tr("E-mail")},
         {"display_name", tr("Name")},
         {"mfa_enabled", tr("Two-factor")},
         {"disabled", tr("Disabled")},
         {"last_login_at", tr("Last sign-in")}});
    addAction(tr("New…"), [this, orgChoice, roleChoice] {
        FormField org = orgChoice;
        org.required = false;
        org.allowNone = true; // none: partner-wide
        openForm(tr("New user"), "POST", "/api/v1/users",
                 {{"email", tr("E-mail"), FormField::Kind::Text, true},
                  {"display_name", tr("Name"), FormField::Kind::Text},
                  {"password", tr("Initial password"), FormField::Kind::Password, true},
                  org,
                  roleChoice,
                  {"mfa_required", tr("Require two-factor sign-in"), FormField::Kind::Flag}});
    });
    addAction(tr("Edit…"), [this] {
        const QJsonObject user = selectedRecord();
        if (!user.isEmpty())
            openForm(tr("User %1").arg(user.value("email").toString()), "PATCH",
                     "/api/v1/users/" + user.value("id").toString(),
                     {{"display_name", tr("Name"), FormField::Kind::Text, false, user.value("display_name")},
                      {"disabled", tr("Disabled (cannot sign in)"), FormField::Kind::Flag, false,
                       user.value("disabled")},
                      {"mfa_required", tr("Require two-factor sign-in"), FormField::Kind::Flag, false,
                       user.value("mfa_required")},
                      {"password", tr("New password (leave empty to keep)"), FormField::Kind::Password}});
    });

    add(tr("Roles"), "/api/v1/roles",
        {{"name", tr("Role")}, {"description", tr("Description")}, {"builtin", tr("Built in")}});
    addAction(tr("New…"), [this] {
        // The permissions to choose from: every one the roles listed here grant (the built-in roles hold
        // all).
        QStringList permissions;
        for (const auto& role : currentPage().model->items())
            for (const auto& permission : role.toObject().value("permissions").toArray())
                if (!permissions.contains(permission.toString()))
                    permissions << permission.toString();
        permissions.sort();
        FormField chosen{"permissions", tr("Permissions"), FormField::Kind::Checklist, true};
        chosen.options = permissions;
        openForm(tr("New role"), "POST", "/api/v1/roles",
                 {{"name", tr("Name (a-z, 0-9, -)"), FormField::Kind::Text, true},
                  {"description", tr("Description"), FormField::Kind::Text},
                  chosen});
    });
    addAction(tr("Delete…"), [this] { deleteSelected(tr("Delete the role \"%1\"?"), "/api/v1/roles/"); });

    add(tr("API keys"), "/api/v1/api-keys",
        {{"name", tr("Name")},
         {"prefix", tr("Prefix")},
         {"role", tr("Role")},
         {"status", tr("Status")},
         {"expires_at", tr("Expires")},
         {"last_used_at", tr("Last used")}});
    addAction(tr("New…"), [this, orgChoice, roleChoice] {
        FormField days{"expires_in_days", tr("Valid for (days)"), FormField::Kind::Number, true, 90};
        days.minimum = 1;
        days.maximum = 3650;
        RecordForm* form =
            openForm(tr("New API key"), "POST", "/api/v1/api-keys",
                     {{"name", tr("Name"), FormField::Kind::Text, true}, orgChoice, roleChoice, days});
        connect(form, &RecordForm::saved, this, [this](const QJsonObject& created) {
            showOnce(tr("API key"), tr("The key is shown only now: keep it in your password manager."),
                     created.value("key").toString());
        });
    });
    addAction(tr("Revoke…"), [this] {
        deleteSelected(tr("Revoke the API key \"%1\"? Programs using it stop at once."), "/api/v1/api-keys/");
    });

    add(tr("Enrollment keys"), "/api/v1/enrollment-keys",
        {{"name", tr("Name")},
         {"prefix", tr("Prefix")},
         {"uses", tr("Uses")},
         {"max_uses", tr("Max uses")},
         {"status", tr("Status")},
         {"expires_at", tr("Expires")}});
    addAction(tr("New enrollment key…"), [this] { createEnrollmentKey(); });
    addAction(tr("Revoke…"), [this] {
        deleteSelected(tr("Revoke the enrollment key \"%1\"? Machines can no longer enroll with it."),
                       "/api/v1/enrollment-keys/");
    });

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

void AdministrationView::add(const QString& title, const QString& path, QList<JsonTableModel::Column> columns,
                             QWidget* extra) {
    auto* model = new JsonTableModel(std::move(columns), this);
    m_tabs->addTab(listPage(path, model, extra), title);
}

void AdministrationView::addAction(const QString& label, const std::function<void()>& action) {
    Page& page = m_pages.last();
    auto* button = new QPushButton(label, page.table->parentWidget());
    connect(button, &QPushButton::clicked, this, action);
    page.bar->insertWidget(page.bar->count() - 1, button); // before Refresh
}

AdministrationView::Page& AdministrationView::currentPage() {
    return m_pages[m_tabs->currentIndex()];
}

QJsonObject AdministrationView::selectedRecord() {
    Page& page = currentPage();
    const QModelIndex current = page.table->currentIndex();
    if (!current.isValid()) {
        page.status->setText(tr("Choose a row first."));
        return {};
    }
    const int row = static_cast<QSortFilterProxyModel*>(page.table->model())->mapToSource(current).row();
    return page.model->items()[row].toObject();
}

RecordForm* AdministrationView::openForm(const QString& title, const QString& method, const QString& path,
                                         QList<FormField> fields) {
    auto* form = new RecordForm(m_api, title, method, path, std::move(fields), this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    const int index = m_tabs->currentIndex();
    connect(form, &RecordForm::saved, this, [this, index] { load(index); });
    form->open();
    return form;
}

void AdministrationView::deleteSelected(const QString& question, const QString& pathPrefix) {
    const QJsonObject record = selectedRecord();
    if (record.isEmpty())
        return;
    const QString name = record.value("name").toString(record.value("email").toString());
    if (!Confirmation::ask(this, tr("Are you sure?"), question.arg(name)))
        return;
    const int index = m_tabs->currentIndex();
    m_api.request("DELETE", pathPrefix + record.value("id").toString(), {},
                  [this, index](const ApiReply& reply) {
                      if (!reply.ok()) {
                          m_pages[index].status->setText(tr("Refused: %1").arg(reply.errorMessage));
                          return;
                      }
                      load(index);
                  });
}

void AdministrationView::showOnce(const QString& title, const QString& note, const QString& secret) {
    QDialog show(this);
    show.setWindowTitle(title);
    auto* text = new QPlainTextEdit(secret, &show);
    text->setReadOnly(true);
    auto* copy = new QPushButton(tr("Copy"), &show);
    connect(copy, &QPushButton::clicked, &show, [secret, copy] {
        QGuiApplication::clipboard()->setText(secret);
        copy->setText(tr("Copied"));
    });
    auto* label = new QLabel(note, &show);
    label->setTextFormat(Qt::PlainText);
    auto* layout = new QVBoxLayout(&show);
    layout->addWidget(label);
    layout->addWidget(text);
    layout->addWidget(copy, 0, Qt::AlignRight);
    show.resize(700, 300);
    show.exec();
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
    m_pages.append({path, model, status, table, bar});
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
    auto* problem = new InlineMessage(&dialog);
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
        // The answer may come after the dialog was cancelled: nothing of the dialog is touched then.
        const QPointer<QDialog> stillOpen(&dialog);
        const auto reloadKeys = [this] {
            for (int i = 0; i < m_pages.size(); ++i)
                if (m_pages[i].path == "/api/v1/enrollment-keys")
                    load(i);
        };
        m_api.post(
            "/api/v1/enrollment-keys", body, [this, stillOpen, problem, reloadKeys](const ApiReply& reply) {
                if (!stillOpen) {
                    if (reply.ok())
                        reloadKeys(); // made after all: it belongs in the list (its secret went with the
                                      // dialog)
                    return;
                }
                if (!reply.ok()) {
                    problem->showError(reply.errorMessage);
                    return;
                }
                const QString key = reply.object().value("key").toString();
                const auto cas = m_api.sslConfiguration().caCertificates();
                QString command;
                try {
                    command = agentInstallCommand(m_api.server(),
                                                  cas.isEmpty() ? QByteArray() : cas.last().toPem(), key);
                } catch (const std::invalid_argument& error) {
                    problem->showError(
                        tr("The key was made, but no install line can be built: %1").arg(error.what()));
                    return;
                }
                stillOpen->accept();
                showOnce(tr("Install command"),
                         tr("Run this line on the machine to enroll it. The key is shown only now."),
                         command);
                reloadKeys();
            });
    });
    dialog.exec();
}

} // namespace breeze::console
