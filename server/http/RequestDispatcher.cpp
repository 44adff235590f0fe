#include "http/RequestDispatcher.h"

#include "app/ServerContext.h"
#include "auth/Authenticator.h"
#include "crypto/SecureRandom.h"
#include "db/DatabaseUnavailable.h"
#include "http/ApiError.h"
#include "http/ClientAddress.h"
#include "http/RequestContext.h"
#include "ops/JsonLogger.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>
#include <chrono>
#include <istream>
#include <pqxx/except>

namespace breeze::server {

namespace {
bool isSafeRequestId(const std::string& id) {
    if (id.empty() || id.size() > 64)
        return false;
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

bool hasBody(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH";
}

// Reads at most `limit` bytes; a longer body is refused without buffering the rest.
std::string readBody(Poco::Net::HTTPServerRequest& request, std::size_t limit) {
    if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit))
        throw ApiError(413, "body_too_large",
                       "the request body is larger than " + std::to_string(limit) + " bytes");
    // Neither a length nor chunks: HTTP/1.1 says there is no body (reading to EOF would wait for the client).
    if (!request.hasContentLength() && !request.getChunkedTransferEncoding())
        return {};
    std::string body;
    std::istream& in = request.stream();
    char buffer[16384];
    while (in) {
        in.read(buffer, sizeof buffer);
        body.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (body.size() > limit)
            throw ApiError(413, "body_too_large",
                           "the request body is larger than " + std::to_string(limit) + " bytes");
    }
    return body;
}

nlohmann::json errorBody(const std::string& code, const std::string& message) {
    return {{"error", {{"code", code}, {"message", message}}}};
}

std::string resultFor(int status) {
    return status == 403 || status == 404 ? "denied" : "failure";
}
} // namespace

