#include "crypto/CertificateAuthority.h"

#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"

#include <ctime>
#include <memory>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdexcept>

namespace breeze::crypto {

namespace {
template <typename T, void (*Free)(T*)> struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
    char buf[256] = "";
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    throw std::runtime_error(what + ": " + buf);
}

KeyPtr newKey() {
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        fail("could not generate an EC key");
    return key;
}

BioPtr memoryBio(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        fail("out of memory");
    return bio;
}

KeyPtr readKey(const std::string& pem) {
    auto bio = memoryBio(pem);
    KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        fail("could not read private key");
    return key;
}

CertPtr readCert(const std::string& pem) {
    auto bio = memoryBio(pem);
    CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        fail("could not read certificate");
    return cert;
}

std::string bioToString(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string keyPem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
        fail("could not write private key");
    return bioToString(bio.get());
}

std::string certPem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_X509(bio.get(), cert))
        fail("could not write certificate");
    return bioToString(bio.get());
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext)
        fail("could not build certificate extension " + value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

CertPtr newCertificate(EVP_PKEY* subjectKey, const std::string& commonName, int validDays) {
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2);
    // A random 16-byte positive serial, as the CA/Browser baseline asks.
    std::string serialBytes = SecureRandom::bytes(16);
    serialBytes[0] = static_cast<char>(serialBytes[0] & 0x7F);
    BIGNUM* serial = BN_bin2bn(reinterpret_cast<const unsigned char*>(serialBytes.data()), 16, nullptr);
    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
    BN_free(serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600); // tolerate small clock skew
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(validDays) * 24 * 3600);
    X509_set_pubkey(cert.get(), subjectKey);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Breeze"), -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
    return cert;
}
} // namespace

PemKeyPair CertificateAuthority::createRoot(const std::string& commonName, int validDays) {
    KeyPtr key = newKey();
    CertPtr cert = newCertificate(key.get(), commonName, validDays);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    if (!X509_sign(cert.get(), key.get(), EVP_sha256()))
        fail("could not sign CA certificate");
    return {keyPem(key.get()), certPem(cert.get())};
}

PemKeyPair CertificateAuthority::issueServerCertificate(const PemKeyPair& ca, const std::string& commonName,
                                                        const std::vector<std::string>& dnsNames,
                                                        const std::vector<std::string>& ipAddresses,
                                                        int validDays) {
    KeyPtr caKey = readKey(ca.privateKeyPem);
    CertPtr caCert = readCert(ca.certificatePem);
    KeyPtr key = newKey();
    CertPtr cert = newCertificate(key.get(), commonName, validDays);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(caCert.get()));
    addExtension(cert.get(), caCert.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExtension(cert.get(), caCert.get(), NID_key_usage, "critical,digitalSignature");
    addExtension(cert.get(), caCert.get(), NID_ext_key_usage, "serverAuth");
    addExtension(cert.get(), caCert.get(), NID_subject_key_identifier, "hash");
    addExtension(cert.get(), caCert.get(), NID_authority_key_identifier, "keyid:always");
    std::string san;
    for (const auto& dns : dnsNames)
        san += (san.empty() ? "" : ",") + std::string("DNS:") + dns;
    for (const auto& ip : ipAddresses)
        san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
    if (!san.empty())
        addExtension(cert.get(), caCert.get(), NID_subject_alt_name, san);
    if (!X509_sign(cert.get(), caKey.get(), EVP_sha256()))
        fail("could not sign server certificate");
    return {keyPem(key.get()), certPem(cert.get())};
}

std::string CertificateAuthority::sha256Fingerprint(const std::string& certificatePem) {
    CertPtr cert = readCert(certificatePem);
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert.get(), &der);
    if (length <= 0)
        fail("could not encode certificate");
    std::string digest = Digest::sha256Hex(std::string_view(reinterpret_cast<char*>(der), length));
    OPENSSL_free(der);
    return digest;
}

long long CertificateAuthority::expiresAt(const std::string& certificatePem) {
    CertPtr cert = readCert(certificatePem);
    std::tm expiry{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &expiry) != 1)
        fail("could not read the certificate's expiry");
    return static_cast<long long>(timegm(&expiry));
}

} // namespace breeze::crypto
