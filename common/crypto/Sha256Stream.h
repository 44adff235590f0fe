#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace breeze::crypto {

// SHA-256 of data that arrives in pieces (a file as it is read or written).
class Sha256Stream {
public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(Sha256Stream&&) noexcept;
    Sha256Stream& operator=(Sha256Stream&&) noexcept;

    void update(std::string_view data);
    // The 32 raw bytes; the stream starts over afterwards.
    std::string finish();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace breeze::crypto
