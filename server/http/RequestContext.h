#pragma once

#include "app/ServerContext.h"
#include "audit/AuditLog.h"
#include "auth/Principal.h"
#include "http/JsonFields.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::protocol {
struct HttpRequestHead;
}

namespace breeze::server {

// One request as a route sees it: validated path parameters, the parsed body, who is asking, and helpers for
// permission checks and audit entries carrying the caller, address and request id.
class RequestContext {
public:
    RequestContext(ServerContext& server, const protocol::HttpRequestHead& request, std::string requestId,
                   std::string address, std::string path, std::map<std::string, std::string> query);

    ServerContext& server;

    const std::string& requestId() const { return m_requestId; }
    const std::string& address() const { return m_address; }
    const std::string& path() const { return m_path; }
    std::string header(const std::string& name) const;
    std::optional<std::string> query(const std::string& name) const;
    // A query parameter that must be an id: 400 naming it when it is not a UUID.
    std::optional<std::string> uuidQuery(const std::string& name) const;
    void setPathParams(std::map<std::string, std::string> params) { m_params = std::move(params); }
    void setBody(std::string body) { m_body = std::move(body); }
    // The body as it came (a chunk of a file, say), for routes that do not take JSON.
    const std::string& rawBody() const { return m_body; }
    // A path id that is not a UUID cannot name anything: 404 like any unknown id.
    std::string pathId(const std::string& name, const std::string& what) const;
    // A path parameter as given (validate it before use); "" when absent.
    std::string pathParam(const std::string& name) const;

    const nlohmann::json& json();
    JsonFields fields() { return JsonFields(json()); }

    void setPrincipal(Principal principal) { m_principal = std::move(principal); }
    bool hasPrincipal() const { return m_principal.has_value(); }
    const Principal& principal() const;
    // The caller's scope for `permission`; 403 naming the permission when it holds it nowhere.
    AccessScope require(const Permission& permission) const;

    AuditEvent auditEvent(std::string action, std::string resourceType, std::string resourceId) const;
    void audit(ScopedTransaction& tx, const AuditEvent& event);
    // For what anyone can cause without an account: sampled per address and minute (AuditNoise).
    void auditNoise(ScopedTransaction& tx, const AuditEvent& event);
    bool audited() const { return m_audited; }

private:
    const protocol::HttpRequestHead& m_request;
    std::string m_requestId;
    std::string m_address;
    std::string m_path;
    std::map<std::string, std::string> m_query;
    std::map<std::string, std::string> m_params;
    std::string m_body;
    std::optional<nlohmann::json> m_json;
    std::optional<Principal> m_principal;
    bool m_audited = false;
};

} // namespace breeze::server
