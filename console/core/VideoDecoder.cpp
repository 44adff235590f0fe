#include "VideoDecoder.h"

#include "protocol/DesktopFrame.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <libyuv/convert_argb.h>
#include <map>
#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace breeze::console {

namespace {
// One stream's decoder state.
class StreamDecoder {
public:
    explicit StreamDecoder(protocol::DesktopCodec codec) : m_codec(codec) {
        const AVCodec* decoder =
            avcodec_find_decoder(codec == protocol::DesktopCodec::H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_VP8);
        m_context = decoder ? avcodec_alloc_context3(decoder) : nullptr;
        if (!m_context)
            return;
        m_context->flags |= AV_CODEC_FLAG_LOW_DELAY;
        m_context->flags2 |= AV_CODEC_FLAG2_FAST;
        // Slices in parallel only: frame threading would hold pictures back.
        m_context->thread_type = FF_THREAD_SLICE;
        // A picture larger than the protocol allows is refused by the decoder before it allocates it.
        m_context->max_pixels =
            static_cast<std::int64_t>(protocol::kMaxDesktopDimension) * protocol::kMaxDesktopDimension;
        m_context->thread_count = 2;
        if (avcodec_open2(m_context, decoder, nullptr) < 0)
            avcodec_free_context(&m_context);
        m_frame = av_frame_alloc();
        m_packet = av_packet_alloc();
    }
    ~StreamDecoder() {
        av_packet_free(&m_packet);
        av_frame_free(&m_frame);
        avcodec_free_context(&m_context);
    }
    StreamDecoder(const StreamDecoder&) = delete;
    StreamDecoder& operator=(const StreamDecoder&) = delete;

    protocol::DesktopCodec codec() const { return m_codec; }

    // The picture, cropped to the stream's size; why not otherwise.
    QString decode(const protocol::DesktopFrame& frame, QImage& image, bool anySize) {
        if (!m_context)
            return QStringLiteral("this console's libavcodec cannot decode %1")
                .arg(QString::fromLatin1(protocol::desktopCodecName(m_codec)));
        if (av_new_packet(m_packet, static_cast<int>(frame.data.size())) < 0)
            return QStringLiteral("out of memory");
        std::memcpy(m_packet->data, frame.data.data(), frame.data.size());
        const int sent = avcodec_send_packet(m_context, m_packet);
        av_packet_unref(m_packet);
        if (sent < 0 || avcodec_receive_frame(m_context, m_frame) < 0)
            return QStringLiteral("the picture did not decode");
        if (m_frame->format != AV_PIX_FMT_YUV420P && m_frame->format != AV_PIX_FMT_YUVJ420P)
            return QStringLiteral("unexpected pixel format");
        // The picture must be the size its stream said (a codec's own header could claim any); a recording
        // played back takes each keyframe's size as it comes (within the decoder's pixel bound).
        if (!anySize && (m_frame->width < frame.width || m_frame->height < frame.height ||
                         m_frame->width > frame.width + 1 || m_frame->height > frame.height + 1))
            return QStringLiteral("the picture is not the size its stream said");
        if (m_frame->width > protocol::kMaxDesktopDimension ||
            m_frame->height > protocol::kMaxDesktopDimension)
            return QStringLiteral("the picture is larger than any screen");
        const int width = anySize ? m_frame->width : frame.width;
        const int height = anySize ? m_frame->height : frame.height;
        // A new image each time: the one before may still be on its way to the screen.
        image = QImage(width, height, QImage::Format_RGB32);
        if (image.isNull())
            return QStringLiteral("no memory for a %1×%2 picture").arg(width).arg(height);
        // libyuv's "ARGB" is Qt's RGB32 in memory (B, G, R, A bytes); BT.601 as the agent converted.
        libyuv::I420ToARGB(m_frame->data[0], m_frame->linesize[0], m_frame->data[1], m_frame->linesize[1],
                           m_frame->data[2], m_frame->linesize[2], image.bits(),
                           static_cast<int>(image.bytesPerLine()), width, height);
        return {};
    }

private:
    protocol::DesktopCodec m_codec;
    AVCodecContext* m_context = nullptr;
    AVFrame* m_frame = nullptr;
    AVPacket* m_packet = nullptr;
};
} // namespace

VideoDecoder::VideoDecoder(QObject* parent) : QObject(parent) {
    qRegisterMetaType<breeze::console::DecodedPicture>();
    m_thread = std::thread([this] { run(); });
}

VideoDecoder::~VideoDecoder() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void VideoDecoder::submit(QByteArray frame) {
    {
        const std::lock_guard lock(m_mutex);
        m_jobs.push_back({std::move(frame), -1});
    }
    ++m_queued;
    m_wake.notify_one();
}

void VideoDecoder::reset(int stream) {
    {
        const std::lock_guard lock(m_mutex);
        m_jobs.push_back({{}, stream});
    }
    m_wake.notify_one();
}

void VideoDecoder::run() {
    std::map<int, std::unique_ptr<StreamDecoder>> decoders;
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
            if (m_stop)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        if (job.resetStream >= 0) {
            decoders.erase(job.resetStream);
            continue;
        }
        QElapsedTimer timer;
        timer.start();
        const auto parsed =
            protocol::decodeDesktopFrame(std::string_view(job.frame.constData(), job.frame.size()));
        --m_queued;
        if (!parsed)
            continue; // the session checked it before submitting
        const auto& frame = *parsed.frame;
        auto& decoder = decoders[frame.stream];
        if (!decoder || decoder->codec() != frame.codec || frame.keyframe())
            decoder = std::make_unique<StreamDecoder>(frame.codec);
        QImage image;
        const QString error = decoder->decode(frame, image, m_anySize.load());
        if (!error.isEmpty()) {
            decoders.erase(frame.stream);
            const int stream = frame.stream;
            const quint64 sequence = frame.sequence;
            QMetaObject::invokeMethod(
                this, [this, stream, sequence, error] { Q_EMIT failed(stream, sequence, error); },
                Qt::QueuedConnection);
            continue;
        }
        DecodedPicture picture;
        picture.stream = frame.stream;
        picture.sequence = frame.sequence;
        picture.captureMicros = frame.captureMicros;
        picture.hostMicros = frame.hostMicros;
        picture.keyframe = frame.keyframe();
        picture.refinement = (frame.flags & protocol::DesktopFrame::Refinement) != 0;
        picture.image = std::move(image);
        picture.decodeMicros = timer.nsecsElapsed() / 1000;
        QMetaObject::invokeMethod(
            this, [this, picture = std::move(picture)] { Q_EMIT decoded(picture); }, Qt::QueuedConnection);
    }
}

} // namespace breeze::console
