#include "gateway/InboundWindow.h"

namespace breeze::server {

InboundWindow::InboundWindow(std::size_t capacity, std::function<void()> resume)
    : m_capacity(capacity < 1 ? 1 : capacity), m_resume(std::move(resume)) {}

bool InboundWindow::hasRoom() {
    // Only the event loop adds; other threads only subtract, so room seen here cannot vanish.
    if (m_inFlight.load() < m_capacity)
        return true;
    m_paused.store(true);
    // A release between the check and the flag would not have seen the flag: look once more. If a release
    // did see it, its resume is on the way and this stays paused until then.
    return m_inFlight.load() < m_capacity && m_paused.exchange(false);
}

void InboundWindow::release() {
    const std::size_t left = --m_inFlight;
    if (left <= m_capacity / 2 && m_paused.exchange(false) && m_resume)
        m_resume();
}

struct MessageTicket::Place {
    std::shared_ptr<InboundWindow> window;
    ~Place() {
        if (window)
            window->release();
    }
};

MessageTicket::MessageTicket(std::shared_ptr<InboundWindow> window) : m_place(std::make_shared<Place>()) {
    if (window)
        window->take();
    m_place->window = std::move(window);
}

} // namespace breeze::server
