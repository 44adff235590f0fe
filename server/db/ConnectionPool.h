#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace breeze::server {

// A fixed-size pool of PostgreSQL connections shared by the HTTP worker threads. Broken connections (a
// restarted or unreachable PostgreSQL) are dropped and re-dialled on next use, so the server recovers without
// a restart.
class ConnectionPool {
public:
    class Lease {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection);
        Lease(Lease&&) noexcept;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        pqxx::connection& operator*() { return *m_connection; }
        pqxx::connection* operator->() { return m_connection.get(); }

    private:
        ConnectionPool* m_pool;
        std::unique_ptr<pqxx::connection> m_connection;
    };

    ConnectionPool(std::string url, std::size_t size, std::chrono::milliseconds acquireTimeout);

    // Throws DatabaseUnavailable when no connection can be had in time or PostgreSQL cannot be reached.
    Lease acquire();
    bool ping();
    std::size_t size() const { return m_size; }
    std::size_t inUse() const;

private:
    void release(std::unique_ptr<pqxx::connection> connection);

    std::string m_url;
    std::size_t m_size;
    std::chrono::milliseconds m_acquireTimeout;
    mutable std::mutex m_mutex;
    std::condition_variable m_available;
    std::vector<std::unique_ptr<pqxx::connection>> m_idle;
    std::size_t m_leased = 0;
};

} // namespace breeze::server
