#pragma once

#include <string>
#include <string_view>

namespace breeze::media {

// The sequence and picture parameter sets (NAL types 7 and 8) of an H.264 Annex B picture, each with its
// start code, in order: what a container keeps as the track's decoder configuration.
std::string h264ParameterSets(std::string_view annexB);

} // namespace breeze::media
