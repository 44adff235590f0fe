#include "scripts/ExecutionHistoryPanel.h"

#include "ConsoleConnection.h"
#include "ListLoader.h"

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
    : QWidget(parent), m_connection(connection), m_script(new QComboBox(this)), m_device(new QLineEdit(this)),
      m_user(new QComboBox(this)), m_status(new QComboBox(this)), m_note(new QLabel(this)),
      m_model(new JsonTableModel({{"created_at", tr("Started")},
                                  {"script_name", tr("Script")},
                                  {"version", tr("Version")},
                                  {"hostname", tr("Device")},
                                  {"status", tr("Status")},
                                  {"exit_code", tr("Exit code")},
                                  {"requested_by", tr("By")},
                                  {"error", tr("Note")}},
                                 this)),
      m_table(new QTableView(this)) {
    m_script->addItem(tr("Any script"), QString());
    m_device->setPlaceholderText(tr("Device host name"));
    m_device->setClearButtonEnabled(true);
    m_user->addItem(tr("Anyone"), QString());
    m_user->addItem(tr("Me"), QString("me"));
    m_status->addItem(tr("Any status"), QString());
    for (const char* status : {"pending", "sent", "running", "completed", "failed", "timed_out", "cancelled"})
        m_status->addItem(QString(status).replace('_', ' '), QString(status));
    m_note->setTextFormat(Qt::PlainText);
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
    for (const auto& value : scripts) {
        const QJsonObject script = value.toObject();
        m_script->addItem(script.value("name").toString(), script.value("id").toString());
    }
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

QString ExecutionHistoryPanel::query() const {
    QString query = QString("/api/v1/script-executions?limit=%1").arg(kPage);
    if (const QString script = m_script->currentData().toString(); !script.isEmpty())
        query += "&script=" + script;
    if (const QString status = m_status->currentData().toString(); !status.isEmpty())
        query += "&status=" + status;
    const QString user = m_user->currentData().toString();
    if (user == "me" && !m_myId.isEmpty())
        query += "&user=" + m_myId;
    else if (!user.isEmpty() && user != "me")
        query += "&user=" + user;
    return query;
}

void ExecutionHistoryPanel::loadUsers() {
    // Everyone the technician may list (users:read); without that permission the filter offers "Me" only.
    m_usersLoaded = true;
    loadAllPages(m_connection.api(), "/api/v1/users?limit=500",
                 [this](const QJsonArray& users, const QString&) {
                     const QString chosen = m_user->currentData().toString();
                     QSignalBlocker blocker(m_user);
                     for (const auto& value : users) {
                         const QJsonObject user = value.toObject();
                         if (m_user->findData(user.value("id").toString()) < 0)
                             m_user->addItem(user.value("email").toString(), user.value("id").toString());
                     }
                     m_user->setCurrentIndex(std::max(0, m_user->findData(chosen)));
                 });
}

void ExecutionHistoryPanel::setUserFilter(const QString& userId) {
    m_user->setCurrentIndex(std::max(0, m_user->findData(userId)));
}

void ExecutionHistoryPanel::reload() {
    if (!m_usersLoaded)
        loadUsers();
    if (m_user->currentData().toString() == "me" && m_myId.isEmpty()) {
        // Who "me" is comes from the server once.
        m_connection.api().get("/api/v1/auth/me", [this](const ApiReply& reply) {
            m_myId = reply.object().value("id").toString();
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
            m_note->setText(tr("No device is called %1.").arg(hostname));
            return;
        }
    }
    const int request = ++m_request;
    const QString base = query();
    const QStringList paths = devices.isEmpty() ? QStringList{base} : [&] {
        QStringList list;
        for (const auto& id : devices)
            list << base + "&device=" + id;
        return list;
    }();
    auto items = std::make_shared<QJsonArray>();
    auto left = std::make_shared<int>(static_cast<int>(paths.size()));
    for (const auto& path : paths) {
        m_connection.api().get(path, [this, request, items, left](const ApiReply& reply) {
            if (request != m_request)
                return;
            if (!reply.ok()) {
                m_note->setText(reply.errorMessage);
                return;
            }
            for (const auto& item : reply.object().value("items").toArray())
                items->append(item);
            if (--*left > 0)
                return;
            QList<QJsonValue> list(items->begin(), items->end());
            std::sort(list.begin(), list.end(), [](const QJsonValue& a, const QJsonValue& b) {
                return a.toObject().value("created_at").toString() >
                       b.toObject().value("created_at").toString();
            });
            QJsonArray sorted;
            for (const auto& item : list)
                sorted.append(item);
            m_model->setItems(sorted);
            m_note->setText(sorted.size() >= kPage
                                ? tr("The newest %1 executions.").arg(kPage)
                                : tr("%n execution(s).", nullptr, static_cast<int>(sorted.size())));
        });
    }
}

} // namespace breeze::console
