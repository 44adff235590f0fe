#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace breeze::agent {

// The agent's side of the protocol's acknowledgement window: at most `capacity` spooled messages are out
// without an acknowledgement, so a long backlog drains at the pace the server stores it instead of arriving
// all at once. A message whose acknowledgement is overdue no longer holds a place (it is sent again).
class AckWindow {
public:
    using Clock = std::chrono::steady_clock;

    AckWindow(std::size_t capacity, std::chrono::seconds resendAfter);

    // How many more messages may go now.
    std::size_t room(Clock::time_point now);
    void sent(const std::string& id, Clock::time_point now);
    void acknowledged(const std::string& id);
    // The server announced its window (the welcome); a new connection starts empty.
    void setCapacity(std::size_t capacity);
    void clear() { m_sent.clear(); }
    std::size_t capacity() const { return m_capacity; }

private:
    std::size_t m_capacity;
    std::chrono::seconds m_resendAfter;
    std::unordered_map<std::string, Clock::time_point> m_sent; // id -> when last sent
};

} // namespace breeze::agent
