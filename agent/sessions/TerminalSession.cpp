#include "sessions/TerminalSession.h"

#include "protocol/MessageFields.h"
#include "protocol/TerminalControl.h"
#include "units/Units.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace breeze::agent {

namespace {
constexpr std::size_t kReadChunk = 64 * kKiB;
constexpr std::size_t kMaxFramePayload = 64 * kKiB;
constexpr std::size_t kMaxHeldOutput = 256 * kKiB; // read no more while this much waits for credit
const std::uint64_t kWindow = protocol::initialWindow(protocol::SessionKind::Terminal);

std::vector<std::string> loginEnvironment(const TerminalPolicy::Login& login) {
    std::vector<std::string> env{"TERM=xterm-256color",
                                 "COLORTERM=truecolor",
                                 "HOME=" + login.account.home,
                                 "USER=" + login.account.name,
                                 "LOGNAME=" + login.account.name,
                                 "SHELL=" + login.shell,
                                 login.account.uid == 0
                                     ? "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                                     : "PATH=/usr/local/bin:/usr/bin:/bin:/usr/games"};
    const char* lang = std::getenv("LANG");
    env.push_back(std::string("LANG=") + (lang && std::strstr(lang, "UTF-8") ? lang : "C.UTF-8"));
    return env;
}
} // namespace

TerminalSession::TerminalSession(const protocol::SessionOpen& open, const TerminalPolicy& policy)
    : m_id(open.sessionId), m_mirror(open.terminal.cols, open.terminal.rows, policy.scrollbackLines),
      m_credit(kWindow), m_keepDetachedSeconds(open.keepDetachedSeconds),
      m_idleTimeoutSeconds(open.idleTimeoutSeconds), m_detachedAt(Clock::now()),
      m_lastActivity(Clock::now()) {
    const auto login = policy.resolve(open.terminal.user, open.terminal.shell);
    // Everything the child needs is made before fork: between fork and exec only async-signal-safe calls.
    const bool switchUser = login.account.uid != ::geteuid();
    std::vector<gid_t> groups(64);
    if (switchUser) {
        int count = static_cast<int>(groups.size());
        if (getgrouplist(login.account.name.c_str(), login.account.gid, groups.data(), &count) < 0) {
            groups.resize(static_cast<std::size_t>(count));
            getgrouplist(login.account.name.c_str(), login.account.gid, groups.data(), &count);
        }
        groups.resize(static_cast<std::size_t>(std::max(count, 0)));
    }
    const auto envStrings = loginEnvironment(login);
    std::vector<char*> env;
    env.reserve(envStrings.size() + 1);
    for (const auto& entry : envStrings)
        env.push_back(const_cast<char*>(entry.c_str()));
    env.push_back(nullptr);
    const auto slash = login.shell.rfind('/');
    const std::string argv0 = "-" + login.shell.substr(slash + 1); // a login shell
    // A command runs in the login shell (-c), so its environment is the one an interactive session gets.
    const std::string& command = open.terminal.command;
    std::vector<char*> argv{const_cast<char*>(argv0.c_str())};
    if (!command.empty()) {
        argv.push_back(const_cast<char*>("-c"));
        argv.push_back(const_cast<char*>(command.c_str()));
    }
    argv.push_back(nullptr);
    winsize size{};
    size.ws_col = static_cast<unsigned short>(open.terminal.cols);
    size.ws_row = static_cast<unsigned short>(open.terminal.rows);
    termios modes{};
    cfmakeraw(&modes);
    // A cooked terminal as a login would get: echo, line editing, signals, UTF-8 input, CR-LF output.
    modes.c_iflag = ICRNL | IXON | IUTF8 | BRKINT | IMAXBEL;
    modes.c_oflag = OPOST | ONLCR;
    modes.c_cflag = CS8 | CREAD;
    modes.c_lflag =
        ISIG | ICANON | IEXTEN | (open.terminal.echo ? ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE : 0);
    modes.c_cc[VINTR] = 3;
    modes.c_cc[VQUIT] = 28;
    modes.c_cc[VERASE] = 127;
    modes.c_cc[VKILL] = 21;
    modes.c_cc[VEOF] = 4;
    modes.c_cc[VSTART] = 17;
    modes.c_cc[VSTOP] = 19;
    modes.c_cc[VSUSP] = 26;
    modes.c_cc[VWERASE] = 23;
    modes.c_cc[VLNEXT] = 22;
    modes.c_cc[VMIN] = 1;
    modes.c_cc[VTIME] = 0;
    cfsetispeed(&modes, B38400);
    cfsetospeed(&modes, B38400);
    const std::string home = login.account.home;
    // The pseudo-terminal is opened close-on-exec from the start (forkpty's is not until after it returns): a
    // script another thread starts meanwhile must not inherit the shell's terminal.
    const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    char slaveName[128] = {};
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
        ptsname_r(master, slaveName, sizeof slaveName) != 0) {
        const int error = errno;
        if (master >= 0)
            ::close(master);
        throw std::runtime_error(std::string("cannot open a pseudo-terminal: ") + std::strerror(error));
    }
    const int slave = ::open(slaveName, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0 || tcsetattr(slave, TCSANOW, &modes) != 0 || ioctl(slave, TIOCSWINSZ, &size) != 0) {
        const int error = errno;
        ::close(master);
        if (slave >= 0)
            ::close(slave);
        throw std::runtime_error(std::string("cannot set up the pseudo-terminal: ") + std::strerror(error));
    }
    const pid_t child = fork();
    if (child < 0) {
        const int error = errno;
        ::close(master);
        ::close(slave);
        throw std::runtime_error(std::string("cannot start the shell: ") + std::strerror(error));
    }
    if (child == 0) {
        // A session of its own with the terminal as its controlling one, on 0, 1 and 2 (dup2 clears
        // close-on-exec on the copies).
        if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) != 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
            dup2(slave, 2) < 0)
            _exit(126);
        // dup2 onto the same number (the agent started with a standard stream closed) keeps close-on-exec:
        // cleared here, so the shell keeps its terminal either way.
        for (int fd = 0; fd <= 2; ++fd)
            fcntl(fd, F_SETFD, 0);
        // The agent blocks and handles signals its own way; a shell starts from the defaults.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig = 1; sig < NSIG; ++sig)
            signal(sig, SIG_DFL);
        if (close_range(3, ~0U, 0) != 0) // older kernels and some sandboxes: one by one
            for (int fd = 3; fd < 65536; ++fd)
                ::close(fd);
        if (switchUser && (setgroups(groups.size(), groups.data()) != 0 || setgid(login.account.gid) != 0 ||
                           setuid(login.account.uid) != 0))
            _exit(126);
        if (chdir(home.c_str()) != 0 && chdir("/") != 0)
            _exit(126);
        execve(login.shell.c_str(), argv.data(), env.data());
        _exit(127);
    }
    ::close(slave);
    m_master = master;
    m_child = child;
    m_runsCommand = !command.empty();
    fcntl(m_master, F_SETFL, fcntl(m_master, F_GETFL) | O_NONBLOCK);
}

