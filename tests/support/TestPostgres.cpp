#include "TestPostgres.h"

#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QUuid>
#include <stdexcept>
#include <unistd.h>

namespace breeze::test {

namespace {
const QString kPgBin = "/usr/lib/postgresql/15/bin/";
bool runningAsRoot() {
    return ::geteuid() == 0;
}
} // namespace

QString testTempRoot() {
    return qEnvironmentVariable("BREEZE_TEST_TMPDIR", "/tmp");
}

int freeTcpPort() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        throw std::runtime_error("no free TCP port");
    return probe.serverPort();
}

TestPostgres::TestPostgres(Durability durability)
    : m_dir(std::make_unique<QTemporaryDir>(testTempRoot() + "/breeze-pg-XXXXXX")), m_durability(durability) {
    if (!m_dir->isValid())
        throw std::runtime_error("cannot create a temporary folder");
    m_superPassword = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString pwfile = m_dir->filePath("pwfile");
    QFile file(pwfile);
    file.open(QIODevice::WriteOnly);
    file.write(m_superPassword.toUtf8());
    file.close();
    if (runningAsRoot()) {
        run("chown", {"-R", "postgres:", m_dir->path()});
        run("chmod", {"755", m_dir->path()});
    }
    const auto cmd = asPostgres(
        kPgBin + "initdb", {"-D", m_dir->filePath("data"), "-U", "postgres", "--pwfile=" + pwfile, "-A",
                            "scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"});
    run(cmd.first(), cmd.mid(1));
    QFile::remove(pwfile);
    m_port = freeTcpPort();
    start();
}

TestPostgres::~TestPostgres() {
    try {
        stop();
    } catch (...) {
    }
    if (runningAsRoot())
        QProcess::execute("chown", {"-R", "root:", m_dir->path()});
}

QStringList TestPostgres::asPostgres(const QString& program, const QStringList& args) const {
    if (runningAsRoot())
        return QStringList{"runuser", "-u", "postgres", "--", program} + args;
    return QStringList{program} + args;
}

void TestPostgres::run(const QString& program, const QStringList& args) const {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0)
        throw std::runtime_error(("command failed: " + program + " " + args.join(' ') + "\n" +
                                  QString::fromUtf8(process.readAll()))
                                     .toStdString());
}

void TestPostgres::start() {
    const auto cmd = asPostgres(
        kPgBin + "pg_ctl",
        {"-D", m_dir->filePath("data"), "-l", m_dir->filePath("postgres.log"), "-w", "-t", "60", "-o",
         QString("-p %1 -k %2 -c listen_addresses=127.0.0.1%3")
             .arg(m_port)
             .arg(m_dir->path())
             .arg(m_durability == Durability::Fast ? " -c fsync=off -c synchronous_commit=off -c "
                                                     "full_page_writes=off"
                                                   : ""),
         "start"});
    run(cmd.first(), cmd.mid(1));
    m_running = true;
}

std::string TestPostgres::durabilityLabel() const {
    return m_durability == Durability::Fast
               ? "fast: fsync, synchronous_commit and full_page_writes off"
               : "durable: PostgreSQL defaults (fsync, synchronous_commit, full_page_writes on)";
}

void TestPostgres::stop() {
    if (!m_running)
        return;
    const auto cmd =
        asPostgres(kPgBin + "pg_ctl", {"-D", m_dir->filePath("data"), "-m", "fast", "-w", "stop"});
    run(cmd.first(), cmd.mid(1));
    m_running = false;
}

QString TestPostgres::superuserUrl(const QString& database) const {
    return QString("postgresql://postgres:%1@127.0.0.1:%2/%3").arg(m_superPassword).arg(m_port).arg(database);
}

QString TestPostgres::superuserSql(const QString& database, const QString& sql) const {
    QProcess process;
    process.start("psql",
                  {"-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", superuserUrl(database), "-c", sql});
    process.waitForFinished(60000);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        throw std::runtime_error(
            ("psql failed: " + sql + "\n" + QString::fromUtf8(process.readAllStandardError())).toStdString());
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

QString TestPostgres::createDatabase(const QString& name) {
    const QString password = QUuid::createUuid().toString(QUuid::WithoutBraces);
    superuserSql("postgres", QString("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(name, password));
    superuserSql("postgres", QString("CREATE DATABASE %1 OWNER %1").arg(name));
    return QString("postgresql://%1:%2@127.0.0.1:%3/%1").arg(name, password).arg(m_port);
}

} // namespace breeze::test
