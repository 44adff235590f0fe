#include "remote/TerminalView.h"

#include "remote/TerminalSearchBar.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
constexpr int kMinZoom = -6;
constexpr int kMaxZoom = 16;

QColor colourOf(quint32 rgb) {
    return QColor::fromRgb(static_cast<int>((rgb >> 16) & 0xFF), static_cast<int>((rgb >> 8) & 0xFF),
                           static_cast<int>(rgb & 0xFF));
}

// Keys the workstation would keep for itself (or a technician rarely types right), sent as the terminal
// would.
struct SendKey {
    const char* label;
    int key;
    Qt::KeyboardModifiers modifiers;
};
const SendKey kSendKeys[] = {
    {"Ctrl+Alt+Del", Qt::Key_Delete, Qt::ControlModifier | Qt::AltModifier},
    {"Ctrl+C (interrupt)", Qt::Key_C, Qt::ControlModifier},
    {"Ctrl+D (end of input)", Qt::Key_D, Qt::ControlModifier},
    {"Ctrl+Z (suspend)", Qt::Key_Z, Qt::ControlModifier},
    {"Ctrl+\\ (quit)", Qt::Key_Backslash, Qt::ControlModifier},
    {"Ctrl+L (redraw)", Qt::Key_L, Qt::ControlModifier},
    {"Escape", Qt::Key_Escape, Qt::NoModifier},
    {"Tab", Qt::Key_Tab, Qt::NoModifier},
    {"Alt+Tab", Qt::Key_Tab, Qt::AltModifier},
    {"F1", Qt::Key_F1, Qt::NoModifier},
    {"F10", Qt::Key_F10, Qt::NoModifier},
    {"F11", Qt::Key_F11, Qt::NoModifier},
    {"F12", Qt::Key_F12, Qt::NoModifier},
};
} // namespace

TerminalView::TerminalView(TerminalSession& session, QWidget* parent)
    : TerminalView(session.screen(), &session, parent) {}

TerminalView::TerminalView(TerminalScreen& screen, QWidget* parent) : TerminalView(screen, nullptr, parent) {}

bool TerminalView::live() const {
    return !m_session || m_session->state() == TerminalSession::State::Live;
}

TerminalView::TerminalView(TerminalScreen& screen, TerminalSession* session, QWidget* parent)
    : QAbstractScrollArea(parent), m_screen(screen), m_session(session),
      m_searchBar(new TerminalSearchBar(this)) {
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled, true);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setAutoFillBackground(false);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    updateMetrics();
    m_resizeDebounce.setSingleShot(true);
    m_resizeDebounce.setInterval(80);
    connect(&m_resizeDebounce, &QTimer::timeout, this, &TerminalView::fitSession);
    connect(&screen, &TerminalScreen::changed, this, [this] {
        auto* bar = verticalScrollBar();
        const bool following = bar->value() == bar->maximum();
        if (m_screen.generation() != m_generation) {
            // A new screen (a resumed session's): nothing selected or found on the old one holds.
            m_generation = m_screen.generation();
            m_dropped = m_screen.droppedLines();
            m_anchor.reset();
            m_extent.reset();
            m_matches.clear();
            m_match = -1;
        } else if (const auto shift = static_cast<int>(m_screen.droppedLines() - m_dropped); shift > 0) {
            // The oldest lines went: what is held by line number moves up with the text.
            m_dropped = m_screen.droppedLines();
            const auto up = [shift](std::optional<QPoint>& point) {
                if (point && point->y() - shift < 0)
                    point.reset();
                else if (point)
                    point->ry() -= shift;
            };
            up(m_anchor);
            up(m_extent);
            if (!m_anchor || !m_extent)
                m_anchor.reset(), m_extent.reset();
            QVector<QPoint> kept;
            for (QPoint match : std::as_const(m_matches))
                if (match.y() - shift >= 0)
                    kept.push_back(QPoint(match.x(), match.y() - shift));
            m_matches = kept;
            m_match = std::min<int>(m_match, static_cast<int>(m_matches.size()) - 1);
            if (!following)
                bar->setValue(std::max(0, bar->value() - shift));
        }
        updateScrollRange(following);
        viewport()->update();
    });
    connect(&screen, &TerminalScreen::titleChanged, this, &TerminalView::titleChanged);
    if (session)
        connect(session, &TerminalSession::stateChanged, viewport(), [this] { viewport()->update(); });
    connect(verticalScrollBar(), &QScrollBar::valueChanged, viewport(), [this] { viewport()->update(); });
    connect(m_searchBar, &TerminalSearchBar::searchChanged, this,
            [this](const QString& text) { search(text, 0); });
    connect(m_searchBar, &TerminalSearchBar::next, this, [this] { search(m_searchBar->text(), 1); });
    connect(m_searchBar, &TerminalSearchBar::previous, this, [this] { search(m_searchBar->text(), -1); });
    connect(m_searchBar, &TerminalSearchBar::closed, this, [this] {
        m_matches.clear();
        m_match = -1;
        setFocus();
        viewport()->update();
    });
    updateScrollRange(true);
}

