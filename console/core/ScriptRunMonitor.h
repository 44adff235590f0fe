#pragma once

#include "ApiClient.h"
#include "ScopedApi.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QTimer>

namespace breeze::console {

class LiveChannel;

// One script run as the console watches it: a row per device (its execution, or why it was refused), each
// status kept current from the live channel's command events and a poll of the run, and the output of the
// execution being looked at followed as it arrives (stdout and stderr apart, as the exact bytes the script
// printed). Fetching only the followed row's output keeps a run on thousands of devices cheap to watch.
class ScriptRunMonitor : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Device, Status, ExitCode, Note, ColumnCount };
    enum class Stream { Stdout, Stderr };

    ScriptRunMonitor(ApiClient& api, LiveChannel& live, QObject* parent = nullptr);

    // The answer of POST /api/v1/scripts/{id}/runs.
    void start(const QJsonObject& started);
    // One execution from the history (GET /api/v1/script-executions item).
    void watch(const QJsonObject& execution);
    void follow(int row);
    int followed() const { return m_followed; }

    QString runId() const { return m_runId; }
    QString scriptName() const { return m_scriptName; }
    QString executionId(int row) const;
    QString status(int row) const;
    QString note(int row) const;
    QByteArray output(int row, Stream stream) const;
    bool truncated(int row, Stream stream) const;
    int openCount() const;
    // Cancels every execution of the run that has not finished; `done` gets "" or the refusal in words.
    void cancelRun(std::function<void(const QString& error)> done);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void outputChanged(int row);
    void statusesChanged();
    void allFinished();

private:
    struct Row {
        QString executionId; // empty for a refused device
        QString deviceId;
        QString hostname;
        QString status;
        QString note; // the error, or why it was refused
        QJsonValue exitCode;
        QByteArray stdoutBytes;
        QByteArray stderrBytes;
        bool stdoutTruncated = false;
        bool stderrTruncated = false;
        bool outputComplete = false;
    };
    void refreshStatuses();
    void applyExecution(const QJsonObject& execution);
    void fetchOutput();
    void setStatus(int row, const QString& status);

    ScopedApi m_api;
    QString m_runId;
    QString m_scriptName;
    QList<Row> m_rows;
    QHash<QString, int> m_rowOf; // execution id -> row
    int m_followed = -1;
    bool m_fetching = false;
    bool m_refreshing = false;
    bool m_finishedSignalled = false;
    QTimer m_tick;
    int m_ticks = 0;
};

} // namespace breeze::console
