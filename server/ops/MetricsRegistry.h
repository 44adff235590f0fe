#pragma once

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace breeze::server {

// Counters, a request-duration histogram and sampled gauges, rendered in the Prometheus text format.
class MetricsRegistry {
public:
    void recordRequest(const std::string& method, const std::string& route, int status, double seconds);
    void addGauge(std::string name, std::string help, std::function<double()> sample);
    void incrementCounter(const std::string& name, const std::string& help);
    std::string render() const;

private:
    static constexpr std::array<double, 11> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    struct Histogram {
        std::array<unsigned long long, kBuckets.size()> buckets{};
        unsigned long long count = 0;
        double sum = 0;
    };

    mutable std::mutex m_mutex;
    std::map<std::tuple<std::string, std::string, int>, unsigned long long> m_requests;
    std::map<std::pair<std::string, std::string>, Histogram> m_durations;
    std::map<std::string, std::pair<std::string, unsigned long long>> m_counters;
    std::vector<std::tuple<std::string, std::string, std::function<double()>>> m_gauges;
};

} // namespace breeze::server
