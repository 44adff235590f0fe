#pragma once

#include "gateway/AgentSession.h"
#include "protocol/AgentMessages.h"

namespace breeze::server {

class ScopedTransaction;
struct DeviceEventSubject;

// The tenant columns of an event about the session's device.
DeviceEventSubject subjectOf(const AgentSession& session);

// Online/offline bookkeeping on the device row, each change also an event row (consoles get them live).
class DevicePresence {
public:
    // `relayUrl`: this node's, where consoles reach the device's sessions.
    static void online(ScopedTransaction& tx, const AgentSession& session, const protocol::AgentHello& hello,
                       const std::string& relayUrl);
    // Only when `session` is still the device's current connection; a replaced one changes nothing.
    static void offline(ScopedTransaction& tx, const AgentSession& session, const std::string& reason);
    // At start-up: nobody is connected to a node that has just started (devices held by other nodes keep
    // their state). Returns how many were online.
    static long long resetAll(ScopedTransaction& tx, const std::string& relayUrl);
    // Devices marked online that have sent nothing for `seconds` (a half-open connection); returns their ids.
    static std::vector<std::string> markSilentOffline(ScopedTransaction& tx, int seconds);
};

} // namespace breeze::server
