#include "auth/AccessTokenCodec.h"

#include "crypto/SecureRandom.h"

#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/Timestamp.h>

namespace breeze::server {

namespace {
constexpr const char* kIssuer = "breeze-server";
constexpr const char* kAudience = "breeze-api";
constexpr std::size_t kMaxTokenLength = 4096;
} // namespace

AccessTokenCodec::AccessTokenCodec(std::string signingKey, std::chrono::seconds lifetime)
    : m_signingKey(std::move(signingKey)), m_lifetime(lifetime) {}

std::string AccessTokenCodec::issue(const AccessTokenClaims& claims) const {
    Poco::JWT::Token token;
    token.setType("JWT");
    token.setIssuer(kIssuer);
    token.setAudience(kAudience);
    token.setSubject(claims.userId);
    token.setId(crypto::SecureRandom::token(12));
    token.payload().set("sid", claims.sessionId);
    Poco::Timestamp now;
    token.setIssuedAt(now);
    token.setExpiration(now + std::chrono::duration_cast<std::chrono::microseconds>(m_lifetime).count());
    Poco::JWT::Signer signer(m_signingKey);
    return signer.sign(token, Poco::JWT::Signer::ALGO_HS256);
}

std::optional<AccessTokenClaims> AccessTokenCodec::verify(const std::string& text) const {
    if (text.empty() || text.size() > kMaxTokenLength)
        return std::nullopt;
    try {
        Poco::JWT::Signer signer(m_signingKey); // accepts HS256 only
        Poco::JWT::Token token;
        if (!signer.tryVerify(text, token))
            return std::nullopt;
        if (token.getIssuer() != kIssuer || token.getAudience() != std::vector<std::string>{kAudience})
            return std::nullopt;
        if (!token.payload().has("exp") || token.getExpiration() <= Poco::Timestamp())
            return std::nullopt;
        if (!token.payload().has("sid"))
            return std::nullopt;
        AccessTokenClaims claims{token.getSubject(), token.payload().getValue<std::string>("sid")};
        if (claims.userId.empty() || claims.sessionId.empty())
            return std::nullopt;
        return claims;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace breeze::server
