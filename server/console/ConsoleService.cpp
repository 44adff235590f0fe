#include "console/ConsoleService.h"

#include "app/ServerContext.h"
#include "auth/Authenticator.h"
#include "auth/Permission.h"
#include "crypto/SecureRandom.h"
#include "db/DatabaseUnavailable.h"
#include "db/PgText.h"
#include "db/ScopedTransaction.h"
#include "encoding/Uuid.h"
#include "events/EventHub.h"
#include "gateway/FrontDoor.h"
#include "http/ApiError.h"
#include "ops/JsonLogger.h"
#include "protocol/MessageFields.h"
#include "protocol/WebSocketCodec.h"

#include <algorithm>
#include <cmath>
#include <pqxx/pqxx>

namespace breeze::server {

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxWatched = 50;
constexpr std::uint16_t kCloseSignInExpired = 4003;
} // namespace

ConsoleService::ConsoleService(ServerContext& server, EventHub& events)
    : m_server(server), m_events(events), m_workers(2, 10'000) {
    m_subscription = m_events.subscribe([this](const nlohmann::json& event) { deliver(event); });
}

ConsoleService::~ConsoleService() {
    stop();
}

void ConsoleService::stop() {
    if (m_subscription) {
        m_events.unsubscribe(m_subscription);
        m_subscription = 0;
    }
    m_workers.stop();
}

void ConsoleService::abandoned(const AgentSession& session) {
    std::lock_guard lock(m_mutex);
    m_admitted.erase(session.key);
}

std::size_t ConsoleService::sessions() const {
    std::lock_guard lock(m_mutex);
    return m_consoles.size();
}

std::optional<ConsoleService::Admitted> ConsoleService::authenticate(const std::string& token,
                                                                     const std::string& address,
                                                                     std::string& error, int& status) {
    try {
        const Principal principal = Authenticator(m_server).authenticate("Bearer " + token, address, "");
        if (principal.mfaEnrollmentOnly) {
            status = 403;
            error = "set up two-factor sign-in before using the console";
            return std::nullopt;
        }
        AccessScope scope = principal.scopeFor(permissions::DevicesRead);
        if (scope.isEmpty()) {
            status = 403;
            error = "this needs the devices:read permission";
            return std::nullopt;
        }
        return Admitted{principal.id, principal.sessionId, std::move(scope)};
    } catch (const ApiError& refused) {
        status = refused.status();
        error = refused.what();
    } catch (const DatabaseUnavailable&) {
        status = 503;
        error = "the server cannot check sign-ins right now; try again later";
    } catch (const std::exception& failure) {
        status = 503;
        error = failure.what();
    }
    return std::nullopt;
}

void ConsoleService::admit(const std::string& credential, const std::string& address,
                           std::function<void(AgentAdmission)> done) {
    const bool queued = m_workers.post(credential, [this, credential, address, done] {
        AgentAdmission admission;
        std::string error;
        int status = 401;
        auto admitted = authenticate(credential, address, error, status);
        if (!admitted) {
            admission.status = status;
            admission.code = status == 403 ? "forbidden" : status == 503 ? "unavailable" : "invalid_token";
            admission.message = error;
            done(std::move(admission));
            return;
        }
        admission.session.key = "console:" + crypto::SecureRandom::uuid();
        admission.session.partnerId = admitted->scope.partnerId();
        {
            // Console sessions do not count against their address (a whole office may sit behind one), so one
            // user's are counted instead: a stolen token cannot open connections without end.
            std::lock_guard lock(m_mutex);
            const auto mine = [&](const auto& entry) { return entry.second.userId == admitted->userId; };
            const auto open = std::count_if(m_consoles.begin(), m_consoles.end(), mine) +
                              std::count_if(m_admitted.begin(), m_admitted.end(), mine);
            if (open >= kMaxConsolesPerUser) {
                admission.status = 429;
                admission.code = "too_many_sessions";
                admission.message =
                    "this user already has " + std::to_string(open) + " console connections; close one first";
            } else {
                admission.admitted = true;
                m_admitted.insert_or_assign(admission.session.key, std::move(*admitted));
            }
        }
        done(std::move(admission));
    });
    if (!queued) {
        AgentAdmission busy;
        busy.status = 503;
        busy.code = "busy";
        busy.message = "the server is busy; try again later";
        done(std::move(busy));
    }
}

void ConsoleService::opened(const AgentSession& session) {
    std::lock_guard lock(m_mutex);
    const auto it = m_admitted.find(session.key);
    if (it == m_admitted.end())
        return;
    Console console{session,
                    it->second.userId,
                    it->second.sessionId,
                    it->second.scope,
                    Clock::now() + std::chrono::seconds(m_server.config.accessTokenTtlSeconds + 60),
                    {}};
    m_admitted.erase(it);
    m_consoles.insert_or_assign(session.key, std::move(console));
}

