#include "desktop/H264Encoder.h"

#include <algorithm>
#include <stdexcept>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
}

namespace breeze::agent {

namespace {
// Capped constant quality: a picture takes the bits its changes need for this quality (a few glyphs cost a
// few bytes) and never more than the rate cap allows. Constant bitrate would spend the whole rate on every
// picture, polishing what did not change. A refinement aims higher.
constexpr double kQuality = 26;
constexpr double kRefineQuality = 16;
} // namespace

struct H264Encoder::State {
    AVCodecContext* context = nullptr;
    AVFrame* frame = nullptr;
    AVPacket* packet = nullptr;
    ~State() {
        av_packet_free(&packet);
        av_frame_free(&frame);
        avcodec_free_context(&context);
    }
};

H264Encoder::H264Encoder(int width, int height, int kbps, int threads)
    : m_state(std::make_unique<State>()), m_kbps(kbps) {
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (!codec)
        throw std::runtime_error("libavcodec was built without libx264");
    AVCodecContext* context = m_state->context = avcodec_alloc_context3(codec);
    m_state->frame = av_frame_alloc();
    m_state->packet = av_packet_alloc();
    if (!context || !m_state->frame || !m_state->packet)
        throw std::runtime_error("out of memory for the H.264 encoder");
    context->width = (width + 1) & ~1;
    context->height = (height + 1) & ~1;
    context->time_base = {1, 1000};
    // Timestamps are capture times; x264 spends bits by them, and by this rate for the first picture.
    context->framerate = {30, 1};
    context->pix_fmt = AV_PIX_FMT_YUV420P;
    context->max_b_frames = 0;
    context->gop_size = 1 << 30; // x264's "infinite": keyframes only when asked for
    context->thread_count = threads;
    context->color_range = AVCOL_RANGE_MPEG;
    context->colorspace = AVCOL_SPC_BT470BG;
    applyBitrate(kbps);
    av_opt_set(context->priv_data, "preset", "superfast", 0);
    av_opt_set(context->priv_data, "tune", "zerolatency", 0);
    av_opt_set_int(context->priv_data, "forced-idr", 1, 0);
    av_opt_set_double(context->priv_data, "crf", kQuality, 0);
    // Screens: sharp edges, flat areas; no scene cuts or periodic intra refresh of our own.
    av_opt_set(context->priv_data, "x264-params", "scenecut=0:aq-mode=0:rc-lookahead=0", 0);
    if (const int error = avcodec_open2(context, codec, nullptr); error < 0) {
        char why[AV_ERROR_MAX_STRING_SIZE] = {};
        av_strerror(error, why, sizeof why);
        throw std::runtime_error(std::string("libx264 refused the settings: ") + why);
    }
    m_state->frame->format = AV_PIX_FMT_YUV420P;
    m_state->frame->width = context->width;
    m_state->frame->height = context->height;
}

H264Encoder::~H264Encoder() = default;

void H264Encoder::applyBitrate(int kbps) {
    AVCodecContext* context = m_state->context;
    context->rc_max_rate = std::int64_t{kbps} * 1000;
    // A buffer of half a second: pictures stay near their share, and a keyframe may take a few shares.
    context->rc_buffer_size = static_cast<int>(context->rc_max_rate / 2);
}

void H264Encoder::setBitrate(int kbps) {
    m_kbps = kbps;
    applyBitrate(kbps);
}

bool H264Encoder::encode(const I420Picture& picture, const ChangeMap&, bool keyframe, bool refine,
                         std::int64_t millis, EncodedPicture& out) {
    AVFrame* frame = m_state->frame;
    for (int plane = 0; plane < 3; ++plane) {
        frame->data[plane] = const_cast<std::uint8_t*>(picture.plane(plane));
        frame->linesize[plane] = picture.planeStride(plane);
    }
    millis = std::max(millis, m_lastMillis + 1);
    m_lastMillis = millis;
    frame->pts = millis;
    frame->pict_type = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    // libavcodec hands a changed quality to x264 before it encodes the picture.
    if (refine)
        av_opt_set_double(m_state->context->priv_data, "crf", kRefineQuality, 0);
    const int sent = avcodec_send_frame(m_state->context, frame);
    if (refine)
        av_opt_set_double(m_state->context->priv_data, "crf", kQuality, 0);
    if (sent < 0)
        return false;
    out.data.clear();
    out.keyframe = false;
    while (avcodec_receive_packet(m_state->context, m_state->packet) == 0) {
        out.data.append(reinterpret_cast<const char*>(m_state->packet->data),
                        static_cast<std::size_t>(m_state->packet->size));
        out.keyframe = out.keyframe || (m_state->packet->flags & AV_PKT_FLAG_KEY) != 0;
        av_packet_unref(m_state->packet);
    }
    return !out.data.empty();
}

} // namespace breeze::agent
