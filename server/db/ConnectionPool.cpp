#include "db/ConnectionPool.h"

#include "db/DatabaseUnavailable.h"

#include <cerrno>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <sys/socket.h>

namespace breeze::server {

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection)
    : m_pool(&pool), m_connection(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : m_pool(other.m_pool), m_connection(std::move(other.m_connection)) {
    other.m_pool = nullptr;
}

ConnectionPool::Lease::~Lease() {
    if (m_pool)
        m_pool->release(std::move(m_connection));
}

namespace {
// A restarted or stopped PostgreSQL sends its clients a farewell and closes the socket. An idle connection of
// ours never expects bytes (it does not LISTEN), so EOF or anything waiting to be read means it is stale;
// peeking finds that without a round trip, and the connection is replaced before a request ever uses it.
bool stillConnected(pqxx::connection& connection) {
    if (!connection.is_open())
        return false;
    const int fd = connection.sock();
    if (fd < 0)
        return false;
    char byte = 0;
    const ssize_t peeked = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}
} // namespace

ConnectionPool::ConnectionPool(std::string url, std::size_t size, std::chrono::milliseconds acquireTimeout)
    : m_url(std::move(url)), m_size(size), m_acquireTimeout(acquireTimeout) {}

ConnectionPool::Lease ConnectionPool::acquire() {
    std::unique_ptr<pqxx::connection> connection;
    {
        std::unique_lock lock(m_mutex);
        if (!m_available.wait_for(lock, m_acquireTimeout, [this] { return m_leased < m_size; }))
            throw DatabaseUnavailable("all database connections are busy");
        ++m_leased;
        if (!m_idle.empty()) {
            connection = std::move(m_idle.back());
            m_idle.pop_back();
        }
    }
    if (connection && !stillConnected(*connection))
        connection.reset();
    try {
        if (!connection || !connection->is_open()) {
            connection = std::make_unique<pqxx::connection>(m_url);
            // Timestamps leave the database as UTC whatever the server's time zone, so cursors and hashes
            // agree.
            pqxx::nontransaction setup(*connection);
            setup.exec("SET TIME ZONE 'UTC'");
        }
    } catch (const std::exception& error) {
        std::lock_guard lock(m_mutex);
        --m_leased;
        m_available.notify_one();
        throw DatabaseUnavailable(std::string("database unreachable: ") + error.what());
    }
    return Lease(*this, std::move(connection));
}

void ConnectionPool::release(std::unique_ptr<pqxx::connection> connection) {
    std::lock_guard lock(m_mutex);
    --m_leased;
    // A connection that broke mid-request is not worth keeping; the next acquire dials afresh.
    if (connection && connection->is_open())
        m_idle.push_back(std::move(connection));
    m_available.notify_one();
}

bool ConnectionPool::ping() {
    try {
        auto lease = acquire();
        pqxx::nontransaction tx(*lease);
        tx.exec("SELECT 1");
        return true;
    } catch (const DatabaseUnavailable&) {
        return false;
    } catch (const pqxx::broken_connection&) {
        return false;
    } catch (const pqxx::sql_error&) {
        return false;
    }
}

std::size_t ConnectionPool::inUse() const {
    std::lock_guard lock(m_mutex);
    return m_leased;
}

} // namespace breeze::server
