#pragma once

namespace breeze::agent {

// A reboot is pending when the system says so (/run/reboot-required) or a kernel newer than the running one
// was installed (the most recent /boot/vmlinuz-* is not the running release).
bool rebootPendingFromSystem();

} // namespace breeze::agent
