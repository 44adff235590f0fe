#include "net/OrderedFileWriter.h"

#include "crypto/Digest.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace breeze::net {

OrderedFileWriter::OrderedFileWriter(int fd, std::uint64_t from, std::optional<crypto::Sha256Stream> whole,
                                     std::size_t maxQueuedBytes)
    : m_fd(fd), m_whole(std::move(whole)), m_maxQueued(maxQueuedBytes), m_written(from),
      m_thread([this] { run(); }) {}

OrderedFileWriter::~OrderedFileWriter() {
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
        m_queue.clear();
    }
    m_changed.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool OrderedFileWriter::push(std::uint64_t offset, std::string data, std::string sha256) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_failure.empty() || m_queuedBytes < m_maxQueued; });
    if (!m_failure.empty())
        return false;
    m_queuedBytes += data.size();
    m_queue.push_back({offset, std::move(data), std::move(sha256)});
    m_changed.notify_all();
    return true;
}

std::optional<std::string> OrderedFileWriter::finish() {
    {
        std::unique_lock lock(m_mutex);
        m_closing = true;
        m_changed.notify_all();
    }
    if (m_thread.joinable())
        m_thread.join();
    std::lock_guard lock(m_mutex);
    if (!m_failure.empty())
        return std::nullopt;
    return m_whole ? m_whole->finish() : std::string();
}

std::string OrderedFileWriter::failure() const {
    std::lock_guard lock(m_mutex);
    return m_failure;
}

void OrderedFileWriter::run() {
    for (;;) {
        Chunk chunk;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return m_closing || !m_queue.empty(); });
            if (m_queue.empty())
                return; // closing, and everything written
            chunk = std::move(m_queue.front());
            m_queue.pop_front();
        }
        std::string failure;
        if (chunk.offset != m_written.load())
            failure = "the device sent the chunk at " + std::to_string(chunk.offset) + " out of order";
        else if (crypto::Digest::sha256(chunk.data) != chunk.sha256)
            failure = "a chunk at offset " + std::to_string(chunk.offset) + " does not match its SHA-256";
        for (std::size_t done = 0; failure.empty() && done < chunk.data.size();) {
            const ssize_t wrote = ::pwrite(m_fd, chunk.data.data() + done, chunk.data.size() - done,
                                           static_cast<off_t>(chunk.offset + done));
            if (wrote < 0 && errno != EINTR)
                failure = std::string("cannot write the file: ") + std::strerror(errno);
            else if (wrote > 0)
                done += static_cast<std::size_t>(wrote);
        }
        if (failure.empty()) {
            if (m_whole)
                m_whole->update(chunk.data);
            m_written += chunk.data.size();
        }
        std::lock_guard lock(m_mutex);
        m_queuedBytes -= chunk.data.size();
        if (!failure.empty() && m_failure.empty())
            m_failure = failure;
        m_changed.notify_all();
        if (!m_failure.empty()) {
            m_queue.clear();
            m_queuedBytes = 0;
            return;
        }
    }
}

} // namespace breeze::net
