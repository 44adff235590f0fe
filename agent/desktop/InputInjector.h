#pragma once

#include <cstdint>

namespace breeze::agent {

// Puts the viewer's input into the device's desktop as if typed and clicked there. Coordinates are in the
// whole desktop's space; keys are keysyms, typed whatever the device's keyboard layout.
class InputInjector {
public:
    virtual ~InputInjector() = default;
    virtual void pointer(int x, int y, std::uint8_t buttons) = 0;
    // 1/120ths of a notch; positive y scrolls up, positive x right.
    virtual void wheel(int dx, int dy) = 0;
    virtual void key(std::uint32_t keysym, bool down) = 0;
    // Lets go of every key and button this injector holds down (the viewer lost focus, the session ends).
    virtual void releaseAll() = 0;
};

} // namespace breeze::agent
