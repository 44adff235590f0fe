#include "app/StateDirectory.h"

#include "crypto/CertificateAuthority.h"
#include "crypto/SecureRandom.h"
#include "net/TlsConnection.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace breeze::server {

namespace fs = std::filesystem;

namespace {
std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Written whole or not at all, and durable before it replaces the old file: a unique temporary file (another
// process may be writing the same one), synced, renamed, and the folder synced. Losing ca.key to a crash
// would cut off every agent that pinned the CA.
void writePrivateFile(const fs::path& path, const std::string& content) {
    std::string temp = path.string() + ".XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0)
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);
    std::size_t done = 0;
    while (done < content.size()) {
        const auto written = ::write(fd, content.data() + done, content.size() - done);
        if (written <= 0) {
            ::close(fd);
            ::unlink(temp.c_str());
            throw std::runtime_error("cannot write " + path.string());
        }
        done += static_cast<std::size_t>(written);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(temp.c_str());
        throw std::runtime_error("cannot write " + path.string());
    }
    fs::rename(temp, path);
    const int folder = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder >= 0) {
        ::fsync(folder);
        ::close(folder);
    }
}

// Holds an exclusive lock on the TLS folder: the server's renewer, a `bootstrap` run and other nodes sharing
// the state folder take turns, so a key is never paired with another writer's certificate.
class TlsFolderLock {
public:
    explicit TlsFolderLock(const fs::path& folder)
        : m_fd(::open((folder / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
        if (m_fd < 0 || ::flock(m_fd, LOCK_EX) != 0)
            throw std::runtime_error("cannot lock " + folder.string());
    }
    ~TlsFolderLock() { ::close(m_fd); }
    TlsFolderLock(const TlsFolderLock&) = delete;
    TlsFolderLock& operator=(const TlsFolderLock&) = delete;

private:
    int m_fd;
};

bool keyMatchesCertificate(const fs::path& certificate, const fs::path& key) {
    try {
        net::makeServerSslContext(certificate.string(), key.string());
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void ensurePrivateDirectory(const fs::path& path) {
    fs::create_directories(path);
    ::chmod(path.c_str(), 0700);
}

std::string loadOrCreateKey(const fs::path& path, std::size_t bytes) {
    if (!fs::exists(path))
        writePrivateFile(path, crypto::SecureRandom::bytes(bytes));
    std::string key = readFile(path);
    if (key.size() != bytes)
        throw std::runtime_error(path.string() + " is damaged: expected " + std::to_string(bytes) + " bytes");
    return key;
}
} // namespace

StateDirectory StateDirectory::prepare(const ServerConfig& config) {
    StateDirectory state;
    const fs::path root = config.stateDir;
    ensurePrivateDirectory(root);
    state.tokenSigningKey = loadOrCreateKey(root / "token-signing.key", 64);
    state.sealingKey = loadOrCreateKey(root / "sealing.key", 32);

    if (!config.tlsCertFile.empty()) {
        state.certificateFile = config.tlsCertFile;
        state.privateKeyFile = config.tlsKeyFile;
        return state;
    }
    const fs::path tls = root / "tls";
    ensurePrivateDirectory(tls);
    std::optional<TlsFolderLock> lock(std::in_place, tls);
    state.caCertificateFile = (tls / "ca.crt").string();
    state.certificateFile = (tls / "server.crt").string();
    state.privateKeyFile = (tls / "server.key").string();
    crypto::PemKeyPair ca;
    if (fs::exists(tls / "ca.key") && fs::exists(tls / "ca.crt")) {
        ca = {readFile(tls / "ca.key"), readFile(tls / "ca.crt")};
    } else {
        ca = crypto::CertificateAuthority::createRoot("Breeze Server CA", 3650);
        writePrivateFile(tls / "ca.key", ca.privateKeyPem);
        writePrivateFile(tls / "ca.crt", ca.certificatePem);
        ::chmod((tls / "ca.crt").c_str(), 0644);
        fs::remove(tls / "server.crt");
    }
    lock.reset();
    renewGeneratedCertificate(config);
    return state;
}

bool StateDirectory::renewGeneratedCertificate(const ServerConfig& config) {
    const fs::path tls = fs::path(config.stateDir) / "tls";
    const TlsFolderLock lock(tls);
    const crypto::PemKeyPair ca{readFile(tls / "ca.key"), readFile(tls / "ca.crt")};
    // The names the server answers on are part of the certificate: reissue when they change.
    std::string names;
    for (const auto& n : config.publicNames)
        names += "DNS:" + n + "\n";
    for (const auto& a : config.publicAddresses)
        names += "IP:" + a + "\n";
    const bool namesChanged = !fs::exists(tls / "server.names") || readFile(tls / "server.names") != names;
    const bool chainComplete = fs::exists(tls / "server.crt") &&
                               readFile(tls / "server.crt").find(ca.certificatePem) != std::string::npos;
    const long long renewAfter = static_cast<long long>(std::time(nullptr)) +
                                 static_cast<long long>(config.tlsRenewBeforeDays) * 24 * 3600;
    const bool expiring =
        chainComplete && crypto::CertificateAuthority::expiresAt(readFile(tls / "server.crt")) <= renewAfter;
    if (!namesChanged && chainComplete && !expiring && fs::exists(tls / "server.key") &&
        keyMatchesCertificate(tls / "server.crt", tls / "server.key"))
        return false;
    const std::string commonName = config.publicNames.empty() ? "breeze-server" : config.publicNames.front();
    auto leaf = crypto::CertificateAuthority::issueServerCertificate(
        ca, commonName, config.publicNames, config.publicAddresses, config.tlsCertificateDays);
    // The key first: a reader that finds the new certificate then also finds its key (a reader between the
    // two renames fails to load the pair and keeps the context it has).
    writePrivateFile(tls / "server.key", leaf.privateKeyPem);
    // The chain includes the CA, so an agent given only the CA's fingerprint can find and pin it.
    writePrivateFile(tls / "server.crt", leaf.certificatePem + ca.certificatePem);
    writePrivateFile(tls / "server.names", names);
    return true;
}

} // namespace breeze::server
