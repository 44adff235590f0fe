#pragma once

#include "desktop/VideoEncoder.h"

#include <memory>

namespace breeze::agent {

// VP8 through libvpx, tuned for screens: realtime speed, screen-content mode, constant bitrate, no lag, no
// automatic keyframes, and the tiles that did not change skipped through libvpx's active map.
class Vp8Encoder : public VideoEncoder {
public:
    // Throws std::runtime_error when libvpx refuses the settings.
    Vp8Encoder(int width, int height, int kbps, int threads);
    ~Vp8Encoder() override;
    Vp8Encoder(const Vp8Encoder&) = delete;
    Vp8Encoder& operator=(const Vp8Encoder&) = delete;

    protocol::DesktopCodec codec() const override { return protocol::DesktopCodec::Vp8; }
    bool needsEvenSize() const override { return false; }
    bool encode(const I420Picture& picture, const ChangeMap& changes, bool keyframe, bool refine,
                std::int64_t millis, EncodedPicture& out) override;
    void setBitrate(int kbps) override;
    int bitrate() const override { return m_kbps; }

private:
    struct State;
    std::unique_ptr<State> m_state;
    int m_kbps;
    std::int64_t m_lastMillis = -1;
};

} // namespace breeze::agent
