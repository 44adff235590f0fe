#pragma once

#include <QByteArray>
#include <QObject>
#include <QPoint>
#include <QString>
#include <QVector>
#include <deque>

struct VTerm;
struct VTermScreen;

namespace breeze::console {

// One character cell as the view paints it.
struct TerminalCell {
    char32_t ch = 0;   // 0: blank
    char32_t mark = 0; // a combining mark on it (an accent): the first one; 0 for none
    QString text() const;
    quint32 fg = 0; // 0xRRGGBB (the view uses its theme's colours where default*)
    quint32 bg = 0;
    bool defaultFg = true;
    bool defaultBg = true;
    bool bold = false;
    bool italic = false;
    bool underline = false;
    bool reverse = false;
    bool strike = false;
    bool blink = false;
    quint8 width = 1; // 2: a wide character (the next cell is its right half, width 0)
};

// The console's terminal emulator (libvterm): what a remote shell printed, as cells with colours and
// attributes, the alternate screen, the cursor, 10,000 lines of scrollback (trimmed of trailing blanks),
// search, and the bytes a key or a paste sends in the terminal's current modes (application cursor keys,
// bracketed paste). Lines are numbered from the oldest scrollback line (0) to the screen's last row
// (scrollbackCount() + rows() - 1).
class TerminalScreen : public QObject {
    Q_OBJECT

public:
    TerminalScreen(int cols, int rows, int scrollbackLines = 10'000, QObject* parent = nullptr);
    ~TerminalScreen() override;

    void feed(const QByteArray& bytes);
    void resize(int cols, int rows);
    // A terminal as new, scrollback included (before a resumed session's snapshot).
    void reset();

    int cols() const { return m_cols; }
    int rows() const { return m_rows; }
    int scrollbackCount() const { return static_cast<int>(m_scrollback.size()); }
    int lineCount() const { return scrollbackCount() + m_rows; }
    // Lines that fell off the top of a full scrollback since the start (or the last reset): line numbers held
    // elsewhere (a selection, a scroll position) move up by as many.
    qint64 droppedLines() const { return m_dropped; }
    // Bumped by reset(): line numbers held from before mean nothing now.
    int generation() const { return m_generation; }
    TerminalCell cell(int line, int col) const;
    QString lineText(int line) const; // trailing blanks cut
    // The text between two cells (inclusive), lines joined by '\n' (a selection).
    QString text(QPoint from, QPoint to) const;
    // Every place `needle` occurs (case-insensitive), as (col, line), oldest first.
    // Where `needle` appears, case-insensitively: (cell column, line) of each start.
    QVector<QPoint> find(const QString& needle) const;
    // How many cells a match of `needle` at `match` covers (more than its length after wide characters).
    int matchCells(QPoint match, const QString& needle) const;
    QPoint cursor() const; // (col, row) on the screen
    bool cursorVisible() const { return m_cursorVisible; }
    bool cursorBlinks() const { return m_cursorBlink; }
    int cursorShape() const { return m_cursorShape; } // 1 block, 2 underline, 3 bar
    bool alternateScreen() const { return m_alternate; }
    bool reverseVideo() const { return m_reverse; }
    const QString& title() const { return m_title; }

    // What to send for a key (Qt::Key and modifiers, with its text) or a paste; empty for keys a terminal has
    // no sequence for.
    QByteArray key(int qtKey, Qt::KeyboardModifiers modifiers, const QString& text);
    QByteArray paste(const QString& text);

Q_SIGNALS:
    void changed();
    // What the terminal answers a program's query (cursor position, device attributes): send it back.
    void reply(const QByteArray& bytes);
    void titleChanged(const QString& title);
    void bell();

private:
    static int onPushLine(int cols, const void* cells, void* user);
    static int onPopLine(int cols, void* cells, void* user);
    static int onProperty(int prop, const void* value, void* user);
    static int onDamage(void* user);
    static int onBell(void* user);
    TerminalCell convert(const void* vtermCell) const;
    QByteArray takeOutput();

    VTerm* m_vt = nullptr;
    VTermScreen* m_screen = nullptr;
    int m_cols;
    int m_rows;
    int m_maxScrollback;
    std::deque<QVector<TerminalCell>> m_scrollback;
    qint64 m_dropped = 0;
    int m_generation = 0;
    QByteArray m_output; // what vterm answers or encodes (keys), until taken
    bool m_cursorVisible = true;
    bool m_cursorBlink = true;
    int m_cursorShape = 1;
    bool m_alternate = false;
    bool m_reverse = false;
    QString m_title;
};

} // namespace breeze::console
