#pragma once

#include "gateway/AgentSession.h"
#include "protocol/Envelope.h"

#include <functional>

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
    // False when the handler cannot take more work from this agent now (the gateway then closes it with
    // "try again later" and the agent resends from its spool).
    virtual bool received(const AgentSession& session, protocol::Envelope envelope) = 0;
    virtual void closed(const AgentSession& session, const std::string& reason) = 0;
};

} // namespace breeze::server
