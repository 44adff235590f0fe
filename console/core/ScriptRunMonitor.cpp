#include "ScriptRunMonitor.h"

#include "ListLoader.h"
#include "LiveChannel.h"

#include <QJsonArray>

namespace breeze::console {

namespace {
bool isOpen(const QString& status) {
    return status == "pending" || status == "sent" || status == "running";
}
} // namespace

ScriptRunMonitor::ScriptRunMonitor(ApiClient& api, LiveChannel& live, QObject* parent)
    : QAbstractTableModel(parent), m_api(api) {
    connect(&live, &LiveChannel::deviceEvent, this, [this](const QJsonObject& event) {
        if (event.value("kind").toString() != "command")
            return;
        const QJsonObject detail = event.value("detail").toObject();
        const auto it = m_rowOf.constFind(detail.value("command_id").toString());
        if (it == m_rowOf.constEnd())
            return;
        const QString status = detail.value("status").toString();
        setStatus(*it, status);
        if (!isOpen(status))
            refreshStatuses(); // for the exit code and the error
    });
    m_tick.setInterval(500);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        // Output of the followed row every tick; every status every few seconds, in case the live channel is
        // down (its events make the common case quick).
        fetchOutput();
        if (++m_ticks % 6 == 0)
            refreshStatuses();
    });
}

void ScriptRunMonitor::start(const QJsonObject& started) {
    beginResetModel();
    m_rows.clear();
    m_rowOf.clear();
    const QJsonObject run = started.value("run").toObject();
    m_runId = run.value("id").toString();
    m_scriptName = run.value("script_name").toString();
    for (const auto& value : started.value("executions").toArray()) {
        const QJsonObject execution = value.toObject();
        Row row;
        row.executionId = execution.value("id").toString();
        row.deviceId = execution.value("device_id").toString();
        row.hostname = execution.value("hostname").toString();
        row.status = execution.value("status").toString("pending");
        m_rowOf.insert(row.executionId, static_cast<int>(m_rows.size()));
        m_rows << row;
    }
    for (const auto& value : started.value("refused").toArray()) {
        const QJsonObject refused = value.toObject();
        Row row;
        row.deviceId = refused.value("device_id").toString();
        row.hostname = refused.value("hostname").toString();
        row.status = "refused";
        row.note = refused.value("reason").toString();
        row.outputComplete = true;
        m_rows << row;
    }
    endResetModel();
    m_finishedSignalled = false;
    m_tick.start();
    if (!m_rows.isEmpty())
        follow(0);
}

void ScriptRunMonitor::watch(const QJsonObject& execution) {
    QJsonObject run;
    run.insert("id", execution.value("run_id"));
    run.insert("script_name", execution.value("script_name"));
    QJsonObject started;
    started.insert("run", run);
    started.insert("executions", QJsonArray{execution});
    start(started);
    applyExecution(execution);
}

void ScriptRunMonitor::follow(int row) {
    if (row < 0 || row >= m_rows.size())
        return;
    m_followed = row;
    fetchOutput();
}

QString ScriptRunMonitor::executionId(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows[row].executionId : QString();
}

QString ScriptRunMonitor::status(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows[row].status : QString();
}

QString ScriptRunMonitor::note(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows[row].note : QString();
}

QByteArray ScriptRunMonitor::output(int row, Stream stream) const {
    if (row < 0 || row >= m_rows.size())
        return {};
    return stream == Stream::Stdout ? m_rows[row].stdoutBytes : m_rows[row].stderrBytes;
}

bool ScriptRunMonitor::truncated(int row, Stream stream) const {
    if (row < 0 || row >= m_rows.size())
        return false;
    return stream == Stream::Stdout ? m_rows[row].stdoutTruncated : m_rows[row].stderrTruncated;
}

int ScriptRunMonitor::openCount() const {
    int open = 0;
    for (const auto& row : m_rows)
        open += isOpen(row.status) ? 1 : 0;
    return open;
}

void ScriptRunMonitor::setStatus(int row, const QString& status) {
    if (m_rows[row].status == status)
        return;
    m_rows[row].status = status;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    Q_EMIT statusesChanged();
    if (openCount() == 0 && !m_finishedSignalled) {
        m_finishedSignalled = true;
        Q_EMIT allFinished();
    }
}

