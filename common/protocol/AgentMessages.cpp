#include "protocol/AgentMessages.h"

#include "encoding/Base64.h"
#include "encoding/Uuid.h"
#include "protocol/MessageFields.h"
#include "protocol/ScriptRequest.h"
#include "units/Units.h"

#include <map>

namespace breeze::protocol {

namespace {
constexpr std::size_t kName = 255;
constexpr std::size_t kText = 1024;
constexpr std::int64_t kMaxEpochMs = 32503680000000; // year 3000

Envelope envelopeOf(const char* type, std::string id, nlohmann::json fields) {
    Envelope envelope;
    envelope.type = type;
    envelope.id = std::move(id);
    envelope.fields = std::move(fields);
    return envelope;
}

MessageFields fieldsOf(const Envelope& envelope) {
    return MessageFields(envelope.fields, envelope.type);
}

std::string requireId(const Envelope& envelope) {
    if (envelope.id.empty())
        throw MessageError(envelope.type + " needs an id so that it can be acknowledged");
    return envelope.id;
}

// Field kinds of the inventory schema.
enum class Kind { Text, Count, Flag, TextList };
struct FieldSpec {
    const char* name;
    Kind kind;
    std::size_t maxBytes = kText;
    Text rule = Text::Line;
};
struct SectionSpec {
    bool list;
    std::size_t maxItems;
    std::vector<FieldSpec> fields;
    std::vector<const char*> key; // list sections: fields that identify an item
};

const std::map<std::string, SectionSpec>& sectionSpecs() {
    static const std::map<std::string, SectionSpec> specs{
        {"os",
         {false,
          1,
          {{"name", Kind::Text},
           {"version", Kind::Text},
           {"kernel", Kind::Text},
           {"arch", Kind::Text, 64},
           {"hostname", Kind::Text, kName, Text::Name},
           {"boot_time", Kind::Count}},
          {}}},
        {"hardware",
         {false,
          1,
          {{"cpu_model", Kind::Text},
           {"cpu_cores", Kind::Count},
           {"cpu_threads", Kind::Count},
           {"memory_bytes", Kind::Count},
           {"vendor", Kind::Text},
           {"model", Kind::Text},
           {"serial", Kind::Text},
           {"bios_vendor", Kind::Text},
           {"bios_version", Kind::Text},
           {"bios_date", Kind::Text, 64}},
          {}}},
        {"disks",
         {true,
          256,
          {{"name", Kind::Text, kName, Text::Name},
           {"model", Kind::Text},
           {"serial", Kind::Text},
           {"size_bytes", Kind::Count},
           {"rotational", Kind::Flag}},
          {"name"}}},
        {"filesystems",
         {true,
          1024,
          // Usage changes all the time and lives in the heartbeats; the inventory keeps what a change log
          // should record (a new mount, a resized volume).
          {{"mount", Kind::Text, 4096},
           {"device", Kind::Text, 4096},
           {"fs_type", Kind::Text, 64},
           {"total_bytes", Kind::Count}},
          {"mount"}}},
        {"interfaces",
         {true,
          1024,
          {{"name", Kind::Text, kName, Text::Name},
           {"mac", Kind::Text, 64, Text::Name},
           {"mtu", Kind::Count},
           {"up", Kind::Flag},
           {"addresses", Kind::TextList, 64, Text::Name}},
          {"name"}}},
        {"monitors",
         {true,
          16,
          // What a remote desktop would show: the logged-in graphical session's monitors (none: nobody is).
          {{"name", Kind::Text, kName, Text::Name},
           {"display", Kind::Text, 64, Text::Name},
           {"x", Kind::Count},
           {"y", Kind::Count},
           {"width", Kind::Count},
           {"height", Kind::Count},
           {"primary", Kind::Flag}},
          {"display", "name"}}},
        {"software",
         {true,
          50'000,
          {{"name", Kind::Text, kName, Text::Name},
           {"version", Kind::Text, kName, Text::Name},
           {"arch", Kind::Text, 64, Text::Name},
           {"source", Kind::Text, 32, Text::Name},
           {"publisher", Kind::Text, kName},
           {"size_bytes", Kind::Count}},
          {"name", "arch"}}},
        {"services",
         {true,
          20'000,
          {{"name", Kind::Text, kName, Text::Name},
           {"description", Kind::Text},
           {"state", Kind::Text, 32},
           {"sub_state", Kind::Text, 32},
           {"enabled", Kind::Text, 32}},
          {"name"}}},
        {"users",
         {true,
          20'000,
          {{"name", Kind::Text, kName, Text::Name},
           {"uid", Kind::Count},
           {"home", Kind::Text, 4096},
           {"shell", Kind::Text, 4096},
           {"login", Kind::Flag}},
          {"name"}}},
    };
    return specs;
}

nlohmann::json canonicalItem(const SectionSpec& spec, const MessageFields& fields) {
    nlohmann::json item = nlohmann::json::object();
    for (const auto& field : spec.fields) {
        switch (field.kind) {
        case Kind::Text:
            if (auto text = fields.optionalString(field.name, field.maxBytes, field.rule))
                item[field.name] = *text;
            break;
        case Kind::Count:
            if (fields.find(field.name))
                item[field.name] = fields.counter(field.name);
            break;
        case Kind::Flag:
            if (fields.find(field.name))
                item[field.name] = fields.boolean(field.name, false);
            break;
        case Kind::TextList:
            if (fields.find(field.name))
                item[field.name] = fields.strings(field.name, 256, field.maxBytes, field.rule);
            break;
        }
    }
    for (const char* key : spec.key) {
        if (!item.contains(key) && std::string_view(key) != "arch")
            throw MessageError("inventory items need \"" + std::string(key) + "\"");
    }
    return item;
}
} // namespace

namespace {
template <typename Type, std::size_t N>
std::optional<Type> typeNamed(const std::pair<Type, const char*> (&names)[N], std::string_view type) {
    for (const auto& [value, name] : names)
        if (type == name)
            return value;
    return std::nullopt;
}

const std::pair<AgentToServer, const char*> kAgentToServer[] = {
    {AgentToServer::Hello, agent_message::kHello},
    {AgentToServer::Heartbeat, agent_message::kHeartbeat},
    {AgentToServer::Inventory, agent_message::kInventory},
    {AgentToServer::CommandUpdate, agent_message::kCommandUpdate},
    {AgentToServer::CommandOutput, agent_message::kCommandOutput},
    {AgentToServer::CredentialSaved, agent_message::kCredentialSaved},
    {AgentToServer::SessionClosed, agent_message::kSessionClosed},
};
const std::pair<ServerToAgent, const char*> kServerToAgent[] = {
    {ServerToAgent::Welcome, agent_message::kWelcome},
    {ServerToAgent::Ack, agent_message::kAck},
    {ServerToAgent::Command, agent_message::kCommand},
    {ServerToAgent::CommandCancel, agent_message::kCommandCancel},
    {ServerToAgent::Credential, agent_message::kCredential},
    {ServerToAgent::Error, agent_message::kError},
    {ServerToAgent::SessionOpen, agent_message::kSessionOpen},
    {ServerToAgent::SessionDetach, agent_message::kSessionDetach},
    {ServerToAgent::SessionClose, agent_message::kSessionClose},
};
} // namespace

std::optional<AgentToServer> agentToServerType(std::string_view type) {
    return typeNamed(kAgentToServer, type);
}

std::optional<ServerToAgent> serverToAgentType(std::string_view type) {
    return typeNamed(kServerToAgent, type);
}

const char* typeName(AgentToServer type) {
    return kAgentToServer[static_cast<std::size_t>(type)].second;
}

const char* typeName(ServerToAgent type) {
    return kServerToAgent[static_cast<std::size_t>(type)].second;
}

AgentHello AgentHello::decode(const Envelope& envelope) {
    const auto fields = fieldsOf(envelope);
    AgentHello hello;
    hello.agentVersion = fields.string("agent_version", 64, Text::Name);
    hello.hostname = fields.stringOr("hostname", kName, "", Text::Name);
    hello.os = fields.stringOr("os", 200, "");
    hello.platform = fields.stringOr("platform", 32, "", Text::Name);
    hello.arch = fields.stringOr("arch", 32, "", Text::Name);
    hello.capabilities = fields.strings("capabilities", 256, 64, Text::Name);
    return hello;
}

Envelope AgentHello::encode() const {
    return envelopeOf(agent_message::kHello, "",
                      {{"agent_version", agentVersion},
                       {"hostname", hostname},
                       {"os", os},
                       {"platform", platform},
                       {"arch", arch},
                       {"capabilities", capabilities}});
}

Welcome Welcome::decode(const Envelope& envelope) {
    const auto fields = fieldsOf(envelope);
    Welcome welcome;
    welcome.heartbeatSeconds = static_cast<int>(fields.integer("heartbeat_seconds", 1, 3600));
    welcome.inventorySeconds = static_cast<int>(fields.integer("inventory_seconds", 10, 7 * kSecondsPerDay));
    welcome.serverVersion = fields.stringOr("server_version", 64, "");
    welcome.ackWindow =
        static_cast<int>(fields.optionalInteger("ack_window", 1, 4096).value_or(kDefaultAckWindow));
    return welcome;
}

Envelope Welcome::encode() const {
    return envelopeOf(agent_message::kWelcome, "",
                      {{"heartbeat_seconds", heartbeatSeconds},
                       {"inventory_seconds", inventorySeconds},
                       {"server_version", serverVersion},
                       {"ack_window", ackWindow}});
}

Heartbeat Heartbeat::decode(const Envelope& envelope) {
    requireId(envelope);
    const auto fields = fieldsOf(envelope);
    Heartbeat beat;
    beat.sampledAtMs = fields.integer("sampled_at_ms", 0, kMaxEpochMs);
    beat.cpuPercent = fields.number("cpu_percent", 0, 100);
    const auto load = fields.object("load");
    beat.load1 = load.number("1", 0, 1e6);
    beat.load5 = load.number("5", 0, 1e6);
    beat.load15 = load.number("15", 0, 1e6);
    const auto memory = fields.object("memory");
    beat.memoryTotalBytes = memory.counter("total_bytes");
    beat.memoryUsedBytes = memory.counter("used_bytes");
    const auto swap = fields.object("swap");
    beat.swapTotalBytes = swap.counter("total_bytes");
    beat.swapUsedBytes = swap.counter("used_bytes");
    beat.processCount = fields.integer("process_count", 0, 10'000'000);
    beat.uptimeSeconds = fields.integer("uptime_seconds", 0, 100LL * 365 * kSecondsPerDay);
    beat.users = fields.strings("users", 1024, kName, Text::Name);
    beat.filesystems = fields.objects("filesystems", 1024, [](const MessageFields& f) {
        return FilesystemUsage{f.string("mount", 4096), f.stringOr("fs_type", 64, "", Text::Name),
                               f.counter("total_bytes"), f.counter("used_bytes"),
                               f.find("available_bytes") ? std::optional(f.counter("available_bytes"))
                                                         : std::nullopt};
    });
    beat.interfaces = fields.objects("interfaces", 1024, [](const MessageFields& f) {
        return InterfaceCounters{f.string("name", kName, Text::Name), f.counter("rx_bytes"),
                                 f.counter("tx_bytes")};
    });
    return beat;
}

double FilesystemUsage::usedPercent() const {
    const double used = static_cast<double>(usedBytes);
    const double room =
        availableBytes ? used + static_cast<double>(*availableBytes) : static_cast<double>(totalBytes);
    return room > 0 ? 100.0 * used / room : 0.0;
}

nlohmann::json FilesystemUsage::toJson() const {
    nlohmann::json json{
        {"mount", mount}, {"fs_type", fsType}, {"total_bytes", totalBytes}, {"used_bytes", usedBytes}};
    if (availableBytes)
        json["available_bytes"] = *availableBytes;
    return json;
}

Envelope Heartbeat::encode(const std::string& id) const {
    nlohmann::json filesystemList = nlohmann::json::array();
    for (const auto& fs : filesystems)
        filesystemList.push_back(fs.toJson());
    nlohmann::json interfaceList = nlohmann::json::array();
    for (const auto& nic : interfaces)
        interfaceList.push_back({{"name", nic.name}, {"rx_bytes", nic.rxBytes}, {"tx_bytes", nic.txBytes}});
    return envelopeOf(agent_message::kHeartbeat, id,
                      {{"sampled_at_ms", sampledAtMs},
                       {"cpu_percent", cpuPercent},
                       {"load", {{"1", load1}, {"5", load5}, {"15", load15}}},
                       {"memory", {{"total_bytes", memoryTotalBytes}, {"used_bytes", memoryUsedBytes}}},
                       {"swap", {{"total_bytes", swapTotalBytes}, {"used_bytes", swapUsedBytes}}},
                       {"process_count", processCount},
                       {"uptime_seconds", uptimeSeconds},
                       {"users", users},
                       {"filesystems", filesystemList},
                       {"interfaces", interfaceList}});
}

const std::vector<std::string>& InventoryReport::sections() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> result;
        for (const auto& [name, spec] : sectionSpecs())
            result.push_back(name);
        return result;
    }();
    return names;
}

