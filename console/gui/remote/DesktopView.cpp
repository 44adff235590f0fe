#include "remote/DesktopView.h"

#include "DesktopSession.h"
#include "Keysym.h"
#include "remote/GlSurface.h"
#include "remote/PainterSurface.h"

#include <QGuiApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace breeze::console {

DesktopView::DesktopView(DesktopSession& session, int stream, bool openGl, QWidget* parent)
    : QWidget(parent), m_session(session), m_stream(stream) {
    if (openGl && GlSurface::available())
        m_surface = new GlSurface(this);
    else
        m_surface = new PainterSurface(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_surface->widget());
    m_surface->widget()->setFocusProxy(this);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    m_stats = new QLabel(this);
    m_stats->setTextFormat(Qt::PlainText);
    m_stats->setStyleSheet(QStringLiteral("QLabel { background: rgba(0, 0, 0, 170); color: #e8e8e8; "
                                          "padding: 6px; font-family: monospace; }"));
    m_stats->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_stats->hide();

    connect(&session, &DesktopSession::picture, this, [this](int from, const QImage& image) {
        if (from != m_stream)
            return;
        const bool resized = image.size() != m_picture.size();
        m_picture = image;
        if (resized)
            updateGeometry();
        place();
        m_session.drawn(m_stream);
    });
    connect(&session, &DesktopSession::cursorShaped, this, [this](const QImage& shape, QPoint hot) {
        m_cursorShape = shape;
        m_cursorHot = hot;
        placeCursor();
    });
    connect(&session, &DesktopSession::cursorMoved, this, [this](QPoint at) {
        m_cursorAt = at;
        placeCursor();
    });
    connect(&session, &DesktopSession::figuresChanged, this, [this](int from) {
        if (from == m_stream)
            updateStats();
    });
}

DesktopView::~DesktopView() {
    if (m_captured)
        releaseKeyboard();
}

QSize DesktopView::sizeHint() const {
    return m_scale == Scale::Actual && !m_picture.isNull() ? m_picture.size() : QSize(1024, 640);
}

void DesktopView::setScale(Scale scale) {
    m_scale = scale;
    updateGeometry();
    place();
}

void DesktopView::setInputEnabled(bool enabled) {
    if (!enabled)
        m_session.releaseAll();
    m_inputEnabled = enabled;
    if (!enabled)
        setKeyboardCaptured(false);
}

void DesktopView::setKeyboardCaptured(bool captured) {
    if (captured == m_captured || (captured && !m_inputEnabled))
        return;
    m_captured = captured;
    if (captured) {
        setFocus();
        grabKeyboard();
    } else {
        releaseKeyboard();
        m_session.releaseAll();
    }
    Q_EMIT keyboardCaptureChanged(captured);
}

void DesktopView::setStatsVisible(bool visible) {
    m_stats->setVisible(visible);
    updateStats();
}

bool DesktopView::statsVisible() const {
    return m_stats->isVisible();
}

QString DesktopView::statsText() const {
    const auto& figures = m_session.figures(m_stream);
    return tr("%1 × %2 · %3 (%4)\n"
              "received %5 fps · decoded %6 fps · drawn %7 fps\n"
              "%8 kbit/s (aiming at %9)\n"
              "host %10 ms · round trip %11 ms · decode %12 ms\n"
              "dropped %13")
        .arg(m_picture.width())
        .arg(m_picture.height())
        .arg(m_session.wish(m_stream).codec.toUpper(), QString::fromLatin1(m_surface->name()))
        .arg(figures.receivedFps, 0, 'f', 1)
        .arg(figures.decodedFps, 0, 'f', 1)
        .arg(figures.drawnFps, 0, 'f', 1)
        .arg(figures.kbps)
        .arg(figures.targetKbps)
        .arg(figures.hostMs, 0, 'f', 1)
        .arg(figures.roundTripMs, 0, 'f', 1)
        .arg(figures.decodeMs, 0, 'f', 1)
        .arg(figures.dropped);
}

