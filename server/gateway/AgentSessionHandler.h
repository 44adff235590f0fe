#pragma once

#include "gateway/AgentSession.h"
#include "gateway/InboundWindow.h"

#include <functional>
#include <string>

namespace breeze::server {

// What the gateway asks of the rest of the server. The gateway's event loops call these and must never
// block, so implementations hand the work to their own threads and answer through the callback or through
// FrontDoor::send.
class AgentSessionHandler {
public:
    virtual ~AgentSessionHandler() = default;
    // From any thread; `done` may be called from any thread.
    virtual void admit(const std::string& credential, const std::string& address,
                       std::function<void(AgentAdmission)> done) = 0;
    virtual void opened(const AgentSession& session) = 0;
    // An admitted connection that ended before it opened (the peer left while its credential was checked).
    virtual void abandoned(const AgentSession& session) {}
    // A text message, still unparsed (JSON is parsed on the handler's threads, never on an event loop). The
    // handler keeps a copy of `ticket` until it has answered the message: that is the session's window. False
    // when it cannot take the message now; `payload` is then untouched, and the gateway holds it and stops
    // reading the socket until the handler has room.
    virtual bool received(const AgentSession& session, std::string& payload, const MessageTicket& ticket) = 0;
    // A binary stream frame, still encoded (protocol/StreamFrame.h), on the event loop's thread: the handler
    // must not block. False when it takes no streams (the peer is told so).
    virtual bool streamReceived(const AgentSession& session, std::string& frame) { return false; }
    virtual void closed(const AgentSession& session, const std::string& reason) = 0;
};

} // namespace breeze::server