QSize TerminalView::cellSize() const {
    return {static_cast<int>(std::ceil(m_cellWidth)), m_cellHeight};
}

void TerminalView::updateMetrics() {
    QFont terminalFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    terminalFont.setPointSizeF(std::max(5.0, terminalFont.pointSizeF() + m_zoom));
    setFont(terminalFont);
    const QFontMetricsF metrics(terminalFont);
    m_cellWidth = metrics.horizontalAdvance(QLatin1Char('M'));
    m_cellHeight = static_cast<int>(std::ceil(metrics.height()));
    m_ascent = static_cast<int>(std::ceil(metrics.ascent()));
    verticalScrollBar()->setSingleStep(1);
}

void TerminalView::zoom(int steps) {
    m_zoom = steps == 0 ? 0 : std::clamp(m_zoom + steps, kMinZoom, kMaxZoom);
    updateMetrics();
    fitSession();
    viewport()->update();
}

void TerminalView::updateScrollRange(bool follow) {
    auto* bar = verticalScrollBar();
    const int scrollback = m_screen.scrollbackCount();
    bar->setRange(0, scrollback);
    bar->setPageStep(m_screen.rows());
    if (follow)
        bar->setValue(scrollback);
}

void TerminalView::fitSession() {
    const int cols = std::max(2, static_cast<int>(viewport()->width() / m_cellWidth));
    const int rows = std::max(1, viewport()->height() / m_cellHeight);
    if (cols != m_screen.cols() || rows != m_screen.rows()) {
        if (m_session)
            m_session->resize(cols, rows);
        // A recording keeps the size it was made at: the view shows what fits.
    }
    updateScrollRange(true);
}

void TerminalView::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    m_searchBar->setGeometry(0, 0, viewport()->width(), m_searchBar->sizeHint().height());
    m_resizeDebounce.start();
}

QString TerminalView::banner() const {
    if (!m_session)
        return {};
    const TerminalSession& session = *m_session;
    switch (session.state()) {
    case TerminalSession::State::Opening:
        return tr("Opening a terminal…");
    case TerminalSession::State::Reconnecting:
        return session.status().isEmpty()
                   ? tr("Connection lost; attaching again…")
                   : tr("Connection lost (%1); attaching again…").arg(session.status());
    case TerminalSession::State::Ended:
        return session.exitCode()
                   ? tr("Session ended: %1 (exit code %2)").arg(session.status()).arg(*session.exitCode())
                   : tr("Session ended: %1").arg(session.status());
    case TerminalSession::State::Live:
        break;
    }
    return {};
}

bool TerminalView::selected(int line, int col) const {
    if (!m_anchor || !m_extent)
        return false;
    QPoint from = *m_anchor;
    QPoint to = *m_extent;
    if (to.y() < from.y() || (to.y() == from.y() && to.x() < from.x()))
        std::swap(from, to);
    if (line < from.y() || line > to.y())
        return false;
    if (line == from.y() && col < from.x())
        return false;
    if (line == to.y() && col > to.x())
        return false;
    return true;
}

