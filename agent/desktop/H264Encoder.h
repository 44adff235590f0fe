#pragma once

#include "desktop/VideoEncoder.h"

#include <memory>

namespace breeze::agent {

// H.264 through libavcodec's libx264: the zerolatency tune (no lookahead, sliced threads), no B-frames, an
// IDR picture only when asked for, the bitrate changeable between pictures (libavcodec reconfigures x264).
class H264Encoder : public VideoEncoder {
public:
    // Throws std::runtime_error when libavcodec has no libx264 or refuses the settings.
    H264Encoder(int width, int height, int kbps, int threads);
    ~H264Encoder() override;
    H264Encoder(const H264Encoder&) = delete;
    H264Encoder& operator=(const H264Encoder&) = delete;

    protocol::DesktopCodec codec() const override { return protocol::DesktopCodec::H264; }
    bool needsEvenSize() const override { return true; }
    bool encode(const I420Picture& picture, const ChangeMap& changes, bool keyframe, bool refine,
                std::int64_t millis, EncodedPicture& out) override;
    void setBitrate(int kbps) override;
    int bitrate() const override { return m_kbps; }

private:
    void applyBitrate(int kbps);

    struct State;
    std::unique_ptr<State> m_state;
    int m_kbps;
    std::int64_t m_lastMillis = -1;
};

} // namespace breeze::agent