nlohmann::json InventoryReport::canonicalSection(const std::string& section, const nlohmann::json& data) {
    const auto it = sectionSpecs().find(section);
    if (it == sectionSpecs().end())
        throw MessageError("unknown inventory section \"" + section + "\"");
    const SectionSpec& spec = it->second;
    if (!spec.list)
        return canonicalItem(spec, MessageFields(data, "inventory." + section));
    if (!data.is_array())
        throw MessageError("inventory." + section + " must be an array");
    if (data.size() > spec.maxItems)
        throw MessageError("inventory." + section + " has more than " + std::to_string(spec.maxItems) +
                           " items");
    nlohmann::json items = nlohmann::json::array();
    for (std::size_t i = 0; i < data.size(); ++i)
        items.push_back(canonicalItem(
            spec, MessageFields(data[i], "inventory." + section + "[" + std::to_string(i) + "]")));
    return items;
}

std::string InventoryReport::itemKey(const std::string& section, const nlohmann::json& item) {
    const auto it = sectionSpecs().find(section);
    std::string key;
    if (it == sectionSpecs().end())
        return key;
    for (const char* field : it->second.key) {
        if (!key.empty())
            key += ':';
        if (const auto value = item.find(field); value != item.end() && value->is_string())
            key += value->get<std::string>();
    }
    return key;
}

