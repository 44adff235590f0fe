#include "remote/DesktopWindow.h"

#include "DesktopSession.h"
#include "remote/DesktopView.h"

#include <QAction>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QGuiApplication>
#include <QLabel>
#include <QMenu>
#include <QScrollArea>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
// X keysyms for the keys a technician's own system keeps for itself.
constexpr quint32 kControl = 0xffe3;
constexpr quint32 kAlt = 0xffe9;
constexpr quint32 kDelete = 0xffff;
constexpr quint32 kTab = 0xff09;
constexpr quint32 kF4 = 0xffc1;
constexpr quint32 kEscape = 0xff1b;
constexpr quint32 kSuper = 0xffeb;
constexpr quint32 kPrint = 0xff61;
} // namespace

DesktopWindow::DesktopWindow(ApiClient& api, const QString& deviceId, const QString& deviceName,
                             const DesktopOptions& options, QWidget* parent)
    : QWidget(parent), m_session(new DesktopSession(api, deviceId, this)), m_deviceName(deviceName) {
    setWindowTitle(tr("%1 — desktop").arg(deviceName));
    m_view = new DesktopView(*m_session, 0, qEnvironmentVariableIsSet("BREEZE_CONSOLE_OPENGL"), this);
    m_scroll = new QScrollArea(this);
    m_scroll->setWidget(m_view);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setAlignment(Qt::AlignCenter);
    buildToolbar();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolbar);
    layout->addWidget(m_scroll, 1);
    resize(1280, 800);

    connect(m_session, &DesktopSession::layoutChanged, this, &DesktopWindow::showLayout);
    connect(m_session, &DesktopSession::stateChanged, this, &DesktopWindow::updateStatus);
    connect(m_session, &DesktopSession::streamFailed, this,
            [this](int, const QString& why) { m_status->setText(why); });
    connect(m_session, &DesktopSession::streamStarted, this, &DesktopWindow::updateStatus);
    // This computer's clipboard goes to the device while the window is in front. Text from the device lands
    // on this computer's clipboard only while the technician works in this window (a device cannot slip text
    // onto it in the background), and is not sent straight back.
    connect(m_session, &DesktopSession::clipboardReceived, this, [this](const QString& text) {
        if (!isActiveWindow())
            return;
        m_fromDevice = text;
        QGuiApplication::clipboard()->setText(text);
    });
    connect(QGuiApplication::clipboard(), &QClipboard::dataChanged, this, [this] {
        const QString text = QGuiApplication::clipboard()->text();
        if (isActiveWindow() && text != m_fromDevice)
            m_session->sendClipboard(text);
    });
    m_session->start(options);
    updateStatus();
}

DesktopWindow::~DesktopWindow() {
    for (const auto& extra : m_extra)
        delete extra.data();
}

