#include "scripts/ExecutionHistoryPanel.h"

#include "ConsoleConnection.h"
#include "TableColumns.h"
#include "widgets/InlineMessage.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
constexpr int kPage = 200;
}

ExecutionHistoryPanel::ExecutionHistoryPanel(ConsoleConnection& connection, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_client(connection.api()), m_records(connection.api()),
      m_script(new QComboBox(this)), m_device(new QLineEdit(this)), m_user(new QComboBox(this)),
      m_status(new QComboBox(this)), m_note(new InlineMessage(this)),
      m_model(new JsonTableModel(TableColumns::scriptExecutions(), this)), m_table(new QTableView(this)) {
    m_script->addItem(tr("Any script"), QString());
    m_device->setPlaceholderText(tr("Device host name"));
    m_device->setClearButtonEnabled(true);
    m_user->addItem(tr("Anyone"), QString());
    m_user->addItem(tr("Me"), QString("me"));
    m_status->addItem(tr("Any status"), QString());
    for (const char* status : {"pending", "sent", "running", "completed", "failed", "timed_out", "cancelled"})
        m_status->addItem(QString(status).replace('_', ' '), QString(status));
    auto* refresh = new QPushButton(tr("Refresh"), this);
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_script, 1);
    filters->addWidget(m_device, 1);
    filters->addWidget(m_user);
    filters->addWidget(m_status);
    filters->addWidget(refresh);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_note);

    for (QComboBox* box : {m_script, m_user, m_status})
        connect(box, &QComboBox::currentIndexChanged, this, [this] { reload(); });
    connect(m_device, &QLineEdit::editingFinished, this, [this] { reload(); });
    connect(refresh, &QPushButton::clicked, this, [this] { reload(); });
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        Q_EMIT openRequested(m_model->items().at(index.row()).toObject());
    });
}

void ExecutionHistoryPanel::setScripts(const QJsonArray& scripts) {
    const QString selected = m_script->currentData().toString();
    QSignalBlocker blocker(m_script);
    m_script->clear();
    m_script->addItem(tr("Any script"), QString());
    for (const auto& value : scripts)
        m_script->addItem(recordName(value.toObject()), recordId(value.toObject()));
    m_script->setCurrentIndex(std::max(0, m_script->findData(selected)));
}

void ExecutionHistoryPanel::setScriptFilter(const QString& scriptId) {
    m_script->setCurrentIndex(std::max(0, m_script->findData(scriptId)));
}

void ExecutionHistoryPanel::setDeviceFilter(const QString& hostname) {
    m_device->setText(hostname);
    reload();
}

void ExecutionHistoryPanel::setStatusFilter(const QString& status) {
    m_status->setCurrentIndex(std::max(0, m_status->findData(status)));
}

void ExecutionHistoryPanel::setOnlyMine(bool mine) {
    m_user->setCurrentIndex(mine ? 1 : 0);
}

ExecutionFilter ExecutionHistoryPanel::filter() const {
    ExecutionFilter filter{
        m_script->currentData().toString(), m_status->currentData().toString(), {}, {}, m_scope, 0};
    const QString user = m_user->currentData().toString();
    filter.userId = user == "me" ? m_myId : user;
    return filter;
}

void ExecutionHistoryPanel::loadUsers() {
    // Everyone the technician may list (users:read); without that permission the filter offers "Me" only.
    m_usersLoaded = true;
    m_records.list(RecordKind::User, [this](const QJsonArray& users, const QString&) {
        const QString chosen = m_user->currentData().toString();
        QSignalBlocker blocker(m_user);
        for (const auto& value : users) {
            const QJsonObject user = value.toObject();
            if (m_user->findData(recordId(user)) < 0)
                m_user->addItem(recordName(user), recordId(user));
        }
        m_user->setCurrentIndex(std::max(0, m_user->findData(chosen)));
    });
}

void ExecutionHistoryPanel::setScope(const FleetScope& scope) {
    if (scope == m_scope)
        return;
    m_scope = scope;
    if (m_request > 0)
        reload();
}

void ExecutionHistoryPanel::setUserFilter(const QString& userId) {
    m_user->setCurrentIndex(std::max(0, m_user->findData(userId)));
}

void ExecutionHistoryPanel::reload() {
    if (!m_usersLoaded)
        loadUsers();
    if (m_user->currentData().toString() == "me" && m_myId.isEmpty()) {
        // Who "me" is comes from the server once.
        m_records.signedInUserId([this](const QString& id) {
            m_myId = id;
            if (!m_myId.isEmpty())
                reload();
        });
        return;
    }
    // A host name stands for every device of that name the technician can see.
    QStringList devices;
    const QString hostname = m_device->text().trimmed();
    if (!hostname.isEmpty()) {
        const auto& table = m_connection.devices();
        for (int row = 0; row < table.rowCount(); ++row)
            if (table.at(row).hostname.compare(hostname, Qt::CaseInsensitive) == 0)
                devices << table.at(row).id;
        devices = devices.mid(0, 20); // a name shared by more machines than that is not a useful filter
        if (devices.isEmpty()) {
            m_model->setItems({});
            m_note->showWarning(tr("No device is called %1.").arg(hostname));
            return;
        }
    }
    const int request = ++m_request;
    QList<ExecutionFilter> filters;
    for (const auto& id : devices.isEmpty() ? QStringList{QString()} : devices) {
        filters << filter();
        filters.last().deviceId = id;
    }
    auto items = std::make_shared<QJsonArray>();
    auto left = std::make_shared<int>(static_cast<int>(filters.size()));
    for (const auto& each : filters) {
        m_client.executions(
            each, kPage, [this, request, items, left](const QJsonArray& page, const QString& error) {
                if (request != m_request)
                    return;
                if (!error.isEmpty()) {
                    m_note->showError(error);
                    return;
                }
                for (const auto& item : page)
                    items->append(item);
                if (--*left > 0)
                    return;
                QList<QJsonValue> list(items->begin(), items->end());
                std::sort(list.begin(), list.end(), [](const QJsonValue& a, const QJsonValue& b) {
                    return executionCreatedAt(a.toObject()) > executionCreatedAt(b.toObject());
                });
                QJsonArray sorted;
                for (const auto& item : list)
                    sorted.append(item);
                m_model->setItems(sorted);
                m_note->showInformation(sorted.size() >= kPage ? tr("The newest %1 executions.").arg(kPage)
                                                               : tr("%n execution(s).", nullptr,
                                                                    static_cast<int>(sorted.size())));
            });
    }
}

} // namespace breeze::console
