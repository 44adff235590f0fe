#pragma once

#include <cstdint>
#include <vector>

namespace breeze::agent {

// Which 16x16 tiles of a picture changed since the last one: the size of a VP8 macroblock, so the encoder
// can skip exactly the tiles that did not.
class ChangeMap {
public:
    static constexpr int kTile = 16;

    void resize(int width, int height);
    void clear();
    void markAll();
    // Marks the tiles a rectangle touches (clipped to the picture).
    void markRect(int x, int y, int width, int height);
    void mark(int column, int row) {
        auto& tile = m_tiles[index(column, row)];
        m_count += tile == 0 ? 1 : 0;
        tile = 1;
    }
    bool changed(int column, int row) const { return m_tiles[index(column, row)] != 0; }
    int columns() const { return m_columns; }
    int rows() const { return m_rows; }
    int count() const { return m_count; }
    bool empty() const { return m_count == 0; }
    bool all() const { return m_count == m_columns * m_rows; }
    // One byte per tile, row by row (what libvpx's active map takes).
    const std::vector<std::uint8_t>& tiles() const { return m_tiles; }

private:
    std::size_t index(int column, int row) const {
        return static_cast<std::size_t>(row) * static_cast<std::size_t>(m_columns) +
               static_cast<std::size_t>(column);
    }

    int m_columns = 0;
    int m_rows = 0;
    int m_count = 0;
    std::vector<std::uint8_t> m_tiles;
};

} // namespace breeze::agent
