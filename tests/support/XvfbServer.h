#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace breeze::test {

// A real X server for capture and input tests: Xvfb on the first free display number, with its own
// MIT-MAGIC-COOKIE-1 in a private Xauthority file (so a test proves the agent uses the session's authority),
// TCP off, gone with the test.
class XvfbServer {
public:
    XvfbServer(int width, int height);
    ~XvfbServer();
    XvfbServer(const XvfbServer&) = delete;
    XvfbServer& operator=(const XvfbServer&) = delete;

    // Starts and waits until it accepts connections; false with the reason in error().
    bool start();
    QString display() const { return m_display; }
    QString authorityFile() const { return m_dir->filePath("Xauthority"); }
    QString error() const { return m_error; }
    void kill();

private:
    int m_width;
    int m_height;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    QString m_display;
    QString m_error;
};

} // namespace breeze::test
