#include "enrollment/Enroller.h"

#include "enrollment/ServerTrust.h"
#include "net/RestClient.h"
#include "platform/MachineIdentity.h"

#include <filesystem>
#include <stdexcept>

namespace breeze::agent {

namespace fs = std::filesystem;

namespace {
// The pinned CA must be a file for the TLS client; it lives in the state folder, and only under its final
// name once enrollment has succeeded.
class PendingCaFile {
public:
    PendingCaFile(const std::string& directory, const std::string& pem) {
        if (pem.empty())
            return;
        preparePrivateDirectory(directory);
        m_path = (fs::path(directory) / "server-ca.pem.pending").string();
        writePrivateFile(m_path, pem);
    }
    ~PendingCaFile() {
        if (!m_path.empty()) {
            std::error_code ignored;
            fs::remove(m_path, ignored);
        }
    }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};
} // namespace

AgentState Enroller::enroll(const EnrollmentOptions& options) {
    if (options.caFile && options.caFingerprint)
        throw std::runtime_error("give --ca or --ca-sha256, not both");
    std::string caPem;
    if (options.caFile)
        caPem = ServerTrust::caFromFile(*options.caFile);
    else if (options.caFingerprint)
        caPem = ServerTrust::caFromFingerprint(options.serverUrl, *options.caFingerprint);

    const MachineIdentity machine = MachineIdentity::detect(options.identity);

    PendingCaFile pending(options.stateDirectory, caPem);
    net::RestClient client(options.serverUrl, pending.path());
    nlohmann::json body{{"key", options.key},
                        {"identity", machine.identity},
                        {"hostname", machine.hostname},
                        {"os", machine.os},
                        {"agent_version", BREEZE_AGENT_VERSION}};
    // Enrolling again (a new key, another site): the credential this machine holds proves it is the device,
    // so it keeps its record at once instead of waiting for an administrator.
    if (const auto previous = AgentState::load(options.stateDirectory);
        previous && previous->identity == machine.identity && previous->serverUrl == options.serverUrl &&
        !previous->credential.empty())
        body["credential"] = previous->credential;
    const auto response = client.post("/api/v1/agent/enroll", body);
    if (!response.ok()) {
        const std::string code = response.errorCode();
        throw std::runtime_error("the server refused the enrollment: " + response.errorMessage() +
                                 (code.empty() ? "" : " (" + code + ")"));
    }
    AgentState state;
    state.serverUrl = options.serverUrl;
    state.deviceId = response.body.at("device_id");
    state.credential = response.body.at("credential");
    state.orgId = response.body.at("org_id");
    state.siteId = response.body.at("site_id");
    state.approval = response.body.at("approval");
    state.gatewayPort = response.body.value("gateway_port", 8444);
    state.identity = machine.identity;
    state.pinnedCaPem = caPem;
    state.save(options.stateDirectory);
    return state;
}

} // namespace breeze::agent
