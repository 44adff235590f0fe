#pragma once

#include "DesktopOptions.h"
#include "ScopedApi.h"

#include <QString>
#include <QUrl>
#include <QVector>
#include <functional>
#include <optional>

namespace breeze::console {

// What attaches a console to a live session: the relay of the node holding the device's agent, and a one-use
// token for it.
struct SessionGrant {
    QString id;
    QUrl relayUrl;
    QString token;
    bool recorded = false; // a desktop whose pictures the server records
};

// How a desktop session went, as its viewer saw it: what the server keeps as the session's quality.
struct DesktopQuality {
    double seconds = 0; // live
    QString codec;
    qint64 received = 0; // pictures
    qint64 decoded = 0;
    qint64 dropped = 0; // lost on the way, not decoded, or not captured because the link was full
    qint64 bytes = 0;
    double fps = 0; // decoded per second live
    double kbps = 0;
    double latencyP50 =
        0; // capture to decoded, milliseconds (the agent's time, half the round trip, the console's)
    double latencyP95 = 0;
    double latencyP99 = 0;
    double roundTripMs = 0; // the last the agent measured
    double decodeMs = 0;    // per picture, on average
};

// A session as the session list shows it.
struct SessionRecord {
    QString id;
    QString kind;  // terminal, files, desktop
    QString state; // pending, active, detached, closed
    QString actor;
    QString startedAt, endedAt; // ISO 8601
    QString endReason;
    qint64 bytesToDevice = 0;
    qint64 bytesFromDevice = 0;
    qint64 recordingBytes = 0;             // what the server keeps of it (0: nothing recorded)
    qint64 recordingMillis = 0;            // a desktop's: its first stream's length
    std::optional<DesktopQuality> quality; // a desktop's, once its viewer reported it
};

struct TerminalOptions {
    int cols = 80;
    int rows = 24;
    QString user;  // empty: the device's default
    QString shell; // empty: the user's login shell
};

// How asking for a session (or for a session again) went: a grant, or why not and whether trying again later
// may help (the device is offline for now) or not (the session has ended, no permission).
struct SessionAnswer {
    std::optional<SessionGrant> grant;
    QString error;
    bool mayRetry = false;
};

// The one place that knows /api/v1/devices/{id}/sessions and /api/v1/sessions.
class SessionClient {
public:
    explicit SessionClient(ApiClient& api) : m_api(api) {}

    using Done = std::function<void(const SessionAnswer& answer)>;
    void openTerminal(const QString& deviceId, const TerminalOptions& options, Done done);
    // `root`: a folder to keep the session inside (within the role's own); empty for the role's.
    void openFiles(const QString& deviceId, const QString& root, Done done);
    void openDesktop(const QString& deviceId, const DesktopOptions& options, Done done);
    void attach(const QString& sessionId, Done done);
    void close(const QString& sessionId, std::function<void(const QString& error)> done);
    // Stores how a desktop session went (its maker, while it runs or once it ended).
    void reportQuality(const QString& sessionId, const DesktopQuality& quality,
                       std::function<void(const QString& error)> done);
    // A session's recording: a terminal's in asciicast v2, a desktop's as a video file (WebM or Matroska) of
    // its first stream.
    void recording(const QString& sessionId,
                   std::function<void(const QByteArray& recording, const QString& error)> done);
    // The device's sessions, newest first (a page of 100).
    void
    listForDevice(const QString& deviceId,
                  std::function<void(const QVector<SessionRecord>& sessions, const QString& error)> done);
    const QSslConfiguration sslConfiguration() const { return m_api.client().sslConfiguration(); }

private:
    ScopedApi m_api;
};

} // namespace breeze::console
