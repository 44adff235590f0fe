#pragma once

namespace breeze::console {

// How a desktop session is asked for.
struct DesktopOptions {
    bool viewOnly = false; // watch without control (those who may only watch always get that)
    bool record = false;   // ask the server to record the pictures (its policy may record anyway, or refuse)
};

} // namespace breeze::console
