#include "sessions/SessionRoutes.h"

#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "db/ScopedTransaction.h"
#include "devices/DeviceAccess.h"
#include "encoding/Base64.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/Router.h"
#include "media/VideoFileWriter.h"
#include "protocol/DesktopFrame.h"
#include "sessions/DesktopRecordingStore.h"
#include "sessions/FilesRoot.h"
#include "sessions/SessionStore.h"

#include <algorithm>
#include <cstdio>
#include <regex>

namespace breeze::server {

namespace {
using namespace permissions;

constexpr int kTokenSeconds = 60;
constexpr long long kMostLivePerDevice = 16;
// Each live session is a process on a device: one person (or key) holds at most this many at once.
constexpr long long kMostLivePerActor = 64;

std::string sessionScopeSql(const AccessScope& scope) {
    return scope.sqlSite("r.partner_id", "r.org_id", "r.site_id");
}

const Permission& permissionFor(const std::string& kind) {
    if (kind == "desktop")
        return RemoteDesktop;
    return kind == "terminal" ? RemoteTerminal : RemoteFiles;
}

bool isViewOnly(const nlohmann::json& session) {
    const auto& grants = session["grants"];
    return grants.is_object() && grants.value("view_only", false);
}

// Whether the caller holds a right that lets it have this session on the site: its kind's, or for a
// view-only desktop either desktop right. Throws 403 naming what is missing.
void requireSessionRight(RequestContext& ctx, const nlohmann::json& session) {
    const std::string kind = session["kind"];
    const auto holds = [&](const Permission& permission) {
        return ctx.principal().scopeFor(permission).allowsSite(session["org_id"], session["site_id"]);
    };
    if (holds(permissionFor(kind)) || (kind == "desktop" && isViewOnly(session) && holds(RemoteDesktopView)))
        return;
    throw ApiError::forbidden("this needs the " + permissionFor(kind).key() +
                              (kind == "desktop" && isViewOnly(session) ? " or remote:desktop_view" : "") +
                              " permission on the device's site");
}

std::string newToken() {
    return "rs_" + encoding::base64UrlEncode(crypto::SecureRandom::bytes(32));
}

nlohmann::json withToken(nlohmann::json session, const std::string& token, const std::string& nodeUrl) {
    session["token"] = token;
    session["token_expires_in"] = kTokenSeconds;
    session["relay_url"] = SessionStore::relayWebSocketUrl(nodeUrl);
    return session;
}

ApiResponse openSession(RequestContext& ctx) {
    const std::string deviceId = ctx.pathId("id", "device");
    auto fields = ctx.fields();
    const std::string kind = fields.requiredString("kind", 1, 16);
    const auto cols = fields.optionalInteger("cols", 1, 1000);
    const auto rows = fields.optionalInteger("rows", 1, 1000);
    const auto shell = fields.optionalString("shell", 1, 255);
    const auto user = fields.optionalString("user", 1, 32);
    const auto root = fields.optionalString("root", 1, 1024);
    const auto command = fields.optionalString("command", 1, 4096);
    const auto echo = fields.optionalBool("echo");
    const auto viewOnly = fields.optionalBool("view_only");
    const auto recordAsked = fields.optionalBool("record");
    fields.finish();
    if (kind != "terminal" && kind != "files" && kind != "desktop")
        throw ApiError::badRequest("\"kind\" must be terminal, files or desktop");
    if (shell &&
        (!shell->starts_with('/') || shell->find_first_of(std::string("\0\n", 2)) != std::string::npos))
        throw ApiError::badRequest("\"shell\" must be an absolute path");
    if (user && !std::regex_match(*user, std::regex("[a-z_][a-z0-9_.-]*")))
        throw ApiError::badRequest("\"user\" must be a user name");
    if (command && command->find('\0') != std::string::npos)
        throw ApiError::badRequest("\"command\" must not contain NUL");
    if (kind == "files" && (cols || rows || shell || user || command || echo))
        throw ApiError::badRequest("cols, rows, shell, user, command and echo are for terminal sessions");
    if (kind != "files" && root)
        throw ApiError::badRequest("\"root\" is for file sessions");
    if (kind == "desktop" && (cols || rows || shell || user || command || echo))
        throw ApiError::badRequest("cols, rows, shell, user, command and echo are for terminal sessions");
    if (kind != "desktop" && viewOnly)
        throw ApiError::badRequest("\"view_only\" is for desktop sessions");
    if (kind != "desktop" && recordAsked)
        throw ApiError::badRequest(
            "\"record\" is for desktop sessions (terminal sessions follow sessions.record)");
    const std::string& recordDesktop = ctx.server.config.sessionsRecordDesktop;
    if (recordAsked == true && recordDesktop == "never")
        throw ApiError::conflict(
            "this server does not record desktop sessions (sessions.record_desktop = never)");
    if (recordAsked == false && recordDesktop == "always")
        throw ApiError::conflict(
            "this server records every desktop session (sessions.record_desktop = always)");

    // A desktop: to control it takes remote:desktop; remote:desktop_view alone watches. Either is checked on
    // the device's site once it is found.
    const Permission& permission = kind == "desktop" ? DevicesRead : permissionFor(kind);
    ctx.require(permission);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, ctx.principal().scopeFor(DevicesRead));
    const DeviceRef device = requireDevicePermission(ctx, tx, deviceId, permission);
    bool watchOnly = viewOnly.value_or(false);
    if (kind == "desktop") {
        const bool control = ctx.principal().scopeFor(RemoteDesktop).allowsSite(device.orgId, device.siteId);
        const bool watch =
            ctx.principal().scopeFor(RemoteDesktopView).allowsSite(device.orgId, device.siteId);
        if (!control && !watch)
            throw ApiError::forbidden(
                "this needs the remote:desktop (or, to watch only, remote:desktop_view) "
                "permission on the device's site");
        if (!control && viewOnly == false)
            throw ApiError::forbidden("controlling this device's desktop needs remote:desktop on its site; "
                                      "remote:desktop_view only watches (ask with \"view_only\": true)");
        watchOnly = watchOnly || !control;
    }
    SessionStore store(tx);
    const auto nodeUrl = store.relayUrlOf(deviceId);
    if (!nodeUrl)
        throw ApiError::conflict("the device is offline; sessions open only on connected devices");
    if (store.liveCountOf(ctx.principal().id) >= kMostLivePerActor)
        throw ApiError::conflict("you already have " + std::to_string(kMostLivePerActor) +
                                 " live sessions; close some first");
    if (store.liveCount(deviceId) >= kMostLivePerDevice)
        throw ApiError::conflict("the device already has " + std::to_string(kMostLivePerDevice) +
                                 " live sessions; close one first");
    nlohmann::json grants;
    if (kind == "terminal") {
        grants = {{"cols", cols.value_or(80)},       {"rows", rows.value_or(24)},
                  {"shell", shell.value_or("")},     {"user", user.value_or("")},
                  {"command", command.value_or("")}, {"echo", echo.value_or(true)}};
    } else if (kind == "desktop") {
        grants = {
            {"view_only", watchOnly},
            {"record", recordDesktop == "always" || (recordDesktop == "on_request" && recordAsked == true)}};
    } else {
        const FilesGrant files = grantedFiles(ctx, store, device, root);
        grants = {{"root", files.root},
                  {"download", files.download},
                  {"upload", files.upload},
                  {"remove", files.remove}};
    }
    const std::string token = newToken();
    AuditEvent event = ctx.auditEvent("sessions.open", "remote_session", "");
    SessionStore::NewSession session;
    session.partnerId = device.partnerId;
    session.orgId = device.orgId;
    session.siteId = device.siteId;
    session.deviceId = deviceId;
    session.kind = kind;
    if (ctx.principal().kind == Principal::Kind::User)
        session.userId = ctx.principal().id;
    session.actorType = ctx.principal().actorType();
    session.actorId = ctx.principal().id;
    session.actorLabel = event.actorLabel;
    session.address = ctx.address();
    session.grants = grants;
    session.tokenHash = crypto::Digest::sha256Hex(token);
    session.tokenSeconds = kTokenSeconds;
    session.relayUrl = *nodeUrl;
    auto record = store.insert(session);
    event.resourceId = record["id"];
    event.orgId = device.orgId;
    event.details = {{"kind", kind}, {"device_id", deviceId}, {"grants", grants}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(withToken(std::move(record), token, *nodeUrl), 201);
}

// A command run through a session may carry secrets on its command line: shown only to those who may run one.
nlohmann::json withCommandShownTo(RequestContext& ctx, nlohmann::json session) {
    auto& grants = session["grants"];
    if (grants.is_object() && grants.contains("command") &&
        !ctx.principal().scopeFor(RemoteTerminal).allowsSite(session["org_id"], session["site_id"]))
        grants.erase("command");
    return session;
}

ApiResponse listSessions(RequestContext& ctx) {
    const AccessScope scope = ctx.require(SessionsRead);
    SessionStore::Filter filter;
    filter.deviceId = ctx.uuidQuery("device_id");
    filter.userId = ctx.uuidQuery("user_id");
    filter.kind = ctx.query("kind");
    filter.state = ctx.query("state");
    if (filter.kind && *filter.kind != "terminal" && *filter.kind != "files" && *filter.kind != "desktop")
        throw ApiError::badRequest("kind must be terminal or files");
    if (filter.state && *filter.state != "live" && *filter.state != "pending" && *filter.state != "active" &&
        *filter.state != "detached" && *filter.state != "closed")
        throw ApiError::badRequest("state must be live, pending, active, detached or closed");
    const Pagination pagination(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto page = SessionStore(tx).list(filter, pagination, sessionScopeSql(scope));
    for (auto& item : page["items"])
        item = withCommandShownTo(ctx, std::move(item));
    return ApiResponse::json(std::move(page));
}

nlohmann::json requireSession(RequestContext& ctx, SessionStore& store, const std::string& id,
                              const AccessScope& readScope) {
    auto session = store.find(id, sessionScopeSql(readScope));
    if (readScope.isEmpty() || !session)
        throw ApiError::notFound("session");
    return *session;
}

ApiResponse getSession(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "session");
    const AccessScope scope = ctx.require(SessionsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    SessionStore store(tx);
    return ApiResponse::json(withCommandShownTo(ctx, requireSession(ctx, store, id, scope)));
}

// Whether the caller may act on the session: its maker, holding the kind's permission on the device still.
void requireOwnSession(RequestContext& ctx, const nlohmann::json& session) {
    if (session["actor_id"] != ctx.principal().id)
        throw ApiError::forbidden("only the session's maker can attach to it");
    requireSessionRight(ctx, session);
}

// The session's recording: a terminal's as an asciicast v2 file (asciinema plays it), a desktop's as one
// video file of one stream (`stream`, the first when not given). For its maker, and for those who may watch
// others' sessions there. Every download is audited.
ApiResponse sessionRecording(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "session");
    std::optional<int> stream;
    if (const auto given = ctx.query("stream")) {
        if (given->empty() || given->size() > 2 ||
            !std::all_of(given->begin(), given->end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(*given) >= protocol::kMaxDesktopStreams)
            throw ApiError::badRequest("\"stream\" must be a stream number (0 to " +
                                       std::to_string(protocol::kMaxDesktopStreams - 1) + ")");
        stream = std::stoi(*given);
    }
    const AccessScope scope = ctx.require(SessionsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    SessionStore store(tx);
    const auto session = requireSession(ctx, store, id, scope);
    if (session["actor_id"] != ctx.principal().id &&
        !ctx.principal().scopeFor(SessionsRecordings).allowsSite(session["org_id"], session["site_id"]))
        throw ApiError::forbidden(
            "watching other people's sessions needs sessions:recordings on the device's site");
    std::shared_ptr<std::FILE> file(std::tmpfile(), [](std::FILE* f) {
        if (f)
            std::fclose(f);
    });
    if (!file)
        throw std::runtime_error("cannot make a temporary file for the recording");
    const bool desktop = session["kind"] == "desktop";
    if (stream && !desktop)
        throw ApiError::badRequest("\"stream\" is for desktop recordings");
    std::string contentType = "application/x-asciicast";
    std::string fileName = "session-" + id + ".cast";
    if (desktop) {
        const auto codec = DesktopRecordingStore(tx).writeVideo(id, stream, file.get());
        if (!codec)
            throw ApiError::notFound(stream ? "recording of this stream" : "recording of this session");
        contentType = media::VideoFileWriter::mimeTypeFor(*codec);
        fileName = "session-" + id + (stream ? "-" + std::to_string(*stream) : "") + "." +
                   media::VideoFileWriter::extensionFor(*codec);
    } else if (!store.writeRecording(id, file.get())) {
        throw ApiError::notFound("recording of this session");
    }
    AuditEvent event = ctx.auditEvent("sessions.recording", "remote_session", id);
    event.orgId = session["org_id"].get<std::string>();
    event.details = {{"device_id", session["device_id"]}, {"maker", session["actor"]}};
    if (stream)
        event.details["stream"] = *stream;
    ctx.audit(tx, event);
    tx.commit();
    std::fflush(file.get());
    const long size = std::ftell(file.get());
    std::rewind(file.get());
    ApiResponse response;
    response.contentType = contentType;
    response.file = std::move(file);
    response.fileSize = static_cast<std::uint64_t>(std::max(0L, size));
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
    return response;
}

// How a desktop session went, as its viewer saw it: frames, bitrate, latency percentiles and drops. Its
// maker's console reports it (at the end, or while it runs; a later report replaces an earlier one, up to an
// hour after the session ended).
constexpr int kQualityReportSeconds = 3600;

ApiResponse reportQuality(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "session");
    auto fields = ctx.fields();
    constexpr double kMostSeconds = 400.0 * 86400;
    constexpr double kMostCount = 1e13;
    const auto required = [](JsonFields& from, const std::string& key, double max) {
        const auto value = from.optionalNumber(key, 0, max);
        if (!value)
            throw ApiError::badRequest("\"" + key + "\" is required");
        return *value;
    };
    nlohmann::json quality{{"seconds", required(fields, "seconds", kMostSeconds)},
                           {"pictures_received", required(fields, "pictures_received", kMostCount)},
                           {"pictures_decoded", required(fields, "pictures_decoded", kMostCount)},
                           {"pictures_dropped", required(fields, "pictures_dropped", kMostCount)},
                           {"bytes", required(fields, "bytes", kMostCount * 1e3)},
                           {"fps", required(fields, "fps", 1000)},
                           {"kbps", required(fields, "kbps", 1e7)},
                           {"round_trip_ms", required(fields, "round_trip_ms", 3.6e6)},
                           {"decode_ms", required(fields, "decode_ms", 3.6e6)}};
    const std::string codec = fields.requiredString("codec", 0, 8);
    if (!codec.empty() && codec != "vp8" && codec != "h264")
        throw ApiError::badRequest("\"codec\" must be vp8 or h264");
    quality["codec"] = codec;
    const nlohmann::json latency = fields.optionalObject("latency_ms");
    if (!latency.is_object())
        throw ApiError::badRequest("\"latency_ms\" must be an object");
    JsonFields percentiles(latency);
    quality["latency_ms"] = {{"p50", required(percentiles, "p50", 3.6e6)},
                             {"p95", required(percentiles, "p95", 3.6e6)},
                             {"p99", required(percentiles, "p99", 3.6e6)}};
    percentiles.finish();
    fields.finish();
    if (quality["pictures_decoded"] > quality["pictures_received"])
        throw ApiError::badRequest("\"pictures_decoded\" cannot be more than \"pictures_received\"");
    if (quality["latency_ms"]["p50"] > quality["latency_ms"]["p95"] ||
        quality["latency_ms"]["p95"] > quality["latency_ms"]["p99"])
        throw ApiError::badRequest("\"latency_ms\" must have p50 <= p95 <= p99");
    auto lease = ctx.server.pool.acquire();
    const AccessScope scope = ctx.principal().scopeFor(DevicesRead);
    ScopedTransaction tx(*lease, scope);
    SessionStore store(tx);
    const auto session = requireSession(ctx, store, id, scope);
    if (session["actor_id"] != ctx.principal().id)
        throw ApiError::forbidden("only the session's viewer reports how it went");
    requireSessionRight(ctx, session);
    if (session["kind"] != "desktop")
        throw ApiError::badRequest("a quality summary is for desktop sessions");
    if (session["state"] == "closed" && !store.endedWithin(id, kQualityReportSeconds))
        throw ApiError::conflict("the session ended too long ago for its summary to change");
    auto updated = store.setQuality(id, quality);
    AuditEvent event = ctx.auditEvent("sessions.quality", "remote_session", id);
    event.orgId = session["org_id"].get<std::string>();
    event.details = {{"device_id", session["device_id"]}, {"fps", quality["fps"]}, {"kbps", quality["kbps"]}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(withCommandShownTo(ctx, std::move(updated)));
}

ApiResponse attachSession(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "session");
    auto lease = ctx.server.pool.acquire();
    const AccessScope scope = ctx.principal().scopeFor(DevicesRead);
    ScopedTransaction tx(*lease, scope);
    SessionStore store(tx);
    const auto session = requireSession(ctx, store, id, scope);
    requireOwnSession(ctx, session);
    if (session["state"] == "closed")
        throw ApiError::conflict("the session has ended: " + session["end_reason"].get<std::string>());
    const auto nodeUrl = store.relayUrlOf(session["device_id"]);
    if (!nodeUrl)
        throw ApiError::conflict("the device is offline; attach again once it is back");
    const std::string token = newToken();
    if (!store.reissueToken(id, crypto::Digest::sha256Hex(token), kTokenSeconds, *nodeUrl))
        throw ApiError::conflict("the session has ended");
    AuditEvent event = ctx.auditEvent("sessions.attach", "remote_session", id);
    event.orgId = session["org_id"].get<std::string>();
    event.details = {{"kind", session["kind"]}, {"device_id", session["device_id"]}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(withToken(session, token, *nodeUrl));
}

ApiResponse closeSession(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "session");
    auto lease = ctx.server.pool.acquire();
    const AccessScope scope = ctx.principal().scopeFor(DevicesRead);
    ScopedTransaction tx(*lease, scope);
    SessionStore store(tx);
    const auto session = requireSession(ctx, store, id, scope);
    const std::string kind = session["kind"];
    // Its maker, or anyone who may open such sessions on the device (an administrator ending a colleague's).
    requireSessionRight(ctx, session);
    if (session["state"] == "closed")
        return ApiResponse::json(session);
    AuditEvent event = ctx.auditEvent("sessions.close", "remote_session", id);
    const std::string reason = "closed by " + event.actorLabel;
    const auto ending = store.markClosed(id, reason, std::nullopt, 0, 0);
    // Whichever node relays it ends it (the event reaches every node once this commits).
    store.announceClosed(id, reason);
    event.orgId = session["org_id"].get<std::string>();
    event.details = {{"kind", kind}, {"device_id", session["device_id"]}, {"maker", session["actor"]}};
    if (ending)
        for (const char* key : {"started_at", "ended_at", "bytes_to_device", "bytes_from_device"})
            event.details[key] = ending->record[key];
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(ending ? ending->record : session);
}
} // namespace

void registerSessionRoutes(Router& router) {
    router.add({HttpMethod::Post, "/api/v1/devices/{id}/sessions", "sessions.open",
                RouteAccess::Authenticated, openSession});
    router.add({HttpMethod::Get, "/api/v1/sessions", "", RouteAccess::Authenticated, listSessions});
    router.add({HttpMethod::Get, "/api/v1/sessions/{id}", "", RouteAccess::Authenticated, getSession});
    router.add({HttpMethod::Post, "/api/v1/sessions/{id}/attach", "sessions.attach",
                RouteAccess::Authenticated, attachSession});
    router.add({HttpMethod::Get, "/api/v1/sessions/{id}/recording", "sessions.recording",
                RouteAccess::Authenticated, sessionRecording});
    router.add({HttpMethod::Put, "/api/v1/sessions/{id}/quality", "sessions.quality",
                RouteAccess::Authenticated, reportQuality});
    router.add({HttpMethod::Delete, "/api/v1/sessions/{id}", "sessions.close", RouteAccess::Authenticated,
                closeSession});
}

} // namespace breeze::server
