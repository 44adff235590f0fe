#include "ops/MetricsRegistry.h"

#include <sstream>

namespace breeze::server {

void MetricsRegistry::recordRequest(const std::string& method, const std::string& route, int status,
                                    double seconds) {
    std::lock_guard lock(m_mutex);
    ++m_requests[{method, route, status}];
    auto& histogram = m_durations[{method, route}];
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i])
            ++histogram.buckets[i];
    }
    ++histogram.count;
    histogram.sum += seconds;
}

void MetricsRegistry::addGauge(std::string name, std::string help, std::function<double()> sample) {
    std::lock_guard lock(m_mutex);
    m_gauges.emplace_back(std::move(name), std::move(help), std::move(sample));
}

void MetricsRegistry::incrementCounter(const std::string& name, const std::string& help) {
    std::lock_guard lock(m_mutex);
    auto& counter = m_counters[name];
    counter.first = help;
    ++counter.second;
}

std::string MetricsRegistry::render() const {
    std::ostringstream out;
    std::lock_guard lock(m_mutex);
    out << "# HELP breeze_http_requests_total HTTP requests by method, route and status.\n"
        << "# TYPE breeze_http_requests_total counter\n";
    for (const auto& [key, count] : m_requests) {
        const auto& [method, route, status] = key;
        out << "breeze_http_requests_total{method=\"" << method << "\",route=\"" << route << "\",status=\""
            << status << "\"} " << count << "\n";
    }
    out << "# HELP breeze_http_request_duration_seconds Time to answer HTTP requests.\n"
        << "# TYPE breeze_http_request_duration_seconds histogram\n";
    for (const auto& [key, histogram] : m_durations) {
        const std::string labels = "method=\"" + key.first + "\",route=\"" + key.second + "\"";
        for (std::size_t i = 0; i < kBuckets.size(); ++i)
            out << "breeze_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i]
                << "\"} " << histogram.buckets[i] << "\n";
        out << "breeze_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << histogram.count
            << "\n";
        out << "breeze_http_request_duration_seconds_sum{" << labels << "} " << histogram.sum << "\n";
        out << "breeze_http_request_duration_seconds_count{" << labels << "} " << histogram.count << "\n";
    }
    for (const auto& [name, counter] : m_counters) {
        out << "# HELP " << name << " " << counter.first << "\n# TYPE " << name << " counter\n"
            << name << " " << counter.second << "\n";
    }
    for (const auto& [name, help, sample] : m_gauges)
        out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
            << name << " " << sample() << "\n";
    return out.str();
}

} // namespace breeze::server
