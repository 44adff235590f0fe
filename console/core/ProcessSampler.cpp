#include "ProcessSampler.h"

namespace breeze::console {

namespace {
// Two listings further apart than this (the agent restarted, its clock is unrelated) give no CPU share.
constexpr qint64 kLongestGapMs = qint64{10} * 60 * 1000;
} // namespace

void ProcessSampler::reset() {
    m_previous.clear();
    m_previousMs = -1;
}

QJsonArray ProcessSampler::add(const QJsonObject& output) {
    const auto nowMs = static_cast<qint64>(output.value("monotonic_ms").toDouble(-1));
    const double cpus = std::max(1.0, output.value("cpu_count").toDouble(1));
    const double memory = output.value("memory_total_bytes").toDouble(0);
    const qint64 elapsedMs = m_previousMs >= 0 && nowMs > m_previousMs ? nowMs - m_previousMs : -1;
    const bool comparable = elapsedMs > 0 && elapsedMs <= kLongestGapMs;
    QHash<qint64, Seen> seen;
    QJsonArray rows;
    for (const auto& item : output.value("processes").toArray()) {
        QJsonObject row = item.toObject();
        const qint64 pid = row.value("pid").toInteger();
        const QString name = row.value("name").toString();
        const double cpuSeconds = row.value("cpu_seconds").toDouble();
        seen.insert(pid, {name, cpuSeconds});
        const auto before = m_previous.constFind(pid);
        if (comparable && before != m_previous.cend() && before->name == name &&
            cpuSeconds >= before->cpuSeconds)
            row.insert("cpu_percent", 100.0 * (cpuSeconds - before->cpuSeconds) /
                                          (static_cast<double>(elapsedMs) / 1000.0) / cpus);
        if (memory > 0)
            row.insert("memory_percent", 100.0 * row.value("rss_bytes").toDouble() / memory);
        rows.append(row);
    }
    m_previous = std::move(seen);
    m_previousMs = nowMs;
    return rows;
}

} // namespace breeze::console
