#include "agents/CommandStore.h"

#include "agents/DevicePresence.h"
#include "auth/SecretSealer.h"
#include "db/ScopedTransaction.h"
#include "devices/DeviceEvents.h"
#include "protocol/MessageFields.h"
#include "protocol/ScriptRequest.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
// The agent's view of a run_script command: the version's language, content and account, the plain
// parameters and the opened secrets. False when a secret cannot be opened.
bool scriptArgs(protocol::CommandRequest& request, const pqxx::row& row, const SecretSealer& sealer) {
    protocol::ScriptRequest script;
    script.language = row["language"].c_str();
    script.content = row["content"].c_str();
    script.runAs = row["run_as"].c_str();
    for (const auto& pair : request.args.value("environment", nlohmann::json::array()))
        script.environment.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    for (const auto& pair : request.args.value("sealed_environment", nlohmann::json::array())) {
        const auto value = sealer.open(pair[1].get<std::string>());
        if (!value)
            return false;
        script.environment.emplace_back(pair[0].get<std::string>(), *value);
    }
    request.args = script.toArgs();
    return true;
}

void recordEvent(ScopedTransaction& tx, const AgentSession& session, const std::string& commandId,
                 const std::string& status) {
    recordDeviceEvent(tx, subjectOf(session), "command", {{"command_id", commandId}, {"status", status}});
}
} // namespace

std::vector<protocol::CommandRequest> CommandStore::takeDeliverable(ScopedTransaction& tx,
                                                                    const AgentSession& session,
                                                                    bool inFlight,
                                                                    const SecretSealer& sealer) {
    const auto rows = tx.sql().exec_params(
        "WITH taken AS (UPDATE device_commands SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE "
        "status "
        "END, sent_at = coalesce(sent_at, now()), deliveries = deliveries + 1, updated_at = now() "
        "WHERE id IN (SELECT id FROM device_commands WHERE device_id = $1 AND org_id = $2 AND NOT "
        "cancel_requested "
        "AND (status = 'pending' OR ($3 AND status IN ('sent', 'running'))) ORDER BY created_at LIMIT 100 "
        "FOR UPDATE) "
        "RETURNING id, command_type, args, timeout_seconds, created_at, script_version_id) "
        "SELECT t.id, t.command_type, t.args::text AS args, t.timeout_seconds, t.created_at, v.language, "
        "v.content, "
        "v.run_as FROM taken t LEFT JOIN script_versions v ON v.id = t.script_version_id ORDER BY "
        "t.created_at",
        session.deviceId, session.orgId, inFlight);
    std::vector<protocol::CommandRequest> requests;
    for (const auto& row : rows) {
        protocol::CommandRequest request;
        request.commandId = row["id"].as<std::string>();
        request.type = row["command_type"].as<std::string>();
        request.args = nlohmann::json::parse(row["args"].as<std::string>());
        request.timeoutSeconds = row["timeout_seconds"].as<int>();
        if (request.type == protocol::kRunScriptCommand) {
            if (!scriptArgs(request, row, sealer)) {
                tx.sql().exec_params(
                    "UPDATE device_commands SET status = 'failed', finished_at = now(), updated_at = now(), "
                    "args = args - 'sealed_environment', error = 'a secret parameter could not be opened "
                    "(the "
                    "server key changed since the run was queued); run the script again' WHERE id = $1",
                    request.commandId);
                recordEvent(tx, session, request.commandId, "failed");
                continue;
            }
        }
        recordEvent(tx, session, request.commandId, "sent");
        requests.push_back(std::move(request));
    }
    return requests;
}

std::vector<std::string> CommandStore::recentCancels(ScopedTransaction& tx, const AgentSession& session) {
    const auto rows = tx.sql().exec_params(
        "SELECT id FROM device_commands WHERE device_id = $1 AND org_id = $2 AND cancel_requested "
        "AND sent_at IS NOT NULL AND finished_at > now() - interval '1 day'",
        session.deviceId, session.orgId);
    std::vector<std::string> ids;
    for (const auto& row : rows)
        ids.push_back(row["id"].as<std::string>());
    return ids;
}

std::optional<CommandStore::Finished> CommandStore::applyUpdate(ScopedTransaction& tx,
                                                                const AgentSession& session,
                                                                const protocol::CommandUpdate& update) {
    if (!update.final()) {
        const auto rows = tx.sql().exec_params(
            "UPDATE device_commands SET status = 'running', started_at = coalesce(started_at, now()), "
            "updated_at = now() WHERE id = $1 AND device_id = $2 AND status IN ('pending', 'sent') RETURNING "
            "id",
            update.commandId, session.deviceId);
        if (!rows.empty())
            recordEvent(tx, session, update.commandId, "running");
        return std::nullopt;
    }
    const auto rows = tx.sql().exec_params(
        "UPDATE device_commands SET status = $3, exit_code = NULLIF($4, '')::integer, output = $5::jsonb, "
        "error = NULLIF($6, ''), args = args - 'sealed_environment', "
        "started_at = coalesce(started_at, now()), finished_at = now(), updated_at = now() "
        "WHERE id = $1 AND device_id = $2 AND status IN ('pending', 'sent', 'running') RETURNING "
        "command_type, coalesce(deployment_id::text, '') AS deployment_id",
        update.commandId, session.deviceId, update.status,
        update.exitCode ? std::to_string(*update.exitCode) : std::string(),
        update.output.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), update.error);
    if (rows.empty())
        return std::nullopt;
    recordEvent(tx, session, update.commandId, update.status);
    return Finished{rows[0]["command_type"].as<std::string>(), rows[0]["deployment_id"].as<std::string>()};
}

