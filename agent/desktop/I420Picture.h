#pragma once

#include "desktop/ChangeMap.h"

#include <cstdint>
#include <vector>

namespace breeze::agent {

// A picture in the encoders' colour format: full-resolution luma, quarter-resolution chroma (BT.601, as
// libvpx and libx264 expect), converted from the screen's BGRX with libyuv. Only the tile rows that changed
// are converted again, so typing costs a few rows, not the whole screen.
class I420Picture {
public:
    // `evenPadded`: rounded up to even dimensions (libx264 needs them); the extra column or row stays black.
    void resize(int width, int height, bool evenPadded);
    // Converts the tiles `changes` marks (all of them when null) from 32-bit BGRX pixels.
    void convert(const std::uint8_t* bgrx, int stride, const ChangeMap* changes);

    int width() const { return m_width; } // as captured
    int height() const { return m_height; }
    int codedWidth() const { return m_codedWidth; } // as encoded (even when padded)
    int codedHeight() const { return m_codedHeight; }
    std::uint8_t* plane(int index) { return m_buffer.data() + m_offsets[index]; }
    const std::uint8_t* plane(int index) const { return m_buffer.data() + m_offsets[index]; }
    int planeStride(int index) const { return index == 0 ? m_codedWidth : (m_codedWidth + 1) / 2; }

private:
    void convertBand(const std::uint8_t* bgrx, int stride, int x, int y, int width, int height);

    int m_width = 0;
    int m_height = 0;
    int m_codedWidth = 0;
    int m_codedHeight = 0;
    std::size_t m_offsets[3] = {0, 0, 0};
    std::vector<std::uint8_t> m_buffer;
};

} // namespace breeze::agent
