#pragma once

#include "protocol/DesktopFrame.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

struct AVFormatContext;
struct AVBSFContext;
struct AVPacket;

namespace breeze::media {

// A recorded desktop video (WebM with VP8, Matroska with H.264) read back through libavformat: its pictures
// as the agent sent them (H.264 turned back into Annex B), with their times, and seeking to the keyframe at
// or before a time. Reads from a file or from bytes in memory; a file that is not such a video is refused
// with the reason.
class VideoFileReader {
public:
    struct Picture {
        std::string data;
        std::int64_t millis = 0; // from the start of the file
        bool keyframe = false;
    };

    static std::unique_ptr<VideoFileReader> openFile(const std::string& path);
    static std::unique_ptr<VideoFileReader> openBytes(std::string bytes);
    ~VideoFileReader();
    VideoFileReader(const VideoFileReader&) = delete;
    VideoFileReader& operator=(const VideoFileReader&) = delete;

    protocol::DesktopCodec codec() const { return m_codec; }
    int width() const { return m_width; }
    int height() const { return m_height; }
    std::int64_t durationMillis() const { return m_durationMillis; } // 0 when the file does not say

    std::optional<Picture> next(); // none at the end
    // The next picture read is the keyframe at or before `millis` (the first one when none is); false when
    // the file would not seek (the reader is then where it was).
    bool seek(std::int64_t millis);

private:
    struct Input;
    VideoFileReader();
    void open(const char* url);

    std::unique_ptr<Input> m_input;
    AVFormatContext* m_format = nullptr;
    AVBSFContext* m_toAnnexB = nullptr;
    AVPacket* m_packet = nullptr;
    int m_stream = -1;
    protocol::DesktopCodec m_codec = protocol::DesktopCodec::Vp8;
    int m_width = 0;
    int m_height = 0;
    std::int64_t m_durationMillis = 0;
    std::int64_t m_startMillis = 0;
};

} // namespace breeze::media
