#pragma once

#include <QByteArray>
#include <QString>
#include <QVector>

namespace breeze::console {

class TerminalScreen;

// A terminal session's recording (asciicast v2, as GET /api/v1/sessions/{id}/recording gives it), read
// strictly: the header's size, then output, input and resize events in time order. Playing it means feeding a
// TerminalScreen the output up to a moment.
class TerminalRecording {
public:
    struct Event {
        double time = 0;
        char type = 'o'; // o, i, r
        QByteArray data;
    };

    // Throws std::runtime_error naming the line for a malformed file.
    static TerminalRecording parse(const QByteArray& cast);

    int cols() const { return m_cols; }
    int rows() const { return m_rows; }
    double duration() const { return m_events.isEmpty() ? 0 : m_events.last().time; }
    const QVector<Event>& events() const { return m_events; }
    // Index of the first event after `time`.
    int eventsUntil(double time) const;
    // Applies events [from, to) to `screen` (output fed, sizes followed).
    void play(TerminalScreen& screen, int from, int to) const;
    // The screen as it was at `time`: reset, sized as the recording began, every event up to it.
    void seek(TerminalScreen& screen, double time) const;
    // Moments whose output shows `text` (escape sequences aside), oldest first.
    QVector<double> find(const QString& text) const;

private:
    int m_cols = 80;
    int m_rows = 24;
    QVector<Event> m_events;
};

} // namespace breeze::console
