#include "sessions/TerminalModes.h"

#include <charconv>
#include <vector>

namespace breeze::agent {

namespace {
constexpr std::size_t kMaxParams = 64;

std::vector<int> numbers(const std::string& params) {
    std::vector<int> out;
    std::size_t start = 0;
    while (start <= params.size()) {
        const auto end = std::min(params.find(';', start), params.size());
        int value = 0;
        std::from_chars(params.data() + start, params.data() + end, value);
        out.push_back(value);
        start = end + 1;
    }
    return out;
}
} // namespace

void TerminalModes::feed(std::string_view bytes) {
    for (const char c : bytes) {
        switch (m_state) {
        case State::Ground:
            if (c == '\x1b')
                m_state = State::Escape;
            break;
        case State::Escape:
            if (c == '[') {
                m_state = State::Csi;
                m_params.clear();
                m_private = false;
            } else {
                if (c == '=')
                    m_keypad = true;
                else if (c == '>')
                    m_keypad = false;
                else if (c == 'c') // RIS
                    *this = TerminalModes();
                m_state = c == '\x1b' ? State::Escape : State::Ground;
            }
            break;
        case State::Csi:
            if (c == '?' && m_params.empty() && !m_private) {
                m_private = true;
            } else if ((c >= '0' && c <= '9') || c == ';') {
                if (m_params.size() < kMaxParams)
                    m_params.push_back(c);
            } else if (c >= 0x40 && c <= 0x7e) {
                finishCsi(c);
                m_state = State::Ground;
            } else if (c == '\x1b') {
                m_state = State::Escape;
            } else if (c < 0x20 || c > 0x3f) {
                m_state = State::Ground; // not a sequence we follow
            }
            break;
        }
    }
}

void TerminalModes::finishCsi(char final) {
    const auto values = numbers(m_params);
    if (m_private && (final == 'h' || final == 'l')) {
        for (const int mode : values)
            privateMode(mode, final == 'h');
    } else if (!m_private && final == 'r') {
        m_scrollTop = values.size() >= 1 ? values[0] : 0;
        m_scrollBottom = values.size() >= 2 ? values[1] : 0;
    }
}

void TerminalModes::privateMode(int mode, bool on) {
    switch (mode) {
    case 1:
        m_cursorKeys = on;
        break;
    case 1000:
    case 1002:
    case 1003:
        m_mouse = on ? mode : 0;
        break;
    case 1004:
        m_focus = on;
        break;
    case 1006:
        m_mouseSgr = on;
        break;
    case 2004:
        m_bracketedPaste = on;
        break;
    default:
        break;
    }
}

std::string TerminalModes::replay() const {
    std::string out;
    if (m_scrollTop > 0 || m_scrollBottom > 0)
        out += "\x1b[" + std::to_string(m_scrollTop) + ";" + std::to_string(m_scrollBottom) + "r";
    if (m_cursorKeys)
        out += "\x1b[?1h";
    if (m_keypad)
        out += "\x1b=";
    if (m_mouse != 0)
        out += "\x1b[?" + std::to_string(m_mouse) + "h";
    if (m_mouseSgr)
        out += "\x1b[?1006h";
    if (m_focus)
        out += "\x1b[?1004h";
    if (m_bracketedPaste)
        out += "\x1b[?2004h";
    return out;
}

} // namespace breeze::agent
