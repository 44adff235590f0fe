// The one front door as hostile and ordinary clients meet it, spoken to directly over TLS: REST, agents and
// consoles on one port; idle, slow and silent peers that cost no thread and are dropped at their deadlines;
// a per-address cap; keep-alive, pipelining and chunked bodies; downloads streamed with flat memory.
#include "TestPostgres.h"
#include "TestServer.h"
#include "crypto/CertificateAuthority.h"
#include "net/TlsConnection.h"
#include "net/WebSocketChannel.h"
#include "net/WebSocketConnector.h"

#include <QFile>
#include <QtTest>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace breeze;
using namespace std::chrono_literals;

namespace {
using Clock = std::chrono::steady_clock;
using Io = net::TlsConnection::Io;

// Writes everything, waiting for the socket when it is full.
bool writeAll(net::TlsConnection& tls, const std::string& bytes) {
    std::size_t done = 0;
    const auto deadline = Clock::now() + 10s;
    while (done < bytes.size() && Clock::now() < deadline) {
        const auto sent = tls.write(bytes.data() + done, bytes.size() - done);
        if (sent.io == Io::Ok) {
            done += sent.bytes;
        } else if (sent.io == Io::WouldBlock) {
            pollfd p{tls.fd(), POLLOUT | POLLIN, 0};
            ::poll(&p, 1, 50);
        } else {
            return false;
        }
    }
    return done == bytes.size();
}

struct Reading {
    std::string bytes;
    bool closed = false;
};

// Reads for up to `timeout`, until `enough` says the bytes so far suffice or the peer closes.
Reading readUntil(net::TlsConnection& tls, std::chrono::milliseconds timeout,
                  const std::function<bool(const std::string&)>& enough) {
    Reading reading;
    const auto deadline = Clock::now() + timeout;
    char buffer[16384];
    while (Clock::now() < deadline) {
        const auto got = tls.read(buffer, sizeof buffer);
        if (got.io == Io::Ok) {
            reading.bytes.append(buffer, got.bytes);
            if (enough(reading.bytes))
                return reading;
        } else if (got.io == Io::WouldBlock) {
            pollfd p{tls.fd(), POLLIN, 0};
            ::poll(&p, 1, 50);
        } else {
            reading.closed = true;
            return reading;
        }
    }
    return reading;
}

// The number of complete HTTP responses (with Content-Length bodies) at the start of `bytes`.
std::vector<std::string> responsesIn(const std::string& bytes) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (;;) {
        const auto headEnd = bytes.find("\r\n\r\n", at);
        if (headEnd == std::string::npos)
            return out;
        const std::string head = bytes.substr(at, headEnd - at);
        std::size_t length = 0;
        const auto field = head.find("Content-Length: ");
        if (field != std::string::npos)
            length = std::stoul(head.substr(field + 16));
        if (bytes.size() < headEnd + 4 + length)
            return out;
        out.push_back(bytes.substr(at, headEnd + 4 + length - at));
        at = headEnd + 4 + length;
    }
}

bool closedWithin(net::TlsConnection& tls, std::chrono::milliseconds timeout) {
    return readUntil(tls, timeout, [](const std::string&) { return false; }).closed;
}

long procStatus(qint64 pid, const QString& field) {
    QFile status(QString("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith(field.toUtf8() + ":"))
            return line.mid(field.size() + 1).trimmed().split(' ').first().toLong();
    return -1;
}

double metric(net::RestClient& api, const std::string& name) {
    const auto text = api.get("/metrics").raw;
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}
} // namespace

class TestFrontDoor final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<net::RestClient> m_api;
    std::string m_token;
    net::SslContextPtr m_tls;
    QTemporaryDir m_downloads;

    std::unique_ptr<net::TlsConnection> dial(const std::string& source = {}, int port = 0) {
        return net::TlsConnection::connect("127.0.0.1",
                                           static_cast<unsigned short>(port ? port : m_server->port()),
                                           m_tls.get(), 10s, source);
    }

    std::string get(const std::string& path, const std::string& extra = {}) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
    }

