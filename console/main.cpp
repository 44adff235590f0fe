// breeze-console: the technician console.
//   breeze-console [--server URL] [--ca FILE]        sign in with a dialog; an unknown server's CA is shown
//   for trust breeze-console --dev-stack .breeze/stack.json    sign in to the dev stack without questions
//   ... [--search TEXT] [--view devices --screenshot FILE]   render a view once its data has loaded, save a
//   PNG, exit
#include "ConsoleConnection.h"
#include "DeviceDetails.h"
#include "ServerTrust.h"
#include "crypto/Totp.h"
#include "devices/DeviceView.h"
#include "encoding/Base32.h"
#include "shell/MainWindow.h"
#include "shell/SignInFlow.h"
#include "shell/Theme.h"
#include "shell/Workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSslCertificate>
#include <QStatusBar>
#include <QTimer>
#include <ctime>
#include <iostream>
#include <memory>

using namespace breeze::console;

namespace {
QList<QSslCertificate> loadCa(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QSslCertificate::fromData(file.readAll(), QSsl::Pem);
}

// The code `ahead` steps after the current one (the server accepts one step of drift, never a code twice).
QString totpCode(const QString& base32Secret, int ahead) {
    const auto secret = breeze::encoding::base32Decode(base32Secret.toStdString());
    if (!secret)
        return {};
    return QString::fromStdString(
        breeze::crypto::Totp::codeForStep(*secret, breeze::crypto::Totp::stepAt(std::time(nullptr)) + ahead));
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Breeze");
    QApplication::setApplicationName("breeze-console");
    QApplication::setApplicationVersion(BREEZE_CONSOLE_VERSION);
    QCommandLineParser parser;
    parser.setApplicationDescription("The Breeze technician console.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({"server", "Server URL (https://host:port).", "url"});
    parser.addOption({"ca", "The server's CA certificate (PEM) to trust.", "file"});
    parser.addOption({"dev-stack", "Sign in to the dev stack described by this stack.json.", "file"});
    parser.addOption({"view",
                      "The view to show: dashboard, devices, scripts, patches, administration, or device:ID.",
                      "name", "devices"});
    parser.addOption(
        {"tab", "With --view device:ID, the tab to show (overview, software, metrics, …).", "name"});
    parser.addOption({"search", "Start with this search.", "text"});
    parser.addOption(
        {"screenshot", "Render the view once its data has loaded, save it as PNG and exit.", "file"});
    parser.addOption({"theme", "system, light or dark (remembered).", "name"});
    parser.process(app);
    if (parser.isSet("theme"))
        Theme::apply(parser.value("theme"));
    else
        Theme::restore();

    QSettings settings;
    QString server = parser.value("server");
    QString caFile = parser.value("ca");
    QString email;
    QString password;
    QString totpSecret;
    if (parser.isSet("dev-stack")) {
        QFile file(parser.value("dev-stack"));
        if (!file.open(QIODevice::ReadOnly)) {
            std::cerr << "breeze-console: cannot read " << file.fileName().toStdString() << "\n";
            return 2;
        }
        const QJsonObject stack = QJsonDocument::fromJson(file.readAll()).object();
        server = stack.value("server_url").toString();
        caFile = stack.value("ca_cert").toString();
        email = stack.value("admin_email").toString();
        password = stack.value("admin_password").toString();
        totpSecret = stack.value("admin_totp_secret").toString();
    }
    if (server.isEmpty())
        server = settings.value("last/server").toString();
    if (email.isEmpty())
        email = settings.value("last/email").toString();
    const bool screenshot = parser.isSet("screenshot");
    QList<QSslCertificate> givenCas;
    if (!caFile.isEmpty()) {
        givenCas = loadCa(caFile);
        if (givenCas.isEmpty()) {
            std::cerr << "breeze-console: no CA certificate in " << caFile.toStdString() << "\n";
            return 2;
        }
    }

    Workspace workspace;
    bool retriedTotp = false;
    const auto prepare = [&](MainWindow& window, ConsoleConnection& connection) {
        if (parser.isSet("search"))
            window.setSearch(parser.value("search"));
        QObject::connect(&connection.session(), &SignInSession::failed, &app,
                         [&](const QString& code, const QString& message) {
                             // The dev stack signs in with computed codes; a code a run used moments ago is
                             // refused, so the next step's code is tried once (runs in quick succession, such
                             // as screenshots for the docs).
                             if (!totpSecret.isEmpty() && code == "invalid_totp" && !retriedTotp) {
                                 retriedTotp = true;
                                 connection.session().signIn(email, password, totpCode(totpSecret, 1));
                                 return;
                             }
                             if (screenshot || !totpSecret.isEmpty()) {
                                 std::cerr << "breeze-console: sign-in refused: " << message.toStdString()
                                           << "\n";
                                 QApplication::exit(1);
                             }
                         });
        if (!screenshot)
            return;
        const QString view = parser.value("view");
        if (view.startsWith("device:")) {
            // The device's own window, once every part of it has loaded.
            QObject::connect(
                &connection.session(), &SignInSession::signedInChanged, &window, [&window, &parser, view] {
                    DeviceView* device = window.openDevice(view.mid(7));
                    if (!device) {
                        std::cerr << "breeze-console: --view device:ID needs a device id\n";
                        QApplication::exit(2);
                        return;
                    }
                    const QString tab = parser.value("tab");
                    QObject::connect(
                        &device->details(), &DeviceDetails::allLoaded, device, [device, &parser, tab] {
                            if (!tab.isEmpty())
                                device->showTab(tab);
                            QTimer::singleShot(300, device, [device, &parser] {
                                const bool saved = device->grab().save(parser.value("screenshot"), "PNG");
                                QApplication::exit(saved ? 0 : 1);
                            });
                        });
                });
            QTimer::singleShot(30000, &app, [] {
                std::cerr << "breeze-console: the view did not load within 30 s\n";
                QApplication::exit(1);
            });
            return;
        }
        window.showView(view);
        // Once the devices are in and the live channel is up, draw the window and save it.
        auto save = [&window, &parser] {
            window.resize(1100, 650);
            const bool saved = window.grab().save(parser.value("screenshot"), "PNG");
            if (!saved)
                std::cerr << "breeze-console: cannot write " << parser.value("screenshot").toStdString()
                          << "\n";
            QApplication::exit(saved ? 0 : 1);
        };
        QObject::connect(&connection.directory(), &DeviceDirectory::loaded, &app, [&connection, save] {
            if (connection.live().state() == LiveChannel::State::Connected)
                QTimer::singleShot(200, save);
            else
                QObject::connect(&connection.live(), &LiveChannel::stateChanged, &connection,
                                 [save](LiveChannel::State state) {
                                     if (state == LiveChannel::State::Connected)
                                         QTimer::singleShot(200, save);
                                 });
        });
        QTimer::singleShot(30000, &app, [] {
            std::cerr << "breeze-console: the view did not load within 30 s\n";
            QApplication::exit(1);
        });
    };

    if (!totpSecret.isEmpty()) {
        // The dev stack: its CA, its admin, no questions.
        workspace.open(QUrl(server), givenCas, email, false);
        prepare(*workspace.window(), *workspace.connection());
        if (!screenshot)
            workspace.window()->show();
        workspace.connection()->session().signIn(email, password, totpCode(totpSecret, 0));
        return QApplication::exec();
    }

    SignInFlow flow(givenCas);
    QObject::connect(&flow, &SignInFlow::workspaceOpened, &app,
                     [&](MainWindow& window, ConsoleConnection& connection) { prepare(window, connection); });
    QObject::connect(&flow, &SignInFlow::signedIn, &app, [&](const QUrl& url, const QString& who) {
        settings.setValue("last/server", url.toString());
        settings.setValue("last/email", who);
    });
    QObject::connect(&flow, &SignInFlow::abandoned, &app, [] { QApplication::exit(0); });
    // Back where we left off: a refresh token in the keychain signs in without the dialog.
    flow.start(QUrl(server), email);
    return QApplication::exec();
}
