#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace breeze::agent {

// Runs `work` on a detached thread and waits at most `timeout` for what it returns (or throws): X calls that
// can block forever on a display that stopped answering cost the caller that long, never its loop. A result
// that comes late is dropped on that thread. Throws std::runtime_error("`what` did not answer within N ms").
template <typename Work>
auto runWithin(std::chrono::milliseconds timeout, const std::string& what, Work work) -> decltype(work()) {
    using Result = decltype(work());
    auto promise = std::make_shared<std::promise<Result>>();
    auto result = promise->get_future();
    std::thread([promise, work = std::move(work)]() mutable {
        try {
            promise->set_value(work());
        } catch (...) {
            promise->set_exception(std::current_exception());
        }
    }).detach();
    if (result.wait_for(timeout) != std::future_status::ready)
        throw std::runtime_error(what + " did not answer within " + std::to_string(timeout.count()) + " ms");
    return result.get();
}

} // namespace breeze::agent
