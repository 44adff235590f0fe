#pragma once

#include <QString>
#include <QTemporaryDir>
#include <memory>
#include <string>

namespace breeze::test {

// A private PostgreSQL 15 cluster in a temporary folder on a free port, for one test executable. Running as
// root, initdb and postgres run as the postgres user, which they insist on. The cluster is removed when this
// object is.
class TestPostgres {
public:
    // Fast: fsync, synchronous_commit and full_page_writes off (tests, where a crash loses nothing that
    // matters). Durable: PostgreSQL's own defaults, as in production (benchmarks by default).
    enum class Durability { Fast, Durable };

    explicit TestPostgres(Durability durability = Durability::Fast);
    ~TestPostgres();

    void start();
    void stop();
    bool isRunning() const { return m_running; }

    int port() const { return m_port; }
    // How the cluster runs, for benchmark output.
    std::string durabilityLabel() const;
    // A fresh database owned by a fresh non-superuser role, as breeze-server should connect.
    QString createDatabase(const QString& name);
    QString superuserUrl(const QString& database) const;
    // Runs SQL as the superuser (psql); returns its standard output, fails the test on error.
    QString superuserSql(const QString& database, const QString& sql) const;

private:
    QStringList asPostgres(const QString& program, const QStringList& args) const;
    void run(const QString& program, const QStringList& args) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_superPassword;
    int m_port = 0;
    bool m_running = false;
    Durability m_durability;
};

int freeTcpPort();
// Where tests put clusters and server state: $BREEZE_TEST_TMPDIR (set by scripts/dev.sh test, which removes
// whatever a crashed test left there), else /tmp.
QString testTempRoot();

} // namespace breeze::test
