#pragma once

#include "gateway/AgentConnection.h"
#include "gateway/AgentSession.h"

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace breeze::server {

class AgentGateway;

// One epoll loop serving many agent connections: TLS handshake, upgrade request, admission, then framed
// messages, keepalive pings and idle timeouts. Other threads talk to it only through post().
class EventLoop {
public:
    EventLoop(std::size_t index, AgentGateway& gateway);
    ~EventLoop();

    void start();
    void stop();
    void post(std::function<void(EventLoop&)> task);

    // Loop thread only (from posted tasks).
    void adopt(int fd);
    void sendOn(std::uint64_t connection, const std::string& text);
    void close(std::uint64_t connection, std::uint16_t code, const std::string& reason);
    void admitted(std::uint64_t connection, AgentAdmission admission);

private:
    void run();
    void handle(AgentConnection& connection, std::uint32_t events);
    void readUpgrade(AgentConnection& connection);
    void readMessages(AgentConnection& connection);
    bool allowMessage(AgentConnection& connection);
    void refuse(AgentConnection& connection, int status, const std::string& code, const std::string& message);
    void updateInterest(AgentConnection& connection);
    void setInterest(AgentConnection& connection, std::uint32_t events);
    void destroy(AgentConnection& connection, const std::string& reason);
    void sweep();
    void runPosted();

    std::size_t m_index;
    AgentGateway& m_gateway;
    int m_epoll = -1;
    int m_wake = -1;
    bool m_running = false;
    std::thread m_thread;
    std::mutex m_postMutex;
    std::vector<std::function<void(EventLoop&)>> m_posted;
    std::unordered_map<std::uint64_t, std::unique_ptr<AgentConnection>> m_connections;
    std::vector<std::uint64_t> m_doomed; // destroyed after the current batch of events
};

} // namespace breeze::server
