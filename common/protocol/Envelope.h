#pragma once

#include "units/Units.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::protocol {

inline constexpr int kMinProtocolVersion = 1;
inline constexpr int kMaxProtocolVersion = 1;
// Inventory of a machine with thousands of packages is the largest control message; 4 MiB leaves room.
inline constexpr std::size_t kMaxControlFrameBytes = 4 * kMiB;

// A control message as it travels on the agent and console WebSockets: {"v":1,"type":"...","id":"...", ...}.
// `fields` holds everything but the envelope keys, for the typed message decoders to read.
struct Envelope {
    int version = kMaxProtocolVersion;
    std::string type;
    std::string id; // empty for events that expect no reply
    nlohmann::json fields = nlohmann::json::object();
};

struct EnvelopeDecodeResult {
    std::optional<Envelope> envelope;
    std::string error;
    explicit operator bool() const { return envelope.has_value(); }
};

// Strict: the frame must be a JSON object within kMaxControlFrameBytes, with a supported version, a type of
// lower-case letters, digits, '_' and '.', and, when present, an id of at most 64 URL-safe characters.
EnvelopeDecodeResult decodeEnvelope(std::string_view frame);
std::string encodeEnvelope(const Envelope& envelope);

bool isValidMessageType(std::string_view type);
bool isValidMessageId(std::string_view id);

} // namespace breeze::protocol