void TerminalView::paintEvent(QPaintEvent*) {
    QPainter painter(viewport());
    const TerminalScreen& screen = m_screen;
    const QColor background = palette().color(QPalette::Base);
    const QColor foreground = palette().color(QPalette::Text);
    painter.fillRect(viewport()->rect(), screen.reverseVideo() ? foreground : background);
    const int first = verticalScrollBar()->value();
    const int visible = viewport()->height() / m_cellHeight + 1;
    QFont plain = font();
    const QPoint cursor = screen.cursor();
    const int cursorLine = screen.scrollbackCount() + cursor.y();
    const QPoint match = m_match >= 0 && m_match < m_matches.size() ? m_matches[m_match] : QPoint(-1, -1);
    const int matchCells = match.y() >= 0 ? screen.matchCells(match, m_searchBar->text()) : 0;
    for (int row = 0; row < visible; ++row) {
        const int line = first + row;
        if (line >= screen.lineCount())
            break;
        const int y = row * m_cellHeight;
        for (int col = 0; col < screen.cols(); ++col) {
            const TerminalCell cell = screen.cell(line, col);
            if (cell.width == 0)
                continue;
            QColor fg = cell.defaultFg ? foreground : colourOf(cell.fg);
            QColor bg = cell.defaultBg ? background : colourOf(cell.bg);
            if (cell.reverse != screen.reverseVideo())
                std::swap(fg, bg);
            if (selected(line, col))
                std::swap(fg, bg);
            if (line == match.y() && col >= match.x() && col < match.x() + matchCells)
                bg = palette().color(QPalette::Highlight), fg = palette().color(QPalette::HighlightedText);
            const QRectF rect(col * m_cellWidth, y, m_cellWidth * cell.width, m_cellHeight);
            if (bg != background)
                painter.fillRect(rect, bg);
            if (cell.ch == 0 || cell.ch == U' ')
                continue;
            QFont cellFont = plain;
            cellFont.setBold(cell.bold);
            cellFont.setItalic(cell.italic);
            cellFont.setUnderline(cell.underline);
            cellFont.setStrikeOut(cell.strike);
            painter.setFont(cellFont);
            painter.setPen(fg);
            painter.drawText(QPointF(col * m_cellWidth, y + m_ascent), cell.text());
        }
        // The cursor, where the program left it (only on the live screen).
        if (line == cursorLine && screen.cursorVisible() && live()) {
            const QRectF at(cursor.x() * m_cellWidth, y, m_cellWidth, m_cellHeight);
            QColor cursorColour = foreground;
            cursorColour.setAlpha(hasFocus() ? 200 : 120);
            if (!hasFocus())
                painter.setPen(cursorColour), painter.drawRect(at.adjusted(0, 0, -1, -1));
            else if (screen.cursorShape() == 2)
                painter.fillRect(QRectF(at.left(), at.bottom() - 2, at.width(), 2), cursorColour);
            else if (screen.cursorShape() == 3)
                painter.fillRect(QRectF(at.left(), at.top(), 2, at.height()), cursorColour);
            else
                painter.fillRect(at, cursorColour);
        }
    }
    const QString text = banner();
    if (!text.isEmpty()) {
        // The state over the text, so the last screen stays readable beneath it.
        const QRect band(0, viewport()->height() - m_cellHeight - 8, viewport()->width(), m_cellHeight + 8);
        painter.fillRect(band, palette().color(QPalette::ToolTipBase));
        painter.setPen(palette().color(QPalette::ToolTipText));
        painter.setFont(QApplication::font());
        painter.drawText(band.adjusted(8, 0, -8, 0), Qt::AlignVCenter | Qt::AlignLeft | Qt::TextSingleLine,
                         text);
    }
}

QPoint TerminalView::cellAt(const QPoint& position) const {
    const int col = std::clamp(static_cast<int>(position.x() / m_cellWidth), 0, m_screen.cols() - 1);
    const int line =
        std::clamp(verticalScrollBar()->value() + position.y() / m_cellHeight, 0, m_screen.lineCount() - 1);
    return {col, line};
}

