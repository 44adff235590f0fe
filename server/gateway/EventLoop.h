#pragma once

#include "gateway/AgentSession.h"
#include "gateway/Connection.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace breeze::server {

class AgentSessionHandler;
class FrontDoor;

// One epoll loop serving many connections of the front door: TLS handshake, request heads, bodies and answers
// with their deadlines, WebSocket upgrades, admission, framed messages, keepalive pings and idle timeouts.
// Other threads talk to it only through post().
class EventLoop {
public:
    EventLoop(std::size_t index, FrontDoor& door);
    ~EventLoop();

    void start();
    void stop();
    void post(std::function<void(EventLoop&)> task);
    // REST requests read and not yet fully answered (for a graceful stop).
    std::size_t httpInFlight() const { return m_httpInFlight.load(); }

    // Loop thread only (from posted tasks).
    void adopt(int fd, const std::string& address);
    void sendOn(std::uint64_t connection, const std::string& text);
    void streamOn(std::uint64_t connection, const std::string& frame, net::WebSocketChannel::Lane lane);
    // Closes once what is queued is written (a session's last frames reach its peer), or after a deadline.
    void closeDrained(std::uint64_t connection, std::uint16_t code, const std::string& reason);
    void close(std::uint64_t connection, std::uint16_t code, const std::string& reason);
    void admitted(std::uint64_t connection, AgentSessionHandler* handler, AgentAdmission admission);
    void answered(std::uint64_t connection, const std::shared_ptr<HttpAnswer>& answer);
    void bodyWanted(std::uint64_t connection, std::size_t limit);
    // A paused session may read again (its window drained, its rate refilled, its held message may go).
    void resumeReading(std::uint64_t connection);

private:
    void run();
    void handle(Connection& connection, std::uint32_t events);
    // Reads and acts on a request head; false when the connection was refused or needs nothing more now.
    void readRequestHead(Connection& connection);
    void startRequest(Connection& connection, protocol::HttpRequestHead head);
    void startUpgrade(Connection& connection, const protocol::HttpRequestHead& head, std::size_t headBytes);
    void readRequestBody(Connection& connection);
    void submit(Connection& connection, std::function<std::shared_ptr<HttpAnswer>(HttpExchange&)> work);
    void respond(Connection& connection, HttpAnswer answer);
    void continueResponse(Connection& connection);
    void readMessages(Connection& connection);
    // Back-pressure on an open session: whether one more message may be read now, else why not and until
    // when (a time, or the window's own resume).
    bool mayTakeMessage(Connection& connection);
    void pauseReading(Connection& connection, std::optional<std::chrono::steady_clock::time_point> until);
    bool offerHeld(Connection& connection);
    void resumeDue();
    // Answers a plain HTTP refusal (JSON error) and closes once it is written.
    void refuse(Connection& connection, int status, const std::string& code, const std::string& message);
    // After work done outside handle(): drops a connection that closed meanwhile, else sets its interest.
    void settle(Connection& connection);
    void updateInterest(Connection& connection);
    void setInterest(Connection& connection, std::uint32_t events);
    void destroy(Connection& connection, const std::string& reason);
    void sweep();
    void runPosted();

    std::size_t m_index;
    FrontDoor& m_door;
    int m_epoll = -1;
    int m_wake = -1;
    bool m_running = false;
    std::thread m_thread;
    std::mutex m_postMutex;
    std::vector<std::function<void(EventLoop&)>> m_posted;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> m_connections;
    std::vector<std::uint64_t> m_doomed; // destroyed after the current batch of events
    std::multimap<std::chrono::steady_clock::time_point, std::uint64_t> m_resumeAt;
    std::atomic<std::size_t> m_httpInFlight{0};
};

} // namespace breeze::server