void ConsoleService::closed(const AgentSession& session, const std::string&) {
    std::lock_guard lock(m_mutex);
    m_consoles.erase(session.key);
}

void ConsoleService::sendTo(const AgentSession& session, const nlohmann::json& fields,
                            const std::string& type) {
    if (!m_gateway)
        return;
    protocol::Envelope envelope;
    envelope.type = type;
    envelope.fields = fields;
    m_gateway->reply(session, protocol::encodeEnvelope(envelope));
}

bool ConsoleService::received(const AgentSession& session, std::string& payload,
                              const MessageTicket& ticket) {
    if (!m_workers.hasRoom())
        return false;
    m_workers.post(
        session.key,
        [this, session, payload = std::move(payload), ticket] {
            auto decoded = protocol::decodeEnvelope(payload);
            if (!decoded) {
                sendTo(session, {{"code", "bad_message"}, {"message", decoded.error}}, "error");
                return;
            }
            handle(session, *decoded.envelope);
        },
        StrandPool::Admission::Always);
    return true;
}

void ConsoleService::handle(const AgentSession& session, const protocol::Envelope& envelope) {
    try {
        const protocol::MessageFields fields(envelope.fields, envelope.type);
        if (envelope.type == "auth") {
            // A fresh access token of the same user and sign-in keeps the session going.
            std::string error;
            int status = 401;
            const auto admitted = authenticate(fields.string("token", 4096), session.address, error, status);
            std::lock_guard lock(m_mutex);
            const auto it = m_consoles.find(session.key);
            if (it == m_consoles.end())
                return;
            if (!admitted || admitted->userId != it->second.userId) {
                sendTo(session,
                       {{"code", "invalid_token"}, {"message", admitted ? "another user's token" : error}},
                       "error");
                return;
            }
            it->second.scope = admitted->scope;
            it->second.validUntil =
                Clock::now() + std::chrono::seconds(m_server.config.accessTokenTtlSeconds + 60);
            sendTo(session, nlohmann::json::object(), "auth.ok");
        } else if (envelope.type == "watch") {
            // Heartbeats of these devices follow as they are stored; only devices the user may see.
            std::vector<std::string> requested = fields.strings("device_ids", kMaxWatched, 36);
            const std::optional<AccessScope> scope = [&]() -> std::optional<AccessScope> {
                std::lock_guard lock(m_mutex);
                const auto it = m_consoles.find(session.key);
                return it == m_consoles.end() ? std::nullopt : std::optional<AccessScope>(it->second.scope);
            }();
            if (!scope)
                return;
            std::set<std::string> allowed;
            std::erase_if(requested, [](const std::string& id) { return !encoding::isUuid(id); });
            if (!requested.empty()) {
                auto lease = m_server.pool.acquire();
                ScopedTransaction tx(*lease, *scope);
                const auto rows =
                    tx.sql().exec_params("SELECT d.id FROM devices d WHERE d.id = ANY($1::uuid[]) AND " +
                                             scope->sqlSite("d.partner_id", "d.org_id", "d.site_id"),
                                         uuidArrayLiteral(requested));
                for (const auto& row : rows)
                    allowed.insert(row["id"].as<std::string>());
            }
            std::lock_guard lock(m_mutex);
            const auto it = m_consoles.find(session.key);
            if (it != m_consoles.end())
                it->second.watched = allowed;
            sendTo(session, {{"device_ids", allowed}}, "watch.ok");
        } else {
            sendTo(session,
                   {{"code", "unknown_type"}, {"message", "unknown message type \"" + envelope.type + "\""}},
                   "error");
        }
    } catch (const protocol::MessageError& error) {
        sendTo(session, {{"code", "bad_message"}, {"message", error.what()}}, "error");
    } catch (const std::exception& error) {
        sendTo(session, {{"code", "unavailable"}, {"message", "the server could not do that now; try again"}},
               "error");
        logger().warning("console message failed", {{"type", envelope.type}, {"error", error.what()}});
    }
}

// As breeze_fullest_filesystem (migrations/0018) does for the device list: the least room, measured as df
// does.
nlohmann::json ConsoleService::fullestFilesystem(const std::vector<protocol::FilesystemUsage>& filesystems) {
    const protocol::FilesystemUsage* fullest = nullptr;
    for (const auto& fs : filesystems)
        if (!fullest || fs.usedPercent() > fullest->usedPercent())
            fullest = &fs;
    if (!fullest)
        return nullptr;
    const std::uint64_t available = fullest->availableBytes.value_or(
        fullest->totalBytes > fullest->usedBytes ? fullest->totalBytes - fullest->usedBytes : 0);
    return {{"mount", fullest->mount},
            {"used_percent", std::round(fullest->usedPercent() * 10) / 10},
            {"available_bytes", available},
            {"total_bytes", fullest->totalBytes}};
}

