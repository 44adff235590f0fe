#pragma once

#include "gateway/AgentSession.h"
#include "protocol/AgentMessages.h"

#include <optional>
#include <vector>

namespace breeze::server {

class ScopedTransaction;
class SecretSealer;

// The agent side of the command state machine (pending -> sent -> running -> completed | failed | timed_out |
// cancelled). Final states never change again, so a redelivered command or a repeated result is harmless.
class CommandStore {
public:
    // Commands to push to the device, pending ones marked sent. With inFlight, also those already sent or
    // running (after a reconnect the agent reports them again or finishes them; it never runs one twice).
    // A run_script command gets its version's content and its opened secrets here, on the way out: neither is
    // kept in the command row.
    static std::vector<protocol::CommandRequest> takeDeliverable(ScopedTransaction& tx,
                                                                 const AgentSession& session, bool inFlight,
                                                                 const SecretSealer& sealer);
    // Commands cancelled while the agent may still be running them.
    static std::vector<std::string> recentCancels(ScopedTransaction& tx, const AgentSession& session);
    // A final update that was applied gives the command's type and deployment (for what depends on the
    // result, such as patch states); nullopt when it was not final, or not this device's command (the update
    // is then ignored, but still acked).
    struct Finished {
        std::string type;
        std::string deploymentId; // "" when none
    };
    static std::optional<Finished> applyUpdate(ScopedTransaction& tx, const AgentSession& session,
                                               const protocol::CommandUpdate& update);
    // Stores a chunk of a script's output while the command runs: a resent chunk changes nothing; one that
    // overlaps stored output, comes for a finished command, or splits a stream into too many pieces is
    // refused (MessageError). False when the command is not this device's script.
    static constexpr long long kMaxOutputRowsPerStream = 256;
    static bool appendOutput(ScopedTransaction& tx, const AgentSession& session,
                             const protocol::CommandOutput& output);
    // Pending commands past their expiry and started ones past their timeout become timed_out.
    static long long expire(ScopedTransaction& tx);
};

} // namespace breeze::server
