#include "media/VideoFileWriter.h"

#include "media/AnnexB.h"
#include "media/AvError.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

namespace breeze::media {

namespace {
constexpr int kIoBufferBytes = 64 * 1024;

void check(int code, const char* what) {
    if (code < 0)
        throw std::runtime_error(std::string(what) + ": " + avError(code));
}
} // namespace

// Where the muxer's bytes go: a string or a FILE, both seekable, so the muxer goes back to write the index
// and the duration.
struct VideoFileWriter::Output {
    std::string* memory = nullptr;
    std::FILE* file = nullptr;
    long base = 0; // where in the FILE the video starts: the muxer's offsets count from there
    std::int64_t position = 0;
    AVIOContext* io = nullptr;

    Output() {
        auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
        if (!buffer)
            throw std::bad_alloc();
        io = avio_alloc_context(buffer, kIoBufferBytes, 1, this, nullptr, &Output::write, &Output::seek);
        if (!io) {
            av_free(buffer);
            throw std::bad_alloc();
        }
    }
    ~Output() {
        av_freep(&io->buffer);
        avio_context_free(&io);
    }
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    static int write(void* opaque, std::uint8_t* bytes, int size) {
        auto* self = static_cast<Output*>(opaque);
        if (self->file) {
            if (std::fwrite(bytes, 1, static_cast<std::size_t>(size), self->file) !=
                static_cast<std::size_t>(size))
                return AVERROR(EIO);
        } else {
            const auto at = static_cast<std::size_t>(self->position);
            if (self->memory->size() < at + static_cast<std::size_t>(size))
                self->memory->resize(at + static_cast<std::size_t>(size));
            std::memcpy(self->memory->data() + at, bytes, static_cast<std::size_t>(size));
        }
        self->position += size;
        return size;
    }

    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto* self = static_cast<Output*>(opaque);
        std::int64_t size = 0;
        if (self->file) {
            const long here = std::ftell(self->file);
            std::fseek(self->file, 0, SEEK_END);
            size = std::ftell(self->file) - self->base;
            std::fseek(self->file, here, SEEK_SET);
        } else {
            size = static_cast<std::int64_t>(self->memory->size());
        }
        whence &= ~AVSEEK_FORCE;
        if (whence == AVSEEK_SIZE)
            return size;
        const std::int64_t target = whence == SEEK_SET   ? offset
                                    : whence == SEEK_CUR ? self->position + offset
                                    : whence == SEEK_END ? size + offset
                                                         : -1;
        if (target < 0)
            return AVERROR(EINVAL);
        if (self->file && std::fseek(self->file, self->base + target, SEEK_SET) != 0)
            return AVERROR(EIO);
        self->position = target;
        return target;
    }
};

VideoFileWriter::VideoFileWriter(protocol::DesktopCodec codec, int width, int height, std::string& memory)
    : m_codec(codec), m_width(width), m_height(height), m_output(std::make_unique<Output>()) {
    m_output->memory = &memory;
    memory.clear();
}

VideoFileWriter::VideoFileWriter(protocol::DesktopCodec codec, int width, int height, std::FILE* file)
    : m_codec(codec), m_width(width), m_height(height), m_output(std::make_unique<Output>()) {
    m_output->file = file;
    m_output->base = std::ftell(file);
}

VideoFileWriter::~VideoFileWriter() {
    avformat_free_context(m_format);
}

const char* VideoFileWriter::extensionFor(protocol::DesktopCodec codec) {
    return codec == protocol::DesktopCodec::H264 ? "mkv" : "webm";
}

const char* VideoFileWriter::mimeTypeFor(protocol::DesktopCodec codec) {
    return codec == protocol::DesktopCodec::H264 ? "video/x-matroska" : "video/webm";
}

void VideoFileWriter::begin(std::string_view keyframe) {
    if (m_codec != protocol::DesktopCodec::Vp8 && m_codec != protocol::DesktopCodec::H264)
        throw std::runtime_error("only VP8 and H.264 pictures go into a video file");
    check(avformat_alloc_output_context2(
              &m_format, nullptr, m_codec == protocol::DesktopCodec::Vp8 ? "webm" : "matroska", nullptr),
          "cannot make the video container");
    m_format->pb = m_output->io;
    // The same pictures make the same bytes (no random file identifier, no muxer version): a download can be
    // checked against another, and a test can compare them.
    m_format->flags |= AVFMT_FLAG_BITEXACT;
    AVStream* stream = avformat_new_stream(m_format, nullptr);
    if (!stream)
        throw std::bad_alloc();
    stream->time_base = AVRational{1, 1000};
    AVCodecParameters* parameters = stream->codecpar;
    parameters->codec_type = AVMEDIA_TYPE_VIDEO;
    parameters->codec_id = m_codec == protocol::DesktopCodec::Vp8 ? AV_CODEC_ID_VP8 : AV_CODEC_ID_H264;
    parameters->width = m_width;
    parameters->height = m_height;
    if (m_codec == protocol::DesktopCodec::H264) {
        // Annex B parameter sets: the Matroska muxer turns them (and each picture) into the avcC form.
        const std::string sets = h264ParameterSets(keyframe);
        if (sets.empty())
            throw std::runtime_error("the first H.264 keyframe carries no parameter sets");
        parameters->extradata =
            static_cast<std::uint8_t*>(av_mallocz(sets.size() + AV_INPUT_BUFFER_PADDING_SIZE));
        if (!parameters->extradata)
            throw std::bad_alloc();
        std::memcpy(parameters->extradata, sets.data(), sets.size());
        parameters->extradata_size = static_cast<int>(sets.size());
    }
    check(avformat_write_header(m_format, nullptr), "cannot write the video file's header");
    m_started = true;
}

bool VideoFileWriter::add(std::string_view picture, std::int64_t millis, bool keyframe) {
    if (m_finished)
        throw std::logic_error("the video file is finished");
    if (m_failed)
        throw std::runtime_error("the video file could not be started");
    if (!m_started) {
        if (!keyframe)
            return false;
        try {
            begin(picture);
        } catch (...) {
            // Half a header may be in the output already: this writer is done for.
            avformat_free_context(m_format);
            m_format = nullptr;
            m_failed = true;
            throw;
        }
    }
    // Matroska wants time to move on with every picture.
    millis = std::max(millis, m_lastMillis + 1);
    m_lastMillis = millis;
    AVPacket* packet = av_packet_alloc();
    if (!packet)
        throw std::bad_alloc();
    struct Free {
        AVPacket* p;
        ~Free() { av_packet_free(&p); }
    } freeing{packet};
    check(av_new_packet(packet, static_cast<int>(picture.size())), "cannot hold a picture");
    std::memcpy(packet->data, picture.data(), picture.size());
    AVStream* stream = m_format->streams[0];
    packet->pts = packet->dts = av_rescale_q(millis, AVRational{1, 1000}, stream->time_base);
    packet->duration = 0;
    packet->stream_index = 0;
    if (keyframe)
        packet->flags |= AV_PKT_FLAG_KEY;
    check(av_write_frame(m_format, packet), "cannot write a picture");
    ++m_pictures;
    return true;
}

void VideoFileWriter::finish() {
    if (m_finished || !m_started)
        return;
    m_finished = true;
    check(av_write_trailer(m_format), "cannot finish the video file");
    avio_flush(m_output->io);
}

} // namespace breeze::media
