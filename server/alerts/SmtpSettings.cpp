#include "alerts/SmtpSettings.h"

namespace breeze::server {

std::string SmtpSettings::addressProblem(const std::string& address) {
    if (address.size() < 3 || address.size() > 254)
        return "an e-mail address is 3 to 254 characters";
    const auto at = address.rfind('@');
    if (at == std::string::npos || at == 0 || at == address.size() - 1)
        return "\"" + address + "\" is not an e-mail address (name@domain)";
    for (const unsigned char c : address)
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
            c == ':' || c == '"' || c == '\\' || c == '[' || c == ']')
            return "\"" + address + "\" has a character an address here may not have";
    if (address.find('@') != at)
        return "\"" + address + "\" has more than one @";
    return "";
}

} // namespace breeze::server
