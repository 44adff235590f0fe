#pragma once

#include "gateway/AgentSession.h"
#include "protocol/AgentMessages.h"

namespace breeze::server {

class ScopedTransaction;

// Keeps the latest report of each inventory section per device and writes only what changed: an unchanged
// report (same digest) costs one indexed read; a changed one records per-item differences in the change log.
class InventoryStore {
public:
    // Returns the number of change-log rows written (0 when nothing changed).
    static std::size_t apply(ScopedTransaction& tx, const AgentSession& session,
                             const protocol::InventoryReport& report);
};

} // namespace breeze::server