void DesktopWindow::buildToolbar() {
    m_toolbar = new QToolBar(this);
    m_toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_monitor = new QComboBox(this);
    m_monitor->setToolTip(tr("Which remote monitor to show"));
    m_monitor->addItem(tr("All monitors"), QStringLiteral("*"));
    m_toolbar->addWidget(m_monitor);
    connect(m_monitor, &QComboBox::activated, this, [this] { requestMain(); });
    m_codec = new QComboBox(this);
    m_codec->addItem(QStringLiteral("VP8"), QStringLiteral("vp8"));
    m_codec->addItem(QStringLiteral("H.264"), QStringLiteral("h264"));
    m_toolbar->addWidget(m_codec);
    connect(m_codec, &QComboBox::activated, this, [this] { requestMain(); });
    m_quality = new QComboBox(this);
    m_quality->addItem(tr("Automatic"), QStringLiteral("auto"));
    m_quality->addItem(tr("Speed"), QStringLiteral("speed"));
    m_quality->addItem(tr("Balanced"), QStringLiteral("balanced"));
    m_quality->addItem(tr("Quality"), QStringLiteral("quality"));
    m_toolbar->addWidget(m_quality);
    connect(m_quality, &QComboBox::activated, this, [this] { requestMain(); });
    m_toolbar->addSeparator();

    m_fit = m_toolbar->addAction(tr("Fit"));
    m_fit->setCheckable(true);
    m_fit->setChecked(true);
    m_fit->setToolTip(tr("Fit the picture to the window; off shows it 1:1"));
    connect(m_fit, &QAction::toggled, this, [this](bool fit) {
        m_view->setScale(fit ? DesktopView::Scale::Fit : DesktopView::Scale::Actual);
        m_scroll->setWidgetResizable(fit);
        if (!fit)
            m_view->resize(m_view->sizeHint());
    });
    QAction* fullScreen = m_toolbar->addAction(tr("Full screen"));
    fullScreen->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_F));
    connect(fullScreen, &QAction::triggered, this,
            [this] { isFullScreen() ? showNormal() : showFullScreen(); });
    QAction* perMonitor = m_toolbar->addAction(tr("Window per monitor"));
    perMonitor->setToolTip(tr("One window for each remote monitor, to spread over your own screens"));
    connect(perMonitor, &QAction::triggered, this, &DesktopWindow::openWindowPerMonitor);
    m_toolbar->addSeparator();

    m_watchOnly = m_toolbar->addAction(tr("View only"));
    m_watchOnly->setCheckable(true);
    connect(m_watchOnly, &QAction::toggled, this, [this](bool watch) {
        m_view->setInputEnabled(!watch);
        for (const auto& extra : m_extra)
            if (extra)
                extra->setInputEnabled(!watch);
        m_capture->setEnabled(!watch);
    });
    m_capture = m_toolbar->addAction(tr("Capture keyboard"));
    m_capture->setCheckable(true);
    m_capture->setToolTip(tr("Every key goes to the device; Ctrl+Alt+Shift gives the keyboard back"));
    connect(m_capture, &QAction::toggled, m_view, &DesktopView::setKeyboardCaptured);
    connect(m_view, &DesktopView::keyboardCaptureChanged, m_capture, &QAction::setChecked);

    auto* keys = new QMenu(this);
    keys->addAction(tr("Ctrl+Alt+Del"), this, [this] { sendKeys({kControl, kAlt, kDelete}); });
    keys->addAction(tr("Alt+Tab"), this, [this] { sendKeys({kAlt, kTab}); });
    keys->addAction(tr("Alt+F4"), this, [this] { sendKeys({kAlt, kF4}); });
    keys->addAction(tr("Ctrl+Esc"), this, [this] { sendKeys({kControl, kEscape}); });
    keys->addAction(tr("Super (Windows key)"), this, [this] { sendKeys({kSuper}); });
    keys->addAction(tr("Print Screen"), this, [this] { sendKeys({kPrint}); });
    keys->addSeparator();
    keys->addAction(tr("Send clipboard"), this,
                    [this] { m_session->sendClipboard(QGuiApplication::clipboard()->text()); });
    auto* keysButton = new QToolButton(this);
    keysButton->setText(tr("Send keys"));
    keysButton->setMenu(keys);
    keysButton->setPopupMode(QToolButton::InstantPopup);
    m_toolbar->addWidget(keysButton);
    m_stats = m_toolbar->addAction(tr("Statistics"));
    m_stats->setCheckable(true);
    connect(m_stats, &QAction::toggled, m_view, &DesktopView::setStatsVisible);
    m_toolbar->addSeparator();
    m_status = new QLabel(this);
    m_status->setTextFormat(Qt::PlainText);
    m_toolbar->addWidget(m_status);
}

void DesktopWindow::showLayout() {
    const QString chosen = m_monitor->currentData().toString();
    m_monitor->clear();
    m_monitor->addItem(tr("All monitors"), QStringLiteral("*"));
    // Monitor names come from the device: shown as plain text in the list.
    for (const auto& monitor : m_session->monitors())
        m_monitor->addItem(QStringLiteral("%1 (%2×%3)%4")
                               .arg(monitor.name)
                               .arg(monitor.geometry.width())
                               .arg(monitor.geometry.height())
                               .arg(monitor.primary ? tr(", primary") : QString()),
                           monitor.name);
    const int again = m_monitor->findData(chosen);
    m_monitor->setCurrentIndex(again >= 0 ? again : 0);
    if (m_session->viewOnly()) {
        m_watchOnly->setChecked(true);
        m_watchOnly->setEnabled(false);
        m_watchOnly->setToolTip(tr("Your role lets you watch this desktop, not control it"));
    }
    if (m_session->wish(0).monitor.isEmpty() || m_session->streamArea(0).isNull())
        requestMain();
    updateStatus();
}

