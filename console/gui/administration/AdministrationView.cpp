#include "administration/AdministrationView.h"

#include "ApiClient.h"
#include "JsonTableModel.h"
#include "ListLoader.h"
#include "RecordClient.h"
#include "RecordForms.h"
#include "TableColumns.h"
#include "administration/EnrollmentKeyDialog.h"
#include "widgets/Confirmation.h"
#include "widgets/InlineMessage.h"
#include "widgets/RecordForm.h"
#include "widgets/SelectionGate.h"

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
#include <QVBoxLayout>
#include <stdexcept>

namespace breeze::console {

AdministrationView::AdministrationView(ApiClient& api, QWidget* parent)
    : QWidget(parent), m_api(api), m_records(api) {
    m_tabs = new QTabWidget(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    addOrganisations();
    addSites();
    addDeviceGroups();
    addUsers();
    addRoles();
    addApiKeys();
    addEnrollmentKeys();
    addAuditLog();
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (!m_pages[index].loaded)
            load(index);
    });
}

void AdministrationView::addOrganisations() {
    add(tr("Organisations"), RecordKind::Organisation, TableColumns::organisations());
    addAction(tr("New…"), [this] { openForm(tr("New organisation"), RecordForms::newOrganisation()); });
    addAction(tr("Edit…"), [this] {
        const QJsonObject org = selectedRecord();
        if (!org.isEmpty())
            openForm(tr("Organisation %1").arg(recordName(org)), RecordForms::editOrganisation(org),
                     recordId(org));
    });
}

void AdministrationView::addSites() {
    add(tr("Sites"), RecordKind::Site, TableColumns::sites());
    addAction(tr("New…"), [this] { openForm(tr("New site"), RecordForms::newSite()); });
    addAction(tr("Edit…"), [this] {
        const QJsonObject site = selectedRecord();
        if (!site.isEmpty())
            openForm(tr("Site %1").arg(recordName(site)), RecordForms::editSite(site), recordId(site));
    });
}

void AdministrationView::addDeviceGroups() {
    add(tr("Device groups"), RecordKind::DeviceGroup, TableColumns::deviceGroups());
    addAction(tr("New…"), [this] { openForm(tr("New device group"), RecordForms::newDeviceGroup()); });
    addAction(tr("Rename…"), [this] {
        const QJsonObject group = selectedRecord();
        if (!group.isEmpty())
            openForm(tr("Device group %1").arg(recordName(group)), RecordForms::renameDeviceGroup(group),
                     recordId(group));
    });
    addAction(tr("Delete…"), [this] {
        deleteSelected(tr("Delete the device group \"%1\"? Its devices stay, outside any group."));
    });
}

void AdministrationView::addUsers() {
    add(tr("Users"), RecordKind::User, TableColumns::users());
    addAction(tr("New…"), [this] { openForm(tr("New user"), RecordForms::newUser()); });
    addAction(tr("Edit…"), [this] {
        const QJsonObject user = selectedRecord();
        if (!user.isEmpty())
            openForm(tr("User %1").arg(recordName(user)), RecordForms::editUser(user), recordId(user));
    });
}

void AdministrationView::addRoles() {
    add(tr("Roles"), RecordKind::Role, TableColumns::roles());
    addAction(tr("New…"),
              [this] { openForm(tr("New role"), RecordForms::newRole(currentPage().model->items())); });
    addAction(tr("Delete…"), [this] { deleteSelected(tr("Delete the role \"%1\"?")); });
}

void AdministrationView::addApiKeys() {
    add(tr("API keys"), RecordKind::ApiKey, TableColumns::apiKeys());
    addAction(tr("New…"), [this] {
        RecordForm* form = openForm(tr("New API key"), RecordForms::newApiKey());
        connect(form, &RecordForm::saved, this, [this](const QJsonObject& created) {
            showOnce(tr("API key"), tr("The key is shown only now: keep it in your password manager."),
                     createdSecret(created));
        });
    });
    addAction(tr("Revoke…"),
              [this] { deleteSelected(tr("Revoke the API key \"%1\"? Programs using it stop at once.")); });
}

void AdministrationView::addEnrollmentKeys() {
    add(tr("Enrollment keys"), RecordKind::EnrollmentKey, TableColumns::enrollmentKeys());
    addAction(tr("New enrollment key…"), [this] { createEnrollmentKey(); });
    addAction(tr("Revoke…"), [this] {
        deleteSelected(tr("Revoke the enrollment key \"%1\"? Machines can no longer enroll with it."));
    });
}

void AdministrationView::addAuditLog() {
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
        m_auditFilter = {action->text(), result->currentIndex() > 0 ? result->currentText() : QString()};
        const int index = m_tabs->currentIndex();
        m_pages[index].loaded = false;
        load(index);
    });
    add(tr("Audit log"), RecordKind::AuditEvent, TableColumns::auditEvents(), auditFilter);
}

void AdministrationView::add(const QString& title, RecordKind kind, QList<JsonTableModel::Column> columns,
                             QWidget* extra) {
    auto* model = new JsonTableModel(std::move(columns), this);
    m_tabs->addTab(listPage(kind, model, extra), title);
}

void AdministrationView::addAction(const QString& label, const std::function<void()>& action) {
    Page& page = m_pages.last();
    auto* button = new QPushButton(label, page.table->parentWidget());
    connect(button, &QPushButton::clicked, this, action);
    page.bar->insertWidget(page.bar->count() - 1, button); // before Refresh
    // Everything but making a new record acts on the selected one.
    if (!label.startsWith(tr("New")))
        enableWithSelection(page.table, {button});
}

