#include "shell/ScreenshotTaker.h"

#include "ConsoleConnection.h"
#include "devices/DeviceView.h"
#include "remote/DesktopView.h"
#include "remote/DesktopWindow.h"
#include "remote/FileManagerView.h"
#include "remote/FrameSurface.h"
#include "shell/MainWindow.h"
#include "shell/Theme.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QTabWidget>
#include <QTimer>
#include <iostream>

namespace breeze::console {

namespace {
constexpr int kPollMs = 150;
constexpr int kQuietChecksNeeded = 5; // no request open for this many polls in a row
constexpr int kGiveUpMsEach = 45000;
} // namespace

ScreenshotTaker::ScreenshotTaker(MainWindow& window, ConsoleConnection& connection, QList<Request> requests,
                                 QObject* parent)
    : QObject(parent), m_window(window), m_connection(connection), m_requests(std::move(requests)),
      m_poll(new QTimer(this)) {
    m_poll->setInterval(kPollMs);
    connect(m_poll, &QTimer::timeout, this, [this] {
        const bool settled = (!m_desktop || m_desktop->settled()) && !m_connection.directory().loading() &&
                             m_connection.live().state() == LiveChannel::State::Connected &&
                             m_connection.api().pending() == 0;
        m_quietChecks = settled ? m_quietChecks + 1 : 0;
        if (m_quietChecks >= kQuietChecksNeeded) {
            m_poll->stop();
            save();
        }
    });
    QTimer::singleShot(kGiveUpMsEach * std::max<qsizetype>(1, m_requests.size()), this, [] {
        std::cerr << "breeze-console: the views did not settle in time\n";
        QApplication::exit(1);
    });
}

QList<ScreenshotTaker::Request> ScreenshotTaker::documentationSet(const QString& folder,
                                                                  const QString& deviceId) {
    QList<std::pair<QString, QString>> views{{"dashboard", {}},
                                             {"devices", {}},
                                             {"scripts", "schedules"},
                                             {"patches", "compliance"},
                                             {"administration", "audit log"}};
    if (!deviceId.isEmpty()) {
        views.append({"device:" + deviceId, "overview"});
        views.append({"device:" + deviceId, "metrics"});
    }
    QList<Request> set;
    for (const QString theme : {"light", "dark"})
        for (const QSize size : {QSize(1280, 720), QSize(1920, 1080)})
            for (const auto& [view, tab] : views) {
                const QString name = (view.startsWith("device:") ? QString("device") : view) +
                                     (tab.isEmpty() ? QString() : "-" + QString(tab).replace(' ', '-'));
                set.append({view, tab, size,
                            QDir(folder).filePath(QString("%1-%2x%3-%4.png")
                                                      .arg(theme)
                                                      .arg(size.width())
                                                      .arg(size.height())
                                                      .arg(name)),
                            theme});
            }
    return set;
}

bool ScreenshotTaker::selectTab(QWidget* root, const QString& name) {
    for (QTabWidget* tabs : root->findChildren<QTabWidget*>())
        for (int index = 0; index < tabs->count(); ++index)
            if (tabs->tabText(index).remove('&').compare(name, Qt::CaseInsensitive) == 0) {
                tabs->setCurrentIndex(index);
                return true;
            }
    return false;
}

void ScreenshotTaker::start() {
    takeNext();
}

void ScreenshotTaker::takeNext() {
    if (m_next >= m_requests.size()) {
        QApplication::exit(0);
        return;
    }
    const Request& request = m_requests[m_next];
    if (!request.theme.isEmpty() && request.theme != Theme::current())
        Theme::apply(request.theme, false); // for the picture only: the technician's choice stays

    m_shown = &m_window;
    m_desktop = nullptr;
    if (request.view.startsWith("device:")) {
        DeviceView* device = m_window.openDevice(request.view.mid(7));
        if (!device) {
            std::cerr << "breeze-console: --view device:ID needs a device id\n";
            QApplication::exit(2);
            return;
        }
        m_shown = device;
    } else if (request.view.startsWith("files:")) {
        FileManagerView* files = m_window.openFiles(request.view.mid(6));
        if (!files) {
            std::cerr << "breeze-console: --view files:ID needs a device id\n";
            QApplication::exit(2);
            return;
        }
        m_shown = files;
    } else if (request.view.startsWith("desktop:")) {
        m_desktop = m_window.openDesktop(request.view.mid(8));
        if (!m_desktop) {
            std::cerr << "breeze-console: --view desktop:ID needs a device id\n";
            QApplication::exit(2);
            return;
        }
        m_shown = m_desktop;
    } else {
        m_window.showView(request.view);
    }
    m_shown->resize(request.size);
    if (!request.tab.isEmpty() && !selectTab(m_shown, request.tab)) {
        std::cerr << "breeze-console: no tab called " << request.tab.toStdString() << "\n";
        QApplication::exit(2);
        return;
    }
    m_quietChecks = 0;
    m_poll->start();
}

void ScreenshotTaker::save() {
    const Request& request = m_requests[m_next];
    QDir().mkpath(QFileInfo(request.file).absolutePath());
    if (!m_shown->grab().save(request.file, "PNG")) {
        std::cerr << "breeze-console: cannot write " << request.file.toStdString() << "\n";
        QApplication::exit(1);
        return;
    }
    if (m_shown == m_desktop) // which of the two ways drew the picture (QPainter or OpenGL)
        std::cerr << "breeze-console: the desktop was drawn with " << m_desktop->view()->surface().name()
                  << "\n";
    ++m_next;
    takeNext();
}

} // namespace breeze::console
