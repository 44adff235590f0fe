#pragma once

#include <QMainWindow>
#include <QPointer>

class QSplitter;
class QTabWidget;

namespace breeze::console {

class ApiClient;
class TerminalView;

// Remote terminals in one window: a tab per device (or group of panes), each tab split into panes side by
// side or one above the other, so several devices can be worked on at once. Closing a pane ends its session;
// quitting the console only detaches them, and the next start (within the server's keep time) takes them up
// again where they were.
class RemoteSessionsWindow : public QMainWindow {
    Q_OBJECT

public:
    enum class Placement { NewTab, SplitRight, SplitDown };

    explicit RemoteSessionsWindow(ApiClient& api, QWidget* parent = nullptr);

    TerminalView* openTerminal(const QString& deviceId, const QString& deviceName, Placement placement);
    // Sessions this console left open last time (saved as they open and close).
    void restoreSessions();
    static bool hasSavedSessions();
    QTabWidget* tabs() const { return m_tabs; }
    TerminalView* currentTerminal() const;
    QList<TerminalView*> terminals() const;

private:
    TerminalView* addPane(class TerminalSession* session, const QString& deviceName, Placement placement);
    void closePane(TerminalView* view);
    void remember();

    ApiClient& m_api;
    QTabWidget* m_tabs;
    QPointer<TerminalView> m_lastFocused;
};

} // namespace breeze::console
