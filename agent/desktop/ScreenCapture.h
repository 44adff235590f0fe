#pragma once

#include "desktop/ChangeMap.h"

#include <cstdint>

namespace breeze::agent {

// Takes pictures of one rectangle of a screen (a monitor, or all of them), and says which tiles changed
// since the last picture. Windows and macOS get their own implementations; X11Capture is the first.
class ScreenCapture {
public:
    virtual ~ScreenCapture() = default;
    // Takes a picture when the screen may have changed. Fills `changes` with the tiles that really did
    // (compared pixel by pixel); false, and no picture taken, when nothing changed.
    virtual bool capture(ChangeMap& changes) = 0;
    // The next capture reports every tile (a keyframe follows, or a new viewer).
    virtual void invalidate() = 0;
    // The last picture: 32-bit BGRX pixels, rows `stride` bytes apart.
    virtual const std::uint8_t* pixels() const = 0;
    virtual int stride() const = 0;
    virtual int width() const = 0;
    virtual int height() const = 0;
};

} // namespace breeze::agent