InventoryReport InventoryReport::decode(const Envelope& envelope) {
    requireId(envelope);
    const auto fields = fieldsOf(envelope);
    InventoryReport report;
    report.section = fields.string("section", 32, Text::Name);
    report.collectedAtMs = fields.integer("collected_at_ms", 0, kMaxEpochMs);
    const nlohmann::json* data = fields.find("data");
    if (!data)
        throw MessageError("inventory.data is required");
    report.data = canonicalSection(report.section, *data);
    return report;
}

Envelope InventoryReport::encode(const std::string& id) const {
    return envelopeOf(agent_message::kInventory, id,
                      {{"section", section}, {"collected_at_ms", collectedAtMs}, {"data", data}});
}

CommandUpdate CommandUpdate::decode(const Envelope& envelope) {
    requireId(envelope);
    const auto fields = fieldsOf(envelope);
    CommandUpdate update;
    update.commandId = fields.string("command_id", 36);
    if (!encoding::isUuid(update.commandId))
        throw MessageError("command.update.command_id must be a command id");
    update.status = fields.string("status", 16);
    if (update.status != kCommandRunning && update.status != kCommandCompleted &&
        update.status != kCommandFailed && update.status != kCommandCancelled &&
        update.status != kCommandTimedOut)
        throw MessageError(
            "command.update.status must be running, completed, failed, cancelled or timed_out");
    update.exitCode = fields.optionalInteger("exit_code", -1'000'000, 1'000'000);
    if (const nlohmann::json* output = fields.find("output")) {
        if (!output->is_object())
            throw MessageError("command.update.output must be an object");
        update.output = checkedJson(*output, Text::Multiline, "command.update.output");
    }
    update.error = fields.stringOr("error", 4096, "", Text::Multiline);
    return update;
}

