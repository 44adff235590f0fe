// breeze-console: the technician console.
//   breeze-console --server URL --ca FILE            sign in with a dialog, trusting that CA
//   breeze-console --dev-stack .breeze/stack.json    sign in to the dev stack without questions
//   ... [--search TEXT] [--view devices --screenshot FILE]   render a view once its data has loaded, save a
//   PNG, exit
#include "ConsoleConnection.h"
#include "MainWindow.h"
#include "SignInDialog.h"
#include "crypto/Totp.h"
#include "encoding/Base32.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QTimer>
#include <ctime>
#include <iostream>

using namespace breeze::console;

namespace {
QList<QSslCertificate> loadCa(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QSslCertificate::fromData(file.readAll(), QSsl::Pem);
}

QString totpNow(const QString& base32Secret) {
    const auto secret = breeze::encoding::base32Decode(base32Secret.toStdString());
    if (!secret)
        return {};
    return QString::fromStdString(
        breeze::crypto::Totp::codeForStep(*secret, breeze::crypto::Totp::stepAt(std::time(nullptr))));
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
    parser.addOption({"view", "The view to show: devices.", "name", "devices"});
    parser.addOption({"search", "Start with this search.", "text"});
    parser.addOption(
        {"screenshot", "Render the view once its data has loaded, save it as PNG and exit.", "file"});
    parser.process(app);

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
    const bool screenshot = parser.isSet("screenshot");
    if (server.isEmpty() || caFile.isEmpty()) {
        std::cerr << "breeze-console: give --server URL and --ca FILE (or --dev-stack FILE)\n";
        return 2;
    }
    const auto cas = loadCa(caFile);
    if (cas.isEmpty()) {
        std::cerr << "breeze-console: no CA certificate in " << caFile.toStdString() << "\n";
        return 2;
    }

    ConsoleConnection connection{QUrl(server), cas};
    MainWindow window(connection);
    if (parser.isSet("search"))
        window.setSearch(parser.value("search"));

    QObject::connect(
        &connection.session(), &SignInSession::failed, &app, [&](const QString&, const QString& message) {
            if (screenshot || !totpSecret.isEmpty()) {
                std::cerr << "breeze-console: sign-in refused: " << message.toStdString() << "\n";
                QApplication::exit(1);
            }
        });
    if (screenshot) {
        // Once the devices are in and the live channel is up, draw the window and save it.
        auto save = [&] {
            window.resize(1100, 650);
            const QPixmap picture = window.grab();
            const bool saved = picture.save(parser.value("screenshot"), "PNG");
            if (!saved)
                std::cerr << "breeze-console: cannot write " << parser.value("screenshot").toStdString()
                          << "\n";
            QApplication::exit(saved ? 0 : 1);
        };
        QObject::connect(&connection.directory(), &DeviceDirectory::loaded, &app, [&, save] {
            if (connection.live().state() == LiveChannel::State::Connected)
                QTimer::singleShot(200, &app, save);
            else
                QObject::connect(&connection.live(), &LiveChannel::stateChanged, &app,
                                 [save](LiveChannel::State state) {
                                     if (state == LiveChannel::State::Connected)
                                         QTimer::singleShot(200, save);
                                 });
        });
        QTimer::singleShot(30000, &app, [] {
            std::cerr << "breeze-console: the view did not load within 30 s\n";
            QApplication::exit(1);
        });
    } else {
        window.show();
    }

    if (!totpSecret.isEmpty()) {
        connection.session().signIn(email, password, totpNow(totpSecret));
    } else {
        auto* dialog = new SignInDialog(&window);
        dialog->setServer(server);
        QObject::connect(dialog, &SignInDialog::signInRequested, dialog, [&, dialog] {
            dialog->setBusy(true);
            connection.session().signIn(dialog->email(), dialog->password(), dialog->totp());
        });
        QObject::connect(&connection.session(), &SignInSession::failed, dialog,
                         [dialog](const QString&, const QString& message) { dialog->showError(message); });
        QObject::connect(&connection.session(), &SignInSession::signedInChanged, dialog,
                         [dialog](bool signedIn) {
                             if (signedIn)
                                 dialog->accept();
                         });
        QObject::connect(dialog, &QDialog::rejected, &app, [] { QApplication::exit(0); });
        dialog->open();
    }
    return QApplication::exec();
}
