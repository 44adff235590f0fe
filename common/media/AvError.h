#pragma once

#include <string>

extern "C" {
#include <libavutil/error.h>
}

namespace breeze::media {

// libav's words for one of its error codes.
inline std::string avError(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

} // namespace breeze::media
