#pragma once

#include "protocol/TerminalControl.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

// What every session control message promises the fuzz targets: when it reads a control, writing it out and
// reading that again gives the same message.
template <typename Message> void controlRoundTrip(const nlohmann::json& control) {
    const auto message = Message::from(control);
    if (!message)
        return;
    const auto again = Message::from(breeze::protocol::decodeSessionControl(message->encode()));
    if (!again || again->encode() != message->encode())
        std::abort();
}
