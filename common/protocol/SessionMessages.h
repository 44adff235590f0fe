#pragma once

#include "protocol/Envelope.h"
#include "units/Units.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Live sessions on a device (terminal, files, desktop): the control messages between server and agent, the
// control messages a console and an agent exchange through the relay, and the credit rules all three keep.
//
// A session is a channel on the agent's connection. The console's relay connection carries exactly one
// session (its frames name channel 1); the server rewrites the channel of every frame it passes on. Data
// frames (TerminalData, FileChunk, SessionControl) cost credit: their payload plus kFrameCost. Each side
// starts with initialWindow(kind) bytes of credit towards the other and gets more through Window frames from
// the receiver as it consumes what it got. The server checks both directions and ends a session whose peer
// sends beyond its credit, so nothing it relays ever waits in a queue for more than one window per direction.
namespace breeze::protocol {

enum class SessionKind { Terminal, Files, Desktop };
std::optional<SessionKind> sessionKindNamed(std::string_view name);
const char* sessionKindName(SessionKind kind);

inline constexpr std::size_t kFrameCost = 64;
inline constexpr std::size_t kMaxSessionControlBytes = 64 * kKiB;
std::uint64_t initialWindow(SessionKind kind);
// Credit a receiver may have granted and not yet seen used is at most the kind's window; a Window frame
// grants at least this much (receivers give credit back in quarters of a window), so credit frames stay few.
inline constexpr std::uint32_t kMinWindowIncrement = 4 * kKiB;
// The console's relay connection names this channel for its one session.
inline constexpr std::uint32_t kRelayChannel = 1;

// How long an agent keeps a session whose console has gone (a network drop, a restarted console).
inline constexpr int kDefaultKeepDetachedSeconds = 600;

struct TerminalRequest {
    int cols = 80;
    int rows = 24;
    std::string shell; // empty: the user's login shell
    std::string user;  // empty: the agent's own user
    std::string
        command;      // empty: an interactive login shell; else run by the shell (-c), its exit the session's
    bool echo = true; // off: typed input is not echoed (input piped into a command)
};

struct DesktopGrant {
    bool viewOnly = false; // the console may watch, not type or click
    // The server records the pictures: the agent sends a keyframe every few seconds of motion, where the
    // recording's segments start.
    bool record = false;
};

struct FilesGrant {
    std::string root = "/"; // the session never leaves it, links included
    bool download = false;
    bool upload = false;
    bool remove = false;
};

// server -> agent: start the session, or attach it again to a new channel when the agent still has it.
struct SessionOpen {
    std::string sessionId;
    std::uint32_t channel = 0;
    SessionKind kind = SessionKind::Terminal;
    TerminalRequest terminal;
    FilesGrant files;
    DesktopGrant desktop;
    // Attached before: the agent should still have it. An agent that does not (it restarted) closes it
    // rather than start a new shell under the old session.
    bool resume = false;
    int idleTimeoutSeconds = 0; // 0: never
    int keepDetachedSeconds = kDefaultKeepDetachedSeconds;

    static SessionOpen decode(const Envelope& envelope);
    Envelope encode() const;
};

// server -> agent: the console has gone; keep the session for keepDetachedSeconds, and send nothing more on
// the channel.
struct SessionDetach {
    std::uint32_t channel = 0;
    static SessionDetach decode(const Envelope& envelope);
    Envelope encode() const;
};

// server -> agent: end the session for good.
struct SessionClose {
    std::string sessionId;
    std::string reason;
    static SessionClose decode(const Envelope& envelope);
    Envelope encode() const;
};

// agent -> server: the session ended on the device (the shell exited, it could not start, it sat idle or
// detached for too long). Sent after the session's last frame, in the same lane.
struct SessionClosed {
    std::string sessionId;
    std::uint32_t channel = 0; // 0: it was not attached
    std::string reason;
    std::optional<int> exitCode;
    static SessionClosed decode(const Envelope& envelope);
    Envelope encode() const;
};

} // namespace breeze::protocol
