#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace breeze::test {

// One run of one of our programs (breeze-admin, breeze-agent, …) as a shell would run it.
struct ProgramRun {
    int exitCode = -1;
    QString out;
    QString err;

    nlohmann::json json() const { return nlohmann::json::parse(out.toStdString()); }

    // Runs build/bin/PROGRAM with `args`, feeding `input` on standard input; -1 when it did not finish in a
    // minute.
    static ProgramRun run(const QString& program, const QStringList& args, const QString& input = {},
                          const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment());
};

} // namespace breeze::test
