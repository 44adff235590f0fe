#include "ReattachBackoff.h"

namespace breeze::console {

namespace {
constexpr qint64 kGiveUpAfterMs = qint64{10} * 60 * 1000;
} // namespace

ReattachBackoff::ReattachBackoff(QObject* parent) : QObject(parent) {
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ReattachBackoff::due);
    m_sinceLost.start(); // not live yet
}

void ReattachBackoff::live() {
    m_attempt = 0;
    m_sinceLost.invalidate();
}

bool ReattachBackoff::schedule() {
    if (!m_sinceLost.isValid())
        m_sinceLost.start(); // lost just now
    else if (m_sinceLost.elapsed() > kGiveUpAfterMs)
        return false;
    const int ceiling = std::min(30'000, 500 << std::min(m_attempt++, 6));
    m_timer.start(std::uniform_int_distribution<int>(ceiling / 2, ceiling)(m_random));
    return true;
}

} // namespace breeze::console
