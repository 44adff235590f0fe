#include "enrollment/AgentInstallCommand.h"

#include <stdexcept>
#include <string_view>

namespace breeze::enrollment {

namespace {
bool only(std::string_view text, std::string_view allowedPunctuation) {
    for (char c : text)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              allowedPunctuation.find(c) != std::string_view::npos))
            return false;
    return true;
}

void requireUrl(const std::string& url, const char* what) {
    if (!url.starts_with("https://") || url.size() > 2048 || !only(url, ":/.-_[]%~+"))
        throw std::invalid_argument(std::string(what) + " must be an https:// URL of plain characters");
}
} // namespace

std::string agentInstallCommand(const std::string& serverUrl, const std::string& caPem,
                                const std::string& key, const std::string& packageUrl) {
    std::string server = serverUrl;
    while (server.ends_with("/"))
        server.pop_back();
    requireUrl(server, "the server address");
    const std::string package =
        packageUrl.empty() ? server + "/downloads/breeze-agent_amd64.deb" : packageUrl;
    requireUrl(package, "the package URL");
    if (!key.starts_with("enr_") || key.size() > 200 || !only(key, "_-"))
        throw std::invalid_argument(
            "the enrollment key must be the key itself (enr_...), as shown when it was created");
    if (!only(caPem, "+/=- \r\n"))
        throw std::invalid_argument("the CA certificate must be PEM (base64 between BEGIN and END lines)");

    std::string line;
    std::string caOption;
    if (!caPem.empty()) {
        // printf %b turns the \n escapes back into lines; PEM has no quote, percent or backslash of its own.
        std::string escaped;
        std::string_view rest = caPem;
        while (!rest.empty()) {
            const auto end = rest.find('\n');
            std::string_view text = rest.substr(0, end);
            if (text.ends_with('\r'))
                text.remove_suffix(1);
            if (!text.empty())
                escaped += std::string(text) + "\\n";
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        }
        line = "printf '%b' '" + escaped + "' > /tmp/breeze-ca.pem && ";
        caOption = " --ca /tmp/breeze-ca.pem";
    }
    line += "curl -fsSL" + std::string(caPem.empty() ? "" : " --cacert /tmp/breeze-ca.pem") +
            " -o /tmp/breeze-agent.deb '" + package +
            "' && sudo apt-get install -y /tmp/breeze-agent.deb && sudo breeze-agent enroll --server '" +
            server + "' --key '" + key + "'" + caOption + " && sudo systemctl enable --now breeze-agent";
    return line;
}

} // namespace breeze::enrollment
