#pragma once

class QWidget;

namespace breeze::console {

// A child window (a device, a run) closes on Esc and Ctrl+W, as technicians expect of a secondary window.
void closeOnEscapeAndCtrlW(QWidget* window);

} // namespace breeze::console
