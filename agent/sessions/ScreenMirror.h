#pragma once

#include "sessions/TerminalModes.h"

#include <deque>
#include <string>
#include <string_view>

struct VTerm;
struct VTermScreen;

namespace breeze::agent {

// The agent's own copy of a terminal's screen (libvterm), fed with everything the shell prints, attached or
// not. When a console comes back it gets snapshot(): escape sequences that rebuild the scrollback, the screen
// with its colours and attributes, the alternate screen, the cursor and the modes, so the session resumes as
// it was instead of starting from a blank or reset screen.
class ScreenMirror {
public:
    ScreenMirror(int cols, int rows, std::size_t scrollbackLines);
    ~ScreenMirror();
    ScreenMirror(const ScreenMirror&) = delete;
    ScreenMirror& operator=(const ScreenMirror&) = delete;

    void feed(std::string_view bytes);
    void resize(int cols, int rows);
    std::string snapshot() const;
    // The visible screen as plain text, rows joined by '\n' with trailing blanks cut (tests, diagnostics).
    std::string text() const;
    int cols() const { return m_cols; }
    int rows() const { return m_rows; }
    bool alternateScreen() const { return m_alternate; }
    std::size_t scrollbackSize() const { return m_scrollback.size(); }

private:
    static int pushLine(int cols, const void* cells, void* user);
    static int popLine(int cols, void* cells, void* user);
    static int setProperty(int prop, const void* value, void* user);
    std::string rowText(int row, bool withAttributes) const;

    VTerm* m_vt = nullptr;
    VTermScreen* m_screen = nullptr;
    int m_cols;
    int m_rows;
    std::size_t m_maxScrollback;
    std::deque<std::string> m_scrollback; // oldest first, each line with its SGR attributes
    // The newest scrollback lines as the cells they were, for a screen that grows taller to take back, as
    // the console's terminal does (else the two copies of the screen differ after a shrink and a grow).
    std::deque<std::string> m_recentCells;
    TerminalModes m_modes;
    bool m_alternate = false;
    bool m_cursorVisible = true;
    bool m_cursorBlink = true;
    int m_cursorShape = 1; // block
    bool m_reverse = false;
    std::string m_title;
};

} // namespace breeze::agent
