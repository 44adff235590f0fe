#pragma once

#include <QList>
#include <QObject>
#include <QSize>
#include <QString>

class QTimer;
class QWidget;

namespace breeze::console {

class ConsoleConnection;
class DesktopWindow;
class MainWindow;

// Renders views of a signed-in console, one after the other, each as large as asked and in the theme asked,
// once everything it asked the server for has arrived (the device list, the live channel, and no request left
// open for a moment); saves each as PNG and ends the program. For the documentation's screenshots (one
// sign-in for the whole set) and for tests. `view` is a main view (dashboard, devices, scripts, patches,
// administration) or device:ID for a device's window; `tab` a tab of it by name.
class ScreenshotTaker : public QObject {
    Q_OBJECT

public:
    struct Request {
        QString view = "devices";
        QString tab;
        QSize size{1280, 720};
        QString file;
        QString theme; // empty: as it is
    };

    ScreenshotTaker(MainWindow& window, ConsoleConnection& connection, QList<Request> requests,
                    QObject* parent = nullptr);
    // The documentation's set: every view (and a device's window, when `deviceId` is given) at 1280×720 and
    // 1920×1080, light and dark, as `folder`/THEME-WIDTHxHEIGHT-VIEW[-TAB].png.
    static QList<Request> documentationSet(const QString& folder, const QString& deviceId);
    // Call once signed in.
    void start();

    // Selects the tab called `name` (any case) in the first tab widget under `root` that has one.
    static bool selectTab(QWidget* root, const QString& name);

private:
    void takeNext();
    void save();

    MainWindow& m_window;
    ConsoleConnection& m_connection;
    QList<Request> m_requests;
    qsizetype m_next = 0;
    QWidget* m_shown = nullptr;
    DesktopWindow* m_desktop = nullptr; // shown: waited for until its picture is there
    QTimer* m_poll;
    int m_quietChecks = 0;
};

} // namespace breeze::console
