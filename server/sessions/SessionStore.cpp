#include "sessions/SessionStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kSessionJson =
    "json_build_object('id', r.id, 'device_id', r.device_id, 'org_id', r.org_id, 'site_id', r.site_id, "
    "'hostname', (SELECT d.hostname FROM devices d WHERE d.id = r.device_id), "
    "'kind', r.kind, 'state', r.state, 'actor_type', r.actor_type, 'actor_id', r.actor_id, 'actor', "
    "r.actor_label, 'address', r.address, 'grants', r.grants, 'started_at', r.started_at, 'attached_at', "
    "r.attached_at, 'detached_at', r.detached_at, 'ended_at', r.ended_at, 'end_reason', r.end_reason, "
    "'exit_code', r.exit_code, 'bytes_to_device', r.bytes_to_device, 'bytes_from_device', "
    "r.bytes_from_device, 'attach_count', r.attach_count, 'quality', r.quality, 'recording', (SELECT "
    "json_build_object('bytes', "
    "s.bytes, 'dropped_bytes', s.dropped_bytes, 'streams', (SELECT coalesce(json_agg(x ORDER BY x.stream), "
    "'[]') FROM (SELECT g.stream, min(g.codec) AS codec, max(g.width) AS width, max(g.height) AS height, "
    "count(*) AS segments, sum(g.pictures) AS pictures, max(g.start_ms + g.duration_ms) - min(g.start_ms) AS "
    "duration_ms FROM desktop_recording_segments g WHERE g.session_id = r.id GROUP BY g.stream) x)) FROM "
    "session_recordings s WHERE s.session_id = r.id))::text";
constexpr const char* kNewestFirstKey =
    "lpad((9223372036854775807 - (extract(epoch FROM r.started_at) * 1000000)::bigint)::text, 19, '0')";
constexpr const char* kEndingColumns =
    "r.partner_id, r.org_id, r.actor_type, r.actor_id, r.actor_label, r.device_id, r.kind";

SessionStore::Ending endingOf(const pqxx::row& row) {
    SessionStore::Ending ending;
    ending.partnerId = row["partner_id"].as<std::string>();
    ending.orgId = row["org_id"].as<std::string>();
    ending.actorType = row["actor_type"].as<std::string>();
    ending.actorId = row["actor_id"].as<std::string>();
    ending.actorLabel = row["actor_label"].as<std::string>();
    ending.deviceId = row["device_id"].as<std::string>();
    ending.kind = row["kind"].as<std::string>();
    ending.record = nlohmann::json::parse(row["item"].as<std::string>());
    return ending;
}
} // namespace

std::optional<std::string> SessionStore::relayUrlOf(const std::string& deviceId) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT relay_url FROM devices WHERE id = $1 AND status = 'online' AND relay_url IS NOT NULL",
        deviceId);
    if (rows.empty())
        return std::nullopt;
    return rows[0]["relay_url"].as<std::string>();
}

void SessionStore::setRelayUrl(const std::string& deviceId, const std::string& connectionId,
                               const std::string& url) {
    m_tx.sql().exec_params("UPDATE devices SET relay_url = $3 WHERE id = $1 AND connection_id = $2::uuid",
                           deviceId, connectionId, url);
}

std::map<std::string, std::string> SessionStore::filesRootsByRole(const std::vector<std::string>& roleIds) {
    std::map<std::string, std::string> roots;
    SqlParams params;
    std::string list;
    for (const auto& id : roleIds)
        list += (list.empty() ? "" : ", ") + params.add(id) + "::uuid";
    if (list.empty())
        return roots;
    for (const auto& row :
         params.exec(m_tx.sql(), "SELECT id, coalesce(files_root, '') AS root FROM roles WHERE "
                                 "id IN (" +
                                     list + ")"))
        roots[row["id"].as<std::string>()] = row["root"].as<std::string>();
    return roots;
}

long long SessionStore::liveCount(const std::string& deviceId) {
    return m_tx.sql()
        .exec_params1("SELECT count(*) AS n FROM remote_sessions WHERE device_id = $1 AND state <> 'closed'",
                      deviceId)["n"]
        .as<long long>();
}