bool CommandStore::appendOutput(ScopedTransaction& tx, const AgentSession& session,
                                const protocol::CommandOutput& output) {
    // The command row is locked, so chunks of one command are checked against each other one at a time.
    // A command cancelled from the console is final at once, but its agent may still be sending what the
    // script printed before it was stopped: that is taken for a few minutes more.
    const auto command =
        tx.sql().exec_params("SELECT status, status = 'cancelled' AND finished_at > now() - interval '5 "
                             "minutes' AS recently_cancelled FROM device_commands "
                             "WHERE id = $1 AND device_id = $2 AND command_type = 'run_script' FOR UPDATE",
                             output.commandId, session.deviceId);
    if (command.empty())
        return false;
    const std::string status = command[0]["status"].as<std::string>();
    if (status != "sent" && status != "running" && !command[0]["recently_cancelled"].as<bool>())
        throw protocol::MessageError("command.output: the command has " +
                                     std::string(status == "pending" ? "not started" : "finished") +
                                     "; it takes no output now");
    const int stream = output.stream == "stdout" ? 1 : 2;
    const auto size = static_cast<long long>(output.data.size());
    const pqxx::binarystring data(output.data.data(), output.data.size());
    // Stored rows never overlap, so the one starting last before this chunk's end is the only one that can.
    const auto before = tx.sql().exec_params(
        "SELECT byte_offset, length(data) AS length, substring(data FROM $3 - byte_offset + 1 FOR $4) = $5 "
        "AS same "
        "FROM command_output WHERE command_id = $1 AND stream = $2 AND byte_offset < $3 + $4 "
        "ORDER BY byte_offset DESC LIMIT 1",
        output.commandId, stream, output.offset, size, data);
    if (!before.empty()) {
        const long long start = before[0]["byte_offset"].as<long long>();
        const long long end = start + before[0]["length"].as<long long>();
        if (end > output.offset) {
            // A resent chunk lies wholly inside what is stored, byte for byte: nothing to do.
            if (start <= output.offset && output.offset + size <= end && before[0]["same"].as<bool>())
                return true;
            throw protocol::MessageError("command.output overlaps output already stored at byte " +
                                         std::to_string(start) + " of " + output.stream);
        }
        // Contiguous with the last row and still small: grown in place, so a chatty script that prints a
        // line at a time leaves a few rows, not thousands, and reading its output stays fast.
        if (end == output.offset &&
            (end - start) + size <= static_cast<long long>(protocol::kMaxOutputChunkBytes)) {
            tx.sql().exec_params("UPDATE command_output SET data = data || $4 WHERE command_id = $1 AND "
                                 "stream = $2 AND byte_offset = $3",
                                 output.commandId, stream, start, data);
            return true;
        }
    }
    // Gaps (a chunk the agent dropped) are allowed but bounded: a stream has at most so many rows.
    const auto rows = tx.sql().exec_params(
        "SELECT count(*) AS pieces FROM command_output WHERE command_id = $1 AND stream = $2",
        output.commandId, stream);
    if (rows[0]["pieces"].as<long long>() >= kMaxOutputRowsPerStream)
        throw protocol::MessageError("command.output: " + output.stream +
                                     " is in too many pieces; send it in order");
    tx.sql().exec_params(
        "INSERT INTO command_output (command_id, partner_id, org_id, site_id, stream, byte_offset, data) "
        "SELECT c.id, c.partner_id, c.org_id, c.site_id, $2, $3, $4 FROM device_commands c WHERE c.id = $1",
        output.commandId, stream, output.offset, data);
    return true;
}

long long CommandStore::expire(ScopedTransaction& tx) {
    const auto pending = tx.sql().exec(
        "UPDATE device_commands SET status = 'timed_out', finished_at = now(), updated_at = now(), "
        "args = args - 'sealed_environment', error = 'the device did not come back before the command "
        "expired' "
        "WHERE status = 'pending' AND expires_at < now() RETURNING id");
    // A grace period over the agent's own timeout, which reports timed_out itself when it can.
    const auto started = tx.sql().exec(
        "UPDATE device_commands SET status = 'timed_out', finished_at = now(), updated_at = now(), "
        "args = args - 'sealed_environment', error = 'no result from the device within the timeout' "
        "WHERE status IN ('sent', 'running') "
        "AND coalesce(started_at, sent_at) + make_interval(secs => timeout_seconds + 120) < now() RETURNING "
        "id");
    return static_cast<long long>(pending.size()) + static_cast<long long>(started.size());
}

} // namespace breeze::server