QString TerminalView::selectedText() const {
    if (!m_anchor || !m_extent || *m_anchor == *m_extent)
        return {};
    return m_screen.text(*m_anchor, *m_extent);
}

void TerminalView::copySelection() {
    const QString text = selectedText();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

void TerminalView::pasteClipboard() {
    const QString text = QApplication::clipboard()->text();
    if (!text.isEmpty() && m_session)
        m_session->paste(text);
}

void TerminalView::find() {
    m_searchBar->setGeometry(0, 0, viewport()->width(), m_searchBar->sizeHint().height());
    m_searchBar->begin();
}

void TerminalView::search(const QString& text, int step) {
    m_matches = m_screen.find(text);
    if (m_matches.isEmpty()) {
        m_match = -1;
    } else if (step == 0 || m_match < 0) {
        m_match = static_cast<int>(m_matches.size()) - 1; // the newest first: what was just printed
    } else {
        m_match = static_cast<int>((m_match + step + m_matches.size()) % m_matches.size());
    }
    m_searchBar->showMatches(m_match, static_cast<int>(m_matches.size()));
    if (m_match >= 0) {
        auto* bar = verticalScrollBar();
        const int line = m_matches[m_match].y();
        if (line < bar->value() || line >= bar->value() + m_screen.rows())
            bar->setValue(std::max(0, line - m_screen.rows() / 2));
    }
    viewport()->update();
}

bool TerminalView::focusNextPrevChild(bool) {
    return false; // Tab belongs to the remote shell
}

bool TerminalView::event(QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride) {
        // Keys the application might bind (Ctrl+K, Ctrl+W, F1…) go to the terminal while it has the focus;
        // only the terminal's own Ctrl+Shift combinations stay with the console.
        auto* key = static_cast<QKeyEvent*>(event);
        const auto mods = key->modifiers();
        if (!((mods & Qt::ControlModifier) && (mods & Qt::ShiftModifier))) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

void TerminalView::keyPressEvent(QKeyEvent* event) {
    const auto mods = event->modifiers();
    const bool ctrlShift = (mods & Qt::ControlModifier) && (mods & Qt::ShiftModifier);
    if (ctrlShift) {
        switch (event->key()) {
        case Qt::Key_C:
            copySelection();
            return;
        case Qt::Key_V:
            pasteClipboard();
            return;
        case Qt::Key_F:
            find();
            return;
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoom(1);
            return;
        case Qt::Key_Minus:
        case Qt::Key_Underscore:
            zoom(-1);
            return;
        case Qt::Key_0:
        case Qt::Key_ParenRight:
            zoom(0);
            return;
        default:
            break;
        }
    }
    if ((mods & Qt::ShiftModifier) && (event->key() == Qt::Key_PageUp || event->key() == Qt::Key_PageDown)) {
        auto* bar = verticalScrollBar();
        bar->setValue(bar->value() + (event->key() == Qt::Key_PageUp ? -1 : 1) * m_screen.rows());
        return;
    }
    if (event->key() == Qt::Key_Menu) {
        QPointer<QMenu> menu = buildMenu(this);
        menu->exec(mapToGlobal(QPoint(0, 0)));
        delete menu;
        return;
    }
    if (!m_session) {
        QAbstractScrollArea::keyPressEvent(event); // a recording: arrows and pages scroll
        return;
    }
    switch (event->key()) {
    case Qt::Key_Shift:
    case Qt::Key_Control:
    case Qt::Key_Alt:
    case Qt::Key_Meta:
    case Qt::Key_AltGr:
    case Qt::Key_CapsLock:
        return; // a modifier on its own sends nothing and keeps the selection (Ctrl+Shift+C comes next)
    default:
        break;
    }
    m_session->sendKey(event->key(), mods, event->text());
    m_anchor.reset();
    m_extent.reset();
    updateScrollRange(true); // typing brings the live screen back
}

void TerminalView::mousePressEvent(QMouseEvent* event) {
    setFocus();
    if (event->button() == Qt::LeftButton) {
        m_anchor = cellAt(event->position().toPoint());
        m_extent = m_anchor;
        viewport()->update();
    } else if (event->button() == Qt::MiddleButton) {
        const QString text = QApplication::clipboard()->text(QClipboard::Selection);
        if (!text.isEmpty() && m_session)
            m_session->paste(text);
    }
}

void TerminalView::mouseMoveEvent(QMouseEvent* event) {
    if (!(event->buttons() & Qt::LeftButton) || !m_anchor)
        return;
    m_extent = cellAt(event->position().toPoint());
    viewport()->update();
}

void TerminalView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton)
        return;
    const QString text = selectedText();
    if (!text.isEmpty() && QApplication::clipboard()->supportsSelection())
        QApplication::clipboard()->setText(text, QClipboard::Selection);
}

