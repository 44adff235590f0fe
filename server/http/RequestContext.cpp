#include "http/RequestContext.h"

#include "http/ApiError.h"
#include "protocol/HttpRequestHead.h"

#include "json/BoundedJsonParser.h"

namespace breeze::server {

RequestContext::RequestContext(ServerContext& srv, const protocol::HttpRequestHead& request,
                               std::string requestId, std::string address, std::string path,
                               std::map<std::string, std::string> query)
    : server(srv), m_request(request), m_requestId(std::move(requestId)), m_address(std::move(address)),
      m_path(std::move(path)), m_query(std::move(query)) {}

std::string RequestContext::header(const std::string& name) const {
    std::string lower = name;
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return m_request.header(lower);
}

std::optional<std::string> RequestContext::query(const std::string& name) const {
    const auto it = m_query.find(name);
    if (it == m_query.end())
        return std::nullopt;
    return it->second;
}

std::optional<std::string> RequestContext::uuidQuery(const std::string& name) const {
    auto value = query(name);
    if (value && !isUuid(*value))
        throw ApiError::badRequest(name + " must be an id (a UUID)");
    return value;
}

std::string RequestContext::pathId(const std::string& name, const std::string& what) const {
    const auto it = m_params.find(name);
    if (it == m_params.end() || !isUuid(it->second))
        throw ApiError::notFound(what);
    return it->second;
}

std::string RequestContext::pathParam(const std::string& name) const {
    const auto it = m_params.find(name);
    return it == m_params.end() ? std::string() : it->second;
}

const nlohmann::json& RequestContext::json() {
    if (!m_json) {
        if (m_body.empty())
            throw ApiError::badRequest("a JSON body is required");
        json::JsonLimits limits;
        limits.maxBytes = server.config.httpMaxBodyBytes;
        auto parsed = json::parseBoundedJson(m_body, limits);
        if (!parsed) {
            if (parsed.tooLarge)
                throw ApiError(413, "body_too_large", parsed.error);
            throw ApiError::badRequest("malformed JSON body: " + parsed.error);
        }
        m_json = std::move(*parsed.value);
    }
    return *m_json;
}

const Principal& RequestContext::principal() const {
    if (!m_principal)
        throw ApiError::unauthorized("authentication_required", "sign in or present an API key");
    return *m_principal;
}

AccessScope RequestContext::require(const Permission& permission) const {
    AccessScope scope = principal().scopeFor(permission);
    if (scope.isEmpty())
        throw ApiError::forbidden("this needs the " + permission.key() + " permission");
    return scope;
}

AuditEvent RequestContext::auditEvent(std::string action, std::string resourceType,
                                      std::string resourceId) const {
    AuditEvent event;
    if (m_principal) {
        event.partnerId = m_principal->partnerId;
        event.actorType = m_principal->actorType();
        event.actorId = m_principal->id;
        event.actorLabel = m_principal->label;
    }
    event.address = m_address;
    event.requestId = m_requestId;
    event.action = std::move(action);
    event.resourceType = std::move(resourceType);
    event.resourceId = std::move(resourceId);
    return event;
}

void RequestContext::audit(ScopedTransaction& tx, const AuditEvent& event) {
    AuditLog::record(tx, event);
    m_audited = true;
}

void RequestContext::auditNoise(ScopedTransaction& tx, const AuditEvent& event) {
    server.auditNoise.record(tx, event);
    m_audited = true;
}

} // namespace breeze::server
