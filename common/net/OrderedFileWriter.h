#pragma once

#include "crypto/Sha256Stream.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace breeze::net {

// Writes a download's chunks to its file on a thread of its own, in order: each chunk checked against its
// SHA-256, written where it belongs, and (when asked) fed to the whole file's hash. The thread receiving them
// only queues them, so receiving, checking and writing overlap (on two cores, about twice the speed of one
// thread doing all of it). At most `maxQueuedBytes` wait; push() blocks beyond that, which slows the sender
// through its credit.
class OrderedFileWriter {
public:
    // `fd`: open for writing (not owned). `whole`: the hash of the [0, from) already in the file, to go on
    // with (none: the chunks are checked, the whole is not hashed).
    OrderedFileWriter(int fd, std::uint64_t from, std::optional<crypto::Sha256Stream> whole,
                      std::size_t maxQueuedBytes);
    ~OrderedFileWriter();
    OrderedFileWriter(const OrderedFileWriter&) = delete;
    OrderedFileWriter& operator=(const OrderedFileWriter&) = delete;

    // `sha256`: the chunk's own (32 raw bytes). False once something failed (see failure()).
    bool push(std::uint64_t offset, std::string data, std::string sha256);
    // Waits for what is queued; none after a failure, else the whole file's SHA-256 (raw; empty when not
    // hashed).
    std::optional<std::string> finish();
    // Bytes written and checked from the start of the file (a resume goes on from here).
    std::uint64_t written() const { return m_written.load(); }
    std::string failure() const;

private:
    struct Chunk {
        std::uint64_t offset;
        std::string data, sha256;
    };
    void run();

    int m_fd;
    std::optional<crypto::Sha256Stream> m_whole;
    std::size_t m_maxQueued;
    std::atomic<std::uint64_t> m_written;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Chunk> m_queue;
    std::size_t m_queuedBytes = 0;
    bool m_closing = false;
    std::string m_failure;
    std::thread m_thread;
};

} // namespace breeze::net