TerminalSession::~TerminalSession() {
    if (m_master >= 0)
        ::close(m_master); // the shell gets SIGHUP, as when a terminal window closes
    if (m_child > 0 && !m_exitCode) {
        ::kill(-m_child, SIGHUP);
        ::kill(m_child, SIGHUP);
        for (int i = 0; i < 20; ++i) {
            if (::waitpid(m_child, nullptr, WNOHANG) == m_child)
                return;
            ::usleep(10'000);
        }
        ::kill(-m_child, SIGKILL);
        ::kill(m_child, SIGKILL);
        ::waitpid(m_child, nullptr, 0);
    }
}

void TerminalSession::attach(std::uint32_t channel, bool resumed) {
    m_channel = channel;
    m_credit.reset();
    m_output.clear();
    m_input.clear();
    m_echo.reset();
    if (resumed)
        m_output = m_mirror.snapshot();
    m_credit.queueControl(
        protocol::TerminalReady{resumed, m_mirror.cols(), m_mirror.rows(), m_output.size()}.encode());
    noteEcho();
    m_lastActivity = Clock::now();
}

void TerminalSession::detach() {
    m_channel = 0;
    m_credit.clearControls();
    m_output.clear();
    m_input.clear();
    m_detachedAt = Clock::now();
}

short TerminalSession::pollEvents() const {
    if (m_master < 0 || m_hungUp)
        return 0;
    short events = 0;
    // Attached: read only while the console can take more (back-pressure reaches the shell).
    if (m_channel == 0 || m_output.size() < kMaxHeldOutput)
        events |= POLLIN;
    if (!m_input.empty())
        events |= POLLOUT;
    return events;
}

void TerminalSession::ready(short revents) {
    if (revents & POLLOUT)
        writeInput();
    if (revents & (POLLIN | POLLHUP | POLLERR))
        readOutput();
    checkExit();
}

void TerminalSession::readOutput() {
    char buffer[kReadChunk];
    while (m_channel == 0 || m_output.size() < kMaxHeldOutput) {
        const ssize_t got = ::read(m_master, buffer, sizeof buffer);
        if (got > 0) {
            const std::string_view bytes(buffer, static_cast<std::size_t>(got));
            m_mirror.feed(bytes);
            if (m_channel != 0)
                m_output.append(bytes);
            m_lastActivity = Clock::now();
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        m_hungUp = true; // EIO: every writer of the pseudo-terminal has gone
        break;
    }
    noteEcho();
}

void TerminalSession::writeInput() {
    while (!m_input.empty()) {
        const ssize_t wrote = ::write(m_master, m_input.data(), m_input.size());
        if (wrote < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return;
            m_input.clear();
            return;
        }
        m_input.erase(0, static_cast<std::size_t>(wrote));
        m_credit.consumed(static_cast<std::uint64_t>(wrote));
    }
}

void TerminalSession::noteEcho() {
    termios modes{};
    if (m_master < 0 || tcgetattr(m_master, &modes) != 0)
        return;
    // Blind typing is a line read without echo (a password prompt: canonical mode, echo off). A program that
    // reads keys raw (a shell's line editor, vim) echoes them itself, so what is typed there is shown.
    const bool echo = (modes.c_lflag & ECHO) != 0 || (modes.c_lflag & ICANON) == 0;
    if (m_channel != 0 && m_echo != echo) {
        m_echo = echo;
        m_credit.queueControl(protocol::TerminalEcho{echo}.encode());
    }
}

void TerminalSession::checkExit() {
    if (m_exitCode || m_child <= 0)
        return;
    int status = 0;
    if (::waitpid(m_child, &status, WNOHANG) != m_child)
        return;
    m_exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    // What it printed last may still be in the pseudo-terminal.
    readOutput();
}

void TerminalSession::frame(const protocol::StreamFrame& frame) {
    switch (frame.kind) {
    case protocol::StreamKind::Window:
        m_credit.granted(frame.payload);
        return;
    case protocol::StreamKind::TerminalData:
        m_input.append(frame.payload);
        m_credit.consumed(protocol::kFrameCost);
        m_lastActivity = Clock::now();
        writeInput();
        return;
    case protocol::StreamKind::SessionControl: {
        m_credit.consumed(frame.payload.size() + protocol::kFrameCost);
        try {
            const auto control = protocol::decodeSessionControl(frame.payload);
            if (const auto resize = protocol::TerminalResize::from(control)) {
                winsize size{};
                size.ws_col = static_cast<unsigned short>(resize->cols);
                size.ws_row = static_cast<unsigned short>(resize->rows);
                ::ioctl(m_master, TIOCSWINSZ, &size); // the foreground program gets SIGWINCH
                m_mirror.resize(resize->cols, resize->rows);
            }
        } catch (const std::exception&) {
            // A control message this agent does not understand changes nothing.
        }
        return;
    }
    default:
        return;
    }
}

void TerminalSession::drain(std::vector<std::string>& frames) {
    if (m_channel == 0)
        return;
    m_credit.drainControls(m_channel, frames);
    while (!m_credit.controlsPending() && !m_output.empty() && m_credit.available() > protocol::kFrameCost) {
        const std::size_t take = std::min<std::uint64_t>(
            {m_output.size(), kMaxFramePayload, m_credit.available() - protocol::kFrameCost});
        m_credit.spend(take + protocol::kFrameCost);
        frames.push_back(protocol::encodeStreamFrame(protocol::StreamKind::TerminalData, m_channel,
                                                     std::string_view(m_output).substr(0, take)));
        m_output.erase(0, take);
    }
}

bool TerminalSession::finished() const {
    // The shell is gone (a background job still holding the terminal gets its hang-up when it closes).
    return m_exitCode && (m_channel == 0 || (m_output.empty() && !m_credit.controlsPending()));
}

} // namespace breeze::agent
