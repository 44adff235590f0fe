#include "crypto/Sha256Stream.h"

#include <openssl/evp.h>
#include <stdexcept>

namespace breeze::crypto {

struct Sha256Stream::State {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    ~State() { EVP_MD_CTX_free(context); }
};

Sha256Stream::Sha256Stream() : m_state(std::make_unique<State>()) {
    if (!m_state->context || EVP_DigestInit_ex(m_state->context, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 is not available");
}

Sha256Stream::~Sha256Stream() = default;
Sha256Stream::Sha256Stream(Sha256Stream&&) noexcept = default;
Sha256Stream& Sha256Stream::operator=(Sha256Stream&&) noexcept = default;

void Sha256Stream::update(std::string_view data) {
    EVP_DigestUpdate(m_state->context, data.data(), data.size());
}

std::string Sha256Stream::finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_state->context, out, &length);
    EVP_DigestInit_ex(m_state->context, EVP_sha256(), nullptr);
    return {reinterpret_cast<const char*>(out), length};
}

} // namespace breeze::crypto