void ScriptRunMonitor::applyExecution(const QJsonObject& execution) {
    const auto it = m_rowOf.constFind(execution.value("id").toString());
    if (it == m_rowOf.constEnd())
        return;
    Row& row = m_rows[*it];
    row.exitCode = execution.value("exit_code");
    if (!execution.value("error").isNull())
        row.note = execution.value("error").toString();
    setStatus(*it, execution.value("status").toString());
    Q_EMIT dataChanged(index(*it, 0), index(*it, ColumnCount - 1));
}

void ScriptRunMonitor::refreshStatuses() {
    if (m_refreshing || m_runId.isEmpty())
        return;
    m_refreshing = true;
    loadAllPages(m_api, "/api/v1/script-executions?limit=500&run=" + m_runId,
                 [this](const QJsonArray& items, const QString& error) {
                     m_refreshing = false;
                     if (!error.isEmpty())
                         return;
                     for (const auto& item : items)
                         applyExecution(item.toObject());
                     if (openCount() == 0 && (m_followed < 0 || m_rows[m_followed].outputComplete))
                         m_tick.stop();
                 });
}

void ScriptRunMonitor::fetchOutput() {
    if (m_fetching || m_followed < 0 || m_rows[m_followed].outputComplete)
        return;
    const int followed = m_followed;
    const Row& row = m_rows[followed];
    m_fetching = true;
    m_api.get(QString("/api/v1/commands/%1/output?stdout_offset=%2&stderr_offset=%3")
                  .arg(row.executionId)
                  .arg(row.stdoutBytes.size())
                  .arg(row.stderrBytes.size()),
              [this, followed, id = row.executionId](const ApiReply& reply) {
                  m_fetching = false;
                  if (!reply.ok() || followed >= m_rows.size() || m_rows[followed].executionId != id)
                      return;
                  const QJsonObject body = reply.object();
                  Row& target = m_rows[followed];
                  const QByteArray out = QByteArray::fromBase64(body.value("stdout").toString().toLatin1());
                  const QByteArray err = QByteArray::fromBase64(body.value("stderr").toString().toLatin1());
                  target.stdoutBytes += out;
                  target.stderrBytes += err;
                  target.stdoutTruncated = body.value("stdout_truncated").toBool();
                  target.stderrTruncated = body.value("stderr_truncated").toBool();
                  target.outputComplete = body.value("complete").toBool();
                  // The output answer carries the status too: the followed row stays current between polls.
                  if (body.value("final").toBool()) {
                      target.exitCode = body.value("exit_code");
                      if (!body.value("error").toString().isEmpty())
                          target.note = body.value("error").toString();
                  }
                  setStatus(followed, body.value("status").toString());
                  if (!out.isEmpty() || !err.isEmpty() || target.outputComplete)
                      Q_EMIT outputChanged(followed);
                  if (!target.outputComplete && out.size() + err.size() >= qsizetype{512} * 1024)
                      fetchOutput(); // the rest of a large output at once
                  if (!m_tick.isActive() && !target.outputComplete)
                      m_tick.start();
              });
}

void ScriptRunMonitor::cancelRun(std::function<void(const QString& error)> done) {
    m_api.post("/api/v1/script-runs/" + m_runId + "/cancel", QJsonObject{},
               [this, done = std::move(done)](const ApiReply& reply) {
                   refreshStatuses();
                   done(reply.ok() ? QString() : reply.errorMessage);
               });
}

int ScriptRunMonitor::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ScriptRunMonitor::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ScriptRunMonitor::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size() || role != Qt::DisplayRole)
        return {};
    const Row& row = m_rows[index.row()];
    switch (index.column()) {
    case Device:
        return row.hostname;
    case Status:
        return row.status;
    case ExitCode:
        return row.exitCode.isDouble() ? QVariant(row.exitCode.toInt()) : QVariant();
    case Note:
        return row.status == "completed" ? QVariant() : QVariant(row.note);
    default:
        return {};
    }
}

QVariant ScriptRunMonitor::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList titles{tr("Device"), tr("Status"), tr("Exit code"), tr("Note")};
    return titles.value(section);
}

} // namespace breeze::console
