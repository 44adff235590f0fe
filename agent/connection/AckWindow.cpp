#include "connection/AckWindow.h"

#include <algorithm>

namespace breeze::agent {

AckWindow::AckWindow(std::size_t capacity, std::chrono::seconds resendAfter)
    : m_capacity(std::max<std::size_t>(1, capacity)), m_resendAfter(resendAfter) {}

std::size_t AckWindow::room(Clock::time_point now) {
    // A message dropped from the spool while out is never acknowledged nor sent again: forget it.
    std::erase_if(m_sent, [&](const auto& entry) { return now - entry.second > 4 * m_resendAfter; });
    const auto waiting = static_cast<std::size_t>(std::count_if(
        m_sent.begin(), m_sent.end(), [&](const auto& entry) { return now - entry.second < m_resendAfter; }));
    return waiting >= m_capacity ? 0 : m_capacity - waiting;
}

void AckWindow::sent(const std::string& id, Clock::time_point now) {
    m_sent[id] = now;
}

void AckWindow::acknowledged(const std::string& id) {
    m_sent.erase(id);
}

void AckWindow::setCapacity(std::size_t capacity) {
    m_capacity = std::max<std::size_t>(1, capacity);
}

} // namespace breeze::agent
