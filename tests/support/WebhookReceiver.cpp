#include "WebhookReceiver.h"

#include "crypto/CertificateAuthority.h"
#include "crypto/Digest.h"
#include "encoding/Hex.h"

#include <QEventLoop>
#include <QFile>
#include <QSemaphore>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QThread>

namespace breeze::test {

namespace {
std::string lower(std::string text) {
    for (auto& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Reads one request per connection and answers it as the receiver's mode says.
void serve(WebhookReceiver& receiver, QSslSocket* socket) {
    auto buffer = std::make_shared<QByteArray>();
    auto done = std::make_shared<bool>(false); // one request per connection: later bytes are not a second one
    QObject::connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
    QObject::connect(socket, &QSslSocket::readyRead, socket, [&receiver, socket, buffer, done] {
        if (*done)
            return;
        buffer->append(socket->readAll());
        const auto headEnd = buffer->indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        const std::string head = buffer->left(headEnd).toStdString();
        WebhookReceiver::Delivery delivery;
        std::size_t lineEnd = head.find("\r\n");
        const std::string requestLine = head.substr(0, lineEnd);
        const auto firstSpace = requestLine.find(' ');
        delivery.path = requestLine.substr(firstSpace + 1, requestLine.rfind(' ') - firstSpace - 1);
        while (lineEnd != std::string::npos) {
            const std::size_t next = head.find("\r\n", lineEnd + 2);
            const std::string line =
                head.substr(lineEnd + 2, next == std::string::npos ? std::string::npos : next - lineEnd - 2);
            if (const auto colon = line.find(':'); colon != std::string::npos) {
                const auto value = line.find_first_not_of(' ', colon + 1);
                delivery.headers[lower(line.substr(0, colon))] =
                    value == std::string::npos ? "" : line.substr(value);
            }
            lineEnd = next;
        }
        long long length = 0;
        try {
            length = delivery.headers.contains("content-length")
                         ? std::stoll(delivery.headers["content-length"])
                         : 0;
        } catch (const std::exception&) {
            length = -1;
        }
        if (length < 0) {
            *done = true;
            socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            socket->disconnectFromHost();
            receiver.record(std::move(delivery));
            return;
        }
        if (buffer->size() < headEnd + 4 + length)
            return;
        delivery.rawBody = buffer->mid(headEnd + 4, static_cast<qsizetype>(length)).toStdString();
        delivery.body = nlohmann::json::parse(delivery.rawBody, nullptr, false);
        if (!receiver.secret().empty())
            delivery.signatureValid =
                delivery.headers["x-breeze-signature"] ==
                "sha256=" +
                    encoding::hexEncode(crypto::Digest::hmacSha256(
                        receiver.secret(), delivery.headers["x-breeze-timestamp"] + "." + delivery.rawBody));
        *done = true;
        // What a careful receiver does: a notice without a valid signature, or whose delivery header and body
        // disagree, is refused.
        const bool trusted =
            receiver.secret().empty() ||
            (delivery.signatureValid && delivery.body.is_object() &&
             delivery.body.value("id", std::string()) == delivery.headers["x-breeze-delivery"]);
        const auto mode = trusted ? receiver.mode() : WebhookReceiver::Mode::Refuse;
        if (mode == WebhookReceiver::Mode::Drop) {
            receiver.record(std::move(delivery));
            socket->abort();
            return;
        }
        delivery.answered = mode == WebhookReceiver::Mode::Accept;
        socket->write(
            delivery.answered
                ? "HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nreceived"
                : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy");
        socket->disconnectFromHost();
        receiver.record(std::move(delivery));
    });
}
} // namespace

WebhookReceiver::WebhookReceiver(std::string secret) : m_secret(std::move(secret)) {
    const auto ca = crypto::CertificateAuthority::createRoot("Webhook receiver test CA", 30);
    const auto leaf = crypto::CertificateAuthority::issueServerCertificate(ca, "127.0.0.1", {"localhost"},
                                                                           {"127.0.0.1"}, 30);
    QFile caPem(caFile());
    if (!caPem.open(QIODevice::WriteOnly))
        qFatal("the webhook receiver cannot write its CA");
    caPem.write(QByteArray::fromStdString(ca.certificatePem));
    caPem.close();
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(QSslCertificate(QByteArray::fromStdString(leaf.certificatePem)));
    tls.setPrivateKey(QSslKey(QByteArray::fromStdString(leaf.privateKeyPem), QSsl::Ec));
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    QSemaphore listening;
    m_thread.reset(QThread::create([this, tls, &listening] {
        QSslServer server;
        server.setSslConfiguration(tls);
        QObject::connect(&server, &QSslServer::pendingConnectionAvailable, &server, [this, &server] {
            while (auto* socket = qobject_cast<QSslSocket*>(server.nextPendingConnection()))
                serve(*this, socket);
        });
        if (!server.listen(QHostAddress::LocalHost, 0))
            qFatal("the webhook receiver cannot listen");
        m_port = server.serverPort();
        listening.release();
        QEventLoop loop;
        loop.exec();
    }));
    m_thread->start();
    listening.acquire();
}

WebhookReceiver::~WebhookReceiver() {
    m_thread->quit();
    m_thread->wait();
}

std::string WebhookReceiver::url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(m_port) + path;
}

QString WebhookReceiver::caFile() const {
    return m_dir.filePath("receiver-ca.pem");
}

void WebhookReceiver::record(Delivery delivery) {
    ++m_attempts;
    std::lock_guard lock(m_mutex);
    m_deliveries.push_back(std::move(delivery));
}

std::vector<WebhookReceiver::Delivery> WebhookReceiver::deliveries() const {
    std::lock_guard lock(m_mutex);
    return m_deliveries;
}

std::vector<WebhookReceiver::Delivery> WebhookReceiver::accepted(const std::string& event) const {
    std::vector<Delivery> found;
    for (const auto& delivery : deliveries())
        if (delivery.answered && delivery.body.value("event", std::string()) == event)
            found.push_back(delivery);
    return found;
}

} // namespace breeze::test