void DesktopWindow::requestMain() {
    DesktopSession::StreamWish wish;
    wish.monitor = m_monitor->currentData().toString();
    wish.codec = m_codec->currentData().toString();
    wish.quality = m_quality->currentData().toString();
    m_session->showStream(0, wish);
}

void DesktopWindow::chooseMonitor(const QString& name) {
    m_monitor->setCurrentIndex(std::max(0, m_monitor->findData(name)));
    requestMain();
}

void DesktopWindow::chooseCodec(const QString& codec) {
    m_codec->setCurrentIndex(std::max(0, m_codec->findData(codec)));
    requestMain();
}

void DesktopWindow::chooseQuality(const QString& quality) {
    m_quality->setCurrentIndex(std::max(0, m_quality->findData(quality)));
    requestMain();
}

void DesktopWindow::openWindowPerMonitor() {
    // This window shows the first monitor; each other monitor gets a window (and a stream) of its own.
    const auto monitors = m_session->monitors();
    if (monitors.isEmpty())
        return;
    chooseMonitor(monitors.first().name);
    for (int i = 1; i < monitors.size() && i < 16; ++i) {
        auto* view = new DesktopView(*m_session, i, qEnvironmentVariableIsSet("BREEZE_CONSOLE_OPENGL"));
        view->setWindowTitle(tr("%1 — %2").arg(m_deviceName, monitors[i].name));
        view->setAttribute(Qt::WA_DeleteOnClose);
        view->setInputEnabled(!m_watchOnly->isChecked());
        view->installEventFilter(this);
        DesktopSession::StreamWish wish = m_session->wish(0);
        wish.monitor = monitors[i].name;
        m_session->showStream(i, wish);
        view->resize(monitors[i].geometry.size().boundedTo(QSize(1280, 800)));
        view->show();
        m_extra.append(view);
    }
}

QList<DesktopView*> DesktopWindow::monitorViews() const {
    QList<DesktopView*> views;
    for (const auto& extra : m_extra)
        if (extra)
            views.append(extra.data());
    return views;
}

bool DesktopWindow::eventFilter(QObject* watched, QEvent* event) {
    // A monitor's window closed: its stream stops.
    if (event->type() == QEvent::Close)
        if (auto* view = qobject_cast<DesktopView*>(watched))
            m_session->stopStream(view->stream());
    return QWidget::eventFilter(watched, event);
}

void DesktopWindow::sendKeys(const QList<quint32>& keysyms) {
    if (!m_view->inputEnabled())
        return;
    // Pressed in order, released in reverse, as fingers would.
    quint32 code = 0x10000;
    for (const quint32 keysym : keysyms)
        m_session->key(code + keysym, keysym, true);
    for (qsizetype i = keysyms.size() - 1; i >= 0; --i)
        m_session->key(code + keysyms[i], 0, false);
}

bool DesktopWindow::settled() const {
    return m_view->hasPicture() || m_session->state() == RelaySession::State::Ended;
}

QString DesktopWindow::status() const {
    return m_status->text();
}

void DesktopWindow::updateStatus() {
    switch (m_session->state()) {
    case RelaySession::State::Opening:
    case RelaySession::State::Reconnecting:
    case RelaySession::State::Ended:
        m_status->setText(m_session->status());
        break;
    case RelaySession::State::Live: {
        const QRect area = m_session->streamArea(0);
        m_status->setText(area.isEmpty() ? tr("Starting the picture…")
                                         : tr("%1×%2%3%4")
                                               .arg(area.width())
                                               .arg(area.height())
                                               .arg(m_session->viewOnly() ? tr(" · view only") : QString())
                                               .arg(m_session->recorded() ? tr(" · recorded") : QString()));
        break;
    }
    }
}

void DesktopWindow::closeEvent(QCloseEvent* event) {
    for (const auto& extra : m_extra)
        if (extra)
            extra->close();
    m_session->finish();
    QWidget::closeEvent(event);
}

} // namespace breeze::console