long long SessionStore::liveCountOf(const std::string& actorId) {
    return m_tx.sql()
        .exec_params1("SELECT count(*) AS n FROM remote_sessions WHERE actor_id = $1 AND state <> 'closed'",
                      actorId)["n"]
        .as<long long>();
}

nlohmann::json SessionStore::insert(const NewSession& s) {
    const auto row = m_tx.sql().exec_params1(
        std::string(
            "WITH r AS (INSERT INTO remote_sessions (partner_id, org_id, site_id, device_id, kind, user_id, "
            "actor_type, actor_id, actor_label, address, grants, token_hash, token_expires_at, relay_url) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, now() + make_interval(secs "
            "=> $13), $14) RETURNING *) SELECT ") +
            kSessionJson + " AS item FROM r",
        s.partnerId, s.orgId, s.siteId, s.deviceId, s.kind, s.userId, s.actorType, s.actorId, s.actorLabel,
        s.address, s.grants.dump(), s.tokenHash, s.tokenSeconds, s.relayUrl);
    return nlohmann::json::parse(row["item"].as<std::string>());
}

std::optional<nlohmann::json> SessionStore::find(const std::string& id, const std::string& scopeSql) {
    const auto rows =
        m_tx.sql().exec_params(std::string("SELECT ") + kSessionJson +
                                   " AS item FROM remote_sessions r WHERE r.id = $1 AND " + scopeSql,
                               id);
    if (rows.empty())
        return std::nullopt;
    return nlohmann::json::parse(rows[0]["item"].as<std::string>());
}

nlohmann::json SessionStore::setQuality(const std::string& id, const nlohmann::json& quality) {
    const auto row =
        m_tx.sql().exec_params1(std::string("WITH r AS (UPDATE remote_sessions SET quality = "
                                            "$2::jsonb || jsonb_build_object('reported_at', now()) "
                                            "WHERE id = $1 RETURNING *) SELECT ") +
                                    kSessionJson + " AS item FROM r",
                                id, quality.dump());
    return nlohmann::json::parse(row["item"].as<std::string>());
}

bool SessionStore::endedWithin(const std::string& id, int seconds) {
    return !m_tx.sql()
                .exec_params("SELECT 1 FROM remote_sessions WHERE id = $1 AND ended_at > now() - "
                             "make_interval(secs => $2)",
                             id, seconds)
                .empty();
}

