#pragma once

#include "pushes/FilePushStore.h"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace breeze::server {

struct ServerContext;

// Delivers pushed files to the devices whose agents this node holds: it takes a device's line of a push (a
// lease, so a node that dies mid-way is taken over), opens a file session on the device in the pusher's name
// with the rights their roles gave them, and uploads the one copy through this node's own relay, as a console
// would: chunks checked by the device as they land, an interrupted upload resumed from the device's manifest,
// the file in place only once the device's SHA-256 of it matches. The copy is read from PostgreSQL once per
// node into a local cache. A device offline waits; a failure the network may cure is tried again with
// back-off.
class FilePushDeliverer {
public:
    // `caFile`: what this node's own certificate is checked against (empty: the system's trust store).
    FilePushDeliverer(ServerContext& server, std::string caFile, std::string cacheDir);
    ~FilePushDeliverer();

    void start();
    void stop();

private:
    void loop(bool housekeeper);
    void deliver(const FilePushStore::Claim& claim);
    // The blob as a verified local file; throws when it cannot be had.
    std::string cachedCopy(const FilePushStore::Claim& claim);
    void pruneCache();

    ServerContext& m_server;
    std::string m_caFile;
    std::string m_cacheDir;
    std::mutex m_mutex;
    std::mutex m_cacheMutex; // one thread fills the cache for a file at a time
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace breeze::server
