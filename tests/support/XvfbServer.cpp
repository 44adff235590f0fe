#include "XvfbServer.h"

#include "ChildProcess.h"
#include "TestPostgres.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QtEndian>

namespace breeze::test {

namespace {
void appendField(QByteArray& out, const QByteArray& field) {
    const auto length = qToBigEndian(static_cast<quint16>(field.size()));
    out.append(reinterpret_cast<const char*>(&length), 2);
    out.append(field);
}

// One Xauthority entry for any address and any display number (family FamilyWild, empty number): the
// server loads its cookie whatever the entry names, and clients match it for whichever display we get.
QByteArray authorityEntry(const QByteArray& cookie) {
    QByteArray out;
    out.append("\xff\xff", 2);
    appendField(out, {});
    appendField(out, {});
    appendField(out, "MIT-MAGIC-COOKIE-1");
    appendField(out, cookie);
    return out;
}
} // namespace

XvfbServer::XvfbServer(int width, int height)
    : m_width(width), m_height(height),
      m_dir(std::make_unique<QTemporaryDir>(testTempRoot() + "/breeze-xvfb-XXXXXX")) {}

XvfbServer::~XvfbServer() {
    kill();
}

bool XvfbServer::start() {
    QByteArray cookie(16, '\0');
    for (auto& byte : cookie)
        byte = static_cast<char>(QRandomGenerator::system()->bounded(256));
    QFile file(authorityFile());
    if (!file.open(QIODevice::WriteOnly) || file.write(authorityEntry(cookie)) < 0) {
        m_error = "cannot write " + authorityFile();
        return false;
    }
    file.close();
    m_process = std::make_unique<QProcess>();
    dieWithTest(*m_process);
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    // -displayfd: Xvfb picks a free display number itself and writes it once it accepts connections.
    m_process->start("Xvfb",
                     {"-displayfd", "1", "-screen", "0", QString("%1x%2x24").arg(m_width).arg(m_height),
                      "-auth", authorityFile(), "-nolisten", "tcp", "-noreset"});
    if (!m_process->waitForStarted(10000)) {
        m_error = "Xvfb did not start (scripts/debian-packages.txt lists xvfb): " + m_process->errorString();
        return false;
    }
    QByteArray out;
    const QDeadlineTimer deadline(20000);
    while (!out.contains('\n') && !deadline.hasExpired() && m_process->state() == QProcess::Running) {
        m_process->waitForReadyRead(200);
        out += m_process->readAllStandardOutput();
    }
    if (!out.contains('\n')) {
        m_error =
            "Xvfb did not say its display: " + QString::fromLocal8Bit(m_process->readAllStandardError());
        return false;
    }
    m_display = ":" + QString::fromLatin1(out.trimmed());
    return true;
}

void XvfbServer::kill() {
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

} // namespace breeze::test
