#include "sessions/ScreenMirror.h"

#include "encoding/Utf8.h"

#include <cstring>
#include <functional>
#include <vterm.h>

namespace breeze::agent {

namespace {
// SGR parameters that set a cell's look from a reset pen.
std::string sgrOf(const VTermScreenCellAttrs& attrs, const VTermColor& fg, const VTermColor& bg) {
    std::string sgr = "0";
    if (attrs.bold)
        sgr += ";1";
    if (attrs.italic)
        sgr += ";3";
    if (attrs.underline == VTERM_UNDERLINE_SINGLE)
        sgr += ";4";
    else if (attrs.underline == VTERM_UNDERLINE_DOUBLE)
        sgr += ";21";
    else if (attrs.underline == VTERM_UNDERLINE_CURLY)
        sgr += ";4:3";
    if (attrs.blink)
        sgr += ";5";
    if (attrs.reverse)
        sgr += ";7";
    if (attrs.strike)
        sgr += ";9";
    const auto colour = [&sgr](const VTermColor& c, bool foreground) {
        if (foreground ? VTERM_COLOR_IS_DEFAULT_FG(&c) : VTERM_COLOR_IS_DEFAULT_BG(&c))
            return;
        const char* base = foreground ? ";38" : ";48";
        if (VTERM_COLOR_IS_INDEXED(&c))
            sgr += std::string(base) + ";5;" + std::to_string(c.indexed.idx);
        else
            sgr += std::string(base) + ";2;" + std::to_string(c.rgb.red) + ";" + std::to_string(c.rgb.green) +
                   ";" + std::to_string(c.rgb.blue);
    };
    colour(fg, true);
    colour(bg, false);
    return sgr;
}

bool isBlank(const VTermScreenCell& cell) {
    return (cell.chars[0] == 0 || cell.chars[0] == ' ') && VTERM_COLOR_IS_DEFAULT_BG(&cell.bg) &&
           !cell.attrs.reverse && !cell.attrs.underline && !cell.attrs.strike;
}

// A row of cells as text, with SGR changes when asked; trailing blank cells are left out.
std::string encodeCells(int cols, const std::function<VTermScreenCell(int)>& cellAt, bool withAttributes) {
    int last = cols - 1;
    while (last >= 0 && isBlank(cellAt(last)))
        --last;
    std::string out;
    std::string pen = "0";
    for (int col = 0; col <= last; ++col) {
        const VTermScreenCell cell = cellAt(col);
        if (cell.chars[0] == static_cast<std::uint32_t>(-1))
            continue; // the right half of a wide character
        if (withAttributes) {
            const std::string sgr = sgrOf(cell.attrs, cell.fg, cell.bg);
            if (sgr != pen) {
                out += "\x1b[" + sgr + "m";
                pen = sgr;
            }
        }
        if (cell.chars[0] == 0) {
            out.push_back(' ');
            continue;
        }
        for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i] != 0; ++i)
            encoding::appendUtf8(out, cell.chars[i]);
    }
    if (withAttributes && pen != "0")
        out += "\x1b[0m";
    return out;
}
} // namespace

ScreenMirror::ScreenMirror(int cols, int rows, std::size_t scrollbackLines)
    : m_cols(cols), m_rows(rows), m_maxScrollback(scrollbackLines) {
    m_vt = vterm_new(rows, cols);
    vterm_set_utf8(m_vt, 1);
    // What the terminal would answer (cursor reports and the like) is the console's to say, not the mirror's.
    vterm_output_set_callback(
        m_vt, [](const char*, size_t, void*) {}, nullptr);
    m_screen = vterm_obtain_screen(m_vt);
    static const VTermScreenCallbacks callbacks = [] {
        VTermScreenCallbacks c{};
        c.settermprop = [](VTermProp prop, VTermValue* value, void* user) {
            return setProperty(prop, value, user);
        };
        c.sb_pushline = [](int cols, const VTermScreenCell* cells, void* user) {
            return pushLine(cols, cells, user);
        };
        c.sb_popline = [](int cols, VTermScreenCell* cells, void* user) {
            return popLine(cols, cells, user);
        };
        return c;
    }();
    vterm_screen_set_callbacks(m_screen, &callbacks, this);
    vterm_screen_enable_altscreen(m_screen, 1);
    vterm_screen_reset(m_screen, 1);
}

ScreenMirror::~ScreenMirror() {
    vterm_free(m_vt);
}

int ScreenMirror::pushLine(int cols, const void* cells, void* user) {
    auto* self = static_cast<ScreenMirror*>(user);
    const auto* row = static_cast<const VTermScreenCell*>(cells);
    self->m_scrollback.push_back(encodeCells(
        cols, [row](int col) { return row[col]; }, true));
    while (self->m_scrollback.size() > self->m_maxScrollback)
        self->m_scrollback.pop_front();
    self->m_recentCells.emplace_back(reinterpret_cast<const char*>(row),
                                     static_cast<std::size_t>(cols) * sizeof(VTermScreenCell));
    // A screen grows by at most its own height at once: a few hundred lines are enough to give back.
    while (self->m_recentCells.size() > std::min<std::size_t>(512, self->m_scrollback.size()))
        self->m_recentCells.pop_front();
    return 1;
}

