#pragma once

#include "desktop/InputInjector.h"

#include <map>
#include <set>

namespace breeze::agent {

class X11Connection;

// Input through XTest. A keysym is typed with the keycode the device's layout gives it, with Shift or AltGr
// pressed or released around it as its level needs; a keysym the layout lacks ('é' on a US layout) is bound
// to a spare keycode for the moment (as TigerVNC does), so any character arrives as itself.
class X11Input : public InputInjector {
public:
    explicit X11Input(X11Connection& connection);
    ~X11Input() override;
    X11Input(const X11Input&) = delete;
    X11Input& operator=(const X11Input&) = delete;

    void pointer(int x, int y, std::uint8_t buttons) override;
    void wheel(int dx, int dy) override;
    void key(std::uint32_t keysym, bool down) override;
    void releaseAll() override;

private:
    struct Placement {
        unsigned keycode = 0;
        int level = 0; // 0 plain, 1 Shift, 2 AltGr, 3 Shift+AltGr
    };
    Placement place(std::uint32_t keysym);
    unsigned spareKeycode(std::uint32_t keysym);
    void press(unsigned keycode, bool down);
    void flush();

    X11Connection& m_connection;
    std::uint8_t m_buttons = 0;
    int m_wheelX = 0;
    int m_wheelY = 0;
    std::map<std::uint32_t, unsigned> m_pressed;  // keysym -> keycode it went down on
    std::set<unsigned> m_held;                    // keycodes down through us
    std::map<unsigned, std::uint32_t> m_borrowed; // spare keycodes we bound, in use order
    unsigned m_shiftKeycode = 0;
    unsigned m_altGrKeycode = 0;
};

} // namespace breeze::agent
