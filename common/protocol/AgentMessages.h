#pragma once

#include "protocol/Envelope.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Every control message on the agent connection, with strict decoding (a MessageError names the bad field)
// and encoding. Server, agent and the benchmark swarm all speak through these.
namespace breeze::protocol {

// The one catalogue of message types on the agent connection, by direction. Each side dispatches with a
// switch over its enum and no default, so a type added here does not compile until the side that receives it
// handles it.
enum class AgentToServer {
    Hello,
    Heartbeat,
    Inventory,
    CommandUpdate,
    CommandOutput,
    CredentialSaved,
    SessionClosed
};
enum class ServerToAgent {
    Welcome,
    Ack,
    Command,
    CommandCancel,
    Credential,
    Error,
    SessionOpen,
    SessionDetach,
    SessionClose
};
std::optional<AgentToServer> agentToServerType(std::string_view type);
std::optional<ServerToAgent> serverToAgentType(std::string_view type);
const char* typeName(AgentToServer type);
const char* typeName(ServerToAgent type);

namespace agent_message {
// agent -> server
inline constexpr const char* kHello = "hello";
inline constexpr const char* kHeartbeat = "heartbeat";
inline constexpr const char* kInventory = "inventory";
inline constexpr const char* kCommandUpdate = "command.update";
inline constexpr const char* kCommandOutput = "command.output";
inline constexpr const char* kCredentialSaved = "credential.saved";
inline constexpr const char* kSessionClosed = "session.closed";
// server -> agent
inline constexpr const char* kWelcome = "welcome";
inline constexpr const char* kAck = "ack";
inline constexpr const char* kCommand = "command";
inline constexpr const char* kCommandCancel = "command.cancel";
inline constexpr const char* kError = "error";
inline constexpr const char* kCredential = "credential";
inline constexpr const char* kSessionOpen = "session.open";
inline constexpr const char* kSessionDetach = "session.detach";
inline constexpr const char* kSessionClose = "session.close";
} // namespace agent_message

struct AgentHello {
    std::string agentVersion;
    std::string hostname;
    std::string os;       // "Debian GNU/Linux 12 (bookworm)"
    std::string platform; // linux, windows, macos
    std::string arch;
    std::vector<std::string> capabilities; // command types and features this agent supports

    static AgentHello decode(const Envelope& envelope);
    Envelope encode() const;
};

// Messages with an id an agent may have sent and not yet seen acknowledged. The server stops reading a
// session that holds more, so keeping to it is what lets an agent drain a long spool at full speed.
inline constexpr int kDefaultAckWindow = 32;

struct Welcome {
    int heartbeatSeconds = 60;
    int inventorySeconds = 900;
    int ackWindow = kDefaultAckWindow; // absent from older servers
    std::string serverVersion;

    static Welcome decode(const Envelope& envelope);
    Envelope encode() const;
};

struct FilesystemUsage {
    std::string mount;
    std::string fsType;
    std::uint64_t totalBytes = 0;
    std::uint64_t usedBytes = 0;
    std::optional<std::uint64_t> availableBytes; // what df calls "Avail"; older agents do not send it

    // How full it is as df says: used ÷ (used + available), so root's reserve counts as not available.
    double usedPercent() const;
    nlohmann::json toJson() const; // as heartbeats, stored samples and consoles carry it
};

struct InterfaceCounters {
    std::string name;
    std::uint64_t rxBytes = 0;
    std::uint64_t txBytes = 0;
};

struct Heartbeat {
    std::int64_t sampledAtMs = 0; // the agent's clock when sampled (spooled samples arrive later)
    double cpuPercent = 0;
    double load1 = 0, load5 = 0, load15 = 0;
    std::uint64_t memoryTotalBytes = 0, memoryUsedBytes = 0;
    std::uint64_t swapTotalBytes = 0, swapUsedBytes = 0;
    std::int64_t processCount = 0;
    std::int64_t uptimeSeconds = 0;
    std::vector<std::string> users;
    std::vector<FilesystemUsage> filesystems;
    std::vector<InterfaceCounters> interfaces;

    static Heartbeat decode(const Envelope& envelope);
    Envelope encode(const std::string& id) const;
};

// One inventory section as a whole; the server keeps the last one and logs the differences.
struct InventoryReport {
    std::string section; // os, hardware, disks, filesystems, interfaces, software, services, users
    nlohmann::json data; // canonical: only known fields, bounded strings
    std::int64_t collectedAtMs = 0;

    static InventoryReport decode(const Envelope& envelope);
    Envelope encode(const std::string& id) const;
    static const std::vector<std::string>& sections();
    // Validates and reduces raw section data to its known fields; throws MessageError.
    static nlohmann::json canonicalSection(const std::string& section, const nlohmann::json& data);
    // The key that identifies an item of a list section across reports (package name, unit name, ...).
    static std::string itemKey(const std::string& section, const nlohmann::json& item);
};

inline constexpr const char* kCommandRunning = "running";
inline constexpr const char* kCommandCompleted = "completed";
inline constexpr const char* kCommandFailed = "failed";
inline constexpr const char* kCommandCancelled = "cancelled";
inline constexpr const char* kCommandTimedOut = "timed_out";

struct CommandUpdate {
    std::string commandId;
    std::string status; // running, or a final state: completed, failed, cancelled, timed_out
    std::optional<std::int64_t> exitCode;
    nlohmann::json output = nlohmann::json::object();
    std::string error;

    bool final() const { return status != kCommandRunning; }
    static CommandUpdate decode(const Envelope& envelope);
    Envelope encode(const std::string& id) const;
};

// A piece of a running command's stdout or stderr. Offsets make a resent chunk harmless; the data is raw
// bytes (base64 on the wire), since programs print whatever they like.
struct CommandOutput {
    std::string commandId;
    std::string stream; // stdout or stderr
    std::int64_t offset = 0;
    std::string data; // 1 to kMaxOutputChunkBytes bytes

    static CommandOutput decode(const Envelope& envelope);
    Envelope encode(const std::string& id) const;
};

struct CommandRequest {
    std::string commandId;
    std::string type;
    nlohmann::json args = nlohmann::json::object();
    int timeoutSeconds = 300;

    static CommandRequest decode(const Envelope& envelope);
    Envelope encode() const;
};

struct CommandCancel {
    std::string commandId;
    static CommandCancel decode(const Envelope& envelope);
    Envelope encode() const;
};

// Credential rotation without a gap: the server sends a new credential over the authenticated session and
// keeps accepting the old one; the agent stores the new one durably and confirms with its SHA-256; only then
// does the server retire the old one. An agent that stored it but never confirmed is recognised by it on its
// next connection.
struct NewCredential {
    std::string credential;
    static NewCredential decode(const Envelope& envelope);
    Envelope encode() const;
};

struct CredentialSaved {
    std::string sha256; // hex of the credential now stored
    static CredentialSaved decode(const Envelope& envelope);
    Envelope encode() const;
};

// The server's receipt for a message with an id: stored (ok) or refused for good (the agent drops it).
struct Ack {
    std::string ref;
    bool ok = true;
    std::string error;
    static Ack decode(const Envelope& envelope);
    Envelope encode() const;
};

} // namespace breeze::protocol
