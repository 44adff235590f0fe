#pragma once

#include <QProcess>
#include <csignal>
#include <sys/prctl.h>

namespace breeze::test {

// A server or agent a test starts goes when the test goes, even when the test crashes or is killed before its
// destructors run: left behind, they keep working (heartbeats, sweeps) and skew every later benchmark.
inline void dieWithTest(QProcess& process) {
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

} // namespace breeze::test
