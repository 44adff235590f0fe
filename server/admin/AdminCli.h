#pragma once

#include "cli/CliContext.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace breeze::admin {

// breeze-admin: every command maps to REST calls; tables for people, --json for scripts, and a non-zero exit
// with the server's own message when something is refused. The nouns live in cli/, one file each.
class AdminCli {
public:
    AdminCli(std::istream& in, std::ostream& out, std::ostream& err) : m_cli(in, out, err) {}
    int run(const std::vector<std::string>& args);

private:
    CliContext m_cli;
};

} // namespace breeze::admin
