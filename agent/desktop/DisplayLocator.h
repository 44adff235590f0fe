#pragma once

#include "desktop/DesktopPolicy.h"
#include "desktop/DisplayTarget.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace breeze::agent {

// Finds the display of the person using this machine, and the X cookie that lets us in.
//
// 1. A display set in the agent's options wins.
// 2. logind's active graphical session (`loginctl`): its display and user. A Wayland session is refused by
//    name: Breeze shares X11 sessions for now.
// 3. Without logind (containers, minimal systems): the processes that have a DISPLAY whose X socket exists,
//    preferring a user's processes over root's, for an X server that root runs.
// The X server must be root's or the session user's, and the cookie file the session user's (DisplayTarget),
// so a local user cannot show the technician a display of their own or have the agent read someone else's
// file. The cookie is the XAUTHORITY of a process of that user on that display (display managers put it in
// different places: GDM under /run/user/UID/gdm, LightDM and startx in ~/.Xauthority), else
// ~/.Xauthority. Throws std::runtime_error saying plainly why there is nothing to share ("nobody is logged
// in to a graphical session").
class DisplayLocator {
public:
    // `procRoot` is where processes are listed ("/proc"; tests may point elsewhere).
    static DisplayTarget locate(const DesktopPolicy& policy, const std::string& procRoot = "/proc");

    struct Found {
        std::string display;
        std::string authorityFile;
        uid_t uid = 0;
    };
    // The display and cookie of processes (of `uid` when given), best first; empty when none has one.
    static std::vector<Found> fromProcesses(const std::string& procRoot, const std::string& display,
                                            std::optional<uid_t> uid);
};

} // namespace breeze::agent
