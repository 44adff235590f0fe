#pragma once

#include "TestServer.h"

#include <QtGlobal>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace breeze::test {

// The value below which `p` of `values` lie (0 for none).
inline double percentile(std::vector<double> values, double p) {
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1,
                           static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

// A process's resident memory in KiB (0 when it has gone).
inline long rssKib(qint64 pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:"))
            return std::stol(line.substr(6));
    return 0;
}

// One benchmark client: signed-in GETs of `path` on a kept-alive connection while `more()` says so. Every
// request sent is timed into `milliseconds`; one that fails or throws counts in `failures` (a thrown one gets
// a fresh connection).
inline void timedGets(const TestServer& server, const std::string& token, const std::string& path,
                      const std::function<bool()>& more, std::vector<double>& milliseconds,
                      std::atomic<long>& failures) {
    using Clock = std::chrono::steady_clock;
    auto client = server.client();
    client->setBearer(token);
    while (more()) {
        const auto start = Clock::now();
        bool ok = false;
        try {
            ok = client->get(path).status == 200;
        } catch (const std::exception&) {
            client = server.client();
            client->setBearer(token);
        }
        milliseconds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (!ok)
            ++failures;
    }
}

} // namespace breeze::test
