#include "patches/PackageTransaction.h"

#include "crypto/SecureRandom.h"

#include <cstdlib>
#include <unistd.h>

namespace breeze::agent {

std::vector<std::string> outsideServiceCgroup(const std::vector<std::string>& argv,
                                              const std::string& unitName) {
    // INVOCATION_ID is set by systemd for the processes of a unit it started; /run/systemd/system exists only
    // while systemd is the running init.
    const char* invocation = std::getenv("INVOCATION_ID");
    if (!invocation || !*invocation || access("/run/systemd/system", F_OK) != 0 ||
        access("/usr/bin/systemd-run", X_OK) != 0)
        return argv;
    std::vector<std::string> wrapped{"/usr/bin/systemd-run",
                                     "--scope",
                                     "--quiet",
                                     "--collect",
                                     "--unit",
                                     unitName,
                                     "--description",
                                     "Breeze agent package transaction",
                                     "--"};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return wrapped;
}

SubprocessResult runPackageTransaction(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout, std::size_t maxOutputBytes) {
    // No cancel flag: a transaction is never stopped half way. Only the timeout (a hung dpkg) ends it.
    return runSubprocess(outsideServiceCgroup(argv, "breeze-package-" + crypto::SecureRandom::token(6)),
                         timeout, nullptr, maxOutputBytes);
}

} // namespace breeze::agent
