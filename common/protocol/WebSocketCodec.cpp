#include "protocol/WebSocketCodec.h"

#include <array>
#include <cstring>

namespace breeze::protocol {

namespace {
bool isControl(WsOpcode opcode) {
    return (static_cast<std::uint8_t>(opcode) & 0x8) != 0;
}

bool isKnownOpcode(std::uint8_t opcode) {
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

void applyMask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& key) {
    // Eight bytes at a time (every byte of a file transfer passes here twice): the key repeats every four.
    std::uint64_t wide = 0;
    for (std::size_t i = 0; i < sizeof wide; ++i)
        reinterpret_cast<std::uint8_t*>(&wide)[i] = key[i % 4];
    std::size_t i = 0;
    for (; i + sizeof wide <= size; i += sizeof wide) {
        std::uint64_t word = 0;
        std::memcpy(&word, data + i, sizeof word);
        word ^= wide;
        std::memcpy(data + i, &word, sizeof word);
    }
    for (; i < size; ++i)
        data[i] = static_cast<char>(static_cast<std::uint8_t>(data[i]) ^ key[i % 4]);
}
} // namespace

WebSocketFrameReader::WebSocketFrameReader(WsRole role, std::size_t maxMessageBytes)
    : m_role(role), m_maxMessageBytes(maxMessageBytes) {}

void WebSocketFrameReader::feed(std::string_view bytes) {
    if (failed())
        return;
    if (m_offset > 0 && m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

void WebSocketFrameReader::releaseIdleBuffers() {
    if (m_offset == m_buffer.size()) {
        std::string().swap(m_buffer);
        m_offset = 0;
    }
    if (m_fragments.empty())
        std::string().swap(m_fragments);
}

std::optional<WsMessage> WebSocketFrameReader::fail(std::string message) {
    m_error = std::move(message);
    std::string().swap(m_buffer);
    std::string().swap(m_fragments);
    m_offset = 0;
    return std::nullopt;
}

std::optional<WsMessage> WebSocketFrameReader::next() {
    while (!failed()) {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(m_buffer.data()) + m_offset;
        const std::size_t available = m_buffer.size() - m_offset;
        if (available < 2)
            return std::nullopt;
        const bool fin = (bytes[0] & 0x80) != 0;
        if ((bytes[0] & 0x70) != 0)
            return fail("reserved bits set in a frame (no extensions were negotiated)");
        const std::uint8_t rawOpcode = bytes[0] & 0x0F;
        if (!isKnownOpcode(rawOpcode))
            return fail("unknown frame opcode " + std::to_string(rawOpcode));
        const auto opcode = static_cast<WsOpcode>(rawOpcode);
        const bool masked = (bytes[1] & 0x80) != 0;
        if (masked != (m_role == WsRole::Server))
            return fail(m_role == WsRole::Server ? "client frames must be masked"
                                                 : "server frames must not be masked");
        std::uint64_t length = bytes[1] & 0x7F;
        std::size_t header = 2;
        if (length == 126) {
            if (available < 4)
                return std::nullopt;
            length = (std::uint64_t{bytes[2]} << 8) | bytes[3];
            if (length < 126)
                return fail("frame length not minimally encoded");
            header = 4;
        } else if (length == 127) {
            if (available < 10)
                return std::nullopt;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | bytes[2 + i];
            if (length >> 63)
                return fail("frame length has its top bit set");
            if (length <= 0xFFFF)
                return fail("frame length not minimally encoded");
            header = 10;
        }
        if (isControl(opcode) && (!fin || length > 125))
            return fail("control frames must be whole and at most 125 bytes");
        if (length > m_maxMessageBytes || m_fragments.size() + length > m_maxMessageBytes)
            return fail("message larger than " + std::to_string(m_maxMessageBytes) + " bytes");
        std::array<std::uint8_t, 4> key{};
        if (masked) {
            if (available < header + 4)
                return std::nullopt;
            std::memcpy(key.data(), bytes + header, 4);
            header += 4;
        }
        if (available < header + length)
            return std::nullopt;
        std::string payload(m_buffer, m_offset + header, static_cast<std::size_t>(length));
        m_offset += header + static_cast<std::size_t>(length);
        if (masked)
            applyMask(payload.data(), payload.size(), key);

        if (isControl(opcode)) {
            if (opcode == WsOpcode::Close && payload.size() == 1)
                return fail("a close frame's payload must be empty or start with a two-byte code");
            return WsMessage{opcode, std::move(payload)};
        }
        if (opcode == WsOpcode::Continuation) {
            if (!m_fragmentOpcode)
                return fail("continuation frame without a message to continue");
            m_fragments += payload;
            if (!fin)
                continue;
            WsMessage message{*m_fragmentOpcode, std::move(m_fragments)};
            m_fragments.clear();
            m_fragmentOpcode.reset();
            return message;
        }
        if (m_fragmentOpcode)
            return fail("a new message started before the previous one was finished");
        if (!fin) {
            m_fragmentOpcode = opcode;
            m_fragments = std::move(payload);
            continue;
        }
        return WsMessage{opcode, std::move(payload)};
    }
    return std::nullopt;
}

std::string encodeWebSocketFrame(WsOpcode opcode, std::string_view payload,
                                 std::optional<std::uint32_t> maskKey) {
    std::string frame;
    frame.reserve(payload.size() + 14);
    frame.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));
    const std::uint8_t maskBit = maskKey ? 0x80 : 0x00;
    const std::uint64_t size = payload.size();
    if (size < 126) {
        frame.push_back(static_cast<char>(maskBit | size));
    } else if (size <= 0xFFFF) {
        frame.push_back(static_cast<char>(maskBit | 126));
        frame.push_back(static_cast<char>(size >> 8));
        frame.push_back(static_cast<char>(size & 0xFF));
    } else {
        frame.push_back(static_cast<char>(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(static_cast<char>((size >> shift) & 0xFF));
    }
    if (!maskKey) {
        frame.append(payload);
        return frame;
    }
    const std::array<std::uint8_t, 4> key{
        static_cast<std::uint8_t>(*maskKey >> 24), static_cast<std::uint8_t>(*maskKey >> 16),
        static_cast<std::uint8_t>(*maskKey >> 8), static_cast<std::uint8_t>(*maskKey)};
    frame.append(reinterpret_cast<const char*>(key.data()), key.size());
    const std::size_t start = frame.size();
    frame.append(payload);
    applyMask(frame.data() + start, payload.size(), key);
    return frame;
}

std::string encodeCloseFrame(std::uint16_t code, std::string_view reason,
                             std::optional<std::uint32_t> maskKey) {
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xFF));
    payload.append(reason.substr(0, 123));
    return encodeWebSocketFrame(WsOpcode::Close, payload, maskKey);
}

} // namespace breeze::protocol
