#pragma once

#include <string>

namespace breeze::agent {

// Which display remote desktops show (`breeze-agent run --desktop-display :0 --desktop-xauthority FILE`).
// Unset: the logged-in user's graphical session, found by DisplayLocator.
struct DesktopPolicy {
    std::string display;
    std::string authorityFile;
};

} // namespace breeze::agent
