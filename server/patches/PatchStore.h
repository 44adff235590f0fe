#pragma once

#include "gateway/AgentSession.h"
#include "protocol/AgentMessages.h"

namespace breeze::server {

class ScopedTransaction;

// What patch commands' results mean for the catalog and each device's patch states. Reports are untrusted
// agent data: a report that breaks the schema is logged and ignored (the command keeps its result as sent).
class PatchStore {
public:
    // A scan: the updates it found become catalog entries and this device's missing patches; missing ones the
    // device no longer needs go; pending reboots settle once the device has rebooted.
    static void applyScan(ScopedTransaction& tx, const AgentSession& session,
                          const protocol::CommandUpdate& update);
    // An install or a rollback: each package's outcome is kept with its log and moves the patch's state.
    // After an install the device's policy may ask for a reboot (always, or when one is required): true when
    // a reboot command was queued.
    static bool applyInstall(ScopedTransaction& tx, const AgentSession& session,
                             const protocol::CommandUpdate& update, const std::string& commandType,
                             const std::string& deploymentId);
};

} // namespace breeze::server
