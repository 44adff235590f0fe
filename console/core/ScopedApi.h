#pragma once

#include "ApiClient.h"

#include <memory>

namespace breeze::console {

// The API client as one asker (a widget's client, a window's model) uses it: an answer that arrives after the
// asker is gone is dropped instead of calling into freed memory. Owned by value by the asker.
class ScopedApi {
public:
    explicit ScopedApi(ApiClient& api) : m_api(api), m_alive(std::make_shared<bool>(true)) {}
    ~ScopedApi() { *m_alive = false; }
    ScopedApi(const ScopedApi&) = delete;
    ScopedApi& operator=(const ScopedApi&) = delete;

    // `done`, or nothing once this scope has ended.
    template <typename Done> auto guard(Done done) const {
        return [alive = m_alive, done = std::move(done)](auto&&... args) {
            if (*alive)
                done(std::forward<decltype(args)>(args)...);
        };
    }

    void get(const QString& pathAndQuery, ApiClient::Callback done) {
        m_api.get(pathAndQuery, guard(std::move(done)));
    }
    void post(const QString& path, const QJsonObject& body, ApiClient::Callback done) {
        m_api.post(path, body, guard(std::move(done)));
    }
    void patch(const QString& path, const QJsonObject& body, ApiClient::Callback done) {
        m_api.patch(path, body, guard(std::move(done)));
    }
    void request(const QString& method, const QString& path, const QJsonObject& body,
                 ApiClient::Callback done) {
        m_api.request(method, path, body, guard(std::move(done)));
    }

    ApiClient& client() const { return m_api; }

private:
    ApiClient& m_api;
    std::shared_ptr<bool> m_alive;
};

} // namespace breeze::console