void RequestDispatcher::handleRequest(Poco::Net::HTTPServerRequest& request,
                                      Poco::Net::HTTPServerResponse& response) {
    const auto started = std::chrono::steady_clock::now();
    std::string requestId = request.get("X-Request-Id", "");
    if (!isSafeRequestId(requestId))
        requestId = crypto::SecureRandom::token(12);
    const std::string address =
        clientAddress(request.clientAddress().host().toString(), request.get("X-Forwarded-For", ""),
                      m_server.config.httpTrustedProxies);
    const std::string method = request.getMethod();

    ApiResponse result;
    std::string routeLabel = "unmatched";
    std::string path;
    std::optional<RequestContext> ctx;
    const Route* route = nullptr;
    bool bodyConsumed = !hasBody(method);
    try {
        Poco::URI uri;
        std::map<std::string, std::string> query;
        try {
            uri = Poco::URI(request.getURI());
            path = uri.getPath();
            for (const auto& [key, value] : uri.getQueryParameters())
                query.emplace(key, value);
        } catch (const Poco::Exception&) {
            throw ApiError::badRequest("the request URI is malformed");
        }
        const RouteMatch match = m_server.router.match(method, path);
        if (!match.route) {
            if (match.pathKnown)
                throw ApiError(405, "method_not_allowed", method + " is not supported on " + path);
            throw ApiError(404, "not_found", "no such endpoint: " + path);
        }
        route = match.route;
        routeLabel = route->pattern;
        ctx.emplace(m_server, request, requestId, address, path, std::move(query));
        ctx->setPathParams(match.params);
        if (route->access != RouteAccess::Public) {
            Authenticator authenticator(m_server);
            ctx->setPrincipal(
                authenticator.authenticate(request.get("Authorization", ""), address, requestId));
            if (ctx->principal().mfaEnrollmentOnly && route->access != RouteAccess::MfaEnrollment)
                throw ApiError(403, "mfa_enrollment_required",
                               "multi-factor authentication must be set up before anything else "
                               "(POST /api/v1/auth/mfa/setup, then /api/v1/auth/mfa/enable)");
        }
        // Read only once the caller is known: strangers cannot make the server buffer bodies.
        if (hasBody(method))
            ctx->setBody(readBody(request, m_server.config.httpMaxBodyBytes));
        bodyConsumed = true;
        result = route->handler(*ctx);
        if (!route->action.empty() && result.status < 400 && !ctx->audited())
            logger().error("mutation finished without an audit entry",
                           {{"route", route->pattern}, {"request_id", requestId}});
    } catch (const ApiError& error) {
        result = ApiResponse::json(errorBody(error.code(), error.what()), error.status());
        if (error.retryAfterSeconds() > 0)
            result.headers.emplace_back("Retry-After", std::to_string(error.retryAfterSeconds()));
    } catch (const DatabaseUnavailable& error) {
        result = ApiResponse::json(errorBody("unavailable", "the database is unavailable; try again shortly"),
                                   503);
        result.headers.emplace_back("Retry-After", "5");
        logger().warning("database unavailable", {{"request_id", requestId}, {"error", error.what()}});
    } catch (const pqxx::broken_connection& error) {
        result = ApiResponse::json(errorBody("unavailable", "the database is unavailable; try again shortly"),
                                   503);
        result.headers.emplace_back("Retry-After", "5");
        logger().warning("database connection lost", {{"request_id", requestId}});
    } catch (const std::exception& error) {
        result =
            ApiResponse::json(errorBody("internal", "internal error; quote request id " + requestId), 500);
        logger().error("request failed",
                       {{"request_id", requestId}, {"route", routeLabel}, {"error", error.what()}});
    }

    // A refused or failed mutation is audited too, in its own transaction since the route's was rolled back.
    // Anonymous requests to non-public routes are not: rejected credentials are audited where they are
    // checked, and anyone on the network could otherwise fill the log.
    const bool anonymous = !ctx || (!ctx->hasPrincipal() && route && route->access != RouteAccess::Public);
    if (route && !route->action.empty() && result.status >= 400 && result.status != 503 && !anonymous &&
        !(ctx && ctx->audited())) {
        try {
            auto lease = m_server.pool.acquire();
            ScopedTransaction tx(*lease, SystemAccess{"audit a refused request"});
            AuditEvent event = ctx ? ctx->auditEvent(route->action, "", "") : AuditEvent{};
            event.action = route->action;
            event.address = address;
            event.requestId = requestId;
            event.result = resultFor(result.status);
            event.details = {{"status", result.status}, {"path", path}};
            if (result.body.contains("error"))
                event.details["error"] = result.body["error"]["code"];
            // Nobody signed in (a public route): anyone can cause this, so it is sampled, not written each
            // time.
            if (ctx && ctx->hasPrincipal())
                AuditLog::record(tx, event);
            else
                m_server.auditNoise.record(tx, event);
            tx.commit();
        } catch (const std::exception& error) {
            logger().error("could not audit a refused request",
                           {{"request_id", requestId}, {"error", error.what()}});
        }
    }

    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(result.status));
    // Unread body bytes would be taken for the next request on this connection: close it instead.
    if (!bodyConsumed)
        response.setKeepAlive(false);
    response.set("X-Request-Id", requestId);
    response.set("Cache-Control", "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Strict-Transport-Security", "max-age=31536000");
    for (const auto& [name, value] : result.headers)
        response.set(name, value);
    std::string payload;
    if (result.status != 204) {
        payload = result.rawBody.empty()
                      ? result.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                      : result.rawBody;
        response.setContentType(result.contentType);
    }
    response.setContentLength(static_cast<std::streamsize>(payload.size()));
    response.send() << payload;

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    m_server.metrics.recordRequest(method, routeLabel, result.status, seconds);
    nlohmann::json fields = {{"request_id", requestId},
                             {"method", method},
                             {"route", routeLabel},
                             {"status", result.status},
                             {"duration_ms", seconds * 1000.0},
                             {"address", address}};
    if (ctx && ctx->hasPrincipal())
        fields["actor"] = ctx->principal().id;
    logger().info("request", fields);
}

} // namespace breeze::server
