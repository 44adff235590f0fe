#include "desktop/I420Picture.h"

#include <algorithm>
#include <libyuv/convert.h>

namespace breeze::agent {

void I420Picture::resize(int width, int height, bool evenPadded) {
    m_width = width;
    m_height = height;
    m_codedWidth = evenPadded ? (width + 1) & ~1 : width;
    m_codedHeight = evenPadded ? (height + 1) & ~1 : height;
    const auto luma = static_cast<std::size_t>(m_codedWidth) * static_cast<std::size_t>(m_codedHeight);
    const auto chroma =
        static_cast<std::size_t>((m_codedWidth + 1) / 2) * static_cast<std::size_t>((m_codedHeight + 1) / 2);
    m_offsets[0] = 0;
    m_offsets[1] = luma;
    m_offsets[2] = luma + chroma;
    m_buffer.assign(luma + 2 * chroma, 0);
    // Black in YUV: luma 0 is below video black, so start from 16 and neutral chroma.
    std::fill(m_buffer.begin(), m_buffer.begin() + static_cast<std::ptrdiff_t>(luma), 16);
    std::fill(m_buffer.begin() + static_cast<std::ptrdiff_t>(luma), m_buffer.end(), 128);
}

void I420Picture::convertBand(const std::uint8_t* bgrx, int stride, int x, int y, int width, int height) {
    // x and y are even (tile edges), so each chroma sample covers pixels of this band only.
    libyuv::ARGBToI420(bgrx + static_cast<std::size_t>(y) * static_cast<std::size_t>(stride) +
                           static_cast<std::size_t>(x) * 4,
                       stride,
                       plane(0) + static_cast<std::size_t>(y) * static_cast<std::size_t>(planeStride(0)) +
                           static_cast<std::size_t>(x),
                       planeStride(0),
                       plane(1) + static_cast<std::size_t>(y / 2) * static_cast<std::size_t>(planeStride(1)) +
                           static_cast<std::size_t>(x / 2),
                       planeStride(1),
                       plane(2) + static_cast<std::size_t>(y / 2) * static_cast<std::size_t>(planeStride(2)) +
                           static_cast<std::size_t>(x / 2),
                       planeStride(2), width, height);
}

void I420Picture::convert(const std::uint8_t* bgrx, int stride, const ChangeMap* changes) {
    if (!changes || changes->all()) {
        convertBand(bgrx, stride, 0, 0, m_width, m_height);
        return;
    }
    for (int row = 0; row < changes->rows(); ++row) {
        int first = -1;
        int last = -1;
        for (int column = 0; column < changes->columns(); ++column)
            if (changes->changed(column, row)) {
                first = first < 0 ? column : first;
                last = column;
            }
        if (first < 0)
            continue;
        const int x = first * ChangeMap::kTile;
        const int y = row * ChangeMap::kTile;
        convertBand(bgrx, stride, x, y, std::min(m_width, (last + 1) * ChangeMap::kTile) - x,
                    std::min(m_height, y + ChangeMap::kTile) - y);
    }
}

} // namespace breeze::agent
