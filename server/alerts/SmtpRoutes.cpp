#include "alerts/SmtpRoutes.h"

#include "alerts/SmtpSettings.h"
#include "alerts/SmtpStore.h"
#include "db/ScopedTransaction.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/Router.h"

namespace breeze::server {

namespace {
using namespace permissions;

// Partner-wide: the SMTP server serves the partner and all its organisations.
AccessScope partnerScope(RequestContext& ctx, const Permission& permission) {
    AccessScope scope = ctx.require(permission);
    if (!scope.isWholePartner())
        throw ApiError::forbidden("the SMTP server is set partner-wide: this needs " + permission.key() +
                                  " across the partner");
    return scope;
}

ApiResponse getSmtp(RequestContext& ctx) {
    const AccessScope scope = partnerScope(ctx, AlertsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto found = SmtpStore(tx).find(scope.partnerId());
    if (!found)
        return ApiResponse::json({{"configured", false}});
    (*found)["configured"] = true;
    return ApiResponse::json(std::move(*found));
}

ApiResponse putSmtp(RequestContext& ctx) {
    auto fields = ctx.fields();
    SmtpStore::Update update;
    update.host = fields.requiredString("host", 1, 253);
    update.port = static_cast<int>(fields.optionalInteger("port", 1, 65535).value_or(587));
    update.security = fields.optionalString("security", 1, 16).value_or("starttls");
    const auto username = fields.optionalString("username", 1, 255);
    const auto password = fields.optionalString("password", 1, 1024);
    update.from = fields.requiredString("from", 3, 254);
    fields.finish();
    if (update.security != "starttls" && update.security != "tls" && update.security != "plain")
        throw ApiError::badRequest("security must be starttls, tls or plain");
    for (const unsigned char c : update.host)
        if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_'))
            throw ApiError::badRequest("host must be a host name or an address");
    if (const std::string problem = SmtpSettings::addressProblem(update.from); !problem.empty())
        throw ApiError::badRequest("from: " + problem);
    if (username.has_value() != password.has_value())
        throw ApiError::badRequest("username and password go together");
    const AccessScope scope = partnerScope(ctx, AlertsManage);
    update.partnerId = scope.partnerId();
    update.username = username;
    if (password)
        update.sealedPassword = ctx.server.sealer.seal(*password);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    AuditEvent event = ctx.auditEvent("notification_smtp.update", "partner", scope.partnerId());
    update.by = event.actorLabel;
    SmtpStore smtp(tx);
    smtp.save(update);
    event.details = {{"host", update.host},
                     {"port", update.port},
                     {"security", update.security},
                     {"username", username ? nlohmann::json(*username) : nlohmann::json()},
                     {"from", update.from}};
    ctx.audit(tx, event);
    auto saved = *smtp.find(scope.partnerId());
    saved["configured"] = true;
    tx.commit();
    return ApiResponse::json(std::move(saved));
}

ApiResponse deleteSmtp(RequestContext& ctx) {
    const AccessScope scope = partnerScope(ctx, AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    if (!SmtpStore(tx).remove(scope.partnerId()))
        throw ApiError::notFound("SMTP server");
    ctx.audit(tx, ctx.auditEvent("notification_smtp.delete", "partner", scope.partnerId()));
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerSmtpRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/notification-smtp", "", RouteAccess::Authenticated, getSmtp});
    router.add({HttpMethod::Put, "/api/v1/notification-smtp", "notification_smtp.update",
                RouteAccess::Authenticated, putSmtp});
    router.add({HttpMethod::Delete, "/api/v1/notification-smtp", "notification_smtp.delete",
                RouteAccess::Authenticated, deleteSmtp});
}

} // namespace breeze::server
