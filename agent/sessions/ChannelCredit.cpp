#include "sessions/ChannelCredit.h"

#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"

#include <algorithm>

namespace breeze::agent {

void ChannelCredit::reset() {
    m_credit = m_window;
    m_toGrant = 0;
    m_controls.clear();
}

void ChannelCredit::granted(std::string_view payload) {
    if (const auto increment = protocol::decodeWindowIncrement(payload))
        m_credit = std::min<std::uint64_t>(m_credit + *increment, m_window);
}

bool ChannelCredit::spend(std::uint64_t cost) {
    if (cost > m_credit)
        return false;
    m_credit -= cost;
    return true;
}

void ChannelCredit::drainControls(std::uint32_t channel, std::vector<std::string>& frames) {
    if (m_toGrant >= m_window / 4) {
        frames.push_back(protocol::encodeStreamFrame(
            protocol::StreamKind::Window, channel,
            protocol::encodeWindowIncrement(static_cast<std::uint32_t>(m_toGrant))));
        m_toGrant = 0;
    }
    while (!m_controls.empty() && spend(m_controls.front().size() + protocol::kFrameCost)) {
        frames.push_back(
            protocol::encodeStreamFrame(protocol::StreamKind::SessionControl, channel, m_controls.front()));
        m_controls.pop_front();
    }
}

} // namespace breeze::agent
