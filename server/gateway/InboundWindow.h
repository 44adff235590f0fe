#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

namespace breeze::server {

// How many of one WebSocket session's messages the server holds at once: read from the socket and not yet
// answered. At `capacity` the event loop stops reading that socket, so a fast sender is slowed by TCP (its
// kernel buffers fill) rather than cut off; once half the window has been answered, `resume` asks the loop to
// read again. The agent protocol announces the capacity, so an honest agent never runs into it.
class InboundWindow {
public:
    InboundWindow(std::size_t capacity, std::function<void()> resume);

    // Event loop: whether one more message fits; when it does not, the window remembers that the loop paused
    // and calls `resume` once half of it has been answered.
    bool hasRoom();
    // Event loop: one more message is in (through a MessageTicket).
    void take() { ++m_inFlight; }
    // Any thread: one message has been answered.
    void release();
    std::size_t inFlight() const { return m_inFlight.load(); }
    std::size_t capacity() const { return m_capacity; }

private:
    const std::size_t m_capacity;
    std::function<void()> m_resume;
    std::atomic<std::size_t> m_inFlight{0};
    std::atomic<bool> m_paused{false};
};

// One message's place in its session's window, given back when the last copy is gone: a handler keeps a copy
// for as long as it works on the message (a strand task, a heartbeat waiting for its batch), so no path can
// forget to release it.
class MessageTicket {
public:
    MessageTicket() = default;
    explicit MessageTicket(std::shared_ptr<InboundWindow> window);

private:
    struct Place;
    std::shared_ptr<Place> m_place;
};

} // namespace breeze::server
