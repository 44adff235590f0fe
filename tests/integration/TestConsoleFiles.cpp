// The console's file manager, offscreen, against a real server and a real agent on this machine's disk:
// names with spaces, Unicode, newlines and leading dashes; a link shown as a link and not followed out of a
// session's root folder; sorting and hidden files; files and folders dropped from the workstation and
// uploaded; downloads verified, with progress, speed and time left; pause, resume and cancel; a dropped
// connection that resumes a transfer where it was; a choice when a name is taken; new folder, rename and
// delete with confirmation.
#include "ConsoleConnection.h"
#include "ConsoleFixture.h"
#include "ConsoleOnDevice.h"
#include "FileTransferQueue.h"
#include "RemoteFileModel.h"
#include "remote/FileManagerView.h"
#include "shell/MainWindow.h"
#include "widgets/Confirmation.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QDropEvent>
#include <QFile>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

namespace {
constexpr qint64 kMiB = qint64{1024} * 1024;

QByteArray sha256Of(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

bool writeRandom(const QString& path, qint64 bytes) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QByteArray block(kMiB, '\0');
    for (qint64 left = bytes; left > 0; left -= block.size()) {
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32*>(block.data()),
                                              static_cast<qsizetype>(block.size() / 4));
        file.write(block.constData(), std::min<qint64>(left, block.size()));
    }
    return true;
}

