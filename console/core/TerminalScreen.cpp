#include "TerminalScreen.h"

#include <vterm.h>

namespace breeze::console {

namespace {
constexpr int kMaxColumns = 1000;

quint32 rgbOf(const VTermColor& colour) {
    return (static_cast<quint32>(colour.rgb.red) << 16) | (static_cast<quint32>(colour.rgb.green) << 8) |
           colour.rgb.blue;
}

VTermModifier modifiersOf(Qt::KeyboardModifiers modifiers) {
    int mod = VTERM_MOD_NONE;
    if (modifiers & Qt::ShiftModifier)
        mod |= VTERM_MOD_SHIFT;
    if (modifiers & Qt::AltModifier)
        mod |= VTERM_MOD_ALT;
    if (modifiers & Qt::ControlModifier)
        mod |= VTERM_MOD_CTRL;
    return static_cast<VTermModifier>(mod);
}

VTermKey vtermKey(int key, bool keypad) {
    switch (key) {
    case Qt::Key_Return:
        return VTERM_KEY_ENTER;
    case Qt::Key_Enter:
        return keypad ? VTERM_KEY_KP_ENTER : VTERM_KEY_ENTER;
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
        return VTERM_KEY_TAB;
    case Qt::Key_Backspace:
        return VTERM_KEY_BACKSPACE;
    case Qt::Key_Escape:
        return VTERM_KEY_ESCAPE;
    case Qt::Key_Up:
        return VTERM_KEY_UP;
    case Qt::Key_Down:
        return VTERM_KEY_DOWN;
    case Qt::Key_Left:
        return VTERM_KEY_LEFT;
    case Qt::Key_Right:
        return VTERM_KEY_RIGHT;
    case Qt::Key_Insert:
        return VTERM_KEY_INS;
    case Qt::Key_Delete:
        return VTERM_KEY_DEL;
    case Qt::Key_Home:
        return VTERM_KEY_HOME;
    case Qt::Key_End:
        return VTERM_KEY_END;
    case Qt::Key_PageUp:
        return VTERM_KEY_PAGEUP;
    case Qt::Key_PageDown:
        return VTERM_KEY_PAGEDOWN;
    default:
        if (key >= Qt::Key_F1 && key <= Qt::Key_F35)
            return static_cast<VTermKey>(VTERM_KEY_FUNCTION(key - Qt::Key_F1 + 1));
        return VTERM_KEY_NONE;
    }
}
} // namespace

QString TerminalCell::text() const {
    if (ch == 0)
        return QStringLiteral(" ");
    const char32_t both[] = {ch, mark};
    return QString::fromUcs4(both, mark == 0 ? 1 : 2);
}

TerminalScreen::TerminalScreen(int cols, int rows, int scrollbackLines, QObject* parent)
    : QObject(parent), m_cols(std::clamp(cols, 1, kMaxColumns)), m_rows(std::clamp(rows, 1, kMaxColumns)),
      m_maxScrollback(scrollbackLines) {
    m_vt = vterm_new(m_rows, m_cols);
    vterm_set_utf8(m_vt, 1);
    vterm_output_set_callback(
        m_vt,
        [](const char* bytes, size_t len, void* user) {
            static_cast<TerminalScreen*>(user)->m_output.append(bytes, static_cast<qsizetype>(len));
        },
        this);
    m_screen = vterm_obtain_screen(m_vt);
    static const VTermScreenCallbacks callbacks = [] {
        VTermScreenCallbacks c{};
        c.damage = [](VTermRect, void* user) { return onDamage(user); };
        c.moverect = [](VTermRect, VTermRect, void* user) { return onDamage(user); };
        c.movecursor = [](VTermPos, VTermPos, int, void* user) { return onDamage(user); };
        c.settermprop = [](VTermProp prop, VTermValue* value, void* user) {
            return onProperty(prop, value, user);
        };
        c.bell = [](void* user) { return onBell(user); };
        c.sb_pushline = [](int cols, const VTermScreenCell* cells, void* user) {
            return onPushLine(cols, cells, user);
        };
        c.sb_popline = [](int cols, VTermScreenCell* cells, void* user) {
            return onPopLine(cols, cells, user);
        };
        return c;
    }();
    vterm_screen_set_callbacks(m_screen, &callbacks, this);
    vterm_screen_set_damage_merge(m_screen, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(m_screen, 1);
    vterm_screen_reset(m_screen, 1);
}

TerminalScreen::~TerminalScreen() {
    vterm_free(m_vt);
}

TerminalCell TerminalScreen::convert(const void* raw) const {
    const auto& c = *static_cast<const VTermScreenCell*>(raw);
    TerminalCell cell;
    cell.ch = c.chars[0] == static_cast<std::uint32_t>(-1) ? 0 : c.chars[0];
    cell.mark = cell.ch == 0 ? 0 : c.chars[1];
    cell.width =
        c.chars[0] == static_cast<std::uint32_t>(-1) ? 0 : static_cast<quint8>(std::max<int>(c.width, 1));
    cell.bold = c.attrs.bold;
    cell.italic = c.attrs.italic;
    cell.underline = c.attrs.underline != 0;
    cell.reverse = c.attrs.reverse;
    cell.strike = c.attrs.strike;
    cell.blink = c.attrs.blink;
    cell.defaultFg = VTERM_COLOR_IS_DEFAULT_FG(&c.fg);
    cell.defaultBg = VTERM_COLOR_IS_DEFAULT_BG(&c.bg);
    VTermColor fg = c.fg;
    VTermColor bg = c.bg;
    vterm_screen_convert_color_to_rgb(m_screen, &fg);
    vterm_screen_convert_color_to_rgb(m_screen, &bg);
    cell.fg = rgbOf(fg);
    cell.bg = rgbOf(bg);
    return cell;
}

int TerminalScreen::onPushLine(int cols, const void* cells, void* user) {
    auto* self = static_cast<TerminalScreen*>(user);
    const auto* row = static_cast<const VTermScreenCell*>(cells);
    int last = cols - 1;
    while (last >= 0 && row[last].chars[0] == 0 && VTERM_COLOR_IS_DEFAULT_BG(&row[last].bg) &&
           !row[last].attrs.reverse)
        --last;
    QVector<TerminalCell> line;
    line.reserve(last + 1);
    for (int col = 0; col <= last; ++col)
        line.push_back(self->convert(&row[col]));
    self->m_scrollback.push_back(std::move(line));
    while (static_cast<int>(self->m_scrollback.size()) > self->m_maxScrollback) {
        self->m_scrollback.pop_front();
        ++self->m_dropped;
    }
    return 1;
}

int TerminalScreen::onPopLine(int cols, void* cells, void* user) {
    // The screen grew taller: the newest scrollback line comes back onto it.
    auto* self = static_cast<TerminalScreen*>(user);
    if (self->m_scrollback.empty())
        return 0;
    const auto line = std::move(self->m_scrollback.back());
    self->m_scrollback.pop_back();
    auto* row = static_cast<VTermScreenCell*>(cells);
    for (int col = 0; col < cols; ++col) {
        VTermScreenCell& out = row[col];
        out = VTermScreenCell{};
        out.width = 1;
        vterm_color_indexed(&out.fg, 7);
        vterm_color_indexed(&out.bg, 0);
        out.fg.type |= VTERM_COLOR_DEFAULT_FG;
        out.bg.type |= VTERM_COLOR_DEFAULT_BG;
        if (col < line.size()) {
            const TerminalCell& cell = line[col];
            out.chars[0] = cell.width == 0 ? static_cast<std::uint32_t>(-1) : cell.ch;
            out.chars[1] = cell.width == 0 ? 0 : cell.mark;
            out.width = static_cast<char>(std::max<int>(cell.width, 1));
            out.attrs.bold = cell.bold;
            out.attrs.italic = cell.italic;
            out.attrs.underline = cell.underline ? 1 : 0;
            out.attrs.reverse = cell.reverse;
            out.attrs.strike = cell.strike;
            out.attrs.blink = cell.blink;
            const auto channel = [](quint32 rgb, int shift) {
                return static_cast<uint8_t>((rgb >> shift) & 0xFF);
            };
            if (!cell.defaultFg)
                vterm_color_rgb(&out.fg, channel(cell.fg, 16), channel(cell.fg, 8), channel(cell.fg, 0));
            if (!cell.defaultBg)
                vterm_color_rgb(&out.bg, channel(cell.bg, 16), channel(cell.bg, 8), channel(cell.bg, 0));
        }
    }
    return 1;
}

int TerminalScreen::onProperty(int prop, const void* value, void* user) {
    auto* self = static_cast<TerminalScreen*>(user);
    const auto* v = static_cast<const VTermValue*>(value);
    switch (prop) {
    case VTERM_PROP_CURSORVISIBLE:
        self->m_cursorVisible = v->boolean != 0;
        break;
    case VTERM_PROP_CURSORBLINK:
        self->m_cursorBlink = v->boolean != 0;
        break;
    case VTERM_PROP_CURSORSHAPE:
        self->m_cursorShape = v->number;
        break;
    case VTERM_PROP_ALTSCREEN:
        self->m_alternate = v->boolean != 0;
        break;
    case VTERM_PROP_REVERSE:
        self->m_reverse = v->boolean != 0;
        break;
    case VTERM_PROP_TITLE:
        // A program names its window; the text is the remote machine's, shown as plain text only.
        self->m_title = QString::fromUtf8(v->string ? v->string : "").left(200);
        Q_EMIT self->titleChanged(self->m_title);
        break;
    default:
        break;
    }
    return 1;
}

int TerminalScreen::onDamage(void*) {
    return 1; // changed() is emitted once per feed, not per cell
}

int TerminalScreen::onBell(void* user) {
    Q_EMIT static_cast<TerminalScreen*>(user)->bell();
    return 1;
}

QByteArray TerminalScreen::takeOutput() {
    QByteArray out;
    out.swap(m_output);
    return out;
}

void TerminalScreen::feed(const QByteArray& bytes) {
    vterm_input_write(m_vt, bytes.constData(), static_cast<size_t>(bytes.size()));
    if (!m_output.isEmpty())
        Q_EMIT reply(takeOutput());
    Q_EMIT changed();
}

void TerminalScreen::resize(int cols, int rows) {
    cols = std::clamp(cols, 1, kMaxColumns);
    rows = std::clamp(rows, 1, kMaxColumns);
    if (cols == m_cols && rows == m_rows)
        return;
    m_cols = cols;
    m_rows = rows;
    vterm_set_size(m_vt, rows, cols);
    Q_EMIT changed();
}

void TerminalScreen::reset() {
    m_scrollback.clear();
    m_dropped = 0;
    ++m_generation;
    vterm_screen_reset(m_screen, 1);
    m_cursorVisible = true;
    m_cursorBlink = true;
    m_cursorShape = 1;
    m_alternate = false;
    m_reverse = false;
    Q_EMIT changed();
}

TerminalCell TerminalScreen::cell(int line, int col) const {
    if (line < 0 || col < 0 || col >= m_cols || line >= lineCount())
        return {};
    if (line < scrollbackCount()) {
        const auto& row = m_scrollback[static_cast<std::size_t>(line)];
        return col < row.size() ? row[col] : TerminalCell{};
    }
    VTermScreenCell raw{};
    vterm_screen_get_cell(m_screen, VTermPos{line - scrollbackCount(), col}, &raw);
    return convert(&raw);
}

QString TerminalScreen::lineText(int line) const {
    QString text;
    for (int col = 0; col < m_cols; ++col) {
        const TerminalCell c = cell(line, col);
        if (c.width != 0)
            text += c.text();
    }
    while (text.endsWith(QLatin1Char(' ')))
        text.chop(1);
    return text;
}

QString TerminalScreen::text(QPoint from, QPoint to) const {
    if (to.y() < from.y() || (to.y() == from.y() && to.x() < from.x()))
        std::swap(from, to);
    QStringList lines;
    for (int line = from.y(); line <= to.y(); ++line) {
        const int first = line == from.y() ? from.x() : 0;
        const int last = line == to.y() ? to.x() : m_cols - 1;
        QString text;
        for (int col = first; col <= last; ++col) {
            const TerminalCell c = cell(line, col);
            if (c.width != 0)
                text += c.text();
        }
        while (text.endsWith(QLatin1Char(' ')))
            text.chop(1);
        lines << text;
    }
    return lines.join(QLatin1Char('\n'));
}

QVector<QPoint> TerminalScreen::find(const QString& needle) const {
    QVector<QPoint> found;
    if (needle.isEmpty())
        return found;
    QVector<int> columns; // the cell each character of the line's text came from (wide ones span two)
    for (int line = 0; line < lineCount(); ++line) {
        QString text;
        columns.clear();
        for (int col = 0; col < m_cols; ++col) {
            const TerminalCell c = cell(line, col);
            if (c.width == 0)
                continue;
            const QString piece = c.text();
            text += piece;
            for (qsizetype i = 0; i < piece.size(); ++i)
                columns.push_back(col);
        }
        for (qsizetype at = text.indexOf(needle, 0, Qt::CaseInsensitive); at >= 0;
             at = text.indexOf(needle, at + 1, Qt::CaseInsensitive))
            found.push_back(QPoint(columns[at], line));
    }
    return found;
}

int TerminalScreen::matchCells(QPoint match, const QString& needle) const {
    // As many cells from the match as it takes to hold the needle's characters (a wide one takes two).
    qsizetype characters = 0;
    int col = match.x();
    while (col < m_cols && characters < needle.size()) {
        const TerminalCell c = cell(match.y(), col);
        characters += c.width == 0 ? 0 : c.text().size();
        col += std::max<int>(c.width, 1);
    }
    return col - match.x();
}

QPoint TerminalScreen::cursor() const {
    VTermPos position{};
    vterm_state_get_cursorpos(vterm_obtain_state(m_vt), &position);
    return {position.col, position.row};
}

QByteArray TerminalScreen::key(int qtKey, Qt::KeyboardModifiers modifiers, const QString& text) {
    const VTermModifier mod = modifiersOf(modifiers);
    const VTermKey special = vtermKey(qtKey, modifiers & Qt::KeypadModifier);
    // What xterm sends, not libvterm's CSI-u forms a shell does not read: Ctrl with a letter or one of
    // @[\]^_? is the C0 byte, Ctrl+2..8 the traditional ones; Enter, Backspace and Escape ignore Shift and
    // Ctrl.
    const bool ctrl = modifiers & Qt::ControlModifier;
    const QByteArray alt = (modifiers & Qt::AltModifier) ? QByteArray("\x1b") : QByteArray();
    if (ctrl) {
        int byte = -1;
        if (qtKey >= Qt::Key_A && qtKey <= Qt::Key_Z)
            byte = qtKey - Qt::Key_A + 1;
        else if (qtKey == Qt::Key_At || qtKey == Qt::Key_Space || qtKey == Qt::Key_2)
            byte = 0;
        else if (qtKey == Qt::Key_BracketLeft || qtKey == Qt::Key_3)
            byte = 0x1b;
        else if (qtKey == Qt::Key_Backslash || qtKey == Qt::Key_4)
            byte = 0x1c;
        else if (qtKey == Qt::Key_BracketRight || qtKey == Qt::Key_5)
            byte = 0x1d;
        else if (qtKey == Qt::Key_AsciiCircum || qtKey == Qt::Key_6)
            byte = 0x1e;
        else if (qtKey == Qt::Key_Underscore || qtKey == Qt::Key_Slash || qtKey == Qt::Key_7 ||
                 qtKey == Qt::Key_Minus)
            byte = 0x1f;
        else if (qtKey == Qt::Key_Question || qtKey == Qt::Key_8)
            byte = 0x7f;
        if (byte >= 0)
            return alt + QByteArray(1, static_cast<char>(byte));
    }
    if (qtKey == Qt::Key_Return || qtKey == Qt::Key_Enter)
        return alt + QByteArray("\r");
    if (qtKey == Qt::Key_Backspace)
        return alt + QByteArray(ctrl ? "\x08" : "\x7f");
    if (qtKey == Qt::Key_Escape)
        return alt + QByteArray("\x1b");
    if (special != VTERM_KEY_NONE) {
        vterm_keyboard_key(m_vt, special,
                           qtKey == Qt::Key_Backtab ? static_cast<VTermModifier>(mod | VTERM_MOD_SHIFT)
                                                    : mod);
        return takeOutput();
    }
    // Ctrl or Alt with a letter, digit or sign: the character itself with the modifier (Ctrl+C -> 0x03).
    if ((modifiers & (Qt::ControlModifier | Qt::AltModifier)) && qtKey >= Qt::Key_Space &&
        qtKey <= Qt::Key_AsciiTilde) {
        const uint32_t ch = (qtKey >= Qt::Key_A && qtKey <= Qt::Key_Z && !(modifiers & Qt::ShiftModifier))
                                ? static_cast<uint32_t>(qtKey - Qt::Key_A + 'a')
                                : static_cast<uint32_t>(qtKey);
        vterm_keyboard_unichar(m_vt, ch, static_cast<VTermModifier>(mod & ~VTERM_MOD_SHIFT));
        return takeOutput();
    }
    QByteArray out;
    for (const char32_t ch : text.toUcs4()) {
        if (ch < 0x20 || ch == 0x7f) {
            out.append(static_cast<char>(ch)); // what the keyboard produced (Ctrl combinations Qt resolved)
            continue;
        }
        vterm_keyboard_unichar(m_vt, ch, static_cast<VTermModifier>(mod & ~VTERM_MOD_SHIFT));
        out += takeOutput();
    }
    return out;
}

QByteArray TerminalScreen::paste(const QString& text) {
    // As xterm pastes: line ends become carriage returns, and the text is bracketed when the program asked,
    // so a shell or an editor takes it as one text instead of typing.
    QString normalised = text;
    normalised.replace(QStringLiteral("\r\n"), QStringLiteral("\r"));
    normalised.replace(QLatin1Char('\n'), QLatin1Char('\r'));
    // Pasted text carries no escape sequences at all: an end-of-paste marker (even one assembled from pieces)
    // would let the rest run as typed commands.
    normalised.remove(QChar(0x1b));
    normalised.remove(QChar(0x9b));
    vterm_keyboard_start_paste(m_vt);
    QByteArray out = takeOutput();
    out += normalised.toUtf8();
    vterm_keyboard_end_paste(m_vt);
    out += takeOutput();
    return out;
}

} // namespace breeze::console
