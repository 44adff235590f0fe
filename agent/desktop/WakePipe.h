#pragma once

namespace breeze::agent {

// A pipe a thread polls beside its X connection, so another thread can wake it (new work, or time to stop).
class WakePipe {
public:
    WakePipe(); // throws std::runtime_error when no pipe can be made
    ~WakePipe();
    WakePipe(const WakePipe&) = delete;
    WakePipe& operator=(const WakePipe&) = delete;

    int fd() const { return m_fds[0]; } // readable once woken
    void wake();
    void drain(); // reads what woke it, so the next poll waits again

private:
    int m_fds[2] = {-1, -1};
};

} // namespace breeze::agent