AdministrationView::Page& AdministrationView::currentPage() {
    return m_pages[m_tabs->currentIndex()];
}

QJsonObject AdministrationView::selectedRecord() {
    Page& page = currentPage();
    const QModelIndex current = page.table->currentIndex();
    if (!current.isValid()) {
        page.status->showWarning(tr("Choose a row first."));
        return {};
    }
    const int row = static_cast<QSortFilterProxyModel*>(page.table->model())->mapToSource(current).row();
    return page.model->items()[row].toObject();
}

RecordForm* AdministrationView::openForm(const QString& title, QList<FormField> fields,
                                         const QString& editedId) {
    const RecordKind kind = currentPage().kind;
    const auto submit = [this, kind, editedId](const QJsonObject& body, RecordClient::Done done) {
        if (editedId.isEmpty())
            m_records.create(kind, body, std::move(done));
        else
            m_records.update(kind, editedId, body, std::move(done));
    };
    auto* form = new RecordForm(m_records, title, std::move(fields),
                                editedId.isEmpty() ? RecordForm::Purpose::Create : RecordForm::Purpose::Edit,
                                submit, this);
    form->setAttribute(Qt::WA_DeleteOnClose);
    const int index = m_tabs->currentIndex();
    connect(form, &RecordForm::saved, this, [this, index] { load(index); });
    form->open();
    return form;
}

void AdministrationView::deleteSelected(const QString& question) {
    const QJsonObject record = selectedRecord();
    if (record.isEmpty())
        return;
    if (!Confirmation::ask(this, tr("Are you sure?"), question.arg(recordName(record))))
        return;
    const int index = m_tabs->currentIndex();
    m_records.remove(m_pages[index].kind, recordId(record),
                     [this, index](const QJsonObject&, const QString& error) {
                         if (!error.isEmpty()) {
                             m_pages[index].status->showError(tr("Refused: %1").arg(error));
                             return;
                         }
                         load(index);
                     });
}

void AdministrationView::showOnce(const QString& title, const QString& note, const QString& secret,
                                  Presentation presentation) {
    auto* show = new QDialog(this);
    show->setAttribute(Qt::WA_DeleteOnClose);
    show->setWindowTitle(title);
    auto* text = new QPlainTextEdit(secret, show);
    text->setReadOnly(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, show);
    auto* copy = buttons->addButton(tr("Copy"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, show, [secret, copy] {
        QGuiApplication::clipboard()->setText(secret);
        copy->setText(tr("Copied"));
    });
    connect(buttons, &QDialogButtonBox::rejected, show, &QDialog::reject);
    auto* label = new QLabel(note, show);
    label->setTextFormat(Qt::PlainText);
    auto* layout = new QVBoxLayout(show);
    layout->addWidget(label);
    layout->addWidget(text);
    layout->addWidget(buttons);
    show->resize(700, 300);
    if (presentation == Presentation::Modal) {
        show->exec();
        return;
    }
    // Beside the console: the technician copies the line into a remote session while looking at the lists.
    show->setModal(false);
    show->show();
}

QWidget* AdministrationView::listPage(RecordKind kind, JsonTableModel* model, QWidget* extra) {
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
    auto* status = new InlineMessage(page);
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
    m_pages.append({kind, model, status, table, bar});
    connect(refresh, &QPushButton::clicked, this, [this, index] { load(index); });
    return page;
}

void AdministrationView::loadCurrent() {
    load(m_tabs->currentIndex());
}

void AdministrationView::recordsChanged(const QString& changedTable) {
    const QList<RecordKind> kinds = kindsShowing(changedTable);
    for (int index = 0; index < m_pages.size(); ++index)
        if (m_pages[index].loaded && kinds.contains(m_pages[index].kind))
            load(index);
}

void AdministrationView::load(int index) {
    Page& page = m_pages[index];
    page.loaded = true;
    page.status->showInformation(tr("Loading…"));
    const auto loaded = [this, index](const QJsonArray& items, const QString& error) {
        Page& done = m_pages[index];
        if (!error.isEmpty()) {
            done.status->showError(tr("Could not load this list: %1").arg(error));
            done.loaded = false;
            return;
        }
        auto* proxy = static_cast<QSortFilterProxyModel*>(done.table->model());
        const QModelIndex selected = proxy->mapToSource(done.table->selectionModel()->currentIndex());
        const QString selectedId =
            selected.isValid() ? recordId(done.model->items().at(selected.row()).toObject()) : QString();
        done.model->setItems(items);
        for (int row = 0; !selectedId.isEmpty() && row < items.size(); ++row)
            if (recordId(items.at(row).toObject()) == selectedId)
                done.table->selectRow(proxy->mapFromSource(done.model->index(row, 0)).row());
        done.status->showInformation(items.size() == 1 ? tr("1 entry") : tr("%1 entries").arg(items.size()));
    };
    if (page.kind == RecordKind::AuditEvent)
        m_records.listAudit(m_auditFilter, loaded);
    else
        m_records.list(page.kind, loaded);
}

void AdministrationView::createEnrollmentKey() {
    const auto reloadKeys = [this] {
        for (int i = 0; i < m_pages.size(); ++i)
            if (m_pages[i].kind == RecordKind::EnrollmentKey)
                load(i);
    };
    EnrollmentKeyDialog dialog(
        m_records, reloadKeys,
        [this](const QString& line) {
            showOnce(tr("Install command"),
                     tr("Run this line on the machine to enroll it. The key is shown "
                        "only now."),
                     line, Presentation::Modeless);
        },
        this);
    dialog.exec();
}

} // namespace breeze::console
