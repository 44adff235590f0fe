#include "remote/RemoteSessionsWindow.h"

#include "ApiClient.h"
#include "TerminalSession.h"
#include "remote/TerminalView.h"

#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QSettings>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>

namespace breeze::console {

namespace {
const char* const kOpenSessions = "remote/open_terminals";

// A tab's text is shown as given except that '&' would mark a shortcut.
QString tabText(const QString& name) {
    QString text = name.left(60);
    return text.replace(QLatin1Char('&'), QStringLiteral("&&"));
}
} // namespace

RemoteSessionsWindow::RemoteSessionsWindow(ApiClient& api, QWidget* parent)
    : QMainWindow(parent), m_api(api), m_tabs(new QTabWidget(this)) {
    setWindowTitle(tr("Remote terminals — Breeze"));
    setAttribute(Qt::WA_DeleteOnClose, false);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);
    resize(1000, 640);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        const auto views = m_tabs->widget(index)->findChildren<TerminalView*>();
        for (auto* view : views)
            closePane(view);
    });
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget*, QWidget* now) {
        if (auto* view = qobject_cast<TerminalView*>(now); view && isAncestorOf(view))
            m_lastFocused = view;
    });
}

TerminalView* RemoteSessionsWindow::currentTerminal() const {
    if (m_lastFocused && m_tabs->currentWidget() && m_tabs->currentWidget()->isAncestorOf(m_lastFocused))
        return m_lastFocused;
    auto* tab = m_tabs->currentWidget();
    return tab ? tab->findChild<TerminalView*>() : nullptr;
}

QList<TerminalView*> RemoteSessionsWindow::terminals() const {
    return m_tabs->findChildren<TerminalView*>();
}

TerminalView* RemoteSessionsWindow::openTerminal(const QString& deviceId, const QString& deviceName,
                                                 Placement placement) {
    auto* session = new TerminalSession(m_api, deviceId, TerminalOptions{});
    session->setProperty("deviceName", deviceName);
    auto* view = addPane(session, deviceName, placement);
    session->start();
    return view;
}

TerminalView* RemoteSessionsWindow::addPane(TerminalSession* session, const QString& deviceName,
                                            Placement placement) {
    auto* view = new TerminalView(*session);
    session->setParent(view);
    view->setMenuExtension([this, view](QMenu* menu) {
        menu->addSeparator();
        const QString deviceId = view->session().deviceId();
        const QString name = view->session().property("deviceName").toString();
        menu->addAction(tr("Split right"), this,
                        [this, deviceId, name] { openTerminal(deviceId, name, Placement::SplitRight); });
        menu->addAction(tr("Split down"), this,
                        [this, deviceId, name] { openTerminal(deviceId, name, Placement::SplitDown); });
        menu->addAction(tr("Close pane"), this, [this, view] { closePane(view); });
    });
    connect(session, &TerminalSession::stateChanged, this, [this] { remember(); });
    QWidget* tab = m_tabs->currentWidget();
    auto* current = currentTerminal();
    if (placement == Placement::NewTab || !tab || !current) {
        auto* splitter = new QSplitter(Qt::Horizontal);
        splitter->setChildrenCollapsible(false);
        splitter->addWidget(view);
        splitter->setProperty("deviceNames", QStringList{deviceName});
        const int index = m_tabs->addTab(splitter, tabText(deviceName));
        m_tabs->setTabToolTip(index, deviceName.toHtmlEscaped()); // the device's own name: never markup
        m_tabs->setCurrentIndex(index);
    } else {
        // Beside (or under) the pane with the focus: its splitter turned the right way, or a new one in its
        // place.
        const Qt::Orientation orientation =
            placement == Placement::SplitRight ? Qt::Horizontal : Qt::Vertical;
        auto* parentSplitter = qobject_cast<QSplitter*>(current->parentWidget());
        if (parentSplitter &&
            (parentSplitter->orientation() == orientation || parentSplitter->count() == 1)) {
            parentSplitter->setOrientation(orientation);
            parentSplitter->insertWidget(parentSplitter->indexOf(current) + 1, view);
        } else if (parentSplitter) {
            const int at = parentSplitter->indexOf(current);
            auto* inner = new QSplitter(orientation);
            inner->setChildrenCollapsible(false);
            parentSplitter->insertWidget(at, inner);
            inner->addWidget(current);
            inner->addWidget(view);
        }
        const int index = m_tabs->indexOf(tab);
        QStringList names = tab->property("deviceNames").toStringList();
        if (!names.contains(deviceName)) {
            names << deviceName;
            tab->setProperty("deviceNames", names);
            m_tabs->setTabToolTip(index, names.join(QStringLiteral(", ")).toHtmlEscaped());
            m_tabs->setTabText(index, tabText(names.join(QStringLiteral(", "))));
        }
    }
    view->setFocus();
    m_lastFocused = view;
    show();
    raise();
    return view;
}

void RemoteSessionsWindow::closePane(TerminalView* view) {
    TerminalSession& session = view->session();
    session.close();
    if (session.sessionId().isEmpty() && session.state() != TerminalSession::State::Ended) {
        // Still opening: the session outlives its pane until the server names it and it is ended there.
        session.setParent(this);
        connect(&session, &TerminalSession::stateChanged, &session, [&session](TerminalSession::State state) {
            if (state == TerminalSession::State::Ended)
                session.deleteLater();
        });
    }
    QWidget* tab = nullptr;
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->widget(i)->isAncestorOf(view))
            tab = m_tabs->widget(i);
    view->deleteLater();
    view->setParent(nullptr);
    if (tab && tab->findChildren<TerminalView*>().isEmpty())
        tab->deleteLater(), m_tabs->removeTab(m_tabs->indexOf(tab));
    remember();
    if (m_tabs->count() == 0)
        hide();
}

void RemoteSessionsWindow::remember() {
    QJsonArray open;
    for (auto* view : terminals()) {
        const auto& session = view->session();
        if (session.sessionId().isEmpty() || session.state() == TerminalSession::State::Ended)
            continue;
        open.append(QJsonObject{{QStringLiteral("session"), session.sessionId()},
                                {QStringLiteral("device"), session.deviceId()},
                                {QStringLiteral("name"), session.property("deviceName").toString()}});
    }
    QSettings().setValue(QString::fromLatin1(kOpenSessions),
                         QJsonDocument(open).toJson(QJsonDocument::Compact));
}

bool RemoteSessionsWindow::hasSavedSessions() {
    return !QJsonDocument::fromJson(QSettings().value(QString::fromLatin1(kOpenSessions)).toByteArray())
                .array()
                .isEmpty();
}

void RemoteSessionsWindow::restoreSessions() {
    const auto saved =
        QJsonDocument::fromJson(QSettings().value(QString::fromLatin1(kOpenSessions)).toByteArray());
    for (const auto& value : saved.array()) {
        const QJsonObject entry = value.toObject();
        const QString sessionId = entry.value(QStringLiteral("session")).toString();
        const QString deviceId = entry.value(QStringLiteral("device")).toString();
        if (sessionId.isEmpty() || deviceId.isEmpty())
            continue;
        auto* session = new TerminalSession(m_api, deviceId, TerminalOptions{});
        const QString name = entry.value(QStringLiteral("name")).toString();
        session->setProperty("deviceName", name);
        addPane(session, name, Placement::NewTab);
        session->resume(sessionId);
    }
}

} // namespace breeze::console
