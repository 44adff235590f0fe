#include "app/StateDirectory.h"

#include "crypto/CertificateAuthority.h"
#include "crypto/SecureRandom.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

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

void writePrivateFile(const fs::path& path, const std::string& content) {
    const fs::path temp = path.string() + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot write " + temp.string());
        ::chmod(temp.c_str(), 0600);
        out << content;
    }
    fs::rename(temp, path);
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
    renewGeneratedCertificate(config);
    return state;
}

bool StateDirectory::renewGeneratedCertificate(const ServerConfig& config) {
    const fs::path tls = fs::path(config.stateDir) / "tls";
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
    if (!namesChanged && chainComplete && !expiring && fs::exists(tls / "server.key"))
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