private Q_SLOTS:
    void initTestCase() {
        QFile big(m_downloads.filePath("breeze-agent_9.9.9_amd64.deb"));
        QVERIFY(big.open(QIODevice::WriteOnly));
        const QByteArray block(1 << 20, 'b');
        for (int i = 0; i < 64; ++i)
            big.write(block);
        big.close();
        // Freed memory waits in AddressSanitizer's quarantine (256 MiB by default), which would hide whether
        // the server's own memory stays flat while it streams downloads.
        qputenv("ASAN_OPTIONS", qgetenv("ASAN_OPTIONS") + ":quarantine_size_mb=16");
        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<test::TestServer>(
            *m_postgres, "front_door",
            std::map<std::string, std::string>{{"http.handshake_timeout_seconds", "2"},
                                               {"http.header_timeout_seconds", "2"},
                                               {"http.idle_timeout_seconds", "2"},
                                               {"http.body_timeout_seconds", "2"},
                                               {"http.write_timeout_seconds", "2"},
                                               {"http.max_connections_per_address", "600"},
                                               {"downloads.dir", m_downloads.path().toStdString()}});
        const auto admin = m_server->bootstrap("admin@door.test", "Door MSP", false);
        m_api = m_server->signIn(admin.email, admin.password, admin.totpSecret);
        m_token = m_server->lastLogin()["access_token"];
        m_tls = net::makeClientSslContext(m_server->caFile());
    }

    void restAgentsAndConsolesShareOnePort() {
        const auto info = m_server->client()->get("/api/v1/server-info");
        QCOMPARE(info.status, 200);
        QCOMPARE(info.body["gateway_port"].get<int>(), m_server->port());
        // A console's WebSocket on the very port REST answered on.
        net::WebSocketTarget target;
        target.host = "localhost";
        target.port = static_cast<unsigned short>(m_server->port());
        target.path = "/api/v1/console/ws";
        target.headers["Authorization"] = "Bearer " + m_token;
        auto upgraded = net::connectWebSocket(target, m_tls.get(), 10s);
        QVERIFY(upgraded.connection != nullptr);
        // A plain request to a WebSocket path is told to upgrade, not routed.
        auto tls = dial();
        QVERIFY(writeAll(*tls, get("/api/v1/agent/ws")));
        const auto answer = readUntil(*tls, 5s, [](const std::string& b) { return !responsesIn(b).empty(); });
        QVERIFY2(answer.bytes.starts_with("HTTP/1.1 426 "), answer.bytes.c_str());
    }

    void aSeparateAgentPortIsAnOption() {
        test::TestServer separate(*m_postgres, "front_door_separate", {{"gateway.port", "0"}});
        QVERIFY(separate.gatewayPort() != separate.port());
        const auto info = separate.client()->get("/api/v1/server-info");
        QCOMPARE(info.body["gateway_port"].get<int>(), separate.gatewayPort());
        auto tls =
            net::TlsConnection::connect("127.0.0.1", static_cast<unsigned short>(separate.gatewayPort()),
                                        net::makeClientSslContext(separate.caFile()).get(), 10s);
        QVERIFY(writeAll(*tls, get("/healthz")));
        const auto answer = readUntil(*tls, 5s, [](const std::string& b) { return !responsesIn(b).empty(); });
        QVERIFY2(answer.bytes.starts_with("HTTP/1.1 200 "), answer.bytes.c_str());
    }

    void idleAndSlowPeersCostNoThread() {
        // Its own server with the default deadlines, so the peers stay while they are counted.
        test::TestServer roomy(*m_postgres, "front_door_roomy",
                               {{"http.max_connections_per_address", "600"}});
        const auto admin = roomy.bootstrap("admin@roomy.test", "Roomy MSP", false);
        auto api = roomy.signIn(admin.email, admin.password, admin.totpSecret);
        auto tls = net::makeClientSslContext(roomy.caFile());
        auto dialRoomy = [&](const std::string& source) {
            return net::TlsConnection::connect("127.0.0.1", static_cast<unsigned short>(roomy.port()),
                                               tls.get(), 10s, source);
        };
        const long threadsBefore = procStatus(roomy.pid(), "Threads");
        QVERIFY(threadsBefore > 0);
        std::vector<std::unique_ptr<net::TlsConnection>> idle;
        std::vector<std::unique_ptr<net::TlsConnection>> slow;
        idle.reserve(300);
        for (int i = 0; i < 300; ++i)
            idle.push_back(dialRoomy("127.0.0." + std::to_string(10 + i % 20)));
        for (int i = 0; i < 100; ++i) {
            slow.push_back(dialRoomy("127.0.0." + std::to_string(40 + i % 10)));
            QVERIFY(writeAll(*slow.back(), "GET /api/v1/orgs HTTP/1.1\r\n"));
        }
        QTRY_VERIFY_WITH_TIMEOUT(metric(*api, "breeze_connections") >= 400, 10000);
        // Four hundred peers hold connections and none holds a thread: a signed-in client's REST calls are
        // answered all the same.
        for (int i = 0; i < 40; ++i) {
            QCOMPARE(api->get("/api/v1/orgs").status, 200);
            QCOMPARE(roomy.client()->get("/healthz").status, 200);
        }
        QVERIFY(metric(*api, "breeze_connections") >= 400);
        const long threadsDuring = procStatus(roomy.pid(), "Threads");
        QVERIFY2(threadsDuring - threadsBefore < 8,
                 qPrintable(
                     QString("%1 threads before, %2 with 400 peers").arg(threadsBefore).arg(threadsDuring)));
    }

    void silentPeersAreDroppedAtTheirDeadlines() {
        // No TLS handshake at all: dropped after the handshake deadline.
        const int raw = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<unsigned short>(m_server->port()));
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
        QCOMPARE(::connect(raw, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        pollfd p{raw, POLLIN, 0};
        QCOMPARE(::poll(&p, 1, 6000), 1);
        char byte = 0;
        QVERIFY(::read(raw, &byte, 1) <= 0);
        ::close(raw);

        // A head trickled a byte at a time stays open only until the header deadline.
        auto trickle = dial();
        const auto started = Clock::now();
        const std::string head = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
        bool closed = false;
        for (std::size_t i = 0; !closed && Clock::now() - started < 10s; ++i) {
            closed = !writeAll(*trickle, std::string(1, i < head.size() ? head[i] : 'x')) ||
                     closedWithin(*trickle, 200ms);
        }
        QVERIFY(closed); // within the 10 s the loop trickles: a 2 s deadline, not a head kept open forever

        // A body that stops arriving gets 408 after the body deadline.
        auto stalled = dial();
        QVERIFY(writeAll(*stalled,
                         "POST /api/v1/orgs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + m_token +
                             "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\""));
        const auto late =
            readUntil(*stalled, 8s, [](const std::string& b) { return !responsesIn(b).empty(); });
        QVERIFY2(late.bytes.starts_with("HTTP/1.1 408 "), late.bytes.c_str());
        QVERIFY(closedWithin(*stalled, 3000ms));
        QCOMPARE(m_api->get("/api/v1/orgs").body["items"].size(), std::size_t(0));
    }

    void oneAddressCannotTakeEveryConnection() {
        test::TestServer capped(*m_postgres, "front_door_cap", {{"http.max_connections_per_address", "20"}});
        auto tls = net::makeClientSslContext(capped.caFile());
        auto connectFrom = [&](const std::string& source) -> std::unique_ptr<net::TlsConnection> {
            try {
                return net::TlsConnection::connect("127.0.0.1", static_cast<unsigned short>(capped.port()),
                                                   tls.get(), 5s, source);
            } catch (const std::exception&) {
                return nullptr;
            }
        };
        std::vector<std::unique_ptr<net::TlsConnection>> held;
        for (int i = 0; i < 20; ++i) {
            held.push_back(connectFrom("127.0.0.60"));
            QVERIFY(held.back() != nullptr);
        }
        QVERIFY(connectFrom("127.0.0.60") == nullptr); // the 21st from that address is closed at once
        auto other = connectFrom("127.0.0.61");        // while another address is served
        QVERIFY(other != nullptr);
        QVERIFY(writeAll(*other, get("/healthz")));
        const auto answer =
            readUntil(*other, 5s, [](const std::string& b) { return !responsesIn(b).empty(); });
        QVERIFY2(answer.bytes.starts_with("HTTP/1.1 200 "), answer.bytes.c_str());
        // Freed slots are free again.
        held.clear();
        QTRY_VERIFY_WITH_TIMEOUT(connectFrom("127.0.0.60") != nullptr, 5000);
    }

    void oneAddressCannotHandshakeWithoutEnd() {
        test::TestServer limited(*m_postgres, "front_door_rate",
                                 {{"http.new_connections_per_second_per_address", "1"},
                                  {"http.new_connection_burst_per_address", "5"}});
        auto tls = net::makeClientSslContext(limited.caFile());
        auto connectsFrom = [&](const std::string& source) {
            try {
                net::TlsConnection::connect("127.0.0.1", static_cast<unsigned short>(limited.port()),
                                            tls.get(), 5s, source);
                return true;
            } catch (const std::exception&) {
                return false;
            }
        };
        // Thirty connections opened and closed at once from one address: the burst and about one a second
        // pass.
        int accepted = 0;
        const auto started = Clock::now();
        for (int i = 0; i < 30; ++i)
            accepted += connectsFrom("127.0.0.70") ? 1 : 0;
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        QVERIFY2(accepted >= 5 && accepted <= 5 + static_cast<int>(seconds) + 1,
                 qPrintable(QString("%1 accepted in %2 s").arg(accepted).arg(seconds)));
        QVERIFY(connectsFrom("127.0.0.71")); // another address is not held back
    }

    void keepAlivePipeliningAndClose() {
        auto tls = dial();
        // Two requests in one write are answered in order on the same connection.
        QVERIFY(writeAll(*tls, get("/healthz", "X-Request-Id: first\r\n") +
                                   get("/api/v1/orgs",
                                       "X-Request-Id: second\r\nAuthorization: Bearer " + m_token + "\r\n")));
        const auto both =
            readUntil(*tls, 5s, [](const std::string& b) { return responsesIn(b).size() >= 2; });
        const auto responses = responsesIn(both.bytes);
        QCOMPARE(responses.size(), std::size_t(2));
        QVERIFY(responses[0].find("X-Request-Id: first") != std::string::npos);
        QVERIFY(responses[1].find("X-Request-Id: second") != std::string::npos);
        QVERIFY(responses[1].starts_with("HTTP/1.1 200 "));
        QVERIFY(responses[1].find("Connection: keep-alive") != std::string::npos);
        // Connection: close is honoured once the answer is out.
        QVERIFY(writeAll(*tls, get("/healthz", "Connection: close\r\n")));
        const auto last = readUntil(*tls, 5s, [](const std::string&) { return false; });
        QVERIFY(last.closed);
        QVERIFY(last.bytes.starts_with("HTTP/1.1 200 "));
        QVERIFY(last.bytes.find("Connection: close") != std::string::npos);
    }

    void bodiesAreFramedStrictly() {
        const std::string auth =
            "Authorization: Bearer " + m_token + "\r\nContent-Type: application/json\r\n";
        auto send = [&](const std::string& request) {
            auto tls = dial();
            if (!writeAll(*tls, request))
                return std::string("write failed");
            return readUntil(*tls, 5s, [](const std::string& b) { return !responsesIn(b).empty(); }).bytes;
        };
        // Chunked, in pieces.
        const auto created = send("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\n" + auth +
                                  "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"nam\r\n7;ext=1\r\ne\":\"Chu\r\n"
                                  "7\r\nnked\"}\n\r\n0\r\nTrailer: x\r\n\r\n");
        QVERIFY2(created.starts_with("HTTP/1.1 201 "), created.c_str());
        // Two framings at once could be read two ways: refused.
        const auto smuggle = send("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\n" + auth +
                                  "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        QVERIFY2(smuggle.starts_with("HTTP/1.1 400 "), smuggle.c_str());
        const auto badChunk = send("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\n" + auth +
                                   "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
        QVERIFY2(badChunk.starts_with("HTTP/1.1 400 "), badChunk.c_str());
        const auto gzip = send("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\n" + auth +
                               "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        QVERIFY2(gzip.starts_with("HTTP/1.1 501 "), gzip.c_str());
        // HEAD has no route; answered and closed, so no body can be taken for a next answer.
        const auto head = send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY2(head.starts_with("HTTP/1.1 405 ") && head.find("Connection: close") != std::string::npos,
                 head.c_str());
        // Strangers may send only small bodies, even to public routes.
        const auto bigLogin =
            send("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: 1000000\r\n\r\n{");
        QVERIFY2(bigLogin.starts_with("HTTP/1.1 413 "), bigLogin.c_str());
        const auto noHost = send("GET /healthz HTTP/1.1\r\n\r\n");
        QVERIFY2(noHost.starts_with("HTTP/1.1 400 "), noHost.c_str());
        const auto huge =
            send("GET /healthz HTTP/1.1\r\nHost: x\r\nX: " + std::string(20000, 'a') + "\r\n\r\n");
        QVERIFY2(huge.starts_with("HTTP/1.1 431 "), huge.c_str());
        QCOMPARE(m_api->get("/api/v1/orgs").body["items"].size(), std::size_t(1));
    }

    void aClientMayWaitForOneHundredContinue() {
        auto tls = dial();
        const std::string body = R"({"name":"Continued"})";
        QVERIFY(writeAll(
            *tls, "POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + m_token +
                      "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n"));
        const auto interim =
            readUntil(*tls, 5s, [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; });
        QVERIFY2(interim.bytes.starts_with("HTTP/1.1 100 Continue\r\n\r\n"), interim.bytes.c_str());
        QVERIFY(writeAll(*tls, body));
        const auto created =
            readUntil(*tls, 5s, [](const std::string& b) { return !responsesIn(b).empty(); });
        QVERIFY2(created.bytes.starts_with("HTTP/1.1 201 "), created.bytes.c_str());
        QCOMPARE(m_api
                     ->del("/api/v1/orgs/" + nlohmann::json::parse(responsesIn(created.bytes)[0].substr(
                                                 responsesIn(created.bytes)[0].find("\r\n\r\n") + 4))["id"]
                                                 .get<std::string>())
                     .status,
                 204);
    }

    void downloadsStreamWithFlatMemory() {
        const std::uint64_t size = 64ull << 20;
        const long rssBefore = procStatus(m_server->pid(), "VmRSS");
        // Four clients download the 64 MiB file at once; a server that held each file in memory would grow by
        // hundreds of MiB.
        std::vector<std::unique_ptr<net::TlsConnection>> clients;
        for (int i = 0; i < 4; ++i) {
            clients.push_back(dial());
            QVERIFY(writeAll(*clients.back(), get("/downloads/breeze-agent_9.9.9_amd64.deb")));
        }
        std::vector<std::uint64_t> received(clients.size(), 0);
        std::vector<std::string> heads(clients.size());
        long rssPeak = rssBefore;
        const auto deadline = Clock::now() + 120s;
        char buffer[65536];
        bool done = false;
        while (!done && Clock::now() < deadline) {
            done = true;
            for (std::size_t i = 0; i < clients.size(); ++i) {
                auto& tls = *clients[i];
                for (int reads = 0; reads < 16; ++reads) {
                    const auto got = tls.read(buffer, sizeof buffer);
                    if (got.io != Io::Ok)
                        break;
                    if (heads[i].find("\r\n\r\n") == std::string::npos) {
                        heads[i].append(buffer, got.bytes);
                        const auto end = heads[i].find("\r\n\r\n");
                        if (end != std::string::npos)
                            received[i] += heads[i].size() - end - 4;
                    } else {
                        received[i] += got.bytes;
                    }
                }
                const auto headEnd = heads[i].find("\r\n\r\n");
                if (headEnd == std::string::npos || received[i] < size)
                    done = false;
            }
            rssPeak = std::max(rssPeak, procStatus(m_server->pid(), "VmRSS"));
            pollfd p{clients[0]->fd(), POLLIN, 0};
            ::poll(&p, 1, 1);
        }
        for (std::size_t i = 0; i < clients.size(); ++i) {
            QVERIFY2(heads[i].starts_with("HTTP/1.1 200 "), heads[i].substr(0, 200).c_str());
            QVERIFY(heads[i].find("Content-Length: " + std::to_string(size)) != std::string::npos);
            QCOMPARE(received[i], size);
        }
        const long growthKiB = rssPeak - rssBefore;
        qInfo("four 64 MiB downloads at once: the server's resident memory grew by %ld KiB", growthKiB);
        QVERIFY2(growthKiB < 48L * 1024, qPrintable(QString("server grew by %1 KiB").arg(growthKiB)));
    }

    void aClientThatStopsReadingIsDropped() {
        auto stuck = dial();
        QVERIFY(writeAll(*stuck, get("/downloads/breeze-agent_9.9.9_amd64.deb")));
        // It reads nothing; once the socket buffers are full the server waits the write deadline, then drops
        // it.
        QTRY_VERIFY_WITH_TIMEOUT(metric(*m_api, "breeze_connections") <= 2, 15000);
        QVERIFY(closedWithin(*stuck, 10000ms));
    }

    void theCertificateIsRenewedUnderTheSameCaWithoutARestart() {
        // A one-day certificate renewed two days before it expires: renewed at every look, once a second.
        test::TestServer renewing(*m_postgres, "front_door_renew",
                                  {{"tls.certificate_days", "1"},
                                   {"tls.renew_before_days", "2"},
                                   {"tls.renewal_check_seconds", "1"}});
        const auto admin = renewing.bootstrap("admin@renew.test", "Renew MSP", false);
        auto api = renewing.signIn(admin.email, admin.password, admin.totpSecret);
        auto pinned = net::makeClientSslContext(renewing.caFile()); // trusts the CA alone, as agents do
        auto served = [&] {
            auto tls = net::TlsConnection::connect("127.0.0.1", static_cast<unsigned short>(renewing.port()),
                                                   pinned.get(), 10s);
            return crypto::CertificateAuthority::sha256Fingerprint(tls->peerCertificatePem());
        };
        // A console session opened before the renewal.
        net::WebSocketTarget target;
        target.host = "localhost";
        target.port = static_cast<unsigned short>(renewing.port());
        target.path = "/api/v1/console/ws";
        target.headers["Authorization"] = "Bearer " + renewing.lastLogin()["access_token"].get<std::string>();
        auto upgraded = net::connectWebSocket(target, pinned.get(), 10s);
        net::WebSocketChannel session(std::move(upgraded.connection), protocol::WsRole::Client, 1 << 20,
                                      1 << 20);
        session.prime(upgraded.earlyBytes);

        const std::string before = served();
        QTRY_VERIFY_WITH_TIMEOUT(served() != before, 10000);
        QVERIFY(renewing.isRunning());
        QVERIFY(renewing.logText().contains("server certificate renewed under the same CA"));
        // New connections verify against the same CA; the session from before carries on.
        QCOMPARE(api->get("/api/v1/auth/me").status, 200);
        QCOMPARE(net::RestClient(renewing.url(), renewing.caFile()).get("/healthz").status, 200);
        QVERIFY(session.sendText(R"({"type":"watch","device_ids":[]})"));
        QVERIFY(session.flush());
        QVERIFY(!closedWithin(session.tls(), 1500ms));
        QVERIFY(session.open());
    }

    void cleanupTestCase() {
        m_api.reset();
        m_server.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestFrontDoor)
#include "TestFrontDoor.moc"