Envelope CommandUpdate::encode(const std::string& id) const {
    nlohmann::json fields{{"command_id", commandId}, {"status", status}, {"output", output}};
    if (exitCode)
        fields["exit_code"] = *exitCode;
    if (!error.empty())
        fields["error"] = error;
    return envelopeOf(agent_message::kCommandUpdate, id, std::move(fields));
}

CommandOutput CommandOutput::decode(const Envelope& envelope) {
    requireId(envelope);
    const auto fields = fieldsOf(envelope);
    CommandOutput output;
    output.commandId = fields.string("command_id", 36);
    if (!encoding::isUuid(output.commandId))
        throw MessageError("command.output.command_id must be a command id");
    output.stream = fields.string("stream", 8);
    if (output.stream != "stdout" && output.stream != "stderr")
        throw MessageError("command.output.stream must be stdout or stderr");
    output.offset = fields.integer("offset", 0, static_cast<std::int64_t>(kMaxScriptOutputBytes));
    const auto data = encoding::base64Decode(fields.string("data", (kMaxOutputChunkBytes + 2) / 3 * 4));
    if (!data || data->empty() || data->size() > kMaxOutputChunkBytes)
        throw MessageError("command.output.data must be base64 of 1 to " +
                           std::to_string(kMaxOutputChunkBytes) + " bytes");
    if (static_cast<std::size_t>(output.offset) + data->size() > kMaxScriptOutputBytes)
        throw MessageError("command.output goes past the output limit of " +
                           std::to_string(kMaxScriptOutputBytes) + " bytes");
    output.data = *data;
    return output;
}

