// The console's scripts, offscreen, against a real server and a real agent running real bash: a script is
// written in the editor and saved into versions, its history shows what each save changed and restores an
// old one, the Run dialog refuses a bad value in words and runs the script, the run window shows each
// stream as the agent sends it and cancels what is still running, and the execution history filters.
#include "ConsoleConnection.h"
#include "ConsoleFixture.h"
#include "ScriptParameterModel.h"
#include "ScriptRunMonitor.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "devices/DeviceCommandsTab.h"
#include "devices/DeviceHeader.h"
#include "devices/DeviceProcessesTab.h"
#include "devices/DeviceTablePage.h"
#include "devices/DeviceView.h"
#include "scripts/ExecutionHistoryPanel.h"
#include "scripts/QsciHeaders.h"
#include "scripts/RunMonitorWindow.h"
#include "scripts/RunScriptDialog.h"
#include "scripts/ScriptEditor.h"
#include "scripts/ScriptHistoryPanel.h"
#include "scripts/ScriptSchedulesPanel.h"
#include "scripts/ScriptsView.h"
#include "shell/MainWindow.h"
#include "widgets/Confirmation.h"

#include <QComboBox>
#include <QCompleter>
#include <QFile>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

class TestConsoleScripts final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_admin = nullptr;
    std::unique_ptr<test::TestAgent> m_agent;
    std::unique_ptr<ConsoleConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
    QString m_device;
    QString m_hostname;
    QString m_otherUser;

    ScriptsView& scripts() { return *m_window->scriptsView(); }

    QJsonObject startRun(const QJsonObject& script, const std::function<void(RunScriptDialog&)>& fill) {
        RunScriptDialog dialog(*m_connection, script, {m_device});
        fill(dialog);
        QSignalSpy started(&dialog, &RunScriptDialog::started);
        dialog.run();
        if (!QTest::qWaitFor([&] { return started.count() == 1; }, 10000))
            qWarning() << "not started:" << dialog.error();
        return started.isEmpty() ? QJsonObject() : started.at(0).at(0).toJsonObject();
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(
            *m_postgres, "console_scripts", "admin@scripts.test", "Scripts MSP", "Fleet", "HQ",
            std::map<std::string, std::string>{{"agents.heartbeat_seconds", "2"}});
        m_server = m_fleet->server.get();
        m_admin = m_fleet->api.get();
        const auto& credentials = m_fleet->admin;
        test::TestAgent::Options options;
        options.identity = "console-scripts-01";
        m_agent = std::make_unique<test::TestAgent>(*m_server, m_fleet->enrollmentKey(), options);
        m_agent->start();
        m_device = QString::fromStdString(m_agent->deviceId());
        QTRY_VERIFY_WITH_TIMEOUT(
            m_admin->get("/api/v1/devices/" + m_agent->deviceId()).body["status"] == "online", 20000);
        m_hostname =
            QString::fromStdString(m_admin->get("/api/v1/devices/" + m_agent->deviceId()).body["hostname"]);

        m_otherUser = QString::fromStdString(m_admin
                                                 ->post("/api/v1/users", {{"email", "other@scripts.test"},
                                                                          {"password", "another password"},
                                                                          {"role", "technician"}})
                                                 .body["id"]
                                                 .get<std::string>());
        m_connection = test::consoleConnection(*m_server);
        m_window = std::make_unique<MainWindow>(*m_connection);
        QVERIFY(test::signIn(*m_connection, credentials));
        m_window->resize(1300, 800);
        m_window->showView("scripts");
    }

    void cleanupTestCase() {
        m_window.reset();
        m_connection.reset();
        m_agent.reset();
        m_fleet.reset();
        m_postgres.reset();
    }

    void editorSavesVersionsAndHistoryRestores() {
        ScriptsView& view = scripts();
        view.newScript();
        view.nameField()->setText("Greeting");
        view.languageField()->setCurrentIndex(view.languageField()->findData("bash"));
        view.editor()->setText("echo \"hello $WHO\"\necho warn >&2\nexit 3\n");
        // A name the server refuses comes back in words, and nothing typed is lost.
        const int row = view.parameters()->addParameter();
        view.parameters()->setData(view.parameters()->index(row, ScriptParameterModel::Name), "PATH");
        view.save();
        QTRY_VERIFY_WITH_TIMEOUT(view.status().contains("PATH"), 10000);
        QCOMPARE(view.editor()->text(), QString("echo \"hello $WHO\"\necho warn >&2\nexit 3\n"));
        view.parameters()->setData(view.parameters()->index(row, ScriptParameterModel::Name), "WHO");
        view.parameters()->setData(view.parameters()->index(row, ScriptParameterModel::Required), Qt::Checked,
                                   Qt::CheckStateRole);
        view.save();
        QTRY_VERIFY_WITH_TIMEOUT(view.status().contains("Added"), 10000);
        QCOMPARE(view.current().value("version").toInt(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(view.library()->model()->rowCount(), 1, 10000);

        view.editor()->setText("echo \"HELLO $WHO\"\necho warn >&2\nexit 3\n");
        view.noteField()->setText("louder");
        view.save();
        QTRY_VERIFY_WITH_TIMEOUT(view.status().contains("version 2"), 10000);
        view.save(); // nothing changed: no third version
        QTRY_VERIFY_WITH_TIMEOUT(view.status().contains("no new version"), 10000);

        ScriptHistoryPanel* history = view.history();
        QTRY_COMPARE_WITH_TIMEOUT(history->versions()->model()->rowCount(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(history->diffText().contains("+echo \"HELLO $WHO\""), 10000);
        QVERIFY(history->diffText().contains("-echo \"hello $WHO\""));
        QCOMPARE(history->versions()->model()->index(0, 3).data().toString(), QString("louder"));
        history->versions()->selectRow(1);
        history->restoreSelected();
        QTRY_COMPARE_WITH_TIMEOUT(view.current().value("version").toInt(), 3, 10000);
        QCOMPARE(view.editor()->text(), QString("echo \"hello $WHO\"\necho warn >&2\nexit 3\n"));
        QTRY_COMPARE_WITH_TIMEOUT(history->versions()->model()->rowCount(), 3, 10000);
        QVERIFY(!m_window->grab().isNull());
    }

    void runDialogChecksValuesThenRunsAndTheWindowShowsTheOutput() {
        const QJsonObject script = scripts().current();
        QCOMPARE(script.value("name").toString(), QString("Greeting"));
        // A missing required value is refused in the dialog, before anything is sent.
        {
            RunScriptDialog dialog(*m_connection, script, {m_device});
            dialog.run();
            QCOMPARE(dialog.error(), QString("parameter WHO is required"));
        }
        QCOMPARE(m_admin->get("/api/v1/script-executions").body["items"].size(), std::size_t(0));

        const QJsonObject answer = startRun(script, [](RunScriptDialog& dialog) {
            static_cast<QLineEdit*>(dialog.parameterField("WHO"))->setText("world; $(id)");
        });
        QCOMPARE(answer.value("executions").toArray().size(), 1);
        QPointer<RunMonitorWindow> window = m_window->followRun(answer);
        QTRY_COMPARE_WITH_TIMEOUT(window->monitor().status(0), QString("failed"), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(window->stdoutText(), QString("hello world; $(id)\n"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(window->stderrText(), QString("warn\n"), 10000);
        QCOMPARE(window->monitor().data(window->monitor().index(0, ScriptRunMonitor::ExitCode)).toInt(), 3);
        QVERIFY(window->summary().contains("finished"));
        window->close();
    }

    void theRunWindowStreamsAndCancels() {
        const auto created = m_admin->post(
            "/api/v1/scripts",
            {{"name", "Slow"}, {"language", "bash"}, {"content", "echo started\nsleep 60\necho never\n"}});
        QCOMPARE(created.status, 201);
        const QJsonObject script = QJsonDocument::fromJson(QByteArray::fromStdString(created.raw)).object();
        const QJsonObject answer = startRun(script, [](RunScriptDialog&) {});
        QPointer<RunMonitorWindow> window = m_window->followRun(answer);
        // Output shows while the script still runs.
        QTRY_COMPARE_WITH_TIMEOUT(window->stdoutText(), QString("started\n"), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(window->monitor().status(0), QString("running"), 5000);
        QPushButton* cancel = nullptr;
        for (auto* button : window->findChildren<QPushButton*>())
            if (button->text() == "Cancel run")
                cancel = button;
        QVERIFY(cancel && cancel->isEnabled());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window->monitor().status(0), QString("cancelled"), 15000);
        QVERIFY(!window->stdoutText().contains("never"));
        window->close();
    }

    void runOnASiteFromTheDialog() {
        const QJsonObject script = scripts().current();
        const QJsonObject answer = startRun(script, [this](RunScriptDialog& dialog) {
            static_cast<QLineEdit*>(dialog.parameterField("WHO"))->setText("site");
            dialog.chooseSite(m_connection->tree().sites().first().id);
        });
        QCOMPARE(answer.value("run").toObject().value("targets").toObject().value("site_id").toString(),
                 m_connection->tree().sites().first().id);
        QPointer<RunMonitorWindow> window = m_window->followRun(answer);
        QTRY_COMPARE_WITH_TIMEOUT(window->stdoutText(), QString("hello site\n"), 20000);
        window->close();
    }

    // The Run dialog starts on the script chosen in the library, finds scripts and sites by typing, names the
    // devices it will run on, and never picks a whole site by itself.
    void theRunDialogNamesItsTargetsAndChoosesNothingSilently() {
        m_window->runScriptOn({m_device});
        auto* dialog = m_window->findChild<RunScriptDialog*>();
        QVERIFY(dialog);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->scriptPicker()->currentText(), QString("Greeting"), 10000);
        QCOMPARE(dialog->targetSummary(), QString("Runs on 1 device(s): %1").arg(m_hostname));
        QCompleter* find = dialog->scriptPicker()->completer();
        find->setCompletionPrefix("LOW");
        QCOMPARE(find->completionCount(), 1);
        QCOMPARE(find->currentCompletion(), QString("Slow"));
        dialog->close();
        delete dialog;

        RunScriptDialog fromLibrary(*m_connection, scripts().current(), {});
        QCOMPARE(fromLibrary.targetSummary(), QString("Choose where it runs."));
        QCOMPARE(fromLibrary.sitePicker()->currentIndex(), -1);
        static_cast<QLineEdit*>(fromLibrary.parameterField("WHO"))->setText("nobody");
        fromLibrary.run();
        QCOMPARE(fromLibrary.error(), QString("Choose where to run it."));
        fromLibrary.sitePicker()->completer()->setCompletionPrefix("h");
        QCOMPARE(fromLibrary.sitePicker()->completer()->currentCompletion(), QString("Fleet / HQ"));
        fromLibrary.chooseSite(m_connection->tree().sites().first().id);
        QCOMPARE(fromLibrary.targetSummary(), QString("Runs on 1 device(s): %1").arg(m_hostname));
    }

    // "At" in the Run dialog makes a schedule the server keeps; the Schedules tab lists it and deletes it.
    void aRunCanBeScheduledAndStopped() {
        RunScriptDialog dialog(*m_connection, scripts().current(), {m_device});
        static_cast<QLineEdit*>(dialog.parameterField("WHO"))->setText("later");
        const QDateTime tomorrow = QDateTime(QDate::currentDate().addDays(1), QTime(7, 30));
        dialog.scheduleAt(tomorrow, "weekly");
        QSignalSpy scheduled(&dialog, &RunScriptDialog::scheduled);
        dialog.run();
        QTRY_COMPARE_WITH_TIMEOUT(scheduled.size(), 1, 10000);
        const auto kept = m_admin->get("/api/v1/script-schedules").body["items"];
        QCOMPARE(kept.size(), std::size_t(1));
        QCOMPARE(kept[0]["repeat"], nlohmann::json("weekly"));
        QCOMPARE(QDateTime::fromString(QString::fromStdString(kept[0]["next_run_at"]), Qt::ISODate),
                 tomorrow);
        QCOMPARE(kept[0]["parameters"]["WHO"], nlohmann::json("later"));

        ScriptSchedulesPanel* panel = scripts().schedules();
        panel->reload();
        QTRY_COMPARE_WITH_TIMEOUT(panel->model().rowCount(), 1, 10000);
        QCOMPARE(panel->model().index(0, 0).data().toString(), QString("Greeting"));
        QCOMPARE(panel->model().index(0, 1).data().toString(), m_hostname);
        panel->table()->selectRow(0);
        Confirmation::preAnswer({true});
        panel->deleteSelected();
        QTRY_COMPARE_WITH_TIMEOUT(panel->model().rowCount(), 0, 10000);
        QCOMPARE(m_admin->get("/api/v1/script-schedules").body["items"].size(), std::size_t(0));
    }

    void executionHistoryFilters() {
        ExecutionHistoryPanel* history = scripts().executions();
        history->setScriptFilter({});
        history->setStatusFilter({});
        history->reload();
        QTRY_COMPARE_WITH_TIMEOUT(history->model().rowCount(), 3, 10000);
        history->setStatusFilter("cancelled");
        QTRY_COMPARE_WITH_TIMEOUT(history->model().rowCount(), 1, 10000);
        QCOMPARE(history->model().items().at(0).toObject().value("script_name").toString(), QString("Slow"));
        history->setStatusFilter({});
        history->setDeviceFilter(m_hostname);
        QTRY_COMPARE_WITH_TIMEOUT(history->model().rowCount(), 3, 10000);
        history->setDeviceFilter("no-such-host");
        QTRY_COMPARE_WITH_TIMEOUT(history->model().rowCount(), 0, 10000);
        history->setDeviceFilter({});
        history->setOnlyMine(true);
        QTRY_COMPARE_WITH_TIMEOUT(history->model().rowCount(), 3, 10000);
        history->setOnlyMine(false);
        // Any user the technician may list: the other one ran nothing.
        QComboBox* users = nullptr;
        for (auto* box : history->findChildren<QComboBox*>())
            if (box->itemText(0) == "Anyone")
                users = box;
        QVERIFY(users);
        QTRY_VERIFY_WITH_TIMEOUT(users->findText("other@scripts.test") >= 0, 10000);
        history->setUserFilter(m_otherUser);
        QTRY_COMPARE_WITH_TIMEOUT(history->model().rowCount(), 0, 10000);
        history->setUserFilter({});
        QTRY_COMPARE_WITH_TIMEOUT(history->model().rowCount(), 3, 10000);
        // Opening one from the history shows its output.
        history->setStatusFilter("failed");
        QTRY_COMPARE_WITH_TIMEOUT(history->model().rowCount(), 2, 10000);
        QPointer<RunMonitorWindow> window =
            m_window->followExecution(history->model().items().at(1).toObject()); // the older: "world; $(id)"
        QTRY_COMPARE_WITH_TIMEOUT(window->stdoutText(), QString("hello world; $(id)\n"), 10000);
        window->close();
    }

    // The device window: a header with the device's facts and actions, and a command history that reads as
    // text (the script and its version, stdout and stderr as printed), follows new commands live and keeps
    // the one being read.
    void theDeviceWindowReadsCommandsAsText() {
        QPointer<DeviceView> device = m_window->openDevice(m_device);
        QVERIFY(device);
        device->showTab("Commands");
        DeviceCommandsTab* commands = device->commandsTab();
        QTRY_VERIFY2_WITH_TIMEOUT(
            commands->outputText().startsWith("run_script \"Greeting\" version 3 — failed, "
                                              "exit code 3"),
            qPrintable(commands->outputText()), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(commands->outputText().contains("— stdout —\nhello site\n"), 10000);
        QVERIFY(commands->outputText().contains("— stderr —\nwarn\n"));
        QVERIFY(!commands->outputText().contains("\\n")); // text, not JSON
        QTemporaryDir folder;
        QVERIFY(commands->saveOutput(folder.filePath("out.txt")));
        QFile saved(folder.filePath("out.txt"));
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(saved.readAll()), commands->outputText());

        DeviceHeader* header = device->header();
        QTRY_VERIFY2_WITH_TIMEOUT(header->facts().contains(" up "), qPrintable(header->facts()), 15000);
        const QString reading = commands->outputText();
        const int before = commands->findChild<QTableView*>()->model()->rowCount();
        header->pingButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(header->status().contains("Answered in"), qPrintable(header->status()),
                                  15000);
        // The history gains the ping without a reload, and the command being read stays shown.
        QTRY_COMPARE_WITH_TIMEOUT(commands->findChild<QTableView*>()->model()->rowCount(), before + 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(commands->outputText(), reading, 5000);
        device->close();
    }

    // Processes as a task manager shows them: CPU and memory shares that move by themselves while the tab is
    // shown, as a list or a tree; the listings stay out of the command history unless asked for.
    void processesUpdateLiveAndShowAsATree() {
        QPointer<DeviceView> device = m_window->openDevice(m_device);
        device->showTab("Processes");
        auto* processes = device->findChild<DeviceProcessesTab*>();
        QTRY_VERIFY_WITH_TIMEOUT(processes->count() > 1, 15000);
        QTableView* list = processes->list()->table();
        const auto hasCpuShare = [list] {
            for (int row = 0; row < list->model()->rowCount(); ++row)
                if (list->model()->index(row, 3).data().toString().endsWith(" %"))
                    return true;
            return false;
        };
        QVERIFY(!hasCpuShare());                        // one listing: nothing to compare with yet
        QTRY_VERIFY_WITH_TIMEOUT(hasCpuShare(), 15000); // the next one came by itself
        QCOMPARE(list->model()->headerData(3, Qt::Horizontal).toString(), QString("CPU"));
        processes->setTree(true);
        QVERIFY(processes->tree()->isVisible() && !list->isVisible());
        const QAbstractItemModel* tree = processes->tree()->model();
        int nested = 0;
        for (int row = 0; row < tree->rowCount(); ++row)
            nested += tree->rowCount(tree->index(row, 0));
        QVERIFY(tree->rowCount() < processes->count()); // children sit under their parents
        QVERIFY(nested > 0);
        processes->setTree(false);
        const auto history = m_admin->get("/api/v1/commands?listings=false&device=" + m_device.toStdString());
        for (const auto& command : history.body["items"])
            QVERIFY(command["type"] != "list_processes");
        QVERIFY(
            m_admin->get("/api/v1/commands?device=" + m_device.toStdString()).raw.find("list_processes") !=
            std::string::npos);
        device->close();
    }
};

QTEST_MAIN(TestConsoleScripts)
#include "TestConsoleScripts.moc"
