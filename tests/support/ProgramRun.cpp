#include "ProgramRun.h"

#include "TestServer.h"

#include <QProcess>

namespace breeze::test {

ProgramRun ProgramRun::run(const QString& program, const QStringList& args, const QString& input,
                           const QProcessEnvironment& environment) {
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QString::fromStdString(binDir()) + "/" + program, args);
    process.write(input.toUtf8());
    process.closeWriteChannel();
    const bool finished = process.waitForFinished(60000);
    return {finished && process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace breeze::test
