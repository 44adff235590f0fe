#pragma once

#include "protocol/DesktopFrame.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// The SQL of desktop recordings (migration 0026): segments, each a complete video file, under the session's
// row in session_recordings; and the one file a download gets, remuxed from a stream's segments.
class DesktopRecordingStore {
public:
    struct Segment {
        std::string sessionId;
        int stream = 0;
        int seq = -1; // none yet: the next of its stream, given here
        protocol::DesktopCodec codec = protocol::DesktopCodec::Vp8;
        int width = 0;
        int height = 0;
        std::int64_t startMillis = 0; // from the recording's start
        std::int64_t durationMillis = 0;
        int pictures = 0;
        bool complete = false;
        std::string body; // the video file
    };
    struct Started {
        double startedAt = 0;    // seconds since the epoch, on the server's clock
        std::uint64_t bytes = 0; // stored so far (a recording continued here after a restart or elsewhere)
    };
    struct Put {
        int seq = 0;
        std::uint64_t recordingBytes = 0; // the whole recording's, after this segment
    };

    explicit DesktopRecordingStore(ScopedTransaction& tx) : m_tx(tx) {}

    // The recording's row (made once, by the first node to store a segment); none when the session has no
    // record (it was deleted).
    std::optional<Started> begin(const std::string& sessionId, double startedAt);
    // Stores a segment (numbered next in its stream when it has no seq yet; several nodes may store segments
    // of one session and never take the same number), or its newer, longer version; the recording's byte
    // count follows. None when the recording is gone (retention removed it).
    std::optional<Put> put(const Segment& segment);
    void addDropped(const std::string& sessionId, std::uint64_t bytes);
    // One stream's segments remuxed into one video file written to `out` (the lowest stream when none is
    // named); its codec, or none when the session has no such recording.
    std::optional<protocol::DesktopCodec> writeVideo(const std::string& sessionId, std::optional<int> stream,
                                                     std::FILE* out);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