void DesktopView::updateStats() {
    if (!m_stats->isVisible())
        return;
    m_stats->setText(statsText());
    m_stats->adjustSize();
    m_stats->move(8, 8);
    m_stats->raise();
}

QRect DesktopView::target() const {
    if (m_picture.isNull())
        return {};
    if (m_scale == Scale::Actual)
        return QRect(QPoint(0, 0), m_picture.size());
    const QSize scaled = m_picture.size().scaled(size(), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - scaled.width()) / 2, (height() - scaled.height()) / 2), scaled);
}

std::optional<QPoint> DesktopView::toRemote(QPoint local) const {
    const QRect area = target();
    if (area.isEmpty() || !area.contains(local))
        return std::nullopt;
    return QPoint((local.x() - area.x()) * m_picture.width() / area.width(),
                  (local.y() - area.y()) * m_picture.height() / area.height());
}

void DesktopView::place() {
    m_surface->showPicture(m_picture, target());
    placeCursor();
}

void DesktopView::placeCursor() {
    const QRect area = target();
    const QRect stream = m_session.streamArea(m_stream);
    if (!m_cursorAt || m_cursorShape.isNull() || area.isEmpty() || stream.isEmpty() ||
        !stream.contains(*m_cursorAt)) {
        m_surface->showCursor({}, {});
        return;
    }
    const double scale = double(area.width()) / m_picture.width();
    const QPoint inPicture = *m_cursorAt - stream.topLeft() - m_cursorHot;
    const QRect where(area.topLeft() + QPoint(int(inPicture.x() * scale), int(inPicture.y() * scale)),
                      m_cursorShape.size() * scale);
    m_surface->showCursor(m_cursorShape, where);
}

void DesktopView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    place();
}

bool DesktopView::event(QEvent* event) {
    // While the technician types into the device, the console's shortcuts stay out of the way.
    if (event->type() == QEvent::ShortcutOverride && m_inputEnabled) {
        event->accept();
        return true;
    }
    return QWidget::event(event);
}

void DesktopView::sendPointer(QMouseEvent* event) {
    if (!m_inputEnabled)
        return;
    if (const auto at = toRemote(event->position().toPoint()))
        m_session.pointer(m_stream, *at, event->buttons());
}

void DesktopView::mouseMoveEvent(QMouseEvent* event) {
    sendPointer(event);
}

void DesktopView::mousePressEvent(QMouseEvent* event) {
    setFocus();
    sendPointer(event);
}

void DesktopView::mouseReleaseEvent(QMouseEvent* event) {
    sendPointer(event);
}

void DesktopView::wheelEvent(QWheelEvent* event) {
    if (m_inputEnabled)
        m_session.wheel(m_stream, event->angleDelta());
    event->accept();
}

void DesktopView::keyPressEvent(QKeyEvent* event) {
    // Ctrl+Alt+Shift gives the keyboard back to the console.
    const auto held = event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::ShiftModifier);
    if (m_captured && held == (Qt::ControlModifier | Qt::AltModifier | Qt::ShiftModifier)) {
        setKeyboardCaptured(false);
        return;
    }
    if (!m_inputEnabled)
        return;
    const bool x11 = QGuiApplication::platformName() == QStringLiteral("xcb");
    const quint32 keysym = keysymFor(event->key(), event->text(), x11 ? event->nativeVirtualKey() : 0);
    const quint32 code = event->nativeScanCode() ? event->nativeScanCode() : quint32(event->key());
    m_session.key(code, keysym, true);
}

void DesktopView::keyReleaseEvent(QKeyEvent* event) {
    if (!m_inputEnabled || event->isAutoRepeat())
        return;
    m_session.key(event->nativeScanCode() ? event->nativeScanCode() : quint32(event->key()), 0, false);
}

void DesktopView::focusOutEvent(QFocusEvent* event) {
    QWidget::focusOutEvent(event);
    m_session.releaseAll();
}

} // namespace breeze::console
