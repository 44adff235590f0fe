#include "alerts/MailSender.h"

#include "net/TlsClientContext.h"

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <memory>
#include <netdb.h>
#include <sys/socket.h>

namespace breeze::server {

namespace {
// Poco's own STARTTLS attaches TLS without the server's name (no SNI, the name checked against the address);
// this one gives the name.
class SmtpSession : public Poco::Net::SMTPClientSession {
public:
    using Poco::Net::SMTPClientSession::SMTPClientSession;
    void secure(const std::string& host, const Poco::Net::Context::Ptr& context) {
        socket() = Poco::Net::SecureStreamSocket::attach(socket(), host, context);
    }
};

bool isLoopback(const Poco::Net::SocketAddress& address) {
    return address.host().isLoopback();
}

// A header line may not carry a line break: anything below a space becomes one.
std::string oneLine(std::string text) {
    for (auto& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    return text;
}

// The first address of the host that the policy allows, connected; throws with the reason otherwise.
Poco::Net::StreamSocket connectAllowed(const std::string& host, int port, const DestinationPolicy& policy,
                                       std::chrono::milliseconds timeout, Poco::Net::SocketAddress& used) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("cannot resolve " + host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    std::string lastError = "no address for " + host;
    for (addrinfo* address = found; address; address = address->ai_next) {
        if (std::string reason = policy.refusal(address->ai_addr); !reason.empty()) {
            lastError = std::move(reason);
            continue;
        }
        try {
            used =
                Poco::Net::SocketAddress(address->ai_addr, static_cast<poco_socklen_t>(address->ai_addrlen));
            Poco::Net::StreamSocket socket;
            socket.connect(
                used, Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()));
            return socket;
        } catch (const Poco::Exception& error) {
            lastError = "cannot connect to " + host + ":" + std::to_string(port) + ": " + error.displayText();
        }
    }
    throw std::runtime_error(lastError);
}
} // namespace

MailSender::MailSender(std::string caFile, DestinationPolicy policy, std::chrono::milliseconds timeout,
                       std::string heloName)
    : m_caFile(std::move(caFile)), m_policy(policy), m_timeout(timeout), m_heloName(std::move(heloName)) {}

DeliveryResult MailSender::send(const SmtpSettings& server, const Mail& mail) const {
    try {
        Poco::Net::SocketAddress address;
        Poco::Net::StreamSocket socket =
            connectAllowed(server.host, server.port, m_policy, m_timeout, address);
        if (server.security == "plain" && !isLoopback(address))
            return {false, 0,
                    "plain SMTP (without TLS) is only for a relay on this host; use starttls or tls"};
        const Poco::Timespan timeout(
            std::chrono::duration_cast<std::chrono::microseconds>(m_timeout).count());
        const auto context = net::makeVerifyingClientContext(server.host, m_caFile, true);
        std::unique_ptr<SmtpSession> session;
        if (server.security == "tls") {
            session = std::make_unique<SmtpSession>(
                Poco::Net::SecureStreamSocket::attach(socket, server.host, context));
            session->setTimeout(timeout);
            session->login(m_heloName);
        } else {
            session = std::make_unique<SmtpSession>(socket);
            session->setTimeout(timeout);
            session->login(m_heloName);
            if (server.security == "starttls") {
                std::string answer;
                if (session->sendCommand("STARTTLS", answer) != 220)
                    return {false, 0, "the SMTP server does not offer STARTTLS: " + oneLine(answer)};
                session->secure(server.host, context);
                session->setTimeout(timeout); // the new socket's own
                session->login(m_heloName);   // EHLO again, now inside TLS
            }
        }
        if (!server.username.empty()) {
            if (server.security == "plain" && !isLoopback(address))
                return {false, 0, "a password is never sent without TLS"};
            session->login(m_heloName, Poco::Net::SMTPClientSession::AUTH_PLAIN, server.username,
                           server.password);
        }
        Poco::Net::MailMessage message;
        message.setSender(server.from);
        for (const auto& to : mail.to)
            message.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, to));
        message.setSubject(Poco::Net::MailMessage::encodeWord(oneLine(mail.subject), "UTF-8"));
        message.setContentType("text/plain; charset=UTF-8");
        message.setContent(mail.body, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
        for (const auto& [name, value] : mail.headers)
            message.set(name, oneLine(value));
        session->sendMessage(message);
        session->close();
        return {true, 250,
                "accepted by " + server.host + " for " + std::to_string(mail.to.size()) + " recipient(s)"};
    } catch (const Poco::Net::SMTPException& error) {
        return {false, 0, "the SMTP server refused: " + oneLine(error.message())};
    } catch (const Poco::Exception& error) {
        return {false, 0, oneLine(error.displayText())};
    } catch (const std::exception& error) {
        return {false, 0, oneLine(error.what())};
    }
}

} // namespace breeze::server
