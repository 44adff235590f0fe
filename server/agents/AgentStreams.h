#pragma once

#include "gateway/AgentSession.h"
#include "protocol/SessionMessages.h"

#include <string>

namespace breeze::server {

// Where the agent endpoint hands what belongs to live sessions (sessions/SessionService): stream frames, a
// session the agent ended, and the end of the agent's connection.
class AgentStreams {
public:
    virtual ~AgentStreams() = default;
    // On the event loop: must not block.
    virtual void fromAgent(const AgentSession& agent, std::string& frame) = 0;
    virtual void agentClosed(const AgentSession& agent, const protocol::SessionClosed& closed) = 0;
    virtual void agentGone(const AgentSession& agent) = 0;
};

} // namespace breeze::server
