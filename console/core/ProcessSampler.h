#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

namespace breeze::console {

// Turns a device's process listings into what a task manager shows: each process's share of the whole
// machine's CPU since the previous listing (CPU seconds used over the time between the agent's two
// monotonic readings, over its processor count) and of its memory. The first listing has no CPU share yet;
// neither has a process that started since (a reused PID counts as new when its name changed).
class ProcessSampler {
public:
    // The output of a list_processes command; its rows with "cpu_percent" (where known) and "memory_percent".
    QJsonArray add(const QJsonObject& output);
    void reset();

private:
    struct Seen {
        QString name;
        double cpuSeconds = 0;
    };
    QHash<qint64, Seen> m_previous;
    qint64 m_previousMs = -1;
};

} // namespace breeze::console
