#include "cli/CliContext.h"
#include "cli/Noun.h"

#include <ctime>

namespace breeze::admin {

namespace {
int runLogin(CliContext& cli) {
    const std::string server = cli.option("--server", envOr("BREEZE_SERVER", ""));
    if (server.empty())
        throw CliFailure("login needs --server URL (or BREEZE_SERVER)");
    const std::string ca = cli.option("--ca", envOr("BREEZE_CA", ""));
    if (!cli.flag("--password-stdin"))
        throw CliFailure("login reads the password from standard input: pass --password-stdin");
    nlohmann::json body = {{"email", cli.requireOption("--email")}, {"password", cli.readSecretLine()}};
    if (cli.has("--totp"))
        body["totp"] = cli.option("--totp");
    if (cli.has("--recovery-code"))
        body["recovery_code"] = cli.option("--recovery-code");
    RestClient anonymous(server, ca);
    const auto response = anonymous.post("/api/v1/auth/login", body);
    if (!response.ok())
        throw CliFailure(response.errorMessage() + " (" + response.errorCode() + ")");
    AdminSession session;
    session.server = server;
    session.caFile = ca;
    session.refreshToken = response.body["refresh_token"];
    session.accessToken = response.body["access_token"];
    session.accessExpiresAt =
        static_cast<long long>(std::time(nullptr)) + response.body["expires_in"].get<long long>();
    session.save(cli.sessionPath());
    if (cli.flag("--json"))
        cli.out() << nlohmann::json{{"signed_in", true},
                                    {"mfa_enrollment_required", response.body["mfa_enrollment_required"]}}
                         .dump(2)
                  << "\n";
    else
        cli.out() << "signed in to " << server
                  << (response.body["mfa_enrollment_required"].get<bool>()
                          ? " (set up MFA before anything else)"
                          : "")
                  << "\n";
    return 0;
}

int runLogout(CliContext& cli) {
    if (AdminSession::load(cli.sessionPath())) {
        try {
            cli.call("POST", "/api/v1/auth/logout");
        } catch (const std::exception& error) {
            cli.err() << "breeze-admin: the server did not confirm sign-out: " << error.what() << "\n";
        }
    }
    AdminSession::remove(cli.sessionPath());
    cli.out() << "signed out\n";
    return 0;
}

int runToken(CliContext& cli) {
    cli.client();
    if (!cli.session() || cli.option("--api-key", envOr("BREEZE_API_KEY", "")) != "")
        throw CliFailure("token prints a signed-in user's access token; API keys are tokens already");
    cli.out() << cli.session()->accessToken << "\n";
    return 0;
}

int runWhoami(CliContext& cli) {
    cli.printObject(cli.call("GET", "/api/v1/auth/me").body);
    return 0;
}
} // namespace

extern const Noun kLoginNoun{"login",
                             R"(  login --email E --password-stdin [--totp CODE | --recovery-code CODE]
)",
                             runLogin};
extern const Noun kLogoutNoun{"logout", R"(  logout | token | whoami
)",
                              runLogout};
extern const Noun kTokenNoun{"token", R"()", runToken};
extern const Noun kWhoamiNoun{"whoami", R"()", runWhoami};

} // namespace breeze::admin
