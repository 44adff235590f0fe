#include "media/AnnexB.h"

namespace breeze::media {

std::string h264ParameterSets(std::string_view annexB) {
    std::string sets;
    std::size_t at = 0;
    // Each NAL unit runs from after its 00 00 01 start code to the next start code (a 4-byte one has one more
    // zero in front, left with the unit before, where it is trailing zero padding).
    const auto nextStart = [&annexB](std::size_t from) {
        const std::size_t found = annexB.find(std::string_view("\0\0\1", 3), from);
        return found == std::string_view::npos ? annexB.size() : found;
    };
    at = nextStart(0);
    while (at < annexB.size()) {
        const std::size_t begin = at + 3;
        std::size_t end = nextStart(begin);
        const std::size_t next = end;
        while (end > begin && annexB[end - 1] == '\0')
            --end;
        if (begin < end) {
            const int type = static_cast<unsigned char>(annexB[begin]) & 0x1F;
            if (type == 7 || type == 8) {
                sets.append("\0\0\0\1", 4);
                sets.append(annexB.substr(begin, end - begin));
            }
        }
        at = next;
    }
    return sets;
}

} // namespace breeze::media
