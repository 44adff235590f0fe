#include "desktop/Vp8Encoder.h"

#include <algorithm>
#include <stdexcept>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

namespace breeze::agent {

namespace {
// The quantizer range of ordinary pictures, and the ceiling for a refinement (lower: sharper).
constexpr unsigned kMaxQuantizer = 56;
constexpr unsigned kRefineMaxQuantizer = 12;
} // namespace

struct Vp8Encoder::State {
    vpx_codec_ctx_t codec{};
    vpx_codec_enc_cfg_t config{};
    bool open = false;
    ~State() {
        if (open)
            vpx_codec_destroy(&codec);
    }
};

Vp8Encoder::Vp8Encoder(int width, int height, int kbps, int threads)
    : m_state(std::make_unique<State>()), m_kbps(kbps) {
    auto& config = m_state->config;
    if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &config, 0) != VPX_CODEC_OK)
        throw std::runtime_error("libvpx has no VP8 encoder");
    config.g_w = static_cast<unsigned>(width);
    config.g_h = static_cast<unsigned>(height);
    config.g_timebase = {1, 1000};
    config.g_threads = static_cast<unsigned>(threads);
    config.g_lag_in_frames = 0;
    config.g_pass = VPX_RC_ONE_PASS;
    config.g_error_resilient = 0; // a lost picture is answered with a keyframe, not concealed
    config.rc_end_usage = VPX_CBR;
    config.rc_target_bitrate = static_cast<unsigned>(kbps);
    config.rc_min_quantizer = 2;
    config.rc_max_quantizer = kMaxQuantizer;
    config.rc_undershoot_pct = 100;
    config.rc_overshoot_pct = 15;
    config.rc_buf_initial_sz = 500;
    config.rc_buf_optimal_sz = 600;
    config.rc_buf_sz = 1000;
    config.rc_dropframe_thresh = 0; // the stream paces itself; a picture handed in is a picture sent
    config.kf_mode = VPX_KF_DISABLED;
    if (vpx_codec_enc_init(&m_state->codec, vpx_codec_vp8_cx(), &config, 0) != VPX_CODEC_OK)
        throw std::runtime_error(std::string("libvpx refused the VP8 settings: ") +
                                 vpx_codec_error_detail(&m_state->codec));
    m_state->open = true;
    // The fastest realtime speed: a 1080p picture in a few milliseconds on two cores.
    vpx_codec_control(&m_state->codec, VP8E_SET_CPUUSED, 16);
    vpx_codec_control(&m_state->codec, VP8E_SET_SCREEN_CONTENT_MODE, 1);
    vpx_codec_control(&m_state->codec, VP8E_SET_NOISE_SENSITIVITY, 0);
    vpx_codec_control(&m_state->codec, VP8E_SET_STATIC_THRESHOLD, 0);
    vpx_codec_control(&m_state->codec, VP8E_SET_TOKEN_PARTITIONS, threads > 1 ? 1 : 0);
    // A keyframe may take a few pictures' worth of bits, not a second's.
    vpx_codec_control(&m_state->codec, VP8E_SET_MAX_INTRA_BITRATE_PCT, 600);
}

Vp8Encoder::~Vp8Encoder() = default;

void Vp8Encoder::setBitrate(int kbps) {
    if (kbps == m_kbps)
        return;
    m_kbps = kbps;
    m_state->config.rc_target_bitrate = static_cast<unsigned>(kbps);
    vpx_codec_enc_config_set(&m_state->codec, &m_state->config);
}

bool Vp8Encoder::encode(const I420Picture& picture, const ChangeMap& changes, bool keyframe, bool refine,
                        std::int64_t millis, EncodedPicture& out) {
    vpx_image_t image;
    vpx_img_wrap(&image, VPX_IMG_FMT_I420, static_cast<unsigned>(picture.codedWidth()),
                 static_cast<unsigned>(picture.codedHeight()), 1,
                 const_cast<std::uint8_t*>(picture.plane(0)));
    for (int plane = 0; plane < 3; ++plane) {
        image.planes[plane] = const_cast<std::uint8_t*>(picture.plane(plane));
        image.stride[plane] = picture.planeStride(plane);
    }
    // Tiles that did not change are skipped; every tile counts for keyframes and refinements.
    const bool partial = !keyframe && !refine && !changes.all() && changes.columns() > 0;
    vpx_active_map_t map{partial ? const_cast<unsigned char*>(changes.tiles().data()) : nullptr,
                         static_cast<unsigned>(changes.rows()), static_cast<unsigned>(changes.columns())};
    vpx_codec_control(&m_state->codec, VP8E_SET_ACTIVEMAP, &map);
    if (refine) {
        m_state->config.rc_max_quantizer = kRefineMaxQuantizer;
        vpx_codec_enc_config_set(&m_state->codec, &m_state->config);
    }
    // Timestamps only ever grow; a picture's duration is the time since the last one, at most a second (so a
    // picture after a long still does not get a second's worth of bits at once).
    millis = std::max(millis, m_lastMillis + 1);
    const auto duration = static_cast<unsigned long>(
        m_lastMillis < 0 ? 33 : std::min<std::int64_t>(millis - m_lastMillis, 1000));
    m_lastMillis = millis;
    const vpx_codec_err_t result = vpx_codec_encode(&m_state->codec, &image, millis, duration,
                                                    keyframe ? VPX_EFLAG_FORCE_KF : 0, VPX_DL_REALTIME);
    if (refine) {
        m_state->config.rc_max_quantizer = kMaxQuantizer;
        vpx_codec_enc_config_set(&m_state->codec, &m_state->config);
    }
    if (result != VPX_CODEC_OK)
        return false;
    out.data.clear();
    out.keyframe = false;
    vpx_codec_iter_t iterator = nullptr;
    while (const vpx_codec_cx_pkt_t* packet = vpx_codec_get_cx_data(&m_state->codec, &iterator))
        if (packet->kind == VPX_CODEC_CX_FRAME_PKT) {
            out.data.append(static_cast<const char*>(packet->data.frame.buf), packet->data.frame.sz);
            out.keyframe = out.keyframe || (packet->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
        }
    return !out.data.empty();
}

} // namespace breeze::agent