bool ConsoleService::mayHear(const AccessScope& scope, const std::string& orgId, const std::string& siteId) {
    if (orgId.empty())
        return scope.isWholePartner();
    return siteId.empty() ? scope.allowsOrg(orgId) : scope.allowsSite(orgId, siteId);
}

void ConsoleService::deliver(const nlohmann::json& event) {
    // A tenancy change names no site (an organisation) or no organisation (never): null reads as empty.
    const auto text = [&event](const char* key) {
        const auto found = event.find(key);
        return found != event.end() && found->is_string() ? found->get<std::string>() : std::string();
    };
    const std::string kind = text("kind");
    const std::string partner = text("partner_id");
    const std::string org = text("org_id");
    const std::string site = text("site_id");
    const auto now = Clock::now();
    std::vector<AgentSession> expired;
    {
        std::lock_guard lock(m_mutex);
        for (auto& [key, console] : m_consoles) {
            if (now > console.validUntil) {
                expired.push_back(console.session);
                continue;
            }
            // Tenants never leak: an event goes only where the user's devices:read scope reaches its site (a
            // change to an organisation itself, or to an organisation-wide group, where it reaches the
            // organisation).
            if (kind != "resync" &&
                (partner != console.scope.partnerId() || !mayHear(console.scope, org, site)))
                continue;
            // "id" is the envelope's own field: the event's row id travels as event_id.
            nlohmann::json fields = event;
            if (fields.contains("id")) {
                fields["event_id"] = fields["id"];
                fields.erase("id");
            }
            // Device events carry their row's id; tenancy changes are no device event and travel apart.
            sendTo(console.session, fields, kind == "tenancy_changed" ? "tenancy" : "event");
        }
    }
    for (const auto& session : expired)
        if (m_gateway)
            m_gateway->closeSession(session, kCloseSignInExpired,
                                    "sign-in expired; reconnect with a fresh token");
}

void ConsoleService::metricsStored(const std::vector<AgentDataFeed::Heartbeat>& samples) {
    std::lock_guard lock(m_mutex);
    if (m_consoles.empty())
        return;
    // Each sample's headline figures are made once per batch, then every console gets those of the devices it
    // may see, in one "summaries" message; the whole sample ("metric") only goes to consoles watching it.
    const auto seenAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    std::vector<nlohmann::json> headlines;
    headlines.reserve(samples.size());
    for (const auto& sample : samples) {
        const auto& beat = sample.heartbeat;
        headlines.push_back(
            {{"device_id", sample.session.deviceId},
             {"seen_at_ms", seenAtMs},
             {"cpu_percent", beat.cpuPercent},
             {"memory_percent", beat.memoryTotalBytes == 0
                                    ? nlohmann::json(nullptr)
                                    : nlohmann::json(100.0 * static_cast<double>(beat.memoryUsedBytes) /
                                                     static_cast<double>(beat.memoryTotalBytes))},
             {"last_user", beat.users.empty() ? std::string() : beat.users.front()},
             {"uptime_seconds", beat.uptimeSeconds},
             {"fullest_filesystem", fullestFilesystem(beat.filesystems)}});
    }
    const auto wholeSample = [](const AgentDataFeed::Heartbeat& sample) {
        const auto& beat = sample.heartbeat;
        nlohmann::json filesystems = nlohmann::json::array();
        for (const auto& fs : beat.filesystems)
            filesystems.push_back(fs.toJson());
        return nlohmann::json{
            {"device_id", sample.session.deviceId}, {"sampled_at_ms", beat.sampledAtMs},
            {"cpu_percent", beat.cpuPercent},       {"load1", beat.load1},
            {"memory_used", beat.memoryUsedBytes},  {"memory_total", beat.memoryTotalBytes},
            {"process_count", beat.processCount},   {"filesystems", std::move(filesystems)}};
    };
    const auto now = Clock::now();
    for (auto& [key, console] : m_consoles) {
        if (now > console.validUntil)
            continue; // closed with the next event delivery; nothing more until it renews
        nlohmann::json summaries = nlohmann::json::array();
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const auto& device = samples[i].session;
            if (device.partnerId != console.scope.partnerId() ||
                !console.scope.allowsSite(device.orgId, device.siteId))
                continue;
            summaries.push_back(headlines[i]);
            if (console.watched.contains(device.deviceId))
                sendTo(console.session, wholeSample(samples[i]), "metric");
        }
        if (!summaries.empty())
            sendTo(console.session, {{"devices", std::move(summaries)}}, "summaries");
    }
}

} // namespace breeze::server
