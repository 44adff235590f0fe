#include "alerts/ChannelRoutes.h"

#include "alerts/AlertRuleStore.h"
#include "alerts/ChannelStore.h"
#include "alerts/NotificationStore.h"
#include "alerts/OwnerScope.h"
#include "alerts/SmtpSettings.h"
#include "alerts/WebhookPoster.h"
#include "db/ScopedTransaction.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/Router.h"

#include <Poco/URI.h>
#include <thread>

namespace breeze::server {

namespace {
using namespace permissions;

std::string channelScopeSql(const AccessScope& scope) {
    return OwnerScope::sql(scope, "c");
}

bool mayManage(const AccessScope& scope, const nlohmann::json& channel) {
    return OwnerScope::mayManage(scope, OwnerScope::ownerOf(channel));
}

ApiResponse listChannels(RequestContext& ctx) {
    const AccessScope scope = ctx.require(AlertsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(ChannelStore(tx).list(channelScopeSql(scope)));
}

ApiResponse createChannel(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string name = fields.requiredName("name");
    const std::string kind = fields.requiredString("kind", 1, 16);
    const auto orgId = fields.optionalUuid("org_id");
    const std::string url = fields.optionalString("url", 1, 2000).value_or("");
    const auto secret = fields.optionalString("secret", 16, 512);
    const auto to = fields.optionalStringList("to", 20, 254);
    fields.finish();
    if (kind != "webhook" && kind != "slack" && kind != "teams" && kind != "email")
        throw ApiError::badRequest("kind must be webhook, slack, teams or email");
    if (kind == "email") {
        if (!to || to->empty() || !url.empty() || secret)
            throw ApiError::badRequest(
                "an e-mail channel takes \"to\": the addresses it writes to (1 to 20)");
        for (const auto& address : *to)
            if (const std::string problem = SmtpSettings::addressProblem(address); !problem.empty())
                throw ApiError::badRequest("to: " + problem);
    } else if (to) {
        throw ApiError::badRequest("only an e-mail channel takes \"to\"");
    } else if (const std::string problem = WebhookPoster::urlProblem(url); !problem.empty()) {
        throw ApiError::badRequest("url: " + problem);
    }
    if (kind == "webhook" && !secret)
        throw ApiError::badRequest(
            "a webhook needs a \"secret\" of at least 16 characters: its notifications are "
            "signed with it (X-Breeze-Signature)");
    if (kind != "webhook" && secret)
        throw ApiError::badRequest("only a webhook takes a secret; a Slack or Teams URL is its own");
    const AccessScope scope = ctx.require(AlertsManage);
    if (orgId ? !scope.allowsWholeOrg(*orgId) : !scope.isWholePartner())
        throw ApiError::forbidden(
            orgId ? "this needs the alerts:manage permission for the whole organisation"
                  : "a partner-wide channel needs the alerts:manage permission partner-wide");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    if (orgId) {
        bool found = false;
        AlertRuleStore(tx).targetOrganisation(AssignmentLevel::Org, *orgId, found);
        if (!found)
            throw ApiError::notFound("organisation");
    }
    ChannelStore channels(tx);
    if (channels.nameTaken(scope.partnerId(), orgId, name))
        throw ApiError::conflict("a channel named \"" + name + "\" exists");
    nlohmann::json settings = nlohmann::json::object();
    std::optional<std::string> sealed;
    if (kind == "email") {
        settings["to"] = *to;
    } else if (kind == "webhook") {
        settings["url"] = url;
        sealed = ctx.server.sealer.seal(*secret);
    } else {
        settings["host"] = Poco::URI(url).getHost();
        sealed = ctx.server.sealer.seal(url);
    }
    AuditEvent event = ctx.auditEvent("notification_channels.create", "notification_channel", "");
    auto channel =
        channels.insert({scope.partnerId(), orgId, name, kind, settings, sealed, event.actorLabel});
    event.resourceId = channel["id"];
    event.orgId = orgId;
    event.details = {{"name", name}, {"kind", kind}, {"target", channel["target"]}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(std::move(channel), 201);
}

ApiResponse deleteChannel(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "notification channel");
    const AccessScope readScope = ctx.require(AlertsRead);
    const AccessScope scope = ctx.require(AlertsManage);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    ChannelStore channels(tx);
    const auto channel = channels.find(id, channelScopeSql(readScope));
    if (!channel)
        throw ApiError::notFound("notification channel");
    if (!mayManage(scope, *channel))
        throw ApiError::forbidden("this needs the alerts:manage permission where the channel belongs");
    channels.remove(id);
    AuditEvent event = ctx.auditEvent("notification_channels.delete", "notification_channel", id);
    event.orgId =
        (*channel)["org_id"].is_string() ? std::optional<std::string>((*channel)["org_id"]) : std::nullopt;
    event.details = {
        {"name", (*channel)["name"]}, {"kind", (*channel)["kind"]}, {"pending", (*channel)["pending"]}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

ApiResponse testChannel(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "notification channel");
    const AccessScope readScope = ctx.require(AlertsRead);
    const AccessScope scope = ctx.require(AlertsManage);
    long long notificationId = 0;
    {
        auto lease = ctx.server.pool.acquire();
        ScopedTransaction tx(*lease, scope);
        const auto channel = ChannelStore(tx).find(id, channelScopeSql(readScope));
        if (!channel)
            throw ApiError::notFound("notification channel");
        if (!mayManage(scope, *channel))
            throw ApiError::forbidden("this needs the alerts:manage permission where the channel belongs");
        AuditEvent event = ctx.auditEvent("notification_channels.test", "notification_channel", id);
        notificationId = NotificationStore(tx).queueTest(id, {{"by", event.actorLabel}});
        event.orgId = (*channel)["org_id"].is_string() ? std::optional<std::string>((*channel)["org_id"])
                                                       : std::nullopt;
        event.details = {{"name", (*channel)["name"]}, {"notification_id", notificationId}};
        ctx.audit(tx, event);
        tx.commit();
    }
    // The dispatcher sends it like any notification; the answer is worth the short wait.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    nlohmann::json outcome;
    while (true) {
        {
            auto lease = ctx.server.pool.acquire();
            ScopedTransaction tx(*lease, scope);
            outcome = NotificationStore(tx).outcome(notificationId).value_or(nlohmann::json::object());
            tx.commit();
        }
        const std::string state = outcome.value("state", std::string());
        if (state == "sent" || state == "given_up" || std::chrono::steady_clock::now() > deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    outcome["delivered"] = outcome.value("state", std::string()) == "sent";
    return ApiResponse::json(std::move(outcome));
}
} // namespace

void registerChannelRoutes(Router& router) {
    router.add(
        {HttpMethod::Get, "/api/v1/notification-channels", "", RouteAccess::Authenticated, listChannels});
    router.add({HttpMethod::Post, "/api/v1/notification-channels", "notification_channels.create",
                RouteAccess::Authenticated, createChannel});
    router.add({HttpMethod::Delete, "/api/v1/notification-channels/{id}", "notification_channels.delete",
                RouteAccess::Authenticated, deleteChannel});
    router.add({HttpMethod::Post, "/api/v1/notification-channels/{id}/test", "notification_channels.test",
                RouteAccess::Authenticated, testChannel});
}

} // namespace breeze::server
