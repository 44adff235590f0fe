#include "desktop/X11Input.h"

#include "desktop/X11Connection.h"

#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>
#include <array>
#include <vector>

namespace breeze::agent {

namespace {
// The viewer's buttons (protocol order: left, middle, right, back, forward) as X numbers them.
constexpr std::array<unsigned, 5> kButtons = {1, 2, 3, 8, 9};
constexpr std::size_t kMaxBorrowed = 16;
constexpr std::size_t kMostHeldKeys = 64;

bool isModifier(std::uint32_t keysym) {
    return (keysym >= XK_Shift_L && keysym <= XK_Hyper_R) || keysym == XK_ISO_Level3_Shift ||
           keysym == XK_Mode_switch || keysym == XK_ISO_Level5_Shift || keysym == XK_Num_Lock;
}
} // namespace

X11Input::X11Input(X11Connection& connection) : m_connection(connection) {
    Display* display = connection.display();
    int opcode = 0;
    int event = 0;
    int error = 0;
    int major = XkbMajorVersion;
    int minor = XkbMinorVersion;
    XkbQueryExtension(display, &opcode, &event, &error, &major, &minor);
    m_shiftKeycode = XKeysymToKeycode(display, XK_Shift_L);
    m_altGrKeycode = XKeysymToKeycode(display, XK_ISO_Level3_Shift);
    if (m_altGrKeycode == 0)
        m_altGrKeycode = XKeysymToKeycode(display, XK_Mode_switch);
}

X11Input::~X11Input() {
    if (m_connection.lost())
        return;
    releaseAll();
    // Spare keycodes go back to having no symbols.
    Display* display = m_connection.display();
    for (const auto& [keycode, keysym] : m_borrowed) {
        KeySym none[2] = {NoSymbol, NoSymbol};
        XChangeKeyboardMapping(display, static_cast<int>(keycode), 2, none, 1);
    }
    flush();
}

void X11Input::flush() {
    XFlush(m_connection.display());
}

void X11Input::press(unsigned keycode, bool down) {
    XTestFakeKeyEvent(m_connection.display(), keycode, down ? True : False, CurrentTime);
    if (down)
        m_held.insert(keycode);
    else
        m_held.erase(keycode);
}

X11Input::Placement X11Input::place(std::uint32_t keysym) {
    Display* display = m_connection.display();
    int first = 0;
    int last = 0;
    XDisplayKeycodes(display, &first, &last);
    XkbStateRec state{};
    XkbGetState(display, XkbUseCoreKbd, &state);
    Placement best;
    for (int level = 0; level < 4 && best.keycode == 0; ++level)
        for (int keycode = first; keycode <= last && best.keycode == 0; ++keycode)
            if (XkbKeycodeToKeysym(display, static_cast<KeyCode>(keycode), state.group, level) == keysym)
                best = {static_cast<unsigned>(keycode), level};
    return best;
}

unsigned X11Input::spareKeycode(std::uint32_t keysym) {
    Display* display = m_connection.display();
    for (const auto& [keycode, bound] : m_borrowed)
        if (bound == keysym)
            return keycode;
    int first = 0;
    int last = 0;
    XDisplayKeycodes(display, &first, &last);
    unsigned chosen = 0;
    if (m_borrowed.size() >= kMaxBorrowed) {
        // Reuse one, never one held down (none free: nothing sensible to type).
        for (const auto& [keycode, bound] : m_borrowed)
            if (!m_held.contains(keycode)) {
                chosen = keycode;
                break;
            }
    } else {
        for (int keycode = last; keycode >= first && chosen == 0; --keycode) {
            // Empty in every group and level: a key another layout group uses is not taken.
            bool empty = true;
            for (int group = 0; group < 4 && empty; ++group)
                for (int level = 0; level < 4 && empty; ++level)
                    empty =
                        XkbKeycodeToKeysym(display, static_cast<KeyCode>(keycode), group, level) == NoSymbol;
            if (empty && !m_borrowed.contains(static_cast<unsigned>(keycode)))
                chosen = static_cast<unsigned>(keycode);
        }
    }
    if (chosen == 0)
        return 0;
    KeySym symbols[2] = {keysym, keysym};
    XChangeKeyboardMapping(display, static_cast<int>(chosen), 2, symbols, 1);
    XSync(display, False);
    m_borrowed[chosen] = keysym;
    return chosen;
}

void X11Input::key(std::uint32_t keysym, bool down) {
    if (m_connection.lost())
        return;
    if (!down) {
        const auto pressed = m_pressed.find(keysym);
        if (pressed == m_pressed.end())
            return; // never went down through us
        press(pressed->second, false);
        m_pressed.erase(pressed);
        flush();
        return;
    }
    if (m_pressed.size() >= kMostHeldKeys && !m_pressed.contains(keysym))
        releaseAll(); // nobody holds that many keys: a viewer that never lets go does not grow this
    if (m_pressed.contains(keysym)) {
        // Auto-repeat from the viewer: the key again, as a held key repeats.
        press(m_pressed[keysym], false);
    }
    Placement placement = place(keysym);
    if (placement.keycode == 0) {
        placement = {spareKeycode(keysym), 0};
        if (placement.keycode == 0)
            return; // no free keycode on this display: nothing sensible to type
    }
    if (isModifier(keysym)) {
        press(placement.keycode, true);
        m_pressed[keysym] = placement.keycode;
        flush();
        return;
    }
    XkbStateRec state{};
    XkbGetState(m_connection.display(), XkbUseCoreKbd, &state);
    const bool shiftDown = (state.mods & ShiftMask) != 0;
    const bool altGrDown = (state.mods & Mod5Mask) != 0;
    const bool wantShift = (placement.level & 1) != 0;
    const bool wantAltGr = (placement.level & 2) != 0;
    // Shift or AltGr as this key's level needs, for this key alone.
    std::vector<unsigned> released;
    if (wantShift && !shiftDown && m_shiftKeycode)
        press(m_shiftKeycode, true);
    if (!wantShift && shiftDown)
        for (const unsigned keycode : m_held)
            if (XkbKeycodeToKeysym(m_connection.display(), static_cast<KeyCode>(keycode), 0, 0) ==
                    XK_Shift_L ||
                XkbKeycodeToKeysym(m_connection.display(), static_cast<KeyCode>(keycode), 0, 0) == XK_Shift_R)
                released.push_back(keycode);
    for (const unsigned keycode : released)
        press(keycode, false);
    if (wantAltGr && !altGrDown && m_altGrKeycode)
        press(m_altGrKeycode, true);
    press(placement.keycode, true);
    m_pressed[keysym] = placement.keycode;
    if (wantAltGr && !altGrDown && m_altGrKeycode)
        press(m_altGrKeycode, false);
    for (const unsigned keycode : released)
        press(keycode, true);
    if (wantShift && !shiftDown && m_shiftKeycode)
        press(m_shiftKeycode, false);
    flush();
}

void X11Input::pointer(int x, int y, std::uint8_t buttons) {
    if (m_connection.lost())
        return;
    Display* display = m_connection.display();
    XTestFakeMotionEvent(display, -1, x, y, CurrentTime);
    for (std::size_t i = 0; i < kButtons.size(); ++i) {
        const auto bit = static_cast<std::uint8_t>(1U << i);
        if ((buttons & bit) != (m_buttons & bit))
            XTestFakeButtonEvent(display, kButtons[i], (buttons & bit) ? True : False, CurrentTime);
    }
    m_buttons = buttons;
    flush();
}

void X11Input::wheel(int dx, int dy) {
    if (m_connection.lost())
        return;
    Display* display = m_connection.display();
    const auto click = [display](unsigned button) {
        XTestFakeButtonEvent(display, button, True, CurrentTime);
        XTestFakeButtonEvent(display, button, False, CurrentTime);
    };
    m_wheelY += dy;
    m_wheelX += dx;
    for (; m_wheelY >= 120; m_wheelY -= 120)
        click(4);
    for (; m_wheelY <= -120; m_wheelY += 120)
        click(5);
    for (; m_wheelX >= 120; m_wheelX -= 120)
        click(7);
    for (; m_wheelX <= -120; m_wheelX += 120)
        click(6);
    flush();
}

void X11Input::releaseAll() {
    if (m_connection.lost())
        return;
    const auto held = m_held;
    for (const unsigned keycode : held)
        press(keycode, false);
    m_pressed.clear();
    if (m_buttons != 0)
        for (std::size_t i = 0; i < kButtons.size(); ++i)
            if (m_buttons & (1U << i))
                XTestFakeButtonEvent(m_connection.display(), kButtons[i], False, CurrentTime);
    m_buttons = 0;
    m_wheelX = m_wheelY = 0;
    flush();
}

} // namespace breeze::agent
