#include "pushes/FilePushStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "devices/DeviceTargets.h"
#include "http/Pagination.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kPushJson =
    "json_build_object('id', p.id, 'sha256', p.sha256, 'size', p.size, 'path', p.path, 'conflict', "
    "p.conflict, 'targets', p.targets, 'actor', p.actor_label, 'actor_id', p.owner_id, 'created_at', "
    "p.created_at, 'counts', (SELECT json_build_object('pending', count(*) FILTER (WHERE t.state = "
    "'pending'), 'running', count(*) FILTER (WHERE t.state = 'running'), 'done', count(*) FILTER (WHERE "
    "t.state = 'done'), 'skipped', count(*) FILTER (WHERE t.state = 'skipped'), 'failed', count(*) FILTER "
    "(WHERE t.state = 'failed'), 'total', count(*)) FROM file_push_targets t WHERE t.push_id = p.id))";
// A push is its maker's to see, and a partner-wide administrator's: it names every device it goes to, in
// whichever organisation, so someone who sees only some of them does not see it.
constexpr const char* kVisible = "(p.owner_id = $1::uuid OR breeze_partner_visible(p.partner_id))";
// Whether a push's maker ("p") may still upload on its line's ("t") site: their account or key still valid,
// and a role of theirs holding remote:files_upload there. A delivery does only what its maker could do by
// hand now.
const std::string kMakerMayUpload =
    "CASE p.actor_type WHEN 'user' THEN EXISTS (SELECT 1 FROM users u WHERE u.id = p.owner_id AND "
    "u.disabled_at IS NULL) AND EXISTS (SELECT 1 FROM user_grants g JOIN role_permissions rp ON rp.role_id = "
    "g.role_id WHERE g.user_id = p.owner_id AND rp.resource = 'remote' AND rp.action = 'files_upload' AND "
    "(g.org_id IS NULL OR (g.org_id = t.org_id AND (g.site_ids IS NULL OR t.site_id = ANY(g.site_ids))))) "
    "ELSE EXISTS (SELECT 1 FROM api_keys k JOIN role_permissions rp ON rp.role_id = k.role_id WHERE k.id = "
    "p.owner_id AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND k.org_id = "
    "t.org_id AND rp.resource = 'remote' AND rp.action = 'files_upload') END";
} // namespace

std::vector<FilePushStore::Device> FilePushStore::devices(const DeviceTargets& aim,
                                                          const std::string& deviceScopeSql) {
    std::vector<Device> out;
    for (const auto& row : aim.params.exec(m_tx.sql(), "SELECT d.id, d.partner_id, d.org_id, d.site_id FROM "
                                                       "devices d WHERE " +
                                                           aim.where + " AND " + deviceScopeSql +
                                                           " AND d.revoked_at IS NULL ORDER BY d.id"))
        out.push_back({row["id"].as<std::string>(), row["partner_id"].as<std::string>(),
                       row["org_id"].as<std::string>(), row["site_id"].as<std::string>()});
    return out;
}

std::string FilePushStore::insert(const NewPush& push) {
    return m_tx.sql()
        .exec_params1(
            "INSERT INTO file_pushes (partner_id, owner_id, sha256, size, path, conflict, targets, "
            "actor_type, actor_label) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) RETURNING id",
            push.partnerId, push.ownerId, push.sha256, push.size, push.path, push.conflict,
            push.targets.dump(), push.actorType, push.actorLabel)["id"]
        .as<std::string>();
}

void FilePushStore::addTarget(const std::string& pushId, const Device& device, const std::string& root) {
    m_tx.sql().exec_params("INSERT INTO file_push_targets (push_id, device_id, partner_id, org_id, site_id, "
                           "root) VALUES ($1, $2, $3, $4, $5, $6)",
                           pushId, device.id, device.partnerId, device.orgId, device.siteId, root);
}

