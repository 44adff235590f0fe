#include "desktop/WakePipe.h"

#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace breeze::agent {

WakePipe::WakePipe() {
    if (::pipe2(m_fds, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::runtime_error("cannot make a wake-up pipe");
}

WakePipe::~WakePipe() {
    ::close(m_fds[0]);
    ::close(m_fds[1]);
}

void WakePipe::wake() {
    [[maybe_unused]] const auto written = ::write(m_fds[1], "x", 1);
}

void WakePipe::drain() {
    char bytes[64];
    while (::read(m_fds[0], bytes, sizeof bytes) > 0) {
    }
}

} // namespace breeze::agent