nlohmann::json SessionStore::list(const Filter& filter, const Pagination& pagination,
                                  const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kSessionJson + " AS item, " + kNewestFirstKey +
                      " AS sort_key FROM remote_sessions r WHERE " + scopeSql;
    if (filter.deviceId)
        sql += " AND r.device_id = " + params.add(*filter.deviceId) + "::uuid";
    if (filter.userId)
        sql += " AND r.user_id = " + params.add(*filter.userId) + "::uuid";
    if (filter.kind)
        sql += " AND r.kind = " + params.add(*filter.kind);
    if (filter.state == "live")
        sql += " AND r.state <> 'closed'";
    else if (filter.state)
        sql += " AND r.state = " + params.add(*filter.state);
    sql += pagination.sqlAfter(params, kNewestFirstKey, "r.id") + " ORDER BY " + kNewestFirstKey + ", r.id" +
           pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

bool SessionStore::reissueToken(const std::string& id, const std::string& tokenHash, int seconds,
                                const std::string& relayUrl) {
    return m_tx.sql()
               .exec_params("UPDATE remote_sessions SET token_hash = $2, token_expires_at = now() + "
                            "make_interval(secs => $3), relay_url = $4 WHERE id = $1 AND state <> 'closed'",
                            id, tokenHash, seconds, relayUrl)
               .affected_rows() > 0;
}

std::optional<SessionStore::Redeemed> SessionStore::redeem(const std::string& tokenHash) {
    const auto rows = m_tx.sql().exec_params(
        "UPDATE remote_sessions SET token_hash = NULL, token_expires_at = NULL WHERE token_hash = $1 AND "
        "token_expires_at > now() AND state <> 'closed' RETURNING id, partner_id, org_id, site_id, "
        "device_id, "
        "kind, actor_label, grants::text AS grants, attach_count > 0 AS resume",
        tokenHash);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    Redeemed redeemed;
    redeemed.id = row["id"].as<std::string>();
    redeemed.partnerId = row["partner_id"].as<std::string>();
    redeemed.orgId = row["org_id"].as<std::string>();
    redeemed.siteId = row["site_id"].as<std::string>();
    redeemed.deviceId = row["device_id"].as<std::string>();
    redeemed.kind = row["kind"].as<std::string>();
    redeemed.actorLabel = row["actor_label"].as<std::string>();
    redeemed.grants = nlohmann::json::parse(row["grants"].as<std::string>());
    redeemed.resume = row["resume"].as<bool>();
    return redeemed;
}

void SessionStore::markActive(const std::string& id) {
    m_tx.sql().exec_params(
        "UPDATE remote_sessions SET state = 'active', attached_at = now(), detached_at = NULL, "
        "attach_count = attach_count + 1 WHERE id = $1 AND state <> 'closed'",
        id);
}

void SessionStore::markDetached(const std::string& id, std::uint64_t toDevice, std::uint64_t fromDevice) {
    m_tx.sql().exec_params(
        "UPDATE remote_sessions SET state = CASE WHEN state = 'closed' THEN state ELSE 'detached' END, "
        "detached_at = CASE WHEN state = 'closed' THEN detached_at ELSE now() END, "
        "bytes_to_device = bytes_to_device + $2, bytes_from_device = bytes_from_device + $3 WHERE id = $1",
        id, static_cast<long long>(toDevice), static_cast<long long>(fromDevice));
}

std::optional<SessionStore::Ending> SessionStore::markClosed(const std::string& id, const std::string& reason,
                                                             std::optional<int> exitCode,
                                                             std::uint64_t toDevice, std::uint64_t fromDevice,
                                                             const std::string& deviceId) {
    // Bytes still owed are added even to a session closed meanwhile; only the first close is an ending.
    const auto rows = m_tx.sql().exec_params(
        std::string(
            "WITH r AS (UPDATE remote_sessions s SET state = 'closed', ended_at = coalesce(s.ended_at, "
            "now()), "
            "end_reason = CASE WHEN o.state = 'closed' THEN s.end_reason ELSE left($2, 500) END, "
            "exit_code = coalesce(s.exit_code, $3), token_hash = NULL, bytes_to_device = s.bytes_to_device "
            "+ $4, bytes_from_device = s.bytes_from_device + $5 FROM (SELECT id, state FROM remote_sessions "
            "WHERE id = $1 AND ($6 = '' OR device_id::text = $6) FOR UPDATE) o WHERE s.id = o.id RETURNING "
            "s.*, "
            "o.state <> 'closed' AS ended_now) "
            "SELECT ") +
            kEndingColumns + ", " + kSessionJson + " AS item, r.ended_now FROM r",
        id, reason, exitCode, static_cast<long long>(toDevice), static_cast<long long>(fromDevice), deviceId);
    if (rows.empty() || !rows[0]["ended_now"].as<bool>())
        return std::nullopt;
    return endingOf(rows[0]);
}

void SessionStore::closeLiveOf(const std::string& deviceId, const std::string& reason) {
    for (const auto& row : m_tx.sql().exec_params(
             "SELECT id FROM remote_sessions WHERE device_id = $1 AND state <> 'closed'", deviceId)) {
        const auto id = row["id"].as<std::string>();
        markClosed(id, reason, std::nullopt, 0, 0);
        announceClosed(id, reason);
    }
}

void SessionStore::announceClosed(const std::string& id, const std::string& reason) {
    m_tx.sql().exec_params(
        "SELECT pg_notify('breeze_events', json_build_object('kind', 'session_closed', 'session_id', r.id, "
        "'device_id', r.device_id, 'partner_id', r.partner_id, 'org_id', r.org_id, 'site_id', r.site_id, "
        "'reason', left($2, 500))::text) FROM remote_sessions r WHERE r.id = $1",
        id, reason);
}

std::vector<std::string> SessionStore::withoutAuthority(const std::vector<std::string>& ids) {
    std::vector<std::string> found;
    if (ids.empty())
        return found;
    std::string list = "{";
    for (const auto& id : ids)
        list += (list.size() > 1 ? "," : "") + id;
    list += "}";
    // The rights that keep a session going: its kind's; a push delivery's remote:files_upload (which making
    // the push took); for a view-only desktop, either desktop right.
    const std::string actions =
        "p.resource = 'remote' AND p.action = ANY(CASE WHEN r.address = 'file push' THEN "
        "ARRAY['files_upload'] "
        "WHEN r.kind = 'desktop' AND coalesce((r.grants->>'view_only')::boolean, false) THEN "
        "ARRAY['desktop', 'desktop_view'] ELSE ARRAY[r.kind] END)";
    for (
        const auto& row : m_tx.sql().exec_params(
            // Still able to act, and still holding such a right on the device's site through a role.
            "SELECT r.id FROM remote_sessions r WHERE r.id = ANY($1::uuid[]) AND r.state <> 'closed' AND NOT "
            "CASE r.actor_type WHEN 'user' THEN EXISTS (SELECT 1 FROM users u WHERE u.id = r.actor_id AND "
            "u.disabled_at IS NULL) AND EXISTS (SELECT 1 FROM user_grants g JOIN role_permissions p ON "
            "p.role_id = g.role_id WHERE g.user_id = r.actor_id AND " +
                actions +
                " AND (g.org_id IS NULL OR (g.org_id = r.org_id AND (g.site_ids IS NULL OR r.site_id = "
                "ANY(g.site_ids))))) ELSE EXISTS (SELECT 1 FROM api_keys k JOIN role_permissions p ON "
                "p.role_id = k.role_id WHERE k.id = r.actor_id AND k.revoked_at IS NULL AND (k.expires_at IS "
                "NULL OR k.expires_at > now()) AND k.org_id = r.org_id AND " +
                actions + ") END",
            list))
        found.push_back(row["id"].as<std::string>());
    return found;
}

long long SessionStore::pruneRecordings(int days, long long maxBytes) {
    long long removed =
        m_tx.sql()
            .exec_params("DELETE FROM session_recordings WHERE started_at < now() - make_interval(days "
                         "=> $1)",
                         days)
            .affected_rows();
    removed +=
        m_tx.sql()
            .exec_params("DELETE FROM session_recordings WHERE session_id IN (SELECT session_id FROM (SELECT "
                         "session_id, sum(bytes) OVER (ORDER BY started_at DESC, session_id) AS newer FROM "
                         "session_recordings) t WHERE newer > $1)",
                         maxBytes)
            .affected_rows();
    return removed;
}

bool SessionStore::writeRecording(const std::string& sessionId, std::FILE* out) {
    const auto header = m_tx.sql().exec_params(
        "SELECT header::text AS header FROM session_recordings WHERE session_id = $1", sessionId);
    if (header.empty())
        return false;
    const auto write = [out](std::string_view bytes) {
        if (std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size())
            throw std::runtime_error("cannot write the recording");
    };
    write(header[0]["header"].as<std::string>() + "\n");
    // A page at a time: a long recording never sits in memory whole.
    for (int from = 0;;) {
        const auto rows = m_tx.sql().exec_params("SELECT seq, body FROM session_recording_chunks WHERE "
                                                 "session_id = $1 AND seq >= $2 ORDER BY seq LIMIT 64",
                                                 sessionId, from);
        for (const auto& row : rows) {
            const pqxx::binarystring body(row["body"]);
            write(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
            from = row["seq"].as<int>() + 1;
        }
        if (rows.size() < 64)
            return true;
    }
}

std::vector<SessionStore::Ending> SessionStore::closeAbandoned(int seconds) {
    std::vector<Ending> endings;
    for (const auto& row : m_tx.sql().exec_params(
             std::string(
                 "WITH r AS (UPDATE remote_sessions SET state = 'closed', ended_at = now(), token_hash = "
                 "NULL, end_reason = CASE state WHEN 'pending' THEN 'no console attached' ELSE 'no console "
                 "came back in time' END WHERE (state = 'detached' AND detached_at < now() - "
                 "make_interval(secs => $1)) OR (state = 'pending' AND started_at < now() - "
                 "make_interval(secs => $1)) RETURNING *) SELECT ") +
                 kEndingColumns + ", " + kSessionJson + " AS item FROM r",
             seconds))
        endings.push_back(endingOf(row));
    return endings;
}

} // namespace breeze::server
