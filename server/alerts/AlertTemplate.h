#pragma once

#include <map>
#include <string>
#include <vector>

namespace breeze::server {

// A rule's title and message with placeholders such as {device} and {value}, filled in when it fires.
class AlertTemplate {
public:
    static constexpr const char* kDefaultTitle = "{rule}: {device}";
    static constexpr const char* kDefaultMessage = "{device} in {site} ({org}): {value} ({condition})";

    static const std::vector<std::string>& placeholders();
    // "" when every placeholder is known, else what is wrong (an unknown name, an unclosed brace).
    static std::string problem(const std::string& text);
    static std::string render(const std::string& text, const std::map<std::string, std::string>& values);
};

} // namespace breeze::server
