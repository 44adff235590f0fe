#include "protocol/ScriptRequest.h"

#include "protocol/MessageFields.h"

#include <array>

namespace breeze::protocol {

const std::vector<std::string>& scriptLanguages() {
    static const std::vector<std::string> languages{"bash", "sh", "python", "powershell"};
    return languages;
}

bool isScriptLanguage(std::string_view language) {
    for (const auto& known : scriptLanguages())
        if (known == language)
            return true;
    return false;
}

bool isValidParameterName(std::string_view name) {
    if (name.empty() || name.size() > 64)
        return false;
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!letter(name[0]))
        return false;
    for (char c : name)
        if (!letter(c) && !(c >= '0' && c <= '9'))
            return false;
    // What the runner sets, and what changes how a shell or loader behaves before the script's first line.
    static constexpr std::array<std::string_view, 14> reserved{
        "PATH", "HOME", "USER", "LOGNAME",  "SHELL",         "TMPDIR",     "LANG",
        "PWD",  "IFS",  "ENV",  "BASH_ENV", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME"};
    for (const auto word : reserved)
        if (name == word)
            return false;
    return !name.starts_with("BREEZE_") && !name.starts_with("LD_") && !name.starts_with("LC_");
}

bool isValidLocalUserName(std::string_view name) {
    if (name.empty() || name.size() > 32)
        return false;
    if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    return true;
}

ScriptRequest ScriptRequest::fromArgs(const nlohmann::json& args) {
    if (!args.is_object())
        throw MessageError("args must be an object");
    const MessageFields fields(args, "args");
    ScriptRequest request;
    request.language = fields.string("language", 16);
    if (!isScriptLanguage(request.language))
        throw MessageError("args.language must be bash, sh, python or powershell");
    request.content = fields.string("content", kMaxScriptBytes, Text::Verbatim);
    request.runAs = fields.stringOr("run_as", 32, "");
    if (!request.runAs.empty() && !isValidLocalUserName(request.runAs))
        throw MessageError("args.run_as must be a local user name");
    if (const nlohmann::json* environment = fields.find("environment")) {
        if (!environment->is_array() || environment->size() > kMaxScriptParameters)
            throw MessageError("args.environment must be an array of at most " +
                               std::to_string(kMaxScriptParameters) + " [name, value] pairs");
        for (const auto& pair : *environment) {
            if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
                throw MessageError("args.environment items must be [name, value] pairs of strings");
            const auto& name = pair[0].get_ref<const std::string&>();
            const auto& value = pair[1].get_ref<const std::string&>();
            if (!isValidParameterName(name))
                throw MessageError("args.environment has an invalid parameter name");
            if (value.size() > kMaxParameterValueBytes || value.find('\0') != std::string::npos)
                throw MessageError("args.environment value of " + name + " is too long or holds a NUL byte");
            for (const auto& [seen, unused] : request.environment)
                if (seen == name)
                    throw MessageError("args.environment names " + name + " twice");
            request.environment.emplace_back(name, value);
        }
    }
    return request;
}

nlohmann::json ScriptRequest::toArgs() const {
    nlohmann::json pairs = nlohmann::json::array();
    for (const auto& [name, value] : environment)
        pairs.push_back({name, value});
    return {{"language", language}, {"content", content}, {"environment", pairs}, {"run_as", runAs}};
}

} // namespace breeze::protocol
