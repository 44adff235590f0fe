#include "filters/SavedFilterRoutes.h"

#include "db/ScopedTransaction.h"
#include "filters/SavedFilterStore.h"
#include "http/ApiError.h"
#include "http/JsonFields.h"
#include "http/RequestContext.h"
#include "http/Router.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace breeze::server {

namespace {
// What the console's device list can narrow to besides search and scope: its dashboard tiles.
constexpr std::array<std::string_view, 7> kConditions{"online",        "offline",         "needs_reboot",
                                                      "disk_over_90",  "patches_missing", "patches_failed",
                                                      "scripts_failed"};

// Saved filters belong to people; an API key has none.
const std::string& ownerOf(const RequestContext& ctx) {
    if (ctx.principal().kind != Principal::Kind::User)
        throw ApiError::forbidden("saved device filters belong to users; an API key has none");
    return ctx.principal().id;
}

// The definition as the server keeps it: only the known fields, each checked.
nlohmann::json checkedDefinition(const nlohmann::json& definition) {
    if (!definition.is_object())
        throw ApiError::badRequest("definition must be an object");
    JsonFields fields(definition);
    nlohmann::json checked = nlohmann::json::object();
    if (const auto search = fields.optionalString("search", 0, 200))
        checked["search"] = *search;
    if (const auto condition = fields.optionalString("condition", 1, 32)) {
        if (std::find(kConditions.begin(), kConditions.end(), *condition) == kConditions.end())
            throw ApiError::badRequest("definition.condition must be online, offline, needs_reboot, "
                                       "disk_over_90, patches_missing, patches_failed or scripts_failed");
        checked["condition"] = *condition;
    }
    for (const char* key : {"org_id", "site_id", "group_id"})
        if (const auto id = fields.optionalUuid(key))
            checked[key] = *id;
    fields.finish();
    return checked;
}

ApiResponse listFilters(RequestContext& ctx) {
    const std::string& owner = ownerOf(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"a user's own saved device filters"});
    return ApiResponse::json({{"items", SavedFilterStore(tx).list(owner)}});
}

ApiResponse saveFilter(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string name = fields.requiredName("name");
    const nlohmann::json definition = checkedDefinition(fields.optionalObject("definition"));
    fields.finish();
    const std::string& owner = ownerOf(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"a user's own saved device filters"});
    SavedFilterStore filters(tx);
    // Serialised per user, so two saves at once cannot both pass the limit.
    tx.sql().exec_params("SELECT pg_advisory_xact_lock(hashtext('saved_device_filters:' || $1))", owner);
    if (filters.countOthers(owner, name) >= SavedFilterStore::kMostPerUser)
        throw ApiError::conflict("at most 100 saved filters per user; delete one first");
    auto saved = filters.save(owner, ctx.principal().partnerId, name, definition);
    AuditEvent event =
        ctx.auditEvent("me.device_filter_save", "saved_filter", saved["id"].get<std::string>());
    event.details = {{"name", name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(saved);
}

ApiResponse deleteFilter(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "saved filter");
    const std::string& owner = ownerOf(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"a user's own saved device filters"});
    if (!SavedFilterStore(tx).remove(owner, id))
        throw ApiError::notFound("saved filter"); // another person's filter is not found either
    ctx.audit(tx, ctx.auditEvent("me.device_filter_delete", "saved_filter", id));
    tx.commit();
    return ApiResponse::noContent();
}
} // namespace

void registerSavedFilterRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/me/device-filters", "", RouteAccess::Authenticated, listFilters});
    router.add({HttpMethod::Post, "/api/v1/me/device-filters", "me.device_filter_save",
                RouteAccess::Authenticated, saveFilter});
    router.add({HttpMethod::Delete, "/api/v1/me/device-filters/{id}", "me.device_filter_delete",
                RouteAccess::Authenticated, deleteFilter});
}

} // namespace breeze::server