bool writeText(const QString& path, const QByteArray& text) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestConsoleFiles final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::ConsoleOnDevice> m_stack;
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_remote{QDir::tempPath() + "/breeze-console-files-device-XXXXXX"}; // the device's side
    QTemporaryDir m_local{QDir::tempPath() + "/breeze-console-files-local-XXXXXX"};   // the workstation's
    FileManagerView* m_view = nullptr;

    QString remote(const QString& name) const { return m_remote.filePath(name); }
    QString local(const QString& name) const { return m_local.filePath(name); }

    // Types the folder into the path bar, as a technician would.
    bool go(const QString& folder) {
        auto* path = m_view->findChild<QLineEdit*>(QStringLiteral("path"));
        path->setText(folder);
        QTest::keyClick(path, Qt::Key_Return);
        return QTest::qWaitFor([&] { return m_view->folder() == folder.toUtf8(); }, 10000);
    }

    bool select(const QByteArray& name) {
        if (!QTest::qWaitFor([&] { return m_view->listing().rowOfName(name) >= 0; }, 10000))
            return false;
        m_view->table()->selectRow(m_view->listing().rowOfName(name));
        return true;
    }

    bool allFinished(int atLeast, int timeout = 60000) {
        return QTest::qWaitFor(
            [&] {
                const auto& all = m_view->transfers().transfers();
                return all.size() >= atLeast &&
                       std::all_of(all.begin(), all.end(),
                                   [](const FileTransfer& t) { return t.finished(); });
            },
            timeout);
    }

    const FileTransfer* last() { return &m_view->transfers().transfers().back(); }

    void drop(const QStringList& paths) {
        QMimeData mime;
        QList<QUrl> urls;
        for (const QString& path : paths)
            urls << QUrl::fromLocalFile(path);
        mime.setUrls(urls);
        QWidget* viewport = m_view->table()->viewport();
        const QPointF at(5, viewport->height() - 5); // below the rows: the folder shown
        QDragEnterEvent enter(at.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent dropped(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &dropped);
        QVERIFY(dropped.isAccepted());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_remote.isValid() && m_local.isValid());
        m_stack = std::make_unique<test::ConsoleOnDevice>();
        QVERIFY(m_stack->start("files", "console-files-01"));
        m_window = std::make_unique<MainWindow>(*m_stack->connection);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_stack.reset();
    }

    void browsingShowsHostileNamesLinksAndHiddenFiles() {
        QVERIFY(writeText(remote("with space.txt"), "spaced"));
        QVERIFY(writeText(remote("ünïcødé.txt"), "unicode"));
        QVERIFY(writeText(remote("new\nline.txt"), "newline"));
        QVERIFY(writeText(remote("-dash.txt"), "dash"));
        QVERIFY(writeText(remote(".hidden"), "hidden"));
        QVERIFY(QDir(m_remote.path()).mkdir("sub"));
        QVERIFY(QFile::link("/etc", remote("outside")));
        m_view = m_window->openFiles(m_stack->deviceId);
        QVERIFY(m_view);
        QVERIFY(QTest::qWaitFor([&] { return m_view->files().state() == RemoteFiles::State::Live; }, 20000));
        QCOMPARE(m_view->files().root(), QString("/"));
        QVERIFY(go(m_remote.path()));
        RemoteFileModel& listing = m_view->listing();
        for (const char* name :
             {"with space.txt", "ünïcødé.txt", "new\nline.txt", "-dash.txt", "sub", "outside"})
            QVERIFY2(listing.rowOfName(QByteArray(name)) >= 0, name);
        QCOMPARE(listing.rowOfName(".hidden"), -1);
        // Folders first; a link is a link, showing where it points, and is not taken for a folder.
        QVERIFY(listing.entry(0)->isDir());
        const RemoteFileEntry* link = listing.entry(listing.rowOfName("outside"));
        QCOMPARE(link->type, QString("link"));
        QCOMPARE(link->target, QByteArray("/etc"));
        QVERIFY(
            listing.data(listing.index(listing.rowOfName("outside"), RemoteFileModel::Name), Qt::DisplayRole)
                .toString()
                .contains("→ /etc"));
        // Owner and mode as ls shows them; the newline shown as a symbol, on one line.
        const int sub = listing.rowOfName("sub");
        QVERIFY(listing.data(listing.index(sub, RemoteFileModel::Mode), Qt::DisplayRole)
                    .toString()
                    .startsWith("drwx"));
        QVERIFY(
            !listing.data(listing.index(sub, RemoteFileModel::Owner), Qt::DisplayRole).toString().isEmpty());
        QVERIFY(!listing
                     .data(listing.index(listing.rowOfName("new\nline.txt"), RemoteFileModel::Name),
                           Qt::DisplayRole)
                     .toString()
                     .contains('\n'));
        // Hidden files on request.
        m_view->findChild<QCheckBox*>(QStringLiteral("hidden"))->setChecked(true);
        QVERIFY(QTest::qWaitFor([&] { return listing.rowOfName(".hidden") >= 0; }, 10000));
        // A leading dash and a newline are names, not options or line ends: both download intact.
        QVERIFY(select("-dash.txt"));
        m_view->downloadSelectedTo(m_local.path());
        QVERIFY(select("new\nline.txt"));
        m_view->downloadSelectedTo(m_local.path());
        QVERIFY(allFinished(2));
        QCOMPARE(readAll(local("-dash.txt")), QByteArray("dash"));
        QCOMPARE(readAll(local("new\nline.txt")), QByteArray("newline"));
    }

    void sortingKeepsFoldersFirst() {
        QVERIFY(writeRandom(remote("large.bin"), 3 * kMiB));
        m_view->refresh();
        RemoteFileModel& listing = m_view->listing();
        QVERIFY(QTest::qWaitFor([&] { return listing.rowOfName("large.bin") >= 0; }, 10000));
        m_view->table()->sortByColumn(RemoteFileModel::Size, Qt::DescendingOrder);
        QVERIFY(listing.entry(0)->isDir());
        int firstFile = 0;
        while (listing.entry(firstFile)->isDir())
            ++firstFile;
        QCOMPARE(listing.entry(firstFile)->name, QByteArray("large.bin"));
        // The selection stays on its entry through a sort, so an action hits what was chosen.
        QVERIFY(select("with space.txt"));
        m_view->table()->sortByColumn(RemoteFileModel::Name, Qt::DescendingOrder);
        const auto rows = m_view->table()->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(listing.entry(rows.first().row())->name, QByteArray("with space.txt"));
        m_view->table()->sortByColumn(RemoteFileModel::Name, Qt::AscendingOrder);
    }

    void aRootFolderIsNeverLeftThroughALink() {
        auto* rooted =
            new FileManagerView(m_stack->connection->api(), m_stack->deviceId, "rooted", m_remote.path());
        rooted->setAttribute(Qt::WA_DeleteOnClose);
        QVERIFY(QTest::qWaitFor([&] { return rooted->files().state() == RemoteFiles::State::Live; }, 20000));
        QCOMPARE(rooted->files().root(), m_remote.path());
        QVERIFY(QTest::qWaitFor([&] { return rooted->listing().rowOfName("outside") >= 0; }, 10000));
        rooted->navigate("/outside");
        QVERIFY(QTest::qWaitFor([&] { return !rooted->message().isEmpty(); }, 10000));
        QCOMPARE(rooted->folder(), QByteArray("/"));
        rooted->navigate("/../../etc");
        QVERIFY(QTest::qWaitFor([&] { return rooted->listing().rowOfName("outside") >= 0; }, 10000));
        QVERIFY(rooted->listing().rowOfName("passwd") < 0);
        const QString session = rooted->files().sessionId();
        rooted->close();
        QTRY_COMPARE_WITH_TIMEOUT(
            m_stack->fleet->api->get("/api/v1/sessions/" + session.toStdString()).body["state"], "closed",
            10000);
    }

    void droppedFilesAndFoldersUpload() {
        QVERIFY(QDir(m_local.path()).mkpath("tree/inner"));
        QVERIFY(writeText(local("tree/a.txt"), "first"));
        QVERIFY(writeRandom(local("tree/inner/b.bin"), 2 * kMiB + 12345));
        QVERIFY(writeRandom(local("big.bin"), 40 * kMiB));
        QVERIFY(go(m_remote.path() + "/sub"));
        m_view->transfers().clearFinished();
        drop({local("tree"), local("big.bin")});
        QVERIFY(allFinished(5)); // tree, big.bin, a.txt, inner, b.bin
        for (const auto& transfer : m_view->transfers().transfers())
            QVERIFY2(transfer.state == FileTransfer::State::Done, qPrintable(transfer.message));
        QCOMPARE(readAll(remote("sub/tree/a.txt")), QByteArray("first"));
        QCOMPARE(sha256Of(remote("sub/tree/inner/b.bin")), sha256Of(local("tree/inner/b.bin")));
        QCOMPARE(sha256Of(remote("sub/big.bin")), sha256Of(local("big.bin")));
        // Nothing of the transfers is left beside what they made: no partial files, no manifests.
        QCOMPARE(QDir(remote("sub")).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList({"big.bin", "tree"}));
        const auto* big = &m_view->transfers().transfers()[1];
        QCOMPARE(big->sha256.toLatin1(), sha256Of(local("big.bin")));
        // The listing shows what arrived.
        QVERIFY(QTest::qWaitFor([&] { return m_view->listing().rowOfName("big.bin") >= 0; }, 10000));
        QVERIFY(m_view->listing().rowOfName("tree") >= 0);
    }

    void downloadsShowProgressSpeedAndTimeLeftAndPauseResumeCancel() {
        QVERIFY(writeRandom(remote("sub/huge.bin"), 160 * kMiB));
        m_view->refresh();
        QVERIFY(select("huge.bin"));
        QDir(m_local.path()).mkdir("down");
        m_view->transfers().clearFinished();
        // Progress, speed and time left as the transfer list shows them.
        bool sawSpeed = false;
        bool sawTimeLeft = false;
        auto* table = m_view->transferTable();
        const auto watch = connect(table->model(), &QAbstractItemModel::dataChanged, this, [&] {
            const auto* model = table->model();
            if (model->rowCount() == 0)
                return;
            sawSpeed |= model->index(0, 3).data().toString().endsWith("/s");
            sawTimeLeft |= !model->index(0, 4).data().toString().isEmpty();
        });
        m_view->downloadSelectedTo(local("down"));
        const FileTransfer* huge = last();
        const int id = huge->id;
        QVERIFY(QTest::qWaitFor([&] { return m_view->transfers().transfer(id)->done > 8 * kMiB; }, 30000));
        m_view->transfers().pause(id);
        QCOMPARE(m_view->transfers().transfer(id)->state, FileTransfer::State::Paused);
        QTest::qWait(300); // what was on its way lands; then nothing moves
        const quint64 paused = m_view->transfers().transfer(id)->done;
        QTest::qWait(700);
        QCOMPARE(m_view->transfers().transfer(id)->done, paused);
        QVERIFY(!QFile::exists(local("down/huge.bin"))); // not under its name until verified
        m_view->transfers().resume(id);
        QVERIFY(allFinished(1));
        disconnect(watch);
        const FileTransfer* done = m_view->transfers().transfer(id);
        QVERIFY2(done->state == FileTransfer::State::Done, qPrintable(done->message));
        QVERIFY(done->resumedFrom > 0); // went on from where it paused
        QCOMPARE(sha256Of(local("down/huge.bin")), sha256Of(remote("sub/huge.bin")));
        QCOMPARE(done->sha256.toLatin1(), sha256Of(remote("sub/huge.bin")));
        QVERIFY(sawSpeed);
        QVERIFY(sawTimeLeft);
        QVERIFY(QDir(local("down")).entryList(QDir::Hidden | QDir::Files).filter("breeze-part").isEmpty());
        // Cancelled: nothing is left behind, under either name.
        QVERIFY(select("huge.bin"));
        QDir(m_local.path()).mkdir("cancelled");
        m_view->downloadSelectedTo(local("cancelled"));
        const int second = last()->id;
        QVERIFY(
            QTest::qWaitFor([&] { return m_view->transfers().transfer(second)->done > 4 * kMiB; }, 30000));
        m_view->transfers().cancel(second);
        QCOMPARE(m_view->transfers().transfer(second)->state, FileTransfer::State::Cancelled);
        QTest::qWait(300);
        QVERIFY(QDir(local("cancelled")).entryList(QDir::Hidden | QDir::Files).isEmpty());
    }

    void aDroppedConnectionResumesTransfersWhereTheyWere() {
        QVERIFY(writeRandom(local("resumed-up.bin"), 96 * kMiB));
        m_view->transfers().clearFinished();
        m_view->uploadPaths({local("resumed-up.bin")}, (m_remote.path() + "/sub").toUtf8());
        const int up = last()->id;
        QVERIFY(QTest::qWaitFor([&] { return m_view->transfers().transfer(up)->done > 24 * kMiB; }, 30000));
        m_view->files().reconnect(); // the network drops under it
        QVERIFY(QTest::qWaitFor([&] { return m_view->files().state() != RemoteFiles::State::Live; }, 5000));
        QVERIFY(allFinished(1));
        const FileTransfer* uploaded = m_view->transfers().transfer(up);
        QVERIFY2(uploaded->state == FileTransfer::State::Done, qPrintable(uploaded->message));
        QVERIFY(uploaded->resumedFrom > 0); // the device's manifest said what it had
        QCOMPARE(sha256Of(remote("sub/resumed-up.bin")), sha256Of(local("resumed-up.bin")));
        // And a download the same way.
        m_view->refresh();
        QVERIFY(select("resumed-up.bin"));
        QDir(m_local.path()).mkdir("again");
        m_view->downloadSelectedTo(local("again"));
        const int down = last()->id;
        QVERIFY(QTest::qWaitFor([&] { return m_view->transfers().transfer(down)->done > 24 * kMiB; }, 30000));
        m_view->files().reconnect();
        QVERIFY(allFinished(2));
        const FileTransfer* downloaded = m_view->transfers().transfer(down);
        QVERIFY2(downloaded->state == FileTransfer::State::Done, qPrintable(downloaded->message));
        QVERIFY(downloaded->resumedFrom > 0);
        QCOMPARE(sha256Of(local("again/resumed-up.bin")), sha256Of(local("resumed-up.bin")));
    }

    void aTakenNameAsksWhatToDo() {
        QVERIFY(writeText(remote("sub/report.txt"), "on the device"));
        QVERIFY(writeText(local("report.txt"), "from the workstation"));
        m_view->transfers().clearFinished();
        m_view->uploadPaths({local("report.txt")}, (m_remote.path() + "/sub").toUtf8());
        QVERIFY(QTest::qWaitFor([&] { return m_view->conflictQuestion() != nullptr; }, 10000));
        QCOMPARE(last()->state, FileTransfer::State::Conflict);
        m_view->conflictQuestion()->findChild<QPushButton*>(QStringLiteral("keep_both"))->click();
        QVERIFY(allFinished(1));
        QCOMPARE(readAll(remote("sub/report.txt")), QByteArray("on the device"));
        QCOMPARE(readAll(remote("sub/report (2).txt")), QByteArray("from the workstation"));
        // "Replace" chosen for every taken name, ahead of time.
        auto* policy = m_view->findChild<QComboBox*>(QStringLiteral("conflictPolicy"));
        policy->setCurrentIndex(
            policy->findData(static_cast<int>(FileTransferQueue::ConflictPolicy::Replace)));
        m_view->uploadPaths({local("report.txt")}, (m_remote.path() + "/sub").toUtf8());
        QVERIFY(allFinished(2));
        QCOMPARE(readAll(remote("sub/report.txt")), QByteArray("from the workstation"));
        QVERIFY(m_view->conflictQuestion() == nullptr);
        policy->setCurrentIndex(0);
        // A download onto a local name that is taken asks too; skipped, the local file stays.
        QVERIFY(writeText(local("again/report.txt"), "local copy"));
        m_view->refresh();
        QVERIFY(select("report.txt"));
        m_view->downloadSelectedTo(local("again"));
        QVERIFY(QTest::qWaitFor([&] { return m_view->conflictQuestion() != nullptr; }, 10000));
        m_view->conflictQuestion()->findChild<QPushButton*>(QStringLiteral("skip"))->click();
        QVERIFY(allFinished(3));
        QCOMPARE(last()->state, FileTransfer::State::Skipped);
        QCOMPARE(readAll(local("again/report.txt")), QByteArray("local copy"));
    }

    void foldersAreMadeRenamedDownloadedAndDeletedWithConfirmation() {
        m_view->createFolder("made here");
        QVERIFY(QTest::qWaitFor([&] { return QFileInfo(remote("sub/made here")).isDir(); }, 10000));
        QVERIFY(QTest::qWaitFor([&] { return m_view->listing().rowOfName("made here") >= 0; }, 10000));
        m_view->renameEntry("made here", "-renamed ünï");
        QVERIFY(QTest::qWaitFor([&] { return QFileInfo(remote("sub/-renamed ünï")).isDir(); }, 10000));
        // A whole folder down, as it is on the device.
        QVERIFY(select("tree"));
        QDir(m_local.path()).mkdir("folders");
        m_view->transfers().clearFinished();
        m_view->downloadSelectedTo(local("folders"));
        QVERIFY(allFinished(4));
        QCOMPARE(readAll(local("folders/tree/a.txt")), QByteArray("first"));
        QCOMPARE(sha256Of(local("folders/tree/inner/b.bin")), sha256Of(local("tree/inner/b.bin")));
        // Deleting asks first; "no" leaves it, "yes" takes the folder with what it holds.
        QVERIFY(select("tree"));
        Confirmation::preAnswer({false});
        m_view->deleteSelected();
        QCOMPARE(Confirmation::asked().size(), 1);
        QTest::qWait(300);
        QVERIFY(QFileInfo(remote("sub/tree")).isDir());
        QVERIFY(select("tree"));
        Confirmation::preAnswer({true});
        m_view->deleteSelected();
        QVERIFY(QTest::qWaitFor([&] { return !QFileInfo::exists(remote("sub/tree")); }, 10000));
        QVERIFY(QTest::qWaitFor([&] { return m_view->listing().rowOfName("tree") < 0; }, 10000));
    }
};

QTEST_MAIN(TestConsoleFiles)
#include "TestConsoleFiles.moc"
