#pragma once

#include "TestServer.h"

#include <QProcessEnvironment>
#include <QString>

namespace breeze::test {

// breeze-console as a user runs it against a test server (--dev-stack signs in without questions): the stack
// file it reads, written into `folder`, and the environment it runs in (offscreen, its settings in `folder`,
// what Qt's TLS backend still holds at exit let go: tests/support/lsan-qt-tls.supp).
QString writeDevStack(const TestServer& server, const AdminCredentials& admin, const QString& folder);
QProcessEnvironment consoleEnvironment(const QString& folder);

} // namespace breeze::test
