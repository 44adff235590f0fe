#pragma once

#include "desktop/DesktopPolicy.h"
#include "protocol/SessionMessages.h"
#include "sessions/LiveSession.h"
#include "sessions/TerminalPolicy.h"

#include <deque>
#include <map>
#include <memory>
#include <poll.h>
#include <string>
#include <vector>

namespace breeze::net {
class WebSocketChannel;
}

namespace breeze::agent {

// The live sessions on this device, driven by the agent's link thread: opened, attached and detached as the
// server says, their descriptors polled with the connection's, their frames sent in the priority lane within
// each console's credit. Sessions outlive the connection: after a drop they wait, detached, for their console
// to come back (keepDetachedSeconds), then end.
class SessionHost {
public:
    SessionHost(TerminalPolicy terminal, DesktopPolicy desktop);
    ~SessionHost();

    void open(const protocol::SessionOpen& open);
    void detach(std::uint32_t channel);
    void close(const std::string& sessionId, const std::string& reason);
    // A binary message from the server: a frame for one of the sessions.
    void frame(std::string_view bytes);
    // The connection to the server ended: every session is detached.
    void linkLost();

    // Adds the descriptors to poll; ready() takes the results from index `first` on.
    void addPollFds(std::vector<pollfd>& fds);
    void ready(const std::vector<pollfd>& fds, std::size_t first);
    // Ends sessions that exited, sat idle or were left detached too long.
    void tick();
    // Frames within credit, then the ends of sessions, onto the connection.
    void send(net::WebSocketChannel& channel);
    std::size_t count() const { return m_sessions.size(); }
    // A session has more to send right away: the link loop should not wait in poll.
    bool wantsTurn() const;

private:
    void end(const std::string& sessionId, std::uint32_t channel, const std::string& reason,
             std::optional<int> exitCode);

    TerminalPolicy m_policy;
    DesktopPolicy m_desktop;
    std::map<std::string, std::unique_ptr<LiveSession>> m_sessions; // by session id
    std::map<std::uint32_t, LiveSession*> m_byChannel;
    std::vector<LiveSession*> m_polled;          // in the order of the last addPollFds
    std::deque<protocol::SessionClosed> m_ended; // waiting to be sent
};

} // namespace breeze::agent
