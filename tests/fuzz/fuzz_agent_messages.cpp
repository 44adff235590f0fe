// Every typed agent message decoder, on any envelope: refusals are MessageErrors with a reason, and what is
// accepted encodes and decodes back to the same thing.
#include "protocol/AgentMessages.h"
#include "protocol/CommandCatalog.h"
#include "protocol/MessageFields.h"
#include "protocol/PatchMessages.h"
#include "protocol/ScriptRequest.h"
#include "protocol/SessionMessages.h"

#include <cstdint>
#include <cstdlib>

using namespace breeze::protocol;

namespace {
template <typename Message, typename Encode> void roundTrip(const Envelope& envelope, Encode encode) {
    try {
        const Message message = Message::decode(envelope);
        const auto again = decodeEnvelope(encodeEnvelope(encode(message)));
        if (!again)
            std::abort();
        const Message copy = Message::decode(*again.envelope);
        if (encodeEnvelope(encode(copy)) != encodeEnvelope(encode(message)))
            std::abort();
    } catch (const MessageError& error) {
        if (std::string(error.what()).empty())
            std::abort();
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto decoded = decodeEnvelope(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!decoded)
        return 0;
    const Envelope& envelope = *decoded.envelope;
    roundTrip<AgentHello>(envelope, [](const AgentHello& m) { return m.encode(); });
    roundTrip<Welcome>(envelope, [](const Welcome& m) { return m.encode(); });
    roundTrip<Heartbeat>(envelope, [](const Heartbeat& m) { return m.encode("s1"); });
    roundTrip<InventoryReport>(envelope, [](const InventoryReport& m) { return m.encode("s1"); });
    roundTrip<CommandUpdate>(envelope, [](const CommandUpdate& m) { return m.encode("s1"); });
    roundTrip<CommandOutput>(envelope, [](const CommandOutput& m) { return m.encode("s1"); });
    roundTrip<CommandRequest>(envelope, [](const CommandRequest& m) { return m.encode(); });
    roundTrip<CommandCancel>(envelope, [](const CommandCancel& m) { return m.encode(); });
    roundTrip<Ack>(envelope, [](const Ack& m) { return m.encode(); });
    roundTrip<SessionOpen>(envelope, [](const SessionOpen& m) { return m.encode(); });
    roundTrip<SessionDetach>(envelope, [](const SessionDetach& m) { return m.encode(); });
    roundTrip<SessionClose>(envelope, [](const SessionClose& m) { return m.encode(); });
    roundTrip<SessionClosed>(envelope, [](const SessionClosed& m) { return m.encode(); });
    if (const auto type = envelope.fields.find("command_type");
        type != envelope.fields.end() && type->is_string()) {
        try {
            validateCommandArgs(type->get<std::string>(),
                                envelope.fields.value("args", nlohmann::json::object()));
        } catch (const MessageError&) {
        }
        // Patch commands' arguments, and what an agent reports back for them.
        const nlohmann::json args = envelope.fields.value("args", nlohmann::json::object());
        try {
            const auto packages = packagesFromInstallArgs(args);
            if (packagesFromInstallArgs(installArgs(packages)) != packages)
                std::abort();
            (void)scriptStepFromInstallArgs(args, "pre_script");
        } catch (const MessageError&) {
        }
        try {
            const auto request =
                ScriptRequest::fromArgs(envelope.fields.value("args", nlohmann::json::object()));
            if (ScriptRequest::fromArgs(request.toArgs()).toArgs() != request.toArgs())
                std::abort();
        } catch (const MessageError&) {
        }
    }
    // What an agent reports for patch commands.
    const nlohmann::json output = envelope.fields.value("output", nlohmann::json::object());
    try {
        const auto scan = ScanReport::fromJson(output);
        if (ScanReport::fromJson(scan.toJson()).toJson() != scan.toJson())
            std::abort();
    } catch (const MessageError&) {
    }
    try {
        const auto install = InstallReport::fromJson(output);
        if (InstallReport::fromJson(install.toJson()).toJson() != install.toJson())
            std::abort();
    } catch (const MessageError&) {
    }
    return 0;
}
