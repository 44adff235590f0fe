#include "crypto/CertificateAuthority.h"
#include "crypto/Digest.h"
#include "crypto/PasswordHasher.h"
#include "crypto/SecureRandom.h"
#include "crypto/Totp.h"
#include "encoding/Base32.h"
#include "encoding/Base64.h"
#include "encoding/Hex.h"

#include <QtTest>
#include <memory>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

using namespace breeze;

class TestCrypto final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void base32MatchesRfc4648() {
        QCOMPARE(encoding::base32Encode("foobar"), std::string("MZXW6YTBOI"));
        QCOMPARE(encoding::base32Encode("f"), std::string("MY"));
        QCOMPARE(*encoding::base32Decode("MZXW6YTBOI======"), std::string("foobar"));
        QCOMPARE(*encoding::base32Decode("mzxw 6ytb oi"), std::string("foobar"));
        QVERIFY(!encoding::base32Decode("MZXW1").has_value()); // 1 is not in the alphabet
        QVERIFY(!encoding::base32Decode("MZ=XW").has_value()); // data after padding
    }

    void base64UrlRoundTrips() {
        const std::string bytes = crypto::SecureRandom::bytes(257);
        const std::string text = encoding::base64UrlEncode(bytes);
        QVERIFY(text.find_first_of("+/=") == std::string::npos);
        QCOMPARE(*encoding::base64UrlDecode(text), bytes);
        QVERIFY(!encoding::base64UrlDecode("abc$").has_value());
        QCOMPARE(encoding::hexEncode("\x01\xab"), std::string("01ab"));
    }

    void totpMatchesRfc6238Vectors() {
        // RFC 6238 appendix B, SHA-1 key, truncated to the 6 digits authenticator apps use.
        const std::string key = "12345678901234567890";
        QCOMPARE(crypto::Totp::codeAt(key, 59), std::string("287082"));
        QCOMPARE(crypto::Totp::codeAt(key, 1111111109), std::string("081804"));
        QCOMPARE(crypto::Totp::codeAt(key, 1234567890), std::string("005924"));
        QCOMPARE(crypto::Totp::codeAt(key, 2000000000), std::string("279037"));
    }

    void totpAcceptsOneStepOfDriftOnly() {
        const std::string key = crypto::SecureRandom::bytes(20);
        const std::int64_t now = 1'800'000'000;
        const auto previous = crypto::Totp::codeAt(key, now - 30);
        QCOMPARE(crypto::Totp::matchingStep(key, previous, now),
                 std::optional<std::int64_t>(crypto::Totp::stepAt(now) - 1));
        QVERIFY(!crypto::Totp::matchingStep(key, crypto::Totp::codeAt(key, now - 90), now).has_value());
        QVERIFY(!crypto::Totp::matchingStep(key, "12345", now).has_value());
        const auto uri = crypto::Totp::provisioningUri("Breeze", "a b@x.io", "ABC");
        QVERIFY(uri.starts_with("otpauth://totp/Breeze:a%20b@x.io?secret=ABC"));
    }

    void argon2idHashesVerifyAndCarryParameters() {
        crypto::PasswordHasher hasher;
        const std::string hash = hasher.hash("correct horse battery staple");
        QVERIFY(hash.starts_with("$argon2id$"));
        QVERIFY(hasher.verify(hash, "correct horse battery staple"));
        QVERIFY(!hasher.verify(hash, "correct horse battery stapl"));
        QVERIFY(hash != hasher.hash("correct horse battery staple")); // salted
        QVERIFY(!hasher.needsRehash(hash));
        QVERIFY(crypto::PasswordHasher(crypto::PasswordHasher::Cost::Moderate).needsRehash(hash));
    }

    void digestsAndConstantTimeCompare() {
        QCOMPARE(crypto::Digest::sha256Hex("abc"),
                 std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QVERIFY(crypto::Digest::constantTimeEquals("abc", "abc"));
        QVERIFY(!crypto::Digest::constantTimeEquals("abc", "abd"));
        QVERIFY(!crypto::Digest::constantTimeEquals("abc", "ab"));
    }

    void generatedCertificateChainsToItsCaWithSans() {
        const auto ca = crypto::CertificateAuthority::createRoot("Test CA", 30);
        const auto leaf = crypto::CertificateAuthority::issueServerCertificate(
            ca, "localhost", {"localhost", "breeze.test"}, {"127.0.0.1", "::1"}, 30);
        auto read = [](const std::string& pem) {
            BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
            X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
            BIO_free(bio);
            return std::unique_ptr<X509, decltype(&X509_free)>(cert, X509_free);
        };
        auto caCert = read(ca.certificatePem);
        auto leafCert = read(leaf.certificatePem);
        QVERIFY(caCert && leafCert);
        X509_STORE* store = X509_STORE_new();
        X509_STORE_add_cert(store, caCert.get());
        X509_STORE_CTX* ctx = X509_STORE_CTX_new();
        X509_STORE_CTX_init(ctx, store, leafCert.get(), nullptr);
        const int verified = X509_verify_cert(ctx);
        X509_STORE_CTX_free(ctx);
        X509_STORE_free(store);
        QCOMPARE(verified, 1);
        QCOMPARE(X509_check_host(leafCert.get(), "breeze.test", 0, 0, nullptr), 1);
        QCOMPARE(X509_check_host(leafCert.get(), "evil.test", 0, 0, nullptr), 0);
        QCOMPARE(X509_check_ip_asc(leafCert.get(), "127.0.0.1", 0), 1);
        QCOMPARE(X509_check_ip_asc(leafCert.get(), "10.0.0.1", 0), 0);
        const auto fingerprint = crypto::CertificateAuthority::sha256Fingerprint(ca.certificatePem);
        QCOMPARE(fingerprint.size(), std::size_t(64));
        QVERIFY(fingerprint != crypto::CertificateAuthority::sha256Fingerprint(leaf.certificatePem));
    }

    void randomTokensAreDistinct() {
        QVERIFY(crypto::SecureRandom::token(32) != crypto::SecureRandom::token(32));
        QCOMPARE(crypto::SecureRandom::token(32).size(), std::size_t(43));
        for (int i = 0; i < 1000; ++i)
            QVERIFY(crypto::SecureRandom::uniform(7) < 7);
    }
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "TestCrypto.moc"
