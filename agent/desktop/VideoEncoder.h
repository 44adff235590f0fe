#pragma once

#include "desktop/ChangeMap.h"
#include "desktop/I420Picture.h"
#include "protocol/DesktopFrame.h"

#include <string>

namespace breeze::agent {

struct EncodedPicture {
    std::string data;
    bool keyframe = false;
};

// Turns pictures into a video stream for one viewer: no lag (each picture comes out as it goes in), no
// pictures reordered, keyframes only when asked for, the bitrate changeable between pictures.
class VideoEncoder {
public:
    virtual ~VideoEncoder() = default;
    virtual protocol::DesktopCodec codec() const = 0;
    // Whether pictures must have even dimensions (I420Picture::resize's evenPadded).
    virtual bool needsEvenSize() const = 0;
    // Encodes one picture. `changes`: the tiles that differ from the last picture (the encoder may code the
    // rest as unchanged); `refine`: the same picture again, in better quality; `millis`: when it was
    // captured (rate control spends bits by time, so a picture after a long still gets more). False on an
    // encoder error.
    virtual bool encode(const I420Picture& picture, const ChangeMap& changes, bool keyframe, bool refine,
                        std::int64_t millis, EncodedPicture& out) = 0;
    virtual void setBitrate(int kbps) = 0;
    virtual int bitrate() const = 0;
};

} // namespace breeze::agent
