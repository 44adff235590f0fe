#pragma once

#include "protocol/DesktopFrame.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

struct AVFormatContext;
struct AVIOContext;

namespace breeze::media {

// Encoded desktop pictures into a real container through libavformat: WebM for VP8, Matroska for H.264 (whose
// pictures come as Annex B, as the agent's encoder makes them; the parameter sets of the first keyframe
// become the track's). The output is a complete file once finish() returned, with an index for seeking: in
// memory, or in a seekable FILE. The same pictures always make the same bytes.
class VideoFileWriter {
public:
    VideoFileWriter(protocol::DesktopCodec codec, int width, int height, std::string& memory);
    VideoFileWriter(protocol::DesktopCodec codec, int width, int height, std::FILE* file);
    ~VideoFileWriter();
    VideoFileWriter(const VideoFileWriter&) = delete;
    VideoFileWriter& operator=(const VideoFileWriter&) = delete;

    // Pictures in order of time; the first must be a keyframe (until one comes, pictures are refused: false).
    // Throws when the container cannot take them (an H.264 keyframe without parameter sets, say); a writer
    // whose file could not be started stays unusable.
    bool add(std::string_view picture, std::int64_t millis, bool keyframe);
    std::uint64_t pictures() const { return m_pictures; }
    void finish();

    // The file name extension and MIME type for a codec's file.
    static const char* extensionFor(protocol::DesktopCodec codec);
    static const char* mimeTypeFor(protocol::DesktopCodec codec);

private:
    struct Output;
    void begin(std::string_view keyframe);

    protocol::DesktopCodec m_codec;
    int m_width;
    int m_height;
    std::unique_ptr<Output> m_output;
    AVFormatContext* m_format = nullptr;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    std::int64_t m_lastMillis = -1;
    std::uint64_t m_pictures = 0;
};

} // namespace breeze::media
