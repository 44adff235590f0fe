#pragma once

#include "DesktopOptions.h"

#include <QList>
#include <QPointer>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QScrollArea;
class QToolBar;

namespace breeze::console {

class ApiClient;
class DesktopSession;
class DesktopView;

// A device's remote desktop in a window of its own: the picture, and a toolbar to choose the monitor (or all
// of them), the codec and the quality (automatic, speed, balanced, quality), to fit the picture or show it
// 1:1, to go full screen, to open one window per remote monitor, to watch only, to capture the keyboard, to
// send keys the local system keeps for itself (Ctrl+Alt+Del and others) and the clipboard, and to show the
// stream's figures. Closing it ends the session; the device's terminals and file sessions are untouched.
class DesktopWindow : public QWidget {
    Q_OBJECT

public:
    DesktopWindow(ApiClient& api, const QString& deviceId, const QString& deviceName,
                  const DesktopOptions& options = {}, QWidget* parent = nullptr);
    ~DesktopWindow() override;

    DesktopSession& session() { return *m_session; }
    DesktopView* view() const { return m_view; }
    // The extra windows of "one window per monitor".
    QList<DesktopView*> monitorViews() const;
    // The picture is there (or the session ended): what a screenshot waits for.
    bool settled() const;
    QString status() const;

    void chooseMonitor(const QString& name);
    void chooseCodec(const QString& codec);
    void chooseQuality(const QString& quality);
    void openWindowPerMonitor();
    void sendKeys(const QList<quint32>& keysyms);

protected:
    void closeEvent(QCloseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildToolbar();
    void showLayout();
    void requestMain();
    void updateStatus();

    DesktopSession* m_session;
    QString m_deviceName;
    DesktopView* m_view;
    QScrollArea* m_scroll;
    QToolBar* m_toolbar;
    QComboBox* m_monitor;
    QComboBox* m_codec;
    QComboBox* m_quality;
    QAction* m_fit;
    QAction* m_watchOnly;
    QAction* m_capture;
    QAction* m_stats;
    QLabel* m_status;
    QList<QPointer<DesktopView>> m_extra;
    QString m_fromDevice; // the clipboard text the device sent last
};

} // namespace breeze::console