std::optional<nlohmann::json> FilePushStore::find(const std::string& id, const std::string& actorId) {
    const auto rows =
        m_tx.sql().exec_params(std::string("SELECT ") + kPushJson +
                                   "::text AS item FROM file_pushes p WHERE p.id = $2 AND " + kVisible,
                               actorId, id);
    if (rows.empty())
        return std::nullopt;
    auto push = nlohmann::json::parse(rows[0]["item"].as<std::string>());
    push["devices"] = nlohmann::json::array();
    for (const auto& row : m_tx.sql().exec_params(
             "SELECT json_build_object('device_id', t.device_id, 'hostname', (SELECT d.hostname FROM devices "
             "d "
             "WHERE d.id = t.device_id), 'state', t.state, 'attempts', t.attempts, 'written_path', "
             "t.written_path, 'written_sha256', t.written_sha256, 'verified', t.written_sha256 IS NOT NULL "
             "AND "
             "t.written_sha256 = p.sha256, 'error', t.error, 'session_id', t.session_id, 'updated_at', "
             "t.updated_at, 'finished_at', t.finished_at)::text AS item FROM file_push_targets t JOIN "
             "file_pushes p ON p.id = t.push_id WHERE t.push_id = $1 ORDER BY t.device_id",
             id))
        push["devices"].push_back(nlohmann::json::parse(row["item"].as<std::string>()));
    return push;
}

