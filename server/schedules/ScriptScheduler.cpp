#include "schedules/ScriptScheduler.h"

#include "app/ServerContext.h"
#include "audit/AuditLog.h"
#include "auth/Authenticator.h"
#include "db/ScopedTransaction.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "ops/JsonLogger.h"
#include "protocol/HttpRequestHead.h"
#include "schedules/ScheduleStore.h"
#include "scripts/ScriptRunRoutes.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr int kClaimedAtOnce = 20;
} // namespace

ScriptScheduler::ScriptScheduler(ServerContext& server, std::chrono::milliseconds interval)
    : m_server(server), m_interval(interval) {}

ScriptScheduler::~ScriptScheduler() {
    stop();
}

void ScriptScheduler::start() {
    m_thread = std::thread([this] {
        while (true) {
            try {
                while (runOnce() == kClaimedAtOnce && !stopping()) {
                    // more were due: go on at once
                }
            } catch (const std::exception& error) {
                logger().warning("script scheduling pass failed", {{"error", error.what()}});
            }
            std::unique_lock lock(m_mutex);
            if (m_wake.wait_for(lock, m_interval, [this] { return m_stopping; }))
                return;
        }
    });
}

bool ScriptScheduler::stopping() {
    std::lock_guard lock(m_mutex);
    return m_stopping;
}

void ScriptScheduler::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

int ScriptScheduler::runOnce() {
    std::vector<ScheduleStore::Due> due;
    {
        auto lease = m_server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"claim the script schedules that are due"});
        due = ScheduleStore(tx).claimDue(kClaimedAtOnce);
        tx.commit();
    }
    for (const auto& schedule : due) {
        std::string runId;
        std::string error;
        try {
            const auto maker = Authenticator(m_server).forUser(schedule.createdBy);
            const auto values = m_server.sealer.open(schedule.sealedParameters);
            if (!maker)
                error = "the person who made this schedule is disabled; it did not run";
            else if (!values)
                error =
                    "its parameter values could not be unsealed (the server's key changed); make it again";
            if (error.empty()) {
                nlohmann::json body = schedule.targets;
                body["parameters"] = nlohmann::json::parse(*values);
                if (schedule.version)
                    body["version"] = *schedule.version;
                if (schedule.timeoutSeconds)
                    body["timeout_seconds"] = *schedule.timeoutSeconds;
                protocol::HttpRequestHead head;
                head.method = "POST";
                head.target = "/api/v1/scripts/" + schedule.scriptId + "/runs";
                RequestContext ctx(m_server, head, "schedule:" + schedule.id, "scheduler", head.target, {});
                ctx.setPrincipal(*maker);
                ctx.setPathParams({{"id", schedule.scriptId}});
                ctx.setBody(body.dump());
                runId = startScriptRun(ctx).body["run"]["id"].get<std::string>();
            }
        } catch (const ApiError& refused) {
            error = refused.what();
        } catch (const std::exception& failure) {
            error = failure.what();
        }
        if (!error.empty())
            logger().warning("scheduled script run refused",
                             {{"schedule_id", schedule.id}, {"error", error}});
        auto lease = m_server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"record a scheduled run"});
        ScheduleStore store(tx);
        if (runId.empty()) {
            store.recordFailure(schedule.id, error);
            // A time that made no run is on the record where people look for what ran.
            AuditEvent event;
            event.partnerId = schedule.partnerId;
            event.orgId = schedule.orgId;
            event.actorType = "system";
            event.actorLabel = "scheduler";
            event.address = "scheduler";
            event.requestId = "schedule:" + schedule.id;
            event.action = "scripts.scheduled_run";
            event.resourceType = "script_schedule";
            event.resourceId = schedule.id;
            event.result = "failure";
            event.details = {{"error", error}};
            AuditLog::record(tx, event);
        } else {
            store.recordRun(schedule.id, runId);
        }
        tx.commit();
    }
    return static_cast<int>(due.size());
}

} // namespace breeze::server