Envelope CommandOutput::encode(const std::string& id) const {
    return envelopeOf(agent_message::kCommandOutput, id,
                      {{"command_id", commandId},
                       {"stream", stream},
                       {"offset", offset},
                       {"data", encoding::base64Encode(data)}});
}

CommandRequest CommandRequest::decode(const Envelope& envelope) {
    const auto fields = fieldsOf(envelope);
    CommandRequest request;
    request.commandId = fields.string("command_id", 36);
    if (!encoding::isUuid(request.commandId))
        throw MessageError("command.command_id must be a command id");
    request.type = fields.string("command_type", 64);
    if (!isValidMessageType(request.type))
        throw MessageError("command.command_type is not a command type");
    if (const nlohmann::json* args = fields.find("args")) {
        if (!args->is_object())
            throw MessageError("command.args must be an object");
        request.args = *args;
    }
    request.timeoutSeconds = static_cast<int>(fields.integer("timeout_seconds", 1, 7 * kSecondsPerDay));
    return request;
}

Envelope CommandRequest::encode() const {
    return envelopeOf(agent_message::kCommand, "",
                      {{"command_id", commandId},
                       {"command_type", type},
                       {"args", args},
                       {"timeout_seconds", timeoutSeconds}});
}

CommandCancel CommandCancel::decode(const Envelope& envelope) {
    CommandCancel cancel;
    cancel.commandId = fieldsOf(envelope).string("command_id", 36);
    if (!encoding::isUuid(cancel.commandId))
        throw MessageError("command.cancel.command_id must be a command id");
    return cancel;
}

Envelope CommandCancel::encode() const {
    return envelopeOf(agent_message::kCommandCancel, "", {{"command_id", commandId}});
}

NewCredential NewCredential::decode(const Envelope& envelope) {
    NewCredential message;
    message.credential = fieldsOf(envelope).string("credential", 128, Text::Name);
    if (!message.credential.starts_with("dev_"))
        throw MessageError("credential.credential must be a device credential");
    return message;
}

Envelope NewCredential::encode() const {
    return envelopeOf(agent_message::kCredential, "", {{"credential", credential}});
}

CredentialSaved CredentialSaved::decode(const Envelope& envelope) {
    CredentialSaved message;
    message.sha256 = fieldsOf(envelope).string("sha256", 64, Text::Name);
    if (message.sha256.size() != 64 ||
        message.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw MessageError("credential.saved.sha256 must be 64 lower-case hex digits");
    return message;
}

Envelope CredentialSaved::encode() const {
    return envelopeOf(agent_message::kCredentialSaved, "", {{"sha256", sha256}});
}

Ack Ack::decode(const Envelope& envelope) {
    Ack ack;
    ack.ref = requireId(envelope);
    const auto fields = fieldsOf(envelope);
    ack.ok = fields.boolean("ok", true);
    ack.error = fields.stringOr("error", 4096, "", Text::Multiline);
    return ack;
}

Envelope Ack::encode() const {
    nlohmann::json fields{{"ok", ok}};
    if (!error.empty())
        fields["error"] = error;
    return envelopeOf(agent_message::kAck, ref, std::move(fields));
}

} // namespace breeze::protocol