nlohmann::json FilePushStore::list(const std::string& actorId, const Pagination& pagination) {
    static const std::string kNewestFirst =
        "lpad((9223372036854775807 - (extract(epoch FROM p.created_at) * 1000000)::bigint)::text, 19, '0')";
    SqlParams params;
    params.add(actorId);
    std::string sql = std::string("SELECT ") + kPushJson + "::text AS item, " + kNewestFirst +
                      " AS sort_key, p.id FROM file_pushes p WHERE " + kVisible;
    sql += pagination.sqlAfter(params, kNewestFirst, "p.id") + " ORDER BY " + kNewestFirst + ", p.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

void FilePushStore::failStale() {
    // A delivery acts in its maker's name with the rights they have now for the device's site, and only where
    // the device was when the push was made (what was granted was for there).
    m_tx.sql().exec(
        "UPDATE file_push_targets t SET state = 'failed', error = 'its maker may no longer upload "
        "there (disabled, key revoked or expired, or no role with remote:files_upload on the site)', "
        "lease_until = NULL, updated_at = now(), finished_at = now() FROM file_pushes p WHERE p.id = "
        "t.push_id AND t.state IN ('pending', 'running') AND NOT (" +
        kMakerMayUpload + ")");
    m_tx.sql().exec(
        "UPDATE file_push_targets t SET state = 'failed', error = 'the device moved to another site or was "
        "revoked after the push was made', lease_until = NULL, updated_at = now(), finished_at = now() FROM "
        "devices d WHERE d.id = t.device_id AND t.state IN ('pending', 'running') AND (d.site_id <> "
        "t.site_id OR "
        "d.revoked_at IS NOT NULL)");
}

void FilePushStore::renewLease(const Claim& claim, int leaseSeconds) {
    m_tx.sql().exec_params(
        "UPDATE file_push_targets SET lease_until = now() + make_interval(secs => $3) WHERE "
        "push_id = $1 AND device_id = $2 AND state = 'running' AND attempts = $4",
        claim.pushId, claim.deviceId, leaseSeconds, claim.attempts);
}

std::vector<FilePushStore::Claim> FilePushStore::claim(const std::string& nodeUrl, int most,
                                                       int leaseSeconds) {
    std::vector<Claim> claims;
    const auto rows = m_tx.sql().exec_params(
        "WITH due AS (SELECT t.push_id, t.device_id FROM file_push_targets t JOIN devices d ON d.id = "
        "t.device_id WHERE ((t.state = 'pending' AND t.next_attempt_at <= now()) OR (t.state = 'running' AND "
        "t.lease_until < now())) AND d.status = 'online' AND d.relay_url = $1 "
        // Only while its maker can still act and the device is where it was (failStale() says so for the
        // rest).
        "AND d.site_id = t.site_id AND d.revoked_at IS NULL AND EXISTS (SELECT 1 FROM file_pushes p WHERE "
        "p.id = "
        "t.push_id AND " +
            kMakerMayUpload +
            ") "
            "ORDER BY t.next_attempt_at "
            "LIMIT $2 FOR UPDATE OF t SKIP LOCKED), "
            "taken AS (UPDATE file_push_targets t SET state = 'running', attempts = t.attempts + 1, "
            "lease_until "
            "= "
            "now() + make_interval(secs => $3), updated_at = now() FROM due WHERE t.push_id = due.push_id "
            "AND "
            "t.device_id = due.device_id RETURNING t.*) "
            "SELECT taken.push_id, taken.device_id, taken.partner_id, taken.org_id, taken.site_id, "
            "taken.root, "
            "taken.attempts, p.owner_id, p.actor_type, p.actor_label, p.sha256, p.size, p.path, p.conflict "
            "FROM "
            "taken JOIN file_pushes p ON p.id = taken.push_id",
        nodeUrl, most, leaseSeconds);
    for (const auto& row : rows) {
        Claim claim;
        claim.pushId = row["push_id"].as<std::string>();
        claim.deviceId = row["device_id"].as<std::string>();
        claim.partnerId = row["partner_id"].as<std::string>();
        claim.orgId = row["org_id"].as<std::string>();
        claim.siteId = row["site_id"].as<std::string>();
        claim.root = row["root"].as<std::string>();
        claim.attempts = row["attempts"].as<int>();
        claim.ownerId = row["owner_id"].as<std::string>();
        claim.actorType = row["actor_type"].as<std::string>();
        claim.actorLabel = row["actor_label"].as<std::string>();
        claim.sha256 = row["sha256"].as<std::string>();
        claim.size = row["size"].as<std::uint64_t>();
        claim.path = row["path"].as<std::string>();
        claim.conflict = row["conflict"].as<std::string>();
        claims.push_back(std::move(claim));
    }
    return claims;
}

void FilePushStore::setSession(const Claim& claim, const std::string& sessionId) {
    m_tx.sql().exec_params("UPDATE file_push_targets SET session_id = $3, updated_at = now() WHERE push_id = "
                           "$1 AND device_id = $2",
                           claim.pushId, claim.deviceId, sessionId);
}

void FilePushStore::finish(const Claim& claim, const std::string& state, const std::string& writtenPath,
                           const std::string& writtenSha256, const std::string& error) {
    m_tx.sql().exec_params(
        "UPDATE file_push_targets SET state = $3, written_path = NULLIF($4, ''), written_sha256 = NULLIF($5, "
        "''), error = left($6, 1000), lease_until = NULL, updated_at = now(), finished_at = now() WHERE "
        "push_id = $1 AND device_id = $2 AND state = 'running' AND attempts = $7",
        claim.pushId, claim.deviceId, state, writtenPath, writtenSha256, error, claim.attempts);
}

void FilePushStore::retryLater(const Claim& claim, const std::string& error, int delaySeconds,
                               int mostAttempts) {
    m_tx.sql().exec_params(
        "UPDATE file_push_targets SET state = CASE WHEN attempts >= $5 THEN 'failed' ELSE 'pending' END, "
        "error = left($3, 1000), next_attempt_at = now() + make_interval(secs => $4), lease_until = NULL, "
        "updated_at = now(), finished_at = CASE WHEN attempts >= $5 THEN now() END WHERE push_id = $1 AND "
        "device_id = $2 AND state = 'running' AND attempts = $6",
        claim.pushId, claim.deviceId, error, delaySeconds, mostAttempts, claim.attempts);
}

} // namespace breeze::server
