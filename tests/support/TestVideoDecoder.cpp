#include "TestVideoDecoder.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace breeze::test {

TestVideoDecoder::TestVideoDecoder(protocol::DesktopCodec codec) {
    const AVCodec* decoder =
        avcodec_find_decoder(codec == protocol::DesktopCodec::Vp8 ? AV_CODEC_ID_VP8 : AV_CODEC_ID_H264);
    m_context = avcodec_alloc_context3(decoder);
    m_context->flags |= AV_CODEC_FLAG_LOW_DELAY;
    m_context->thread_count = 1;
    avcodec_open2(m_context, decoder, nullptr);
    m_frame = av_frame_alloc();
    m_packet = av_packet_alloc();
}

TestVideoDecoder::~TestVideoDecoder() {
    av_packet_free(&m_packet);
    av_frame_free(&m_frame);
    avcodec_free_context(&m_context);
}

bool TestVideoDecoder::decode(std::string_view data) {
    if (av_new_packet(m_packet, static_cast<int>(data.size())) < 0)
        return false;
    std::memcpy(m_packet->data, data.data(), data.size());
    const int sent = avcodec_send_packet(m_context, m_packet);
    av_packet_unref(m_packet);
    if (sent < 0 || avcodec_receive_frame(m_context, m_frame) < 0)
        return false;
    m_have = true;
    return true;
}

int TestVideoDecoder::width() const {
    return m_have ? m_frame->width : 0;
}

int TestVideoDecoder::height() const {
    return m_have ? m_frame->height : 0;
}

std::uint32_t TestVideoDecoder::rgb(int x, int y) const {
    if (!m_have || x < 0 || y < 0 || x >= m_frame->width || y >= m_frame->height)
        return 0xFFFFFFFF;
    const int chromaX = x / 2;
    const int chromaY = y / 2;
    const double luma = 1.164 * (m_frame->data[0][y * m_frame->linesize[0] + x] - 16);
    const double u = m_frame->data[1][chromaY * m_frame->linesize[1] + chromaX] - 128;
    const double v = m_frame->data[2][chromaY * m_frame->linesize[2] + chromaX] - 128;
    const auto channel = [](double value) {
        return static_cast<std::uint32_t>(std::clamp(std::lround(value), 0L, 255L));
    };
    return (channel(luma + 1.596 * v) << 16) | (channel(luma - 0.392 * u - 0.813 * v) << 8) |
           channel(luma + 2.017 * u);
}

double TestVideoDecoder::lumaPsnr(const std::uint8_t* luma, int stride, int width, int height) const {
    double squared = 0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double difference =
                double(m_frame->data[0][y * m_frame->linesize[0] + x]) - double(luma[y * stride + x]);
            squared += difference * difference;
        }
    const double mean = squared / (double(width) * height);
    return mean == 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mean);
}

bool nearColour(std::uint32_t a, std::uint32_t b, int tolerance) {
    for (int shift = 0; shift <= 16; shift += 8)
        if (std::abs(int((a >> shift) & 0xFF) - int((b >> shift) & 0xFF)) > tolerance)
            return false;
    return true;
}

} // namespace breeze::test
