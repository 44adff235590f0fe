// The console's main window, offscreen: the search box filters the device table, counts follow the model, and
// hostile text from agents stays text.
#include "ConsoleConnection.h"
#include "devices/DashboardView.h"
#include "devices/DeviceBulkMenu.h"
#include "devices/DeviceCommandsTab.h"
#include "devices/DeviceMetricsTab.h"
#include "devices/DeviceProcessesTab.h"
#include "devices/DeviceServicesTab.h"
#include "devices/DeviceView.h"
#include "patches/PatchesView.h"
#include "scripts/PowerShellLexer.h"
#include "scripts/QsciHeaders.h"
#include "scripts/ScriptEditor.h"
#include "scripts/ScriptsView.h"
#include "shell/CommandPalette.h"
#include "shell/MainWindow.h"
#include "shell/Theme.h"
#include "widgets/Colours.h"
#include "widgets/Confirmation.h"
#include "widgets/InlineMessage.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QContextMenuEvent>
#include <QDateTimeAxis>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QtTest>
#include <functional>

using namespace breeze::console;

namespace {
Device make(const QString& id, const QString& hostname, const QString& status, const QString& os) {
    Device device;
    device.id = id;
    device.hostname = hostname;
    device.status = status;
    device.os = os;
    device.approval = "approved";
    return device;
}
// The dashboard's online, offline and device counts, in that order.
QStringList tiles(const DashboardView& dashboard) {
    using Condition = DeviceFilterModel::Condition;
    return {dashboard.tileText(Condition::Online), dashboard.tileText(Condition::Offline),
            dashboard.tileText(Condition::Any)};
}
} // namespace

