#pragma once

#include "protocol/DesktopFrame.h"

#include <cstdint>
#include <string>
#include <vector>

struct AVCodecContext;
struct AVFrame;
struct AVPacket;

namespace breeze::test {

// libavcodec's decoder for what the agent encodes, as a test reads it: pictures out at once (low delay), and
// pixels read back in RGB.
class TestVideoDecoder {
public:
    explicit TestVideoDecoder(protocol::DesktopCodec codec);
    ~TestVideoDecoder();
    TestVideoDecoder(const TestVideoDecoder&) = delete;
    TestVideoDecoder& operator=(const TestVideoDecoder&) = delete;

    // False when the data does not decode to a picture.
    bool decode(std::string_view data);
    const AVFrame* picture() const { return m_frame; }
    int width() const;
    int height() const;
    // 0xRRGGBB at (x, y) of the last picture (BT.601, limited range, as the encoders were given it).
    std::uint32_t rgb(int x, int y) const;
    // Peak signal-to-noise ratio of the last picture's luma against a plane of the same size.
    double lumaPsnr(const std::uint8_t* luma, int stride, int width, int height) const;

private:
    AVCodecContext* m_context = nullptr;
    AVFrame* m_frame = nullptr;
    AVPacket* m_packet = nullptr;
    bool m_have = false;
};

// Whether two colours are the same within what lossy coding changes (each channel within `tolerance`).
bool nearColour(std::uint32_t a, std::uint32_t b, int tolerance = 24);

} // namespace breeze::test