int ScreenMirror::popLine(int cols, void* cells, void* user) {
    auto* self = static_cast<ScreenMirror*>(user);
    if (self->m_recentCells.empty() || self->m_scrollback.empty())
        return 0;
    const std::string line = std::move(self->m_recentCells.back());
    self->m_recentCells.pop_back();
    self->m_scrollback.pop_back();
    auto* row = static_cast<VTermScreenCell*>(cells);
    const std::size_t had = line.size() / sizeof(VTermScreenCell);
    for (int col = 0; col < cols; ++col) {
        if (static_cast<std::size_t>(col) < had) {
            std::memcpy(&row[col], line.data() + static_cast<std::size_t>(col) * sizeof(VTermScreenCell),
                        sizeof(VTermScreenCell));
            continue;
        }
        row[col] = VTermScreenCell{}; // past the old width: blank, in the default colours
        row[col].width = 1;
        vterm_color_indexed(&row[col].fg, 7);
        vterm_color_indexed(&row[col].bg, 0);
        row[col].fg.type |= VTERM_COLOR_DEFAULT_FG;
        row[col].bg.type |= VTERM_COLOR_DEFAULT_BG;
    }
    return 1;
}

int ScreenMirror::setProperty(int prop, const void* value, void* user) {
    auto* self = static_cast<ScreenMirror*>(user);
    const auto* v = static_cast<const VTermValue*>(value);
    switch (prop) {
    case VTERM_PROP_ALTSCREEN:
        self->m_alternate = v->boolean != 0;
        break;
    case VTERM_PROP_CURSORVISIBLE:
        self->m_cursorVisible = v->boolean != 0;
        break;
    case VTERM_PROP_CURSORBLINK:
        self->m_cursorBlink = v->boolean != 0;
        break;
    case VTERM_PROP_CURSORSHAPE:
        self->m_cursorShape = v->number;
        break;
    case VTERM_PROP_REVERSE:
        self->m_reverse = v->boolean != 0;
        break;
    case VTERM_PROP_TITLE:
        self->m_title = v->string ? std::string(v->string).substr(0, 256) : std::string();
        break;
    default:
        break;
    }
    return 1;
}

void ScreenMirror::feed(std::string_view bytes) {
    m_modes.feed(bytes);
    vterm_input_write(m_vt, bytes.data(), bytes.size());
}

void ScreenMirror::resize(int cols, int rows) {
    m_cols = cols;
    m_rows = rows;
    vterm_set_size(m_vt, rows, cols);
}

std::string ScreenMirror::rowText(int row, bool withAttributes) const {
    return encodeCells(
        m_cols,
        [this, row](int col) {
            VTermScreenCell cell{};
            vterm_screen_get_cell(m_screen, VTermPos{row, col}, &cell);
            return cell;
        },
        withAttributes);
}

std::string ScreenMirror::text() const {
    std::string out;
    for (int row = 0; row < m_rows; ++row) {
        if (row > 0)
            out.push_back('\n');
        out += rowText(row, false);
    }
    return out;
}

std::string ScreenMirror::snapshot() const {
    // A full reset, then the scrollback printed and scrolled off the top: the receiving terminal's own
    // scrollback holds it, as if it had been there all along.
    std::string out = "\x1b"
                      "c";
    for (const auto& line : m_scrollback)
        out += line + "\r\n";
    if (!m_scrollback.empty())
        out += std::string(static_cast<std::size_t>(m_rows - 1), '\n');
    if (m_alternate)
        out += "\x1b[?1049h";
    for (int row = 0; row < m_rows; ++row)
        out += "\x1b[" + std::to_string(row + 1) + ";1H\x1b[2K" + rowText(row, true);
    if (m_reverse)
        out += "\x1b[?5h";
    if (!m_title.empty())
        out += "\x1b]2;" + m_title + "\x07";
    out += m_modes.replay();
    // The pen the program left set, then the cursor.
    VTermState* state = vterm_obtain_state(m_vt);
    VTermScreenCellAttrs attrs{};
    VTermValue value{};
    if (vterm_state_get_penattr(state, VTERM_ATTR_BOLD, &value))
        attrs.bold = value.boolean ? 1 : 0;
    if (vterm_state_get_penattr(state, VTERM_ATTR_UNDERLINE, &value))
        attrs.underline = static_cast<unsigned>(value.number) & 3;
    if (vterm_state_get_penattr(state, VTERM_ATTR_ITALIC, &value))
        attrs.italic = value.boolean ? 1 : 0;
    if (vterm_state_get_penattr(state, VTERM_ATTR_BLINK, &value))
        attrs.blink = value.boolean ? 1 : 0;
    if (vterm_state_get_penattr(state, VTERM_ATTR_REVERSE, &value))
        attrs.reverse = value.boolean ? 1 : 0;
    if (vterm_state_get_penattr(state, VTERM_ATTR_STRIKE, &value))
        attrs.strike = value.boolean ? 1 : 0;
    VTermValue fg{}, bg{};
    vterm_state_get_penattr(state, VTERM_ATTR_FOREGROUND, &fg);
    vterm_state_get_penattr(state, VTERM_ATTR_BACKGROUND, &bg);
    out += "\x1b[" + sgrOf(attrs, fg.color, bg.color) + "m";
    VTermPos cursor{};
    vterm_state_get_cursorpos(state, &cursor);
    out += "\x1b[" + std::to_string(cursor.row + 1) + ";" + std::to_string(cursor.col + 1) + "H";
    out += "\x1b[" +
           std::to_string(m_cursorShape == VTERM_PROP_CURSORSHAPE_UNDERLINE  ? (m_cursorBlink ? 3 : 4)
                          : m_cursorShape == VTERM_PROP_CURSORSHAPE_BAR_LEFT ? (m_cursorBlink ? 5 : 6)
                                                                             : (m_cursorBlink ? 1 : 2)) +
           " q";
    out += m_cursorVisible ? "\x1b[?25h" : "\x1b[?25l";
    return out;
}

} // namespace breeze::agent
