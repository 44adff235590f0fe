#pragma once

#include <termios.h>

namespace breeze::admin {

// The admin's own terminal in raw mode for the length of a remote shell (keys go to the device as typed,
// Ctrl+C included), restored however the shell ends. Does nothing when standard input is not a terminal.
class RawTerminal {
public:
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

    bool active() const { return m_active; }
    void restore();
    // The terminal's size (80x24 when there is none).
    static void size(int fd, int& cols, int& rows);

private:
    int m_fd;
    bool m_active = false;
    termios m_saved{};
};

} // namespace breeze::admin
