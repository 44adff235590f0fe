// The administration forms, offscreen, against a real server: records are created and edited through the
// forms a technician clicks, a refusal is shown in the form with everything typed kept, a new API key is
// shown once, and a deletion asks first.
#include "ApiClient.h"
#include "ConsoleFixture.h"
#include "SignInSession.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "administration/AdministrationView.h"
#include "administration/EnrollmentKeyDialog.h"
#include "widgets/RecordForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

class TestConsoleAdministration final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<net::RestClient> m_admin;
    std::unique_ptr<ApiClient> m_api;
    std::unique_ptr<AdministrationView> m_view;

    void showTab(const QString& title) {
        auto* tabs = m_view->findChild<QTabWidget*>();
        for (int i = 0; i < tabs->count(); ++i)
            if (tabs->tabText(i) == title)
                tabs->setCurrentIndex(i);
        QCOMPARE(tabs->tabText(tabs->currentIndex()), title);
    }

    QWidget* currentPage() { return m_view->findChild<QTabWidget*>()->currentWidget(); }

    void click(const QString& label) {
        for (auto* button : currentPage()->findChildren<QPushButton*>())
            if (button->text() == label) {
                QTest::mouseClick(button, Qt::LeftButton);
                return;
            }
        QFAIL(qPrintable("no button " + label));
    }

    RecordForm* openForm() {
        RecordForm* form = nullptr;
        (void)QTest::qWaitFor(
            [&] {
                form = m_view->findChild<RecordForm*>();
                return form && form->isVisible();
            },
            5000);
        return form;
    }

    QStringList column(int column) {
        auto* table = currentPage()->findChild<QTableView*>();
        QStringList values;
        for (int row = 0; row < table->model()->rowCount(); ++row)
            values << table->model()->index(row, column).data().toString();
        return values;
    }

    void selectRow(const QString& firstColumn) {
        auto* table = currentPage()->findChild<QTableView*>();
        for (int row = 0; row < table->model()->rowCount(); ++row)
            if (table->model()->index(row, 0).data().toString() == firstColumn)
                table->setCurrentIndex(table->model()->index(row, 0));
    }

    // Modal dialogs run their own loop: handled from a timer.
    void whenModal(const std::function<bool(QWidget*)>& handle) {
        auto* timer = new QTimer(this);
        timer->setInterval(50);
        connect(timer, &QTimer::timeout, this, [timer, handle] {
            if (QWidget* modal = QApplication::activeModalWidget(); modal && handle(modal))
                timer->deleteLater();
        });
        timer->start();
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<test::TestServer>(*m_postgres, "console_admin");
        const auto credentials = m_server->bootstrap("admin@forms.test", "Forms MSP", false);
        m_admin = m_server->signIn(credentials.email, credentials.password, credentials.totpSecret);
        m_api = test::consoleApi(*m_server);
        SignInSession session(*m_api);
        QVERIFY(test::signIn(session, credentials));
        m_view = std::make_unique<AdministrationView>(*m_api);
        m_view->resize(1000, 600);
        m_view->show();
        m_view->loadCurrent();
    }

    void organisationsAreCreatedAndEditedInForms() {
        showTab("Organisations");
        click("New…");
        RecordForm* form = openForm();
        QVERIFY(form);
        QTest::keyClicks(form->findChild<QLineEdit*>(), "Contoso");
        form->findChild<QCheckBox*>()->setChecked(true);
        QCOMPARE(form->body(), (QJsonObject{{"name", "Contoso"}, {"require_device_approval", true}}));
        const QPointer<RecordForm> created = form;
        form->submit();
        QTRY_VERIFY_WITH_TIMEOUT(column(0).contains("Contoso"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!created || !created->isVisible(), 5000); // saved: the form closes

        // The same name again: refused in the form, in words, with what was typed still there.
        click("New…");
        RecordForm* again = openForm();
        QTest::keyClicks(again->findChild<QLineEdit*>(), "Contoso");
        again->submit();
        QTRY_VERIFY_WITH_TIMEOUT(!again->problem().isEmpty(), 10000);
        QVERIFY2(again->problem().contains("Contoso"), qPrintable(again->problem()));
        QCOMPARE(again->findChild<QLineEdit*>()->text(), QString("Contoso"));
        again->reject();

        // Editing sends only what changed.
        selectRow("Contoso");
        click("Edit…");
        RecordForm* edit = openForm();
        QVERIFY(edit);
        auto* name = edit->findChild<QLineEdit*>();
        QCOMPARE(name->text(), QString("Contoso"));
        name->setText("Contoso Ltd");
        QCOMPARE(edit->body(), (QJsonObject{{"name", "Contoso Ltd"}}));
        edit->submit();
        QTRY_VERIFY_WITH_TIMEOUT(column(0).contains("Contoso Ltd"), 10000);
        const auto orgs = m_admin->get("/api/v1/orgs?name=Contoso").body["items"];
        QCOMPARE(orgs.size(), std::size_t(1));
        QCOMPARE(orgs[0]["require_device_approval"], true);
    }

    void sitesAndGroupsComeFromTheirForms() {
        showTab("Sites");
        click("New…");
        RecordForm* form = openForm();
        auto* org = form->findChild<QComboBox*>();
        QTRY_VERIFY_WITH_TIMEOUT(org->findText("Contoso Ltd") >= 0, 10000);
        org->setCurrentIndex(org->findText("Contoso Ltd"));
        const auto texts = form->findChildren<QLineEdit*>();
        QTest::keyClicks(texts[0], "Berlin");
        QTest::keyClicks(texts[1], "Europe/Berlin");
        form->submit();
        QTRY_VERIFY_WITH_TIMEOUT(column(0).contains("Berlin"), 10000);

        showTab("Device groups");
        click("New…");
        RecordForm* group = openForm();
        const auto combos = group->findChildren<QComboBox*>();
        QCOMPARE(combos.size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(combos[1]->findText("Berlin") >= 0, 10000);
        combos[0]->setCurrentIndex(combos[0]->findText("Contoso Ltd"));
        combos[1]->setCurrentIndex(combos[1]->findText("Berlin"));
        QTest::keyClicks(group->findChild<QLineEdit*>(), "Kiosks");
        group->submit();
        QTRY_VERIFY_WITH_TIMEOUT(column(0).contains("Kiosks"), 10000);
        // Deleting asks first; "No" keeps it.
        selectRow("Kiosks");
        whenModal([](QWidget* modal) {
            auto* box = qobject_cast<QMessageBox*>(modal);
            if (!box)
                return false;
            box->button(QMessageBox::No)->click();
            return true;
        });
        click("Delete…");
        QTest::qWait(300);
        QVERIFY(column(0).contains("Kiosks"));
    }

    // Lists name the organisation and site a record belongs to, never their ids.
    void sitesAndGroupsNameTheirOrganisationAndSite() {
        showTab("Sites");
        click("Refresh");
        QTRY_VERIFY_WITH_TIMEOUT(column(0).contains("Berlin"), 10000);
        QCOMPARE(column(2).at(column(0).indexOf("Berlin")), QString("Contoso Ltd"));
        showTab("Device groups");
        click("Refresh");
        QTRY_VERIFY_WITH_TIMEOUT(column(0).contains("Kiosks"), 10000);
        const int row = static_cast<int>(column(0).indexOf("Kiosks"));
        QCOMPARE(column(1).at(row), QString("Berlin"));
        QCOMPARE(column(2).at(row), QString("Contoso Ltd"));
    }

    // The install command stays open beside the console (not modal), with Copy and Close.
    void theInstallCommandStaysBesideTheConsole() {
        showTab("Enrollment keys");
        whenModal([](QWidget* modal) {
            auto* dialog = qobject_cast<EnrollmentKeyDialog*>(modal);
            auto* site = dialog ? dialog->findChild<QComboBox*>() : nullptr;
            if (!site || site->count() == 0)
                return false;
            dialog->findChild<QLineEdit*>()->setText("Lab machines");
            dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
            return true;
        });
        click("New enrollment key…");
        QDialog* shown = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (auto* dialog : m_view->findChildren<QDialog*>())
                    if (dialog->isVisible() && dialog->windowTitle() == "Install command")
                        shown = dialog;
                return shown != nullptr;
            }(),
            10000);
        QVERIFY(!shown->isModal());
        QVERIFY(QApplication::activeModalWidget() != shown);
        QVERIFY(shown->findChild<QPlainTextEdit*>()->toPlainText().contains("enr_"));
        QPushButton* close = shown->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Close);
        QVERIFY(close);
        QPointer<QDialog> gone(shown);
        close->click();
        QTRY_VERIFY(gone.isNull()); // closed and deleted
        QTRY_VERIFY_WITH_TIMEOUT(column(0).contains("Lab machines"), 10000);
    }

    void aNewApiKeyIsShownOnce() {
        showTab("API keys");
        click("New…");
        RecordForm* form = openForm();
        const auto combos = form->findChildren<QComboBox*>();
        QTRY_VERIFY_WITH_TIMEOUT(combos[0]->count() > 0 && combos[1]->findText("read-only") >= 0, 10000);
        combos[1]->setCurrentIndex(combos[1]->findText("read-only"));
        QTest::keyClicks(form->findChild<QLineEdit*>(), "monitoring");
        QString shown;
        whenModal([&shown](QWidget* modal) {
            auto* text = modal->findChild<QPlainTextEdit*>();
            if (!text)
                return false;
            shown = text->toPlainText();
            static_cast<QDialog*>(modal)->accept();
            return true;
        });
        form->submit();
        QTRY_VERIFY_WITH_TIMEOUT(shown.startsWith("brz_"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(column(0).contains("monitoring"), 10000);
        // The list never shows the secret again: only its prefix.
        QVERIFY(!column(1).contains(shown));
    }
};

QTEST_MAIN(TestConsoleAdministration)
#include "TestConsoleAdministration.moc"
