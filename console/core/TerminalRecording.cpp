#include "TerminalRecording.h"

#include "TerminalScreen.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <stdexcept>

namespace breeze::console {

namespace {
constexpr qsizetype kMaxCastBytes = qsizetype{1} << 30;

[[noreturn]] void refuse(int line, const QString& why) {
    throw std::runtime_error(QStringLiteral("line %1 of the recording: %2").arg(line).arg(why).toStdString());
}

// Output as a person reads it: escape sequences and control characters dropped.
QString readable(const QByteArray& output) {
    static const QRegularExpression escapes(
        QStringLiteral("\\x1b(\\[[0-?]*[ -/]*[@-~]|\\][^\\x07\\x1b]*(\\x07|\\x1b\\\\)|.)"));
    QString text = QString::fromUtf8(output);
    text.remove(escapes);
    text.remove(QRegularExpression(QStringLiteral("[\\x00-\\x08\\x0b-\\x1f\\x7f]")));
    return text;
}
} // namespace

TerminalRecording TerminalRecording::parse(const QByteArray& cast) {
    if (cast.size() > kMaxCastBytes)
        throw std::runtime_error("the recording is larger than 1 GiB");
    TerminalRecording recording;
    const QList<QByteArray> lines = cast.split('\n');
    if (lines.isEmpty())
        refuse(1, QStringLiteral("no header"));
    const auto header = QJsonDocument::fromJson(lines.first());
    if (!header.isObject() || header.object().value(QStringLiteral("version")).toInt() != 2)
        refuse(1, QStringLiteral("not an asciicast v2 header"));
    recording.m_cols = std::clamp(header.object().value(QStringLiteral("width")).toInt(80), 1, 1000);
    recording.m_rows = std::clamp(header.object().value(QStringLiteral("height")).toInt(24), 1, 1000);
    double last = 0;
    for (int i = 1; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        const auto event = QJsonDocument::fromJson(lines[i]);
        const QJsonArray array = event.array();
        if (!event.isArray() || array.size() != 3 || !array[0].isDouble() || !array[1].isString() ||
            !array[2].isString())
            refuse(i + 1, QStringLiteral("not an event [time, type, data]"));
        const QString type = array[1].toString();
        if (type.size() != 1)
            refuse(i + 1, QStringLiteral("an unknown event type"));
        Event parsed;
        parsed.time = std::max(last, array[0].toDouble()); // never backwards
        parsed.type = type.at(0).toLatin1();
        parsed.data = array[2].toString().toUtf8();
        last = parsed.time;
        if (parsed.type == 'o' || parsed.type == 'i' || parsed.type == 'r')
            recording.m_events.push_back(std::move(parsed));
    }
    return recording;
}

int TerminalRecording::eventsUntil(double time) const {
    const auto it = std::upper_bound(m_events.begin(), m_events.end(), time,
                                     [](double t, const Event& event) { return t < event.time; });
    return static_cast<int>(it - m_events.begin());
}

void TerminalRecording::play(TerminalScreen& screen, int from, int to) const {
    QByteArray output;
    const auto flush = [&] {
        if (!output.isEmpty())
            screen.feed(output);
        output.clear();
    };
    for (int i = std::max(0, from); i < std::min(to, static_cast<int>(m_events.size())); ++i) {
        const Event& event = m_events[i];
        if (event.type == 'o') {
            output += event.data;
        } else if (event.type == 'r') {
            const auto size = QString::fromUtf8(event.data).split(QLatin1Char('x'));
            if (size.size() == 2) {
                flush();
                screen.resize(size[0].toInt(), size[1].toInt());
            }
        }
    }
    flush();
}

void TerminalRecording::seek(TerminalScreen& screen, double time) const {
    screen.reset();
    screen.resize(m_cols, m_rows);
    play(screen, 0, eventsUntil(time));
}

QVector<double> TerminalRecording::find(const QString& text) const {
    QVector<double> found;
    if (text.isEmpty())
        return found;
    // Text split across events is found too: each event is searched with the tail of what came before.
    QString tail;
    for (const Event& event : m_events) {
        if (event.type != 'o')
            continue;
        const QString here = readable(event.data);
        const QString window = tail + here;
        if (window.contains(text, Qt::CaseInsensitive) && !tail.contains(text, Qt::CaseInsensitive))
            found.push_back(event.time);
        tail = window.right(std::max<qsizetype>(text.size() - 1, 0));
    }
    return found;
}

} // namespace breeze::console
