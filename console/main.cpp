// breeze-console: the technician console.
//   breeze-console [--server URL] [--ca FILE]        sign in with a dialog; an unknown server's CA is shown
//   for trust breeze-console --dev-stack .breeze/stack.json    sign in to the dev stack without questions
//   ... [--search TEXT] [--view devices --screenshot FILE]   render a view once its data has loaded, save a
//   PNG, exit
#include "ConsoleConnection.h"
#include "DeviceDetails.h"
#include "DeviceView.h"
#include "MainWindow.h"
#include "ServerTrust.h"
#include "SignInDialog.h"
#include "Theme.h"
#include "TokenVault.h"
#include "crypto/Totp.h"
#include "encoding/Base32.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
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

// One server's connection, window and token vault, made once the server and its CA are known.
struct Workspace {
    std::unique_ptr<ConsoleConnection> connection;
    std::unique_ptr<MainWindow> window;
    std::unique_ptr<TokenVault> vault;

    void open(const QUrl& server, const QList<QSslCertificate>& cas, const QString& email,
              bool keepTokens = true) {
        if (connection && connection->api().server() == server)
            return;
        window.reset();
        connection = std::make_unique<ConsoleConnection>(server, cas);
        window = std::make_unique<MainWindow>(*connection);
        vault = std::make_unique<TokenVault>(server.toString() + "|" + email);
        if (!keepTokens)
            return; // the dev stack signs in afresh every time
        QObject::connect(&connection->session(), &SignInSession::refreshTokenChanged, vault.get(),
                         &TokenVault::store);
        QObject::connect(
            vault.get(), &TokenVault::unavailable, window.get(), [w = window.get()](const QString& why) {
                w->statusBar()->showMessage(
                    QObject::tr("No keychain (%1): you will have to sign in again next time.").arg(why),
                    15000);
            });
    }
};
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
    parser.addOption(
        {"view", "The view to show: dashboard, devices, administration, or device:ID.", "name", "devices"});
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
        prepare(*workspace.window, *workspace.connection);
        if (!screenshot)
            workspace.window->show();
        workspace.connection->session().signIn(email, password, totpCode(totpSecret, 0));
        return QApplication::exec();
    }

    auto* dialog = new SignInDialog;
    dialog->setServer(server);
    ServerTrust trust;
    // The session ended while the console was open (signed out elsewhere, password changed, token reused):
    // ask again over the open windows, which keep their state; the live channel and lists resume after.
    const auto reauthenticate = [&, dialog] {
        if (!workspace.window || !workspace.window->isVisible() || dialog->isVisible())
            return;
        dialog->setServer(workspace.connection->api().server().toString());
        dialog->showError(
            QObject::tr("Your sign-in has ended. Sign in again to carry on; your windows stay as they are."));
        dialog->open();
    };
    // Signs in once the server's CA is settled: given, kept from before, or accepted now after seeing its
    // fingerprint.
    const auto signIn = [&](const QUrl& url, const QList<QSslCertificate>& cas) {
        workspace.open(url, cas, dialog->email());
        prepare(*workspace.window, *workspace.connection);
        auto& session = workspace.connection->session();
        QObject::connect(
            &session, &SignInSession::failed, dialog,
            [dialog](const QString&, const QString& message) { dialog->showError(message); },
            Qt::UniqueConnection);
        QObject::connect(&session, &SignInSession::signedInChanged, dialog, [&, dialog, url](bool signedIn) {
            if (!signedIn) {
                reauthenticate();
                return;
            }
            settings.setValue("last/server", url.toString());
            settings.setValue("last/email", dialog->email());
            dialog->accept();
            workspace.window->show();
        });
        session.signIn(dialog->email(), dialog->password(), dialog->totp());
    };
    QObject::connect(dialog, &SignInDialog::signInRequested, dialog, [&, dialog] {
        const QUrl url(dialog->server());
        if (url.scheme() != "https" || url.host().isEmpty()) {
            dialog->showError(QObject::tr("The server address must start with https://"));
            return;
        }
        dialog->setBusy(true);
        if (!givenCas.isEmpty()) {
            signIn(url, givenCas);
            return;
        }
        if (const auto kept = ServerTrust::trusted(url); !kept.isEmpty()) {
            signIn(url, kept); // a changed certificate now fails with "not the one this console trusts"
            return;
        }
        trust.fetchCa(url, [&, dialog, url](const QSslCertificate& ca, const QString& error) {
            if (ca.isNull()) {
                dialog->showError(QObject::tr("Cannot reach %1: %2").arg(url.host(), error));
                return;
            }
            QMessageBox question(
                QMessageBox::Question, QObject::tr("First contact with %1").arg(url.host()),
                QObject::tr("This console has not met %1 before. Its certificate authority is\n\n%2\n\n"
                            "SHA-256 fingerprint:\n%3\n\nCompare the fingerprint with the one your "
                            "administrator gave you. Trust this server from now on?")
                    .arg(url.host(), ca.subjectDisplayName(), ServerTrust::fingerprint(ca)),
                QMessageBox::Yes | QMessageBox::No, dialog);
            question.setTextFormat(Qt::PlainText);
            if (question.exec() != QMessageBox::Yes) {
                dialog->showError(QObject::tr("Not signed in: the server's certificate was not trusted."));
                return;
            }
            ServerTrust::trust(url, ca);
            signIn(url, {ca});
        });
    });
    // Cancelling the first sign-in quits; cancelling a re-sign-in leaves the windows as they are,
    // disconnected.
    QObject::connect(dialog, &QDialog::rejected, &app, [&] {
        if (!workspace.window || !workspace.window->isVisible())
            QApplication::exit(0);
    });

    // Back where we left off: a refresh token in the keychain signs in without the dialog.
    const QUrl lastServer(server);
    const auto kept = givenCas.isEmpty() ? ServerTrust::trusted(lastServer) : givenCas;
    if (!email.isEmpty() && !kept.isEmpty()) {
        workspace.open(lastServer, kept, email);
        prepare(*workspace.window, *workspace.connection);
        workspace.vault->load([&, dialog](const QString& token) {
            if (token.isEmpty()) {
                dialog->open();
                return;
            }
            auto& session = workspace.connection->session();
            QObject::connect(&session, &SignInSession::signedInChanged, dialog, [&](bool signedIn) {
                if (signedIn)
                    workspace.window->show();
                else
                    reauthenticate();
            });
            QObject::connect(&session, &SignInSession::failed, dialog, [dialog] { dialog->open(); });
            session.resume(token);
        });
    } else {
        dialog->open();
    }
    return QApplication::exec();
}
