// breeze-console: the technician console.
//   breeze-console [--server URL] [--ca FILE]        sign in with a dialog; an unknown server's CA is shown
//   for trust breeze-console --dev-stack .breeze/stack.json    sign in to the dev stack without questions
//   ... [--search TEXT] [--theme dark] [--view patches --tab compliance --size 1920x1080 --screenshot FILE]
//   render a view once its data has loaded, save a PNG, exit
#include "ConsoleConnection.h"
#include "ServerTrust.h"
#include "crypto/Totp.h"
#include "encoding/Base32.h"
#include "shell/MainWindow.h"
#include "shell/ScreenshotTaker.h"
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
#include <ctime>
#include <iostream>
#include <memory>
#include <utility>

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
                      "The view to show: dashboard, devices, scripts, patches, administration, device:ID, "
                      "files:ID or desktop:ID.",
                      "name", "devices"});
    parser.addOption({"tab",
                      "The tab of the view to show: a device window's (overview, software, metrics, …), "
                      "Administration's (sites, audit log, …), Scripts' (executions, schedules) or Patches' "
                      "(deployments, compliance, policies).",
                      "name"});
    parser.addOption({"size", "With --screenshot, the window's size.", "WIDTHxHEIGHT", "1280x720"});
    parser.addOption({"search", "Start with this search.", "text"});
    parser.addOption(
        {"screenshot", "Render the view once its data has loaded, save it as PNG and exit.", "file"});
    parser.addOption({"theme", "system, light or dark (remembered).", "name"});
    parser.addOption(
        {"screenshots",
         "Render the documentation's set of screenshots (every view, 1280x720 and 1920x1080, light "
         "and dark) into this folder and exit.",
         "folder"});
    parser.addOption({"device", "With --screenshots, the device whose window to show.", "id"});
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
    const bool screenshot = parser.isSet("screenshot") || parser.isSet("screenshots");
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
    bool refused = false; // the command line asked for what cannot be
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
        if (!screenshot) {
            // Terminals left open when the console last quit are taken up again once signed in.
            QObject::connect(&connection.session(), &SignInSession::signedInChanged, &window,
                             [&window, restored = false](bool signedIn) mutable {
                                 if (signedIn && !std::exchange(restored, true))
                                     window.restoreTerminals();
                             });
            return;
        }
        const QStringList size = parser.value("size").split('x');
        const ScreenshotTaker::Request request{parser.value("view"),
                                               parser.value("tab"),
                                               QSize(size.value(0).toInt(), size.value(1).toInt()),
                                               parser.value("screenshot"),
                                               {}};
        if (request.size.width() < 320 || request.size.height() < 240) {
            std::cerr << "breeze-console: --size must be WIDTHxHEIGHT, such as 1280x720\n";
            refused = true;
            QApplication::exit(2);
            return;
        }
        const QList<ScreenshotTaker::Request> requests =
            parser.isSet("screenshots")
                ? ScreenshotTaker::documentationSet(parser.value("screenshots"), parser.value("device"))
                : QList<ScreenshotTaker::Request>{request};
        // A tab that does not exist is said at once, before signing in (a device window's tabs are checked
        // when it opens).
        for (const auto& each : requests)
            if (!each.view.startsWith("device:") && !each.tab.isEmpty()) {
                window.showView(each.view);
                if (!ScreenshotTaker::selectTab(&window, each.tab)) {
                    std::cerr << "breeze-console: no tab called " << each.tab.toStdString() << "\n";
                    refused = true;
                    QApplication::exit(2);
                    return;
                }
            }
        auto* taker = new ScreenshotTaker(window, connection, requests, &window);
        QObject::connect(&connection.session(), &SignInSession::signedInChanged, taker,
                         [taker](bool signedIn) {
                             if (signedIn)
                                 taker->start();
                         });
    };

    if (!totpSecret.isEmpty()) {
        // The dev stack: its CA, its admin, no questions.
        workspace.open(QUrl(server), givenCas, email, false);
        prepare(*workspace.window(), *workspace.connection());
        if (refused)
            return 2;
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
