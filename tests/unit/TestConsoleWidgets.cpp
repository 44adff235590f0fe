// The console's main window, offscreen: the search box filters the device table, counts follow the model, and
// hostile text from agents stays text.
#include "ConsoleConnection.h"
#include "MainWindow.h"

#include <QLabel>
#include <QStatusBar>
#include <QTableView>
#include <QtTest>

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
} // namespace

class TestConsoleWidgets final : public QObject {
    Q_OBJECT

private Q_SLOTS:
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
};

QTEST_MAIN(TestConsoleWidgets)
#include "TestConsoleWidgets.moc"