void TerminalView::mouseDoubleClickEvent(QMouseEvent* event) {
    // A word: letters, digits and the characters paths and addresses are made of.
    const QPoint at = cellAt(event->position().toPoint());
    const QString line = m_screen.lineText(at.y());
    const auto inWord = [&](int col) {
        return col >= 0 && col < line.size() &&
               (line[col].isLetterOrNumber() || QStringLiteral("-_./~:@%+").contains(line[col]));
    };
    if (!inWord(at.x()))
        return;
    int from = at.x();
    int to = at.x();
    while (inWord(from - 1))
        --from;
    while (inWord(to + 1))
        ++to;
    m_anchor = QPoint(from, at.y());
    m_extent = QPoint(to, at.y());
    viewport()->update();
}

void TerminalView::wheelEvent(QWheelEvent* event) {
    auto* bar = verticalScrollBar();
    bar->setValue(bar->value() - event->angleDelta().y() / 40);
}

QMenu* TerminalView::buildMenu(QWidget* parent) {
    auto* menu = new QMenu(parent);
    auto* copy = menu->addAction(tr("Copy"), QKeySequence(QStringLiteral("Ctrl+Shift+C")), this,
                                 &TerminalView::copySelection);
    copy->setEnabled(!selectedText().isEmpty());
    if (m_session)
        menu->addAction(tr("Paste"), QKeySequence(QStringLiteral("Ctrl+Shift+V")), this,
                        &TerminalView::pasteClipboard);
    menu->addAction(tr("Find…"), QKeySequence(QStringLiteral("Ctrl+Shift+F")), this, &TerminalView::find);
    menu->addSeparator();
    if (m_session) {
        QMenu* keys = menu->addMenu(tr("Send keys"));
        for (const auto& key : kSendKeys)
            keys->addAction(QString::fromUtf8(key.label), this,
                            [this, key] { m_session->sendKey(key.key, key.modifiers, {}); });
        menu->addSeparator();
    }
    menu->addAction(tr("Zoom in"), QKeySequence(QStringLiteral("Ctrl+Shift+=")), this, [this] { zoom(1); });
    menu->addAction(tr("Zoom out"), QKeySequence(QStringLiteral("Ctrl+Shift+-")), this, [this] { zoom(-1); });
    menu->addAction(tr("Normal size"), QKeySequence(QStringLiteral("Ctrl+Shift+0")), this,
                    [this] { zoom(0); });
    if (m_session) {
        menu->addSeparator();
        auto* reconnect = menu->addAction(tr("Reconnect"), m_session, &TerminalSession::reconnect);
        reconnect->setEnabled(m_session->state() == TerminalSession::State::Live);
        auto* end = menu->addAction(tr("End session"), m_session, &TerminalSession::close);
        end->setEnabled(m_session->state() != TerminalSession::State::Ended);
    }
    if (m_extend)
        m_extend(menu);
    return menu;
}

void TerminalView::contextMenuEvent(QContextMenuEvent* event) {
    QPointer<QMenu> menu = buildMenu(this);
    menu->exec(event->globalPos());
    delete menu;
}

} // namespace breeze::console
