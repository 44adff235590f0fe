#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The SQL of live sessions (migrations/0022): their records, the one-use tokens consoles attach with, and
// what the relay reports as they attach, detach and end.
class SessionStore {
public:
    explicit SessionStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct NewSession {
        std::string partnerId, orgId, siteId, deviceId;
        std::string kind;
        std::optional<std::string> userId;
        std::string actorType, actorId, actorLabel, address;
        nlohmann::json grants;
        std::string tokenHash;
        int tokenSeconds = 60;
        std::string relayUrl;
    };
    struct Filter {
        std::optional<std::string> deviceId;
        std::optional<std::string> kind;
        std::optional<std::string> state; // "live": not closed
        std::optional<std::string> userId;
    };
    // What a redeemed token attaches to.
    struct Redeemed {
        std::string id, partnerId, orgId, siteId, deviceId, kind, actorLabel;
        nlohmann::json grants;
        bool resume = false; // attached before: the agent should still have it
    };
    struct Ending {
        std::string partnerId, orgId, actorType, actorId, actorLabel, deviceId, kind;
        nlohmann::json record;
    };

    // The relay endpoint of a node ("https://host:port" -> "wss://host:port/api/v1/relay/ws").
    static std::string relayWebSocketUrl(const std::string& nodeUrl) {
        return "wss://" + nodeUrl.substr(std::string("https://").size()) + "/api/v1/relay/ws";
    }
    // Where a device's agent is held (its node's relay URL); none while it is offline.
    std::optional<std::string> relayUrlOf(const std::string& deviceId);
    void setRelayUrl(const std::string& deviceId, const std::string& connectionId, const std::string& url);
    // The folder each role keeps file sessions in, by role id; an empty string for a role without one.
    std::map<std::string, std::string> filesRootsByRole(const std::vector<std::string>& roleIds);
    long long liveCount(const std::string& deviceId);
    long long liveCountOf(const std::string& actorId);
    nlohmann::json insert(const NewSession& session);
    std::optional<nlohmann::json> find(const std::string& id, const std::string& scopeSql);
    // Keeps how a desktop session went (its viewer's summary); returns the session.
    nlohmann::json setQuality(const std::string& id, const nlohmann::json& quality);
    // Whether a closed session ended no more than `seconds` ago.
    bool endedWithin(const std::string& id, int seconds);
    nlohmann::json list(const Filter& filter, const Pagination& pagination, const std::string& scopeSql);
    // A new token for a session not yet closed; false when it is closed.
    bool reissueToken(const std::string& id, const std::string& tokenHash, int seconds,
                      const std::string& relayUrl);
    // Consumes a token (once, before it expires).
    std::optional<Redeemed> redeem(const std::string& tokenHash);
    void markActive(const std::string& id);
    void markDetached(const std::string& id, std::uint64_t toDevice, std::uint64_t fromDevice);
    // Ends the session; returns what the audit log needs when it was not already closed.
    // `deviceId`: when given, only a session of that device (an agent may end only its own).
    std::optional<Ending> markClosed(const std::string& id, const std::string& reason,
                                     std::optional<int> exitCode, std::uint64_t toDevice,
                                     std::uint64_t fromDevice, const std::string& deviceId = {});
    // Ends every live session of a device (it moved to another site: what its sessions were granted no longer
    // holds); the node relaying each hears of it.
    void closeLiveOf(const std::string& deviceId, const std::string& reason);
    // Tells every node (breeze_events, on commit) that the session was closed, so the one relaying it ends
    // it.
    void announceClosed(const std::string& id, const std::string& reason);
    // Of these sessions, those whose maker can no longer act (a disabled user, a revoked or expired key) or
    // no longer holds remote:terminal or remote:files (as the kind is) on the device's site.
    std::vector<std::string> withoutAuthority(const std::vector<std::string>& ids);
    // Recordings older than `days`, then the oldest beyond `maxBytes` all together; returns how many went.
    long long pruneRecordings(int days, long long maxBytes);
    // The recording as an asciicast v2 file (header line, then the events), written to `out`; false when the
    // session has none. Throws on a write error.
    bool writeRecording(const std::string& sessionId, std::FILE* out);
    // Sessions detached or never attached for longer than `seconds`: closed (their agents drop them too).
    std::vector<Ending> closeAbandoned(int seconds);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
