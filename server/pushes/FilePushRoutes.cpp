#include "pushes/FilePushRoutes.h"

#include "db/ScopedTransaction.h"
#include "devices/DeviceAccess.h"
#include "devices/DeviceTargets.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/Router.h"
#include "pushes/FileBlobStore.h"
#include "pushes/FilePushStore.h"
#include "sessions/FilesRoot.h"
#include "sessions/SessionStore.h"

#include <map>
#include <regex>

namespace breeze::server {

namespace {
using namespace permissions;

// Chunks of a pushed file as they come to the server: well under http.max_body_bytes, few enough requests.
constexpr int kBlobChunkBytes = 2 * 1024 * 1024;
constexpr std::uint64_t kMostBlobBytes = std::uint64_t{64} * 1024 * 1024 * 1024;

std::string shaParam(RequestContext& ctx) {
    std::string sha = ctx.pathParam("sha256");
    if (!std::regex_match(sha, std::regex("[0-9a-f]{64}")))
        throw ApiError::notFound("file");
    return sha;
}

FileBlobStore::Key keyOf(RequestContext& ctx, const std::string& sha) {
    return {ctx.principal().partnerId, ctx.principal().id, sha};
}

nlohmann::json blobJson(const std::string& sha, const FileBlobStore::Blob& blob) {
    return {{"sha256", sha},           {"size", blob.size},         {"chunk_bytes", blob.chunkBytes},
            {"chunks", blob.chunks()}, {"complete", blob.complete}, {"have", blob.have}};
}

ApiResponse startBlob(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string sha = fields.requiredString("sha256", 64, 64);
    const auto size = fields.optionalInteger("size", 0, static_cast<long long>(kMostBlobBytes));
    if (!size)
        throw ApiError::badRequest("\"size\" is required");
    fields.finish();
    if (!std::regex_match(sha, std::regex("[0-9a-f]{64}")))
        throw ApiError::badRequest("\"sha256\" must be 64 lower-case hex digits");
    const AccessScope scope = ctx.require(RemoteFilesUpload);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    FileBlobStore store(tx);
    const auto blob = store.create(keyOf(ctx, sha), static_cast<std::uint64_t>(*size), kBlobChunkBytes);
    if (blob.size != static_cast<std::uint64_t>(*size))
        throw ApiError::conflict("a file with that SHA-256 and another size is already here");
    AuditEvent event = ctx.auditEvent("files.blob_start", "file_blob", sha);
    event.details = {{"size", blob.size}, {"complete", blob.complete}, {"chunks_held", blob.have.size()}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json(blobJson(sha, blob), blob.complete ? 200 : 201);
}

ApiResponse putBlobChunk(RequestContext& ctx) {
    const std::string sha = shaParam(ctx);
    const std::string seqText = ctx.pathParam("seq");
    if (seqText.empty() || seqText.size() > 9 || seqText.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError::notFound("chunk");
    const int seq = std::stoi(seqText);
    const AccessScope scope = ctx.require(RemoteFilesUpload);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    FileBlobStore store(tx);
    const auto key = keyOf(ctx, sha);
    const auto blob = store.find(key, false);
    if (!blob)
        throw ApiError::notFound("file");
    if (blob->complete)
        return ApiResponse::noContent();
    if (static_cast<std::uint64_t>(seq) >= blob->chunks())
        throw ApiError::badRequest("the file has " + std::to_string(blob->chunks()) + " chunks");
    const std::uint64_t expected =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(blob->chunkBytes),
                                blob->size - static_cast<std::uint64_t>(seq) * blob->chunkBytes);
    if (ctx.rawBody().size() != expected)
        throw ApiError::badRequest("chunk " + std::to_string(seq) + " must be " + std::to_string(expected) +
                                   " bytes, not " + std::to_string(ctx.rawBody().size()));
    store.putChunk(key, seq, ctx.rawBody());
    tx.commit();
    return ApiResponse::noContent();
}

ApiResponse completeBlob(RequestContext& ctx) {
    const std::string sha = shaParam(ctx);
    const AccessScope scope = ctx.require(RemoteFilesUpload);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    FileBlobStore store(tx);
    const auto key = keyOf(ctx, sha);
    if (!store.find(key))
        throw ApiError::notFound("file");
    const bool complete = store.complete(key);
    const auto blob = store.find(key);
    AuditEvent event = ctx.auditEvent("files.blob_complete", "file_blob", sha);
    event.result = complete ? "success" : "failure";
    event.details = {{"size", blob->size}};
    ctx.audit(tx, event);
    tx.commit();
    if (!complete)
        throw ApiError(
            422, "checksum_mismatch",
            "the chunks received do not make a file with that SHA-256; they were dropped, send them again");
    return ApiResponse::json(blobJson(sha, *blob));
}

// Pushes are read by those who may make them (remote:files_upload) or browse files (remote:files).
AccessScope pushReadScope(RequestContext& ctx) {
    return ctx.principal().scopeFor(RemoteFilesUpload).isEmpty() ? ctx.require(RemoteFiles)
                                                                 : ctx.require(RemoteFilesUpload);
}

DeviceTargets pushAim(JsonFields& fields) {
    DeviceTargets aim;
    aim.deviceIds = fields.optionalUuidList("device_ids", 10'000);
    aim.siteId = fields.optionalUuid("site_id");
    aim.groupId = fields.optionalUuid("group_id");
    aim.orgId = fields.optionalUuid("org_id");
    return aim;
}

ApiResponse createPush(RequestContext& ctx) {
    auto fields = ctx.fields();
    DeviceTargets aim = pushAim(fields);
    const std::string sha = fields.requiredString("sha256", 64, 64);
    const std::string path = fields.requiredString("path", 2, 4096);
    const std::string conflict = fields.optionalString("conflict", 1, 16).value_or("fail");
    fields.finish();
    if (conflict != "fail" && conflict != "replace" && conflict != "keep_both" && conflict != "skip")
        throw ApiError::badRequest("\"conflict\" must be fail, replace, keep_both or skip");
    const std::string target = normalisedFolder(path, "path");
    const auto slash = target.rfind('/');
    const std::string folder = slash == 0 ? "/" : target.substr(0, slash);
    if (target == "/" || path.ends_with('/'))
        throw ApiError::badRequest("\"path\" must name the file on the devices, such as /etc/app/app.conf");
    const AccessScope scope = ctx.require(RemoteFilesUpload);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    aim.resolve(ctx, tx, RemoteFilesUpload);
    FilePushStore pushes(tx);
    const auto devices = pushes.devices(aim, deviceScopeSql(scope));
    if (aim.listed > 0 && devices.size() != aim.listed)
        throw ApiError::notFound(std::to_string(aim.listed - devices.size()) + " of the devices");
    if (devices.empty())
        throw ApiError(409, "no_devices", "the target holds no devices");
    // The devices first: another tenant's are not found, whatever the file.
    FileBlobStore blobs(tx);
    const FileBlobStore::Key key = keyOf(ctx, sha);
    const auto blob = blobs.find(key);
    if (!blob || !blob->complete)
        throw ApiError::conflict("send the file first (POST /api/v1/file-blobs) and complete it");
    // Each device's folder must be one the caller's roles let file sessions write in there.
    SessionStore sessions(tx);
    std::map<std::string, std::string> rootBySite;
    AuditEvent event = ctx.auditEvent("files.push", "file_push", "");
    FilePushStore::NewPush push{
        ctx.principal().partnerId,   ctx.principal().id, sha,        target,     conflict,
        ctx.principal().actorType(), event.actorLabel,   blob->size, aim.targets};
    const std::string id = pushes.insert(push);
    for (const auto& device : devices) {
        auto& root = rootBySite[device.siteId];
        if (root.empty())
            root = uploadRootCovering(ctx, sessions, DeviceRef{device.partnerId, device.orgId, device.siteId},
                                      folder);
        pushes.addTarget(id, device, root);
    }
    blobs.touch(key);
    event.resourceId = id;
    event.details = {{"sha256", sha},        {"size", blob->size},     {"path", target},
                     {"conflict", conflict}, {"targets", aim.targets}, {"devices", devices.size()}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::json({{"id", id}, {"devices", devices.size()}, {"path", target}}, 201);
}

ApiResponse getPush(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "file push");
    const AccessScope scope = pushReadScope(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    auto push = FilePushStore(tx).find(id, ctx.principal().id);
    if (!push)
        throw ApiError::notFound("file push");
    return ApiResponse::json(std::move(*push));
}

ApiResponse listPushes(RequestContext& ctx) {
    const AccessScope scope = pushReadScope(ctx);
    const Pagination pagination(ctx);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(FilePushStore(tx).list(ctx.principal().id, pagination));
}
} // namespace

void registerFilePushRoutes(Router& router) {
    router.add(
        {HttpMethod::Post, "/api/v1/file-blobs", "files.blob_start", RouteAccess::Authenticated, startBlob});
    // Its chunks are the upload the start and the completion audit: an entry per 2 MiB would bury the log.
    router.add({HttpMethod::Put, "/api/v1/file-blobs/{sha256}/chunks/{seq}", "", RouteAccess::Authenticated,
                putBlobChunk});
    router.add({HttpMethod::Post, "/api/v1/file-blobs/{sha256}/complete", "files.blob_complete",
                RouteAccess::Authenticated, completeBlob});
    router.add(
        {HttpMethod::Post, "/api/v1/file-pushes", "files.push", RouteAccess::Authenticated, createPush});
    router.add({HttpMethod::Get, "/api/v1/file-pushes", "", RouteAccess::Authenticated, listPushes});
    router.add({HttpMethod::Get, "/api/v1/file-pushes/{id}", "", RouteAccess::Authenticated, getPush});
}

} // namespace breeze::server
