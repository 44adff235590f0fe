#include "protocol/Envelope.h"

#include "json/BoundedJsonParser.h"

namespace breeze::protocol {

bool isValidMessageType(std::string_view type) {
    if (type.empty() || type.size() > 64 || type[0] < 'a' || type[0] > 'z')
        return false;
    for (char c : type) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return false;
    }
    return true;
}

bool isValidMessageId(std::string_view id) {
    if (id.empty() || id.size() > 64)
        return false;
    for (char c : id) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

EnvelopeDecodeResult decodeEnvelope(std::string_view frame) {
    EnvelopeDecodeResult result;
    json::JsonLimits limits;
    limits.maxBytes = kMaxControlFrameBytes;
    limits.maxDepth = 16;
    limits.maxValues = 400'000;
    auto parsed = json::parseBoundedJson(frame, limits);
    if (!parsed) {
        result.error = parsed.error;
        return result;
    }
    nlohmann::json& doc = *parsed.value;
    if (!doc.is_object()) {
        result.error = "a message must be a JSON object";
        return result;
    }
    Envelope envelope;
    const auto v = doc.find("v");
    if (v == doc.end() || !v->is_number_integer()) {
        result.error = "\"v\" must be an integer protocol version";
        return result;
    }
    const auto version = v->get<long long>();
    if (version < kMinProtocolVersion || version > kMaxProtocolVersion) {
        result.error = "protocol version " + std::to_string(version) + " is not supported";
        return result;
    }
    envelope.version = static_cast<int>(version);
    const auto type = doc.find("type");
    if (type == doc.end() || !type->is_string() || !isValidMessageType(type->get_ref<const std::string&>())) {
        result.error = "\"type\" must be a message type such as \"heartbeat\"";
        return result;
    }
    envelope.type = type->get<std::string>();
    const auto id = doc.find("id");
    if (id != doc.end()) {
        if (!id->is_string() || !isValidMessageId(id->get_ref<const std::string&>())) {
            result.error = "\"id\" must be 1-64 characters of letters, digits, '_' or '-'";
            return result;
        }
        envelope.id = id->get<std::string>();
    }
    doc.erase("v");
    doc.erase("type");
    doc.erase("id");
    envelope.fields = std::move(doc);
    result.envelope = std::move(envelope);
    return result;
}

std::string encodeEnvelope(const Envelope& envelope) {
    nlohmann::json doc = envelope.fields.is_object() ? envelope.fields : nlohmann::json::object();
    doc["v"] = envelope.version;
    doc["type"] = envelope.type;
    if (!envelope.id.empty())
        doc["id"] = envelope.id;
    return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace breeze::protocol
