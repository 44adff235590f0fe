#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

// The SessionControl messages of a session, console <-> agent through the relay (JSON objects with a "type").
// The server reads only "closed", which it writes itself when a session ends, and "echo" (recordings).
namespace breeze::protocol {

// Parses a SessionControl payload: a JSON object with a string "type", at most kMaxSessionControlBytes.
// Throws MessageError.
nlohmann::json decodeSessionControl(std::string_view payload);
// Whether a decoded control message is of this type.
bool isControlType(const nlohmann::json& control, const char* type);

// console -> agent: the terminal's new size.
struct TerminalResize {
    int cols = 80;
    int rows = 24;
    static std::optional<TerminalResize> from(const nlohmann::json& control); // none: another type
    std::string encode() const;
};

// agent -> console: the terminal is live; `resumed` when it was attached again and what follows first is
// the screen as it is (scrollback, then the screen): `snapshot` bytes drawn at cols x rows. The console
// applies them at that size and only then sizes the screen to its window, as the device's copy would
// otherwise be drawn into a terminal of another height (lines scrolled off or left blank at the top).
struct TerminalReady {
    bool resumed = false;
    int cols = 80;
    int rows = 24;
    std::uint64_t snapshot = 0;
    static std::optional<TerminalReady> from(const nlohmann::json& control);
    std::string encode() const;
};

// agent -> console: whether what is typed is shown (off when a line is read without echo, as at a password
// prompt; a program reading keys raw echoes them itself): recordings leave typing out while it is off.
struct TerminalEcho {
    bool on = true;
    static std::optional<TerminalEcho> from(const nlohmann::json& control);
    std::string encode() const;
};

// server -> console: the session is over, and why (the last frame before the relay connection closes).
struct SessionEnded {
    std::string reason;
    std::optional<int> exitCode;
    static std::optional<SessionEnded> from(const nlohmann::json& control);
    std::string encode() const;
};

} // namespace breeze::protocol
