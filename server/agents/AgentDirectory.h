#pragma once

#include <string>

namespace breeze::server {

// What REST routes may tell the live agent side after their transaction has committed.
class AgentDirectory {
public:
    virtual ~AgentDirectory() = default;
    virtual bool connected(const std::string& deviceId) const = 0;
    // New commands are waiting for the device: push them now if it is connected.
    virtual void commandsQueued(const std::string& deviceId) = 0;
    virtual void cancelRequested(const std::string& deviceId, const std::string& commandId) = 0;
    // The device's credential no longer works: cut its connection at once.
    virtual void revoked(const std::string& deviceId) = 0;
    // The device moved to another site: its connection still carries the old one, so it reconnects.
    virtual void relocated(const std::string& deviceId) = 0;
    // An administrator asked for a new credential: hand it over now if the device is connected (else at its
    // next hello).
    virtual void rotateCredential(const std::string& deviceId) = 0;
};

} // namespace breeze::server
