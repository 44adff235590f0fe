#pragma once

#include <string>
#include <vector>

namespace breeze::crypto {

struct PemKeyPair {
    std::string privateKeyPem;
    std::string certificatePem;
};

// A private certificate authority for deployments that bring no certificate of their own: it makes the CA
// and the server certificates it signs (ECDSA P-256, SANs for every name and address the server answers on).
class CertificateAuthority {
public:
    static PemKeyPair createRoot(const std::string& commonName, int validDays);
    static PemKeyPair issueServerCertificate(const PemKeyPair& ca, const std::string& commonName,
                                             const std::vector<std::string>& dnsNames,
                                             const std::vector<std::string>& ipAddresses, int validDays);
    // SHA-256 of the certificate's DER encoding, lower-case hex: what agents pin and technicians compare.
    static std::string sha256Fingerprint(const std::string& certificatePem);
    // When the (first) certificate in the PEM stops being valid, in seconds since the epoch.
    static long long expiresAt(const std::string& certificatePem);
};

} // namespace breeze::crypto
