#pragma once

#include <QByteArray>
#include <QString>
#include <cmath>
#include <optional>

namespace breeze::console {

// One line of a file session's transfer list: a file or a folder, either way, as far as it has got.
struct FileTransfer {
    enum class Direction { Download, Upload };
    enum class Kind { File, Folder };
    enum class State {
        Queued,
        Preparing, // an upload's SHA-256s being worked out
        Running,
        Paused,
        Waiting,  // for the connection to come back
        Conflict, // the name is taken: waiting for the technician's choice
        Done,
        Skipped,
        Failed,
        Cancelled
    };

    int id = 0;
    Direction direction = Direction::Download;
    Kind kind = Kind::File;
    QString localPath;     // on this workstation
    QString localRoot;     // a download's: the folder the technician chose, which nothing is written outside
    QByteArray remotePath; // on the device, as its bytes
    quint64 total = 0;
    quint64 done = 0;
    State state = State::Queued;
    QString message;  // why it failed, or what became of it
    QString sha256;   // the whole file's, once verified at both ends
    QString conflict; // replace, keep_both or skip, once chosen; empty: the queue's policy
    double bytesPerSecond = 0;
    quint64 resumedFrom = 0; // where the last resume picked up

    bool finished() const {
        return state == State::Done || state == State::Skipped || state == State::Failed ||
               state == State::Cancelled;
    }
    std::optional<qint64> secondsLeft() const {
        if (state != State::Running || bytesPerSecond < 1 || total < done)
            return std::nullopt;
        return std::llround(static_cast<double>(total - done) / bytesPerSecond);
    }
};

} // namespace breeze::console
