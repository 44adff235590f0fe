#include "RawTerminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace breeze::admin {

RawTerminal::RawTerminal(int fd) : m_fd(fd) {
    if (!::isatty(fd) || tcgetattr(fd, &m_saved) != 0)
        return;
    termios raw = m_saved;
    cfmakeraw(&raw);
    raw.c_oflag |= OPOST | ONLCR; // our own messages still start at the left margin
    m_active = tcsetattr(fd, TCSANOW, &raw) == 0;
}

RawTerminal::~RawTerminal() {
    restore();
}

void RawTerminal::restore() {
    if (m_active)
        tcsetattr(m_fd, TCSANOW, &m_saved);
    m_active = false;
}

void RawTerminal::size(int fd, int& cols, int& rows) {
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 && size.ws_row > 0) {
        cols = size.ws_col;
        rows = size.ws_row;
        return;
    }
    cols = 80;
    rows = 24;
}

} // namespace breeze::admin
