#include "http/RequestDispatcher.h"

#include "app/ServerContext.h"
#include "auth/Authenticator.h"
#include "crypto/SecureRandom.h"
#include "db/DatabaseUnavailable.h"
#include "http/ApiError.h"
#include "http/ClientAddress.h"
#include "http/RequestContext.h"
#include "ops/JsonLogger.h"
#include "units/Units.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <chrono>
#include <pqxx/except>

namespace breeze::server {

namespace {
constexpr std::size_t kPublicBodyLimit = 64 * kKiB;

bool isSafeRequestId(const std::string& id) {
    if (id.empty() || id.size() > 64)
        return false;
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

nlohmann::json errorBody(const std::string& code, const std::string& message) {
    return {{"error", {{"code", code}, {"message", message}}}};
}

std::string resultFor(int status) {
    return status == 403 || status == 404 ? "denied" : "failure";
}

ApiResponse errorResponse(const ApiError& error) {
    ApiResponse result = ApiResponse::json(errorBody(error.code(), error.what()), error.status());
    if (error.retryAfterSeconds() > 0)
        result.headers.emplace_back("Retry-After", std::to_string(error.retryAfterSeconds()));
    return result;
}

// The answer's headers and body from a route's response; the same for every answer the server gives.
HttpAnswer toAnswer(const ApiResponse& result, const std::string& requestId) {
    HttpAnswer answer;
    answer.status = result.status;
    answer.headers = {{"X-Request-Id", requestId},
                      {"Cache-Control", "no-store"},
                      {"X-Content-Type-Options", "nosniff"},
                      {"Strict-Transport-Security", "max-age=31536000"}};
    for (const auto& header : result.headers)
        answer.headers.push_back(header);
    if (result.status != 204) {
        answer.headers.emplace_back("Content-Type", result.contentType);
        if (result.file) {
            answer.file = result.file;
            answer.fileSize = result.fileSize;
        } else {
            answer.body = result.rawBody.empty()
                              ? result.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                              : result.rawBody;
        }
    }
    return answer;
}

// One request through the REST side: state kept between begin() and finish().
class RestExchange final : public HttpExchange {
public:
    RestExchange(ServerContext& server, protocol::HttpRequestHead head, const std::string& peer)
        : m_server(server), m_head(std::move(head)), m_started(std::chrono::steady_clock::now()) {
        m_requestId = m_head.header("x-request-id");
        if (!isSafeRequestId(m_requestId))
            m_requestId = crypto::SecureRandom::token(12);
        m_address = clientAddress(peer, m_head.header("x-forwarded-for"), server.config.httpTrustedProxies);
    }

    std::optional<HttpAnswer> begin(bool hasBody) override {
        try {
            Poco::URI uri;
            std::map<std::string, std::string> query;
            try {
                uri = Poco::URI(m_head.target);
                m_path = uri.getPath();
                for (const auto& [key, value] : uri.getQueryParameters())
                    query.emplace(key, value);
            } catch (const Poco::Exception&) {
                throw ApiError::badRequest("the request URI is malformed");
            }
            const RouteMatch match = m_server.router.match(m_head.method, m_path);
            if (!match.route) {
                if (match.pathKnown)
                    throw ApiError(405, "method_not_allowed",
                                   m_head.method + " is not supported on " + m_path);
                throw ApiError(404, "not_found", "no such endpoint: " + m_path);
            }
            m_route = match.route;
            m_routeLabel = m_route->pattern;
            m_ctx.emplace(m_server, m_head, m_requestId, m_address, m_path, std::move(query));
            m_ctx->setPathParams(match.params);
            if (m_route->access != RouteAccess::Public) {
                Authenticator authenticator(m_server);
                m_ctx->setPrincipal(
                    authenticator.authenticate(m_head.header("authorization"), m_address, m_requestId));
                if (m_ctx->principal().mfaEnrollmentOnly && m_route->access != RouteAccess::MfaEnrollment)
                    throw ApiError(403, "mfa_enrollment_required",
                                   "multi-factor authentication must be set up before anything else "
                                   "(POST /api/v1/auth/mfa/setup, then /api/v1/auth/mfa/enable)");
            }
        } catch (...) {
            // Refused before its body was read: a body still on the wire would be taken for the next request.
            return complete(failure(), hasBody);
        }
        if (hasBody)
            return std::nullopt;
        return run();
    }

    std::size_t bodyLimit() const override {
        // Sign-in, refresh and enrollment are open to anyone: they need a few KiB, not the authenticated
        // limit, so strangers cannot make the server hold large bodies.
        const bool stranger = !m_ctx || !m_ctx->hasPrincipal();
        return stranger ? std::min<std::size_t>(kPublicBodyLimit, m_server.config.httpMaxBodyBytes)
                        : m_server.config.httpMaxBodyBytes;
    }

    HttpAnswer finish(std::string body) override {
        m_ctx->setBody(std::move(body));
        return run();
    }

    HttpAnswer fail(int status, const std::string& code, const std::string& message) override {
        return complete(errorResponse(ApiError(status, code, message)), true);
    }

private:
    HttpAnswer run() {
        ApiResponse result;
        try {
            result = m_route->handler(*m_ctx);
            if (!m_route->action.empty() && result.status < 400 && !m_ctx->audited())
                logger().error("mutation finished without an audit entry",
                               {{"route", m_route->pattern}, {"request_id", m_requestId}});
        } catch (...) {
            result = failure();
        }
        return complete(result, false);
    }

    // The response for the exception being handled.
    ApiResponse failure() {
        try {
            throw;
        } catch (const ApiError& error) {
            return errorResponse(error);
        } catch (const DatabaseUnavailable& error) {
            logger().warning("database unavailable", {{"request_id", m_requestId}, {"error", error.what()}});
            return unavailable();
        } catch (const pqxx::broken_connection&) {
            logger().warning("database connection lost", {{"request_id", m_requestId}});
            return unavailable();
        } catch (const std::exception& error) {
            logger().error("request failed",
                           {{"request_id", m_requestId}, {"route", m_routeLabel}, {"error", error.what()}});
            return ApiResponse::json(errorBody("internal", "internal error; quote request id " + m_requestId),
                                     500);
        }
    }

    static ApiResponse unavailable() {
        ApiResponse result = ApiResponse::json(
            errorBody("unavailable", "the database is unavailable; try again shortly"), 503);
        result.headers.emplace_back("Retry-After", "5");
        return result;
    }

    HttpAnswer complete(const ApiResponse& result, bool closeAfter) {
        auditRefusal(result);
        HttpAnswer answer = toAnswer(result, m_requestId);
        answer.close = closeAfter;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
        m_server.metrics.recordRequest(m_head.method, m_routeLabel, result.status, seconds);
        nlohmann::json fields = {{"request_id", m_requestId},       {"method", m_head.method},
                                 {"route", m_routeLabel},           {"status", result.status},
                                 {"duration_ms", seconds * 1000.0}, {"address", m_address}};
        if (m_ctx && m_ctx->hasPrincipal())
            fields["actor"] = m_ctx->principal().id;
        logger().info("request", fields);
        return answer;
    }

    // A refused or failed mutation is audited too, in its own transaction since the route's was rolled back.
    // Anonymous requests to non-public routes are not (rejected credentials are audited where they are
    // checked); refusals on public routes are anyone's to cause, so they are sampled (AuditNoise).
    void auditRefusal(const ApiResponse& result) {
        const bool anonymous =
            !m_ctx || (!m_ctx->hasPrincipal() && m_route && m_route->access != RouteAccess::Public);
        if (!m_route || m_route->action.empty() || result.status < 400 || result.status == 503 || anonymous ||
            m_ctx->audited())
            return;
        try {
            auto lease = m_server.pool.acquire();
            ScopedTransaction tx(*lease, SystemAccess{"audit a refused request"});
            AuditEvent event = m_ctx->auditEvent(m_route->action, "", "");
            event.action = m_route->action;
            event.address = m_address;
            event.requestId = m_requestId;
            event.result = resultFor(result.status);
            event.details = {{"status", result.status}, {"path", m_path}};
            if (result.body.contains("error"))
                event.details["error"] = result.body["error"]["code"];
            if (m_ctx->hasPrincipal())
                AuditLog::record(tx, event);
            else
                m_server.auditNoise.record(tx, event);
            tx.commit();
        } catch (const std::exception& error) {
            logger().error("could not audit a refused request",
                           {{"request_id", m_requestId}, {"error", error.what()}});
        }
    }

    ServerContext& m_server;
    protocol::HttpRequestHead m_head; // RequestContext refers to it: the exchange never moves
    std::chrono::steady_clock::time_point m_started;
    std::string m_requestId;
    std::string m_address;
    std::string m_path;
    std::string m_routeLabel = "unmatched";
    const Route* m_route = nullptr;
    std::optional<RequestContext> m_ctx;
};
} // namespace

std::unique_ptr<HttpExchange> RequestDispatcher::open(protocol::HttpRequestHead head,
                                                      const std::string& peerAddress) {
    return std::make_unique<RestExchange>(m_server, std::move(head), peerAddress);
}

HttpAnswer RequestDispatcher::reject(const std::string& peerAddress, int status, const std::string& code,
                                     const std::string& message) {
    const std::string requestId = crypto::SecureRandom::token(12);
    HttpAnswer answer = toAnswer(errorResponse(ApiError(status, code, message)), requestId);
    answer.close = true;
    m_server.metrics.recordRequest("-", "unparsed", status, 0);
    logger().info(
        "request refused",
        {{"request_id", requestId}, {"status", status}, {"error", message}, {"address", peerAddress}});
    return answer;
}

} // namespace breeze::server
