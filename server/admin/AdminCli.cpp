#include "AdminCli.h"

#include "cli/Noun.h"

#include <Poco/Net/SSLException.h>
#include <iostream>
#include <string_view>

namespace breeze::admin {

namespace {
constexpr const char* kUsageHead =
    "usage: breeze-admin [--server URL] [--ca FILE] [--api-key KEY] [--json] COMMAND\n\n";
constexpr const char* kUsageFoot =
    "\nORG, SITE and GROUP are ids or exact names; DEVICE is an id, a host name or a machine identity. "
    "DURATION is "
    "like 7d, 12h, 30m or seconds.\nEnvironment: BREEZE_SERVER, BREEZE_CA, BREEZE_API_KEY, "
    "BREEZE_ADMIN_CONFIG_DIR.\n";
} // namespace

int AdminCli::run(const std::vector<std::string>& args) {
    try {
        m_cli.parse(args);
        const auto& positionals = m_cli.positionals();
        if (positionals.empty() || m_cli.flag("--help")) {
            m_cli.out() << kUsageHead;
            for (int i = 0; i < nounCount(); ++i)
                m_cli.out() << nouns()[i]->usage;
            m_cli.out() << kUsageFoot;
            return positionals.empty() && !m_cli.flag("--help") ? 2 : 0;
        }
        m_cli.setSessionPath(AdminSession::defaultPath());
        for (int i = 0; i < nounCount(); ++i)
            if (positionals[0] == nouns()[i]->name)
                return nouns()[i]->run(m_cli);
        throw CliFailure("unknown command " + positionals[0] + "; see breeze-admin --help");
    } catch (const Poco::Net::SSLException& error) {
        m_cli.err() << "breeze-admin: TLS failure (is --ca the server's CA?): " << error.displayText()
                    << "\n";
    } catch (const Poco::Exception& error) {
        m_cli.err() << "breeze-admin: " << error.displayText() << "\n";
    } catch (const std::exception& error) {
        m_cli.err() << "breeze-admin: " << error.what() << "\n";
    }
    return 1;
}

} // namespace breeze::admin
