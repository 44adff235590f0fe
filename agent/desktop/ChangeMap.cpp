#include "desktop/ChangeMap.h"

#include <algorithm>

namespace breeze::agent {

void ChangeMap::resize(int width, int height) {
    m_columns = (width + kTile - 1) / kTile;
    m_rows = (height + kTile - 1) / kTile;
    m_tiles.assign(static_cast<std::size_t>(m_columns) * static_cast<std::size_t>(m_rows), 0);
    m_count = 0;
}

void ChangeMap::clear() {
    std::fill(m_tiles.begin(), m_tiles.end(), 0);
    m_count = 0;
}

void ChangeMap::markAll() {
    std::fill(m_tiles.begin(), m_tiles.end(), 1);
    m_count = m_columns * m_rows;
}

void ChangeMap::markRect(int x, int y, int width, int height) {
    if (width <= 0 || height <= 0)
        return;
    const int firstColumn = std::max(0, x / kTile);
    const int firstRow = std::max(0, y / kTile);
    const int lastColumn = std::min(m_columns - 1, (x + width - 1) / kTile);
    const int lastRow = std::min(m_rows - 1, (y + height - 1) / kTile);
    for (int row = firstRow; row <= lastRow; ++row)
        for (int column = firstColumn; column <= lastColumn; ++column)
            mark(column, row);
}

} // namespace breeze::agent
