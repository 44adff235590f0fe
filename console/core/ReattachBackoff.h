#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <random>

namespace breeze::console {

// When a live session's connection drops, when to attach again: full jitter from 0.5 s doubling to 30 s, so
// consoles cut off together do not all come back at once, and no more tries once the server would have
// dropped the detached session (sessions.keep_detached_seconds, 10 minutes by default).
class ReattachBackoff : public QObject {
    Q_OBJECT

public:
    explicit ReattachBackoff(QObject* parent = nullptr);

    // The connection is live: the next loss starts from the shortest wait.
    void live();
    // Schedules the next attempt (due()); false once it is too late to try.
    bool schedule();
    void stop() { m_timer.stop(); }

Q_SIGNALS:
    void due();

private:
    int m_attempt = 0;
    QElapsedTimer m_sinceLost; // running while there is no live connection
    QTimer m_timer;
    std::mt19937 m_random{std::random_device{}()};
};

} // namespace breeze::console