class TestConsoleWidgets final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void inlineMessagesSayHowThingsWentAsPlainText() {
        InlineMessage message;
        QVERIFY(message.isHidden());
        QCOMPARE(message.textFormat(), Qt::PlainText); // what a server or agent wrote is never markup
        message.showError("<b>refused</b>");
        QVERIFY(!message.isHidden());
        QCOMPARE(message.kind(), InlineMessage::Kind::Error);
        QCOMPARE(message.message(), QString("<b>refused</b>"));
        QVERIFY(message.styleSheet().contains(colour(Colour::Error).name()));
        message.showSuccess("saved");
        QVERIFY(message.styleSheet().contains(colour(Colour::Success).name()));
        QVERIFY(colour(Colour::Success) != colour(Colour::Error));
        message.showError(QString()); // nothing to say: nothing shown
        QVERIFY(message.isHidden());
        QCOMPARE(message.message(), QString());
        message.showWarning("careful");
        message.clear();
        QVERIFY(message.isHidden());
        QCOMPARE(message.kind(), InlineMessage::Kind::None);
    }

    void confirmationsCanBeAnsweredAhead() {
        Confirmation::asked(); // forget earlier questions
        Confirmation::preAnswer({true, false});
        QVERIFY(Confirmation::ask(nullptr, "Delete", "Delete <i>this</i>?"));
        QVERIFY(!Confirmation::ask(nullptr, "Delete", "Delete that?"));
        QCOMPARE(Confirmation::asked(), (QStringList{"Delete <i>this</i>?", "Delete that?"}));
    }
    void searchFiltersTheTableAndCountsFollow() {
        // No server is contacted: the model is filled directly.
        ConsoleConnection connection(QUrl("https://console.invalid:1"), {});
        MainWindow window(connection);
        connection.devices().setDevices({make("1", "web-01", "online", "Debian GNU/Linux 12"),
                                         make("2", "db-01", "offline", "Rocky Linux 9"),
                                         make("3", "<b>evil</b>", "online", "Windows 11")});
        window.show();
        QTableView* table = window.deviceTable();
        QCOMPARE(table->model()->rowCount(), 3);
        window.setSearch("rocky");
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, DeviceTableModel::Hostname).data().toString(), QString("db-01"));
        window.setSearch("ONLINE");
        QCOMPARE(table->model()->rowCount(), 2);
        window.setSearch("");
        bool counted = false;
        for (auto* label : window.statusBar()->findChildren<QLabel*>()) {
            QVERIFY(label->textFormat() == Qt::PlainText);
            counted |= label->text() == "3 devices, 2 online, 1 offline";
        }
        QVERIFY(counted);
        connection.devices().applyEvent({{"kind", "offline"}, {"device_id", "1"}});
        counted = false;
        for (auto* label : window.statusBar()->findChildren<QLabel*>())
            counted |= label->text() == "3 devices, 1 online, 2 offline";
        QVERIFY(counted);
        // Sorting by host name puts "<b>evil</b>" first and shows it verbatim.
        table->sortByColumn(DeviceTableModel::Hostname, Qt::AscendingOrder);
        QCOMPARE(table->model()->index(0, DeviceTableModel::Hostname).data().toString(),
                 QString("<b>evil</b>"));
        QVERIFY(!window.grab().isNull()); // every delegate paints
    }

    void theBulkMenuOffersWhatTheSelectionMayJoin() {
        ConsoleConnection connection(QUrl("https://console.invalid:1"), {});
        connection.tree().setTenancy(
            {{"o1", {}, "Contoso", {}}, {"o2", {}, "Fabrikam", {}}},
            {{"s1", "o1", "Berlin", {}}, {"s2", "o1", "Paris", {}}, {"s3", "o2", "Oslo", {}}},
            {{"g-desks", "o1", "Desks", "s1"},
             {"g-kiosks", "o1", "Kiosks", "s2"},
             {"g-servers", "o1", "Servers", {}},
             {"g-theirs", "o2", "Theirs", {}}});
        Device a = make("a", "web-01", "online", "Debian");
        a.orgId = "o1";
        a.siteId = "s1";
        a.tags = {"web", "Prod", "R&D"};
        Device b = make("b", "web-02", "online", "Debian");
        b.orgId = "o1";
        b.siteId = "s1";
        b.tags = {"prod"};
        connection.devices().setDevices({a, b});
        DeviceBulkMenu menu(connection, {"a", "b"}, nullptr);
        const auto submenu = [&](const QString& title) -> QMenu* {
            for (QAction* action : menu.actions())
                if (action->menu() && action->text() == title)
                    return action->menu();
            return nullptr;
        };
        const auto titles = [](QMenu* m) {
            QStringList out;
            for (QAction* action : m->actions())
                if (!action->isSeparator())
                    out << action->text();
            return out;
        };
        QMenu* groups = submenu("Device group");
        QVERIFY(groups);
        // Berlin's own group and the organisation-wide one; not Paris's, not another organisation's.
        QCOMPARE(titles(groups), QStringList({"No group", "Desks", "Servers"}));
        QMenu* tags = submenu("Tags");
        QVERIFY(tags);
        QMenu* remove = nullptr;
        for (QAction* action : tags->actions())
            if (action->menu())
                remove = action->menu();
        QVERIFY(remove);
        // Once each, whatever the case; '&' shown as typed, not taken for a shortcut marker.
        QCOMPARE(titles(remove), QStringList({"Prod", "R&&D", "web"}));
        QSignalSpy changes(&menu, &DeviceBulkMenu::changeRequested);
        groups->actions()[2 + 1]->trigger(); // "Servers" (after "No group" and the separator)
        QCOMPARE(changes.count(), 1);
        QCOMPARE(changes.at(0).at(0).toStringList(), QStringList({"a", "b"}));
        QCOMPARE(changes.at(0).at(1).toJsonObject().value("group_id").toString(), QString("g-servers"));
        remove->actions()[1]->trigger();
        QCOMPARE(changes.at(1).at(1).toJsonObject().value("remove_tags").toArray(), QJsonArray{"R&D"});
        QMenu* sites = submenu("Move to site");
        QCOMPARE(titles(sites), QStringList({"Berlin — Contoso", "Paris — Contoso", "Oslo — Fabrikam"}));
    }

    void dashboardCountsAndRecentlyOfflineFollowLive() {
        DeviceTableModel devices;
        DeviceFilterModel scope(devices);
        DashboardView dashboard(devices, scope);
        Device quiet = make("2", "db-01", "offline", "Rocky Linux 9");
        quiet.lastSeen = QDateTime::currentDateTimeUtc().addSecs(-600);
        devices.setDevices({make("1", "web-01", "online", "Debian GNU/Linux 12"), quiet,
                            make("3", "web-02", "online", "Debian GNU/Linux 12")});
        const auto numbers = [&] { return tiles(dashboard); };
        QCOMPARE(numbers(), QStringList({"2", "1", "3"})); // online, offline, devices: at once after a load
        auto* recent = dashboard.findChild<QTableWidget*>();
        QCOMPARE(recent->rowCount(), 1);
        QCOMPARE(recent->item(0, 0)->text(), QString("db-01"));
        devices.applyEvent({{"kind", "offline"},
                            {"device_id", "3"},
                            {"at", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}});
        QTRY_COMPARE_WITH_TIMEOUT(numbers(), QStringList({"1", "2", "3"}), 3000);
        QCOMPARE(recent->rowCount(), 2);
        QCOMPARE(recent->item(0, 0)->text(), QString("web-02")); // the most recent first
        QVERIFY(!dashboard.grab().isNull());
    }

    void aRevokedDeviceIsNotCountedAsOffline() {
        DeviceTableModel devices;
        DeviceFilterModel scope(devices);
        DashboardView dashboard(devices, scope);
        Device revoked = make("2", "old-01", "offline", "Debian GNU/Linux 12");
        revoked.revoked = true;
        Device quiet = make("3", "db-01", "offline", "Rocky Linux 9");
        quiet.lastSeen = QDateTime::currentDateTimeUtc().addSecs(-600);
        devices.setDevices({make("1", "web-01", "online", "Debian GNU/Linux 12"), revoked, quiet});
        const QStringList numbers = tiles(dashboard);
        QCOMPARE(numbers, QStringList({"1", "1", "3"})); // online, offline, devices
        // Systems are named whole in the legend, as text: an agent's "<b>" stays literal.
        devices.upsert(make("4", "odd-01", "online", "<b>Bold</b> OS %1"));
        dashboard.refresh();
        QStringList legend;
        for (int row = 0; row < dashboard.systemsLegend()->count(); ++row)
            legend << dashboard.systemsLegend()->item(row)->text();
        QVERIFY2(legend.contains("<b>Bold</b> OS %1 (1)"), qPrintable(legend.join(" | ")));
        auto* recent = dashboard.findChild<QTableWidget*>();
        QCOMPARE(recent->rowCount(), 1);
        QCOMPARE(recent->item(0, 0)->text(), QString("db-01"));
    }

    // Each tab of a device window says what it asked the device and how it went; nothing leaks into another.
    void deviceTabsKeepTheirOwnStatus() {
        // Nothing answers, at once: a closed port on loopback (a name that does not resolve waits for the
        // resolver, several seconds on a busy machine).
        ConsoleConnection connection(QUrl("https://127.0.0.1:1"), {});
        DeviceView view(connection, "00000000-0000-4000-8000-000000000001");
        view.show();
        auto* services = view.findChild<DeviceServicesTab*>();
        auto* processes = view.findChild<DeviceProcessesTab*>();
        QVERIFY(services && processes);
        view.showTab("Services");
        QPushButton* start = nullptr;
        for (auto* button : services->findChildren<QPushButton*>())
            if (button->text() == "Start")
                start = button;
        QVERIFY(start && !start->isEnabled()); // nothing selected: nothing to start
        services->setServices({QJsonObject{{"name", "ssh.service"}, {"state", "active"}}}, true);
        services->findChild<QTableView*>()->selectRow(0);
        QVERIFY(start->isEnabled());
        start->click();
        QTRY_VERIFY_WITH_TIMEOUT(services->status().startsWith("Not sent"), 5000); // nothing answers here
        const QString serviceNews = services->status();
        QCOMPARE(processes->status(), QString());
        view.showTab("Processes"); // asks the device for its processes
        QTRY_VERIFY_WITH_TIMEOUT(!processes->status().isEmpty(), 5000);
        QVERIFY(!processes->status().contains("service"));
        QCOMPARE(services->status(), serviceNews);
        // A device without systemd: the tab says so rather than showing every state as unknown.
        services->setServices({QJsonObject{{"name", "ssh.service"}, {"enabled", "enabled"}}}, false);
        QVERIFY(services->note().startsWith("systemd is not running on this device"));
        services->setServices({QJsonObject{{"name", "ssh.service"}, {"state", "active"}}}, true);
        QCOMPARE(services->note(), QString());
    }

    // The command history shows the newest first and opens on it.
    void theCommandHistoryOpensOnTheNewest() {
        ConsoleConnection connection(QUrl("https://console.invalid:1"), {}); // nothing is asked of it
        DeviceCommandsTab tab(connection.api());
        tab.setCommands(
            {QJsonObject{{"type", "ping"}, {"status", "completed"}, {"created_at", "2026-12-07T09:00:00Z"}},
             QJsonObject{{"type", "reboot"}, {"status", "pending"}, {"created_at", "2026-12-07T10:00:00Z"}}});
        auto* output = tab.findChild<QPlainTextEdit*>();
        QVERIFY(output);
        QVERIFY2(output->toPlainText().startsWith("reboot — pending"), qPrintable(output->toPlainText()));
    }

    // Destructive questions name what they act on and leave the focus on the safe answer.
    void destructiveDialogsNameTheirTargetsAndDefaultToNo() {
        QString label;
        bool defaultIsNo = false;
        QTimer::singleShot(0, [&] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            QVERIFY(box);
            defaultIsNo = box->defaultButton() == box->button(QMessageBox::No);
            box->button(QMessageBox::No)->click();
        });
        QVERIFY(!Confirmation::ask(nullptr, "Delete", "Delete the group \"Kiosks\"?"));
        QVERIFY(defaultIsNo);

        ConsoleConnection connection(QUrl("https://console.invalid:1"), {});
        connection.devices().setDevices(
            {make("a", "<b>web-01</b>", "online", "Debian"), make("b", "db-01", "online", "Debian")});
        DeviceBulkMenu menu(connection, {"a", "b"}, nullptr);
        bool cancelIsDefault = false;
        QTimer watcher; // the question runs its own loop: answered from a timer once it is open
        watcher.setInterval(20);
        QElapsedTimer waited;
        waited.start();
        connect(&watcher, &QTimer::timeout, this, [&] {
            auto* ask = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
            auto* buttons = ask ? ask->findChild<QDialogButtonBox*>() : nullptr;
            // Not open yet (its buttons come as it opens); after 5 s it is answered as it stands.
            if (!buttons ||
                (!buttons->button(QDialogButtonBox::Cancel)->isDefault() && waited.elapsed() < 5000))
                return;
            label = ask->labelText();
            for (auto* text : ask->findChildren<QLabel*>())
                QCOMPARE(text->textFormat(), Qt::PlainText);
            // Enter cancels: Cancel is the default, OK is pressed on purpose.
            cancelIsDefault = buttons->button(QDialogButtonBox::Cancel)->isDefault() &&
                              !buttons->button(QDialogButtonBox::Ok)->isDefault();
            ask->reject();
        });
        watcher.start();
        for (QAction* action : menu.actions())
            if (action->text() == "Restart…")
                action->trigger();
        QCOMPARE(label, QString("Restart <b>web-01</b>, db-01 in how many minutes? (users are warned)"));
        QVERIFY(cancelIsDefault);
    }

    // An empty device list says why.
    void anEmptyDeviceListSaysWhy() {
        ConsoleConnection connection(QUrl("https://console.invalid:1"), {});
        MainWindow window(connection);
        connection.devices().setDevices({make("1", "web-01", "online", "Debian GNU/Linux 12")});
        const auto explanation = [&] {
            for (auto* message : window.findChildren<InlineMessage*>())
                if (message->message().startsWith("No devices"))
                    return message->message();
            return QString();
        };
        QCOMPARE(explanation(), QString());
        window.setSearch("<i>nowhere</i>");
        QCOMPARE(window.deviceTable()->model()->rowCount(), 0);
        QCOMPARE(explanation(), QString("No devices match \"<i>nowhere</i>\"."));
        window.setSearch("");
        QCOMPARE(explanation(), QString());
    }

    // Ctrl+1…5 follow the order of the tabs; a device window closes on Ctrl+W and Esc.
    void keyboardPathsFollowTheTabsAndCloseChildWindows() {
        ConsoleConnection connection(QUrl("https://console.invalid:1"), {});
        MainWindow window(connection);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        QTRY_VERIFY(window.scriptsView()->isVisible());
        QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
        QTRY_VERIFY(window.patchesView()->isVisible());
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
        QTRY_VERIFY(window.deviceTable()->isVisible());
        for (const auto key : {Qt::Key_W, Qt::Key_Escape}) {
            DeviceView device(connection, "00000000-0000-4000-8000-000000000001");
            device.show();
            QVERIFY(QTest::qWaitForWindowExposed(&device));
            QTest::keyClick(&device, key, key == Qt::Key_W ? Qt::ControlModifier : Qt::NoModifier);
            QTRY_VERIFY(!device.isVisible());
        }
    }

    // Down from the search into the list, Shift+F10 and the Menu key for the context menu, Ctrl+K from a
    // device's window.
    void keyboardReachesResultsMenusAndThePalette() {
        ConsoleConnection connection(QUrl("https://console.invalid:1"), {});
        MainWindow window(connection);
        connection.devices().setDevices({make("1", "web-01", "online", "Debian GNU/Linux 12"),
                                         make("2", "db-01", "offline", "Rocky Linux 9")});
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QLineEdit* search = window.searchField();
        search->setFocus();
        QTest::keyClick(search, Qt::Key_Down);
        QTRY_VERIFY(window.deviceTable()->hasFocus());
        QCOMPARE(window.deviceTable()->currentIndex().row(), 0);
        window.deviceTable()->selectRow(0);
        // Shift+F10 as a key; the Menu key as the window system delivers it, a keyboard context-menu request.
        const std::function<void()> presses[] = {
            [&] { QTest::keyClick(window.deviceTable(), Qt::Key_F10, Qt::ShiftModifier); },
            [&] {
                QContextMenuEvent menuKey(QContextMenuEvent::Keyboard, QPoint(1, 1), QPoint(1, 1));
                QApplication::sendEvent(window.deviceTable()->viewport(), &menuKey);
            }};
        for (const auto& press : presses) {
            QString opened;
            QTimer closer; // the menu runs its own loop: closed from a timer once it shows
            closer.setInterval(20);
            connect(&closer, &QTimer::timeout, this, [&opened] {
                if (auto* menu = qobject_cast<DeviceBulkMenu*>(QApplication::activePopupWidget())) {
                    opened = menu->actions().first()->text();
                    menu->close();
                }
            });
            closer.start();
            press();
            QTRY_COMPARE(opened, QString("1 device"));
        }
        DeviceView device(connection, "1");
        device.show();
        QVERIFY(QTest::qWaitForWindowExposed(&device));
        device.activateWindow();
        QTest::keyClick(&device, Qt::Key_K, Qt::ControlModifier);
        auto* palette = window.findChild<CommandPalette*>();
        QTRY_VERIFY(palette->isVisible());
        palette->close();
    }

    // Both metrics charts span the chosen range up to now, say a point's value on hover, and take the dark
    // look with the dark theme (so do the dashboard's and the compliance chart, through the same helper).
    void metricsChartsShareTheirRangeAndFollowTheTheme() {
        DeviceMetricsTab tab;
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        MetricSeries series;
        series.range = "24h";
        const double now = static_cast<double>(QDateTime::currentMSecsSinceEpoch());
        series.cpu = {{now - 3600e3, 20}, {now - 60e3, 30}};
        series.memory = series.cpu;
        series.disk = series.cpu;
        series.received = {{now - 7200e3, 4}};
        series.sent = series.received;
        tab.showSeries(series);
        const auto [from, to] = tab.shownRange();
        QVERIFY(qAbs(from.secsTo(to) - 86400) <= 1);
        QVERIFY(qAbs(to.secsTo(QDateTime::currentDateTime())) <= 5);
        const auto views = tab.findChildren<QChartView*>();
        QCOMPARE(views.size(), 2);
        const auto* network = qobject_cast<QDateTimeAxis*>(views[1]->chart()->axes(Qt::Horizontal).first());
        QCOMPARE(network->min(), from); // the network chart over the same span
        QCOMPARE(network->max(), to);
        QVERIFY(
            DeviceMetricsTab::valueText("CPU %", QPointF(now, 23.44), "%").startsWith("CPU %: 23.4 % at "));
        Theme::apply("dark", false);
        tab.showSeries(series);
        QCOMPARE(tab.findChildren<QChartView*>()[0]->chart()->theme(), QChart::ChartThemeDark);
        Theme::apply("light", false);
        QTRY_COMPARE(tab.findChildren<QChartView*>()[0]->chart()->theme(), QChart::ChartThemeLight);
        Theme::apply("system", false); // the tests after this one see the console as it starts
    }

    // Every view, and a device's window, fits a 1280×720 screen.
    void everyViewFitsA1280By720Screen() {
        ConsoleConnection connection(QUrl("https://console.invalid:1"), {});
        MainWindow window(connection);
        window.show();
        for (const QString view : {"dashboard", "devices", "scripts", "patches", "administration"}) {
            window.showView(view);
            const QSize least = window.minimumSizeHint().expandedTo(window.minimumSize());
            QVERIFY2(least.width() <= 1280 && least.height() <= 720,
                     qPrintable(QString("%1 needs %2x%3").arg(view).arg(least.width()).arg(least.height())));
        }
        DeviceView device(connection, "00000000-0000-4000-8000-000000000001");
        const QSize least = device.minimumSizeHint();
        QVERIFY2(least.width() <= 1280 && least.height() <= 720,
                 qPrintable(QString("the device window needs %1x%2").arg(least.width()).arg(least.height())));
    }

    void scriptEditorHighlightsFindsAndReplaces() {
        ScriptEditor editor;
        editor.setLanguage("python");
        QCOMPARE(QString(editor.scintilla()->lexer()->language()), QString("Python"));
        editor.setLanguage("powershell");
        QCOMPARE(QString(editor.scintilla()->lexer()->language()), QString("PowerShell"));
        editor.setLanguage("sh");
        QCOMPARE(QString(editor.scintilla()->lexer()->language()), QString("Bash"));
        editor.setText("echo old\necho OLD\necho older\n");
        QVERIFY(!editor.isModified());
        QVERIFY(editor.findNext("older"));
        QCOMPARE(editor.scintilla()->selectedText(), QString("older"));
        QVERIFY(!editor.findNext("absent"));
        // Replace all: every match once, case-insensitive unless asked, as one undo step.
        QCOMPARE(editor.replaceAll("old", "new"), 3);
        QCOMPARE(editor.text(), QString("echo new\necho new\necho newer\n"));
        QVERIFY(editor.isModified());
        editor.scintilla()->undo();
        QCOMPARE(editor.text(), QString("echo old\necho OLD\necho older\n"));
        editor.scintilla()->setCursorPosition(0, 0);
        QCOMPARE(editor.replaceNext("OLD", "x"), 0); // the first press finds
        QCOMPARE(editor.replaceNext("OLD", "x"), 1); // the second replaces
        QCOMPARE(editor.text(), QString("echo x\necho OLD\necho older\n"));
        QVERIFY(!editor.grab().isNull());
    }

    void powerShellLexerColoursTheParts() {
        ScriptEditor editor;
        editor.setLanguage("powershell");
        editor.setText("# note\n$name = 'x'\nif ($true) { Get-Item }\n");
        editor.resize(400, 200);
        editor.show();
        auto* sci = editor.scintilla();
        const auto styleAt = [sci](int line, int index) {
            const int position = sci->positionFromLineIndex(line, index);
            return static_cast<int>(sci->SendScintilla(QsciScintillaBase::SCI_GETSTYLEAT, position));
        };
        QTRY_COMPARE_WITH_TIMEOUT(styleAt(0, 2), int(PowerShellLexer::Comment), 3000);
        QCOMPARE(styleAt(1, 1), int(PowerShellLexer::Variable));
        QCOMPARE(styleAt(1, 9), int(PowerShellLexer::String));
        QCOMPARE(styleAt(2, 0), int(PowerShellLexer::Keyword));
        QCOMPARE(styleAt(2, 14), int(PowerShellLexer::Cmdlet));
    }
};

QTEST_MAIN(TestConsoleWidgets)
#include "TestConsoleWidgets.moc"
