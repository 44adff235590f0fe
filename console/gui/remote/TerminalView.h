#pragma once

#include "TerminalSession.h"

#include <QAbstractScrollArea>
#include <QPointer>
#include <QTimer>

class QMenu;

namespace breeze::console {

class TerminalSearchBar;

// A remote terminal on screen: the session's cells painted with QPainter (colours, bold, italic, underline,
// strike, reverse, wide characters, the cursor's shape), the scrollback under a scroll bar, mouse selection
// and copy, paste (bracketed when the program asked), find, zoom, a "Send keys" menu for what the workstation
// would keep for itself, and the session's state (reconnecting, ended) over the text. The size follows the
// widget. What the device prints is only ever drawn as characters, never interpreted as markup.
class TerminalView : public QAbstractScrollArea {
    Q_OBJECT

public:
    explicit TerminalView(TerminalSession& session, QWidget* parent = nullptr);
    // A screen only (a recording played back): read-only, no keys, no session menu.
    explicit TerminalView(TerminalScreen& screen, QWidget* parent = nullptr);

    // The live session shown (only for views made with one).
    TerminalSession& session() const { return *m_session; }
    TerminalScreen& screen() const { return m_screen; }
    // The selection as text (empty when nothing is selected).
    QString selectedText() const;
    void copySelection();
    void pasteClipboard();
    void find();
    void zoom(int steps); // 0: back to the default size
    // What the context menu offers; the window adds its own (split, close) through `extend`.
    QMenu* buildMenu(QWidget* parent);
    void setMenuExtension(std::function<void(QMenu*)> extend) { m_extend = std::move(extend); }
    QSize cellSize() const;

Q_SIGNALS:
    void titleChanged(const QString& title);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;
    bool focusNextPrevChild(bool next) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void updateMetrics();
    void updateScrollRange(bool follow);
    void fitSession();
    QPoint cellAt(const QPoint& position) const; // (col, line)
    bool selected(int line, int col) const;
    void search(const QString& text, int step);
    QString banner() const;

    TerminalView(TerminalScreen& screen, TerminalSession* session, QWidget* parent);
    bool live() const;

    TerminalScreen& m_screen;
    TerminalSession* m_session; // none for a recording
    TerminalSearchBar* m_searchBar;
    qreal m_cellWidth = 8;
    int m_cellHeight = 16;
    int m_ascent = 12;
    int m_zoom = 0;
    QTimer m_resizeDebounce;
    std::optional<QPoint> m_anchor; // selection start (col, line)
    std::optional<QPoint> m_extent; // selection end
    QVector<QPoint> m_matches;
    qint64 m_dropped = 0; // the screen's droppedLines() when line numbers here were last made right
    int m_generation = 0; // the screen's generation they belong to
    int m_match = -1;
    std::function<void(QMenu*)> m_extend;
};

} // namespace breeze::console
