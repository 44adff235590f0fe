#pragma once

#include "desktop/ScreenCapture.h"
#include "protocol/DesktopControl.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace breeze::agent {

class X11Connection;

// Pictures of one rectangle of an X screen through shared memory (MIT-SHM; plain XGetImage where the display
// has none). XDamage says which parts may have changed, so a still screen costs one round trip and no copy;
// the damaged parts are then compared tile by tile with the last picture, since applications often repaint
// what did not change (a blinking caret's whole line, a window redrawn the same). Without XDamage every
// capture compares the whole picture (TigerVNC's fallback too).
class X11Capture : public ScreenCapture {
public:
    // Throws std::runtime_error when the screen's pixels are not 32-bit true colour.
    X11Capture(X11Connection& connection, const protocol::DesktopMonitor& area);
    ~X11Capture() override;
    X11Capture(const X11Capture&) = delete;
    X11Capture& operator=(const X11Capture&) = delete;

    bool capture(ChangeMap& changes) override;
    void invalidate() override { m_everything = true; }
    const std::uint8_t* pixels() const override { return m_previous.data(); }
    int stride() const override { return m_area.width * 4; }
    int width() const override { return m_area.width; }
    int height() const override { return m_area.height; }
    bool usesDamage() const { return m_damage != 0; }
    bool usesSharedMemory() const { return m_shared; }

private:
    // Where XDamage says the screen may have changed inside the area, as tiles; false when nowhere.
    bool damaged(ChangeMap& candidates);
    bool grab();
    void compare(const ChangeMap& candidates, ChangeMap& changes);
    // Reads only the rows of tiles the damage touches (at most kMostBands round trips); false when that is
    // not worth it or did not work, and the whole picture is read instead.
    bool grabBands(const ChangeMap& candidates, ChangeMap& changes);
    // Compares one tile of `source` (whose first pixel is at sourceX, sourceY) with the last picture, and
    // takes it when it differs.
    void compareTile(const std::uint8_t* source, std::size_t sourceStride, int sourceX, int sourceY,
                     int column, int row, ChangeMap& changes);

    static constexpr std::size_t kMostBands = 12;

    X11Connection& m_connection;
    protocol::DesktopMonitor m_area;
    struct Image;
    std::unique_ptr<Image> m_image;
    bool m_shared = false;
    unsigned long m_damage = 0;
    bool m_everything = true;
    ChangeMap m_candidates;
    std::vector<std::uint8_t> m_previous; // the last picture, packed rows
};

} // namespace breeze::agent
