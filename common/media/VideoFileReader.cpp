#include "media/VideoFileReader.h"

#include "media/AvError.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

extern "C" {
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

namespace breeze::media {

namespace {
constexpr int kIoBufferBytes = 64 * 1024;

} // namespace

// Bytes in memory as libavformat's input.
struct VideoFileReader::Input {
    std::string bytes;
    std::size_t position = 0;
    AVIOContext* io = nullptr;

    explicit Input(std::string data) : bytes(std::move(data)) {
        auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
        if (!buffer)
            throw std::bad_alloc();
        io = avio_alloc_context(buffer, kIoBufferBytes, 0, this, &Input::read, nullptr, &Input::seek);
        if (!io) {
            av_free(buffer);
            throw std::bad_alloc();
        }
    }
    ~Input() {
        av_freep(&io->buffer);
        avio_context_free(&io);
    }
    Input(const Input&) = delete;
    Input& operator=(const Input&) = delete;

    static int read(void* opaque, std::uint8_t* into, int size) {
        auto* self = static_cast<Input*>(opaque);
        const std::size_t left = self->bytes.size() - std::min(self->position, self->bytes.size());
        const std::size_t count = std::min(left, static_cast<std::size_t>(size));
        if (count == 0)
            return AVERROR_EOF;
        std::memcpy(into, self->bytes.data() + self->position, count);
        self->position += count;
        return static_cast<int>(count);
    }

    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto* self = static_cast<Input*>(opaque);
        const auto size = static_cast<std::int64_t>(self->bytes.size());
        whence &= ~AVSEEK_FORCE;
        if (whence == AVSEEK_SIZE)
            return size;
        const std::int64_t target = whence == SEEK_SET   ? offset
                                    : whence == SEEK_CUR ? static_cast<std::int64_t>(self->position) + offset
                                    : whence == SEEK_END ? size + offset
                                                         : -1;
        if (target < 0 || target > size)
            return AVERROR(EINVAL);
        self->position = static_cast<std::size_t>(target);
        return target;
    }
};

VideoFileReader::VideoFileReader() = default;

VideoFileReader::~VideoFileReader() {
    av_packet_free(&m_packet);
    av_bsf_free(&m_toAnnexB);
    avformat_close_input(&m_format);
}

std::unique_ptr<VideoFileReader> VideoFileReader::openFile(const std::string& path) {
    std::unique_ptr<VideoFileReader> reader(new VideoFileReader());
    reader->open(path.c_str());
    return reader;
}

std::unique_ptr<VideoFileReader> VideoFileReader::openBytes(std::string bytes) {
    std::unique_ptr<VideoFileReader> reader(new VideoFileReader());
    reader->m_input = std::make_unique<Input>(std::move(bytes));
    reader->open(nullptr);
    return reader;
}

void VideoFileReader::open(const char* url) {
    m_format = avformat_alloc_context();
    if (!m_format)
        throw std::bad_alloc();
    if (m_input) {
        m_format->pb = m_input->io;
        m_format->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    // Only the two containers this project writes are probed.
    const AVInputFormat* matroska = av_find_input_format("matroska");
    int result = avformat_open_input(&m_format, url, matroska, nullptr);
    if (result < 0) {
        m_format = nullptr; // freed by the failed open
        throw std::runtime_error("not a desktop recording: " + avError(result));
    }
    // The container's own track header says codec and size; no probing (it would decode pictures).
    m_stream = av_find_best_stream(m_format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (m_stream < 0)
        throw std::runtime_error("not a desktop recording: it has no video");
    const AVStream* stream = m_format->streams[m_stream];
    const AVCodecParameters* parameters = stream->codecpar;
    if (parameters->codec_id == AV_CODEC_ID_VP8)
        m_codec = protocol::DesktopCodec::Vp8;
    else if (parameters->codec_id == AV_CODEC_ID_H264)
        m_codec = protocol::DesktopCodec::H264;
    else
        throw std::runtime_error("not a desktop recording: its video is neither VP8 nor H.264");
    if (parameters->width <= 0 || parameters->height <= 0 ||
        parameters->width > protocol::kMaxDesktopDimension ||
        parameters->height > protocol::kMaxDesktopDimension)
        throw std::runtime_error("not a desktop recording: its picture size is out of range");
    m_width = parameters->width;
    m_height = parameters->height;
    if (m_format->duration > 0)
        m_durationMillis = av_rescale(m_format->duration, 1000, AV_TIME_BASE);
    if (stream->start_time != AV_NOPTS_VALUE)
        m_startMillis = av_rescale_q(stream->start_time, stream->time_base, AVRational{1, 1000});
    if (m_codec == protocol::DesktopCodec::H264) {
        const AVBitStreamFilter* filter = av_bsf_get_by_name("h264_mp4toannexb");
        if (!filter || av_bsf_alloc(filter, &m_toAnnexB) < 0)
            throw std::runtime_error("cannot read H.264 recordings: the Annex B filter is missing");
        avcodec_parameters_copy(m_toAnnexB->par_in, parameters);
        m_toAnnexB->time_base_in = stream->time_base;
        if ((result = av_bsf_init(m_toAnnexB)) < 0)
            throw std::runtime_error("cannot read this H.264 recording: " + avError(result));
    }
    m_packet = av_packet_alloc();
    if (!m_packet)
        throw std::bad_alloc();
}

std::optional<VideoFileReader::Picture> VideoFileReader::next() {
    for (;;) {
        if (m_toAnnexB) {
            const int filtered = av_bsf_receive_packet(m_toAnnexB, m_packet);
            if (filtered == 0)
                break;
            if (filtered != AVERROR(EAGAIN))
                return std::nullopt;
        }
        const int read = av_read_frame(m_format, m_packet);
        if (read < 0) {
            if (m_toAnnexB && read == AVERROR_EOF) {
                av_bsf_send_packet(m_toAnnexB, nullptr); // drains what it holds
                continue;
            }
            return std::nullopt;
        }
        if (m_packet->stream_index != m_stream) {
            av_packet_unref(m_packet);
            continue;
        }
        if (!m_toAnnexB)
            break;
        if (av_bsf_send_packet(m_toAnnexB, m_packet) < 0)
            av_packet_unref(m_packet); // a picture the filter cannot take is left out
    }
    const AVStream* stream = m_format->streams[m_stream];
    Picture picture;
    picture.data.assign(reinterpret_cast<const char*>(m_packet->data),
                        static_cast<std::size_t>(m_packet->size));
    const std::int64_t pts = m_packet->pts != AV_NOPTS_VALUE ? m_packet->pts : m_packet->dts;
    picture.millis =
        pts == AV_NOPTS_VALUE ? 0 : av_rescale_q(pts, stream->time_base, AVRational{1, 1000}) - m_startMillis;
    picture.keyframe = (m_packet->flags & AV_PKT_FLAG_KEY) != 0;
    av_packet_unref(m_packet);
    return picture;
}

bool VideoFileReader::seek(std::int64_t millis) {
    const AVStream* stream = m_format->streams[m_stream];
    const std::int64_t target = av_rescale_q(std::max<std::int64_t>(0, millis) + m_startMillis,
                                             AVRational{1, 1000}, stream->time_base);
    bool moved =
        av_seek_frame(m_format, m_stream, target, AVSEEK_FLAG_BACKWARD) >= 0 ||
        av_seek_frame(m_format, m_stream, stream->start_time == AV_NOPTS_VALUE ? 0 : stream->start_time,
                      AVSEEK_FLAG_BACKWARD) >= 0;
    if (m_toAnnexB)
        av_bsf_flush(m_toAnnexB);
    return moved;
}

} // namespace breeze::media
