#pragma once

#include <string>
#include <string_view>

namespace breeze::agent {

// The terminal modes a screen snapshot must restore that libvterm keeps to itself: application cursor keys
// (DECCKM), the application keypad, bracketed paste, mouse reporting and its encoding, focus events, and the
// scrolling region. Follows the output byte by byte (sequences split across reads included).
class TerminalModes {
public:
    void feed(std::string_view bytes);
    // Escape sequences that set the modes as they are now (after the screen is drawn: DECSTBM homes the
    // cursor, so the caller positions it afterwards).
    std::string replay() const;
    bool bracketedPaste() const { return m_bracketedPaste; }

private:
    void privateMode(int mode, bool on);
    void finishCsi(char final);

    enum class State { Ground, Escape, Csi };
    State m_state = State::Ground;
    std::string m_params; // of the CSI sequence being read (bounded)
    bool m_private = false;

    bool m_cursorKeys = false;     // ?1
    bool m_keypad = false;         // ESC = / ESC >
    bool m_bracketedPaste = false; // ?2004
    int m_mouse = 0;               // ?1000, ?1002 or ?1003 (0: off)
    bool m_mouseSgr = false;       // ?1006
    bool m_focus = false;          // ?1004
    int m_scrollTop = 0;           // 0: the whole screen
    int m_scrollBottom = 0;
};

} // namespace breeze::agent
