#include "desktop/MonitorProbe.h"

#include "desktop/DisplayLocator.h"
#include "desktop/MonitorLayout.h"
#include "desktop/RunWithin.h"
#include "desktop/X11Connection.h"

#include <algorithm>
#include <stdexcept>

namespace breeze::agent {

nlohmann::json MonitorProbe::monitors(std::chrono::milliseconds timeout) {
    bool idle = false;
    if (!m_stuck->compare_exchange_strong(idle, true))
        throw std::runtime_error("the display has not answered an earlier look at its monitors yet");
    return runWithin(timeout, "the display", [policy = m_policy, stuck = m_stuck] {
        const struct Done {
            std::shared_ptr<std::atomic<bool>> stuck;
            ~Done() { stuck->store(false); }
        } done{stuck};
        nlohmann::json list = nlohmann::json::array();
        DisplayTarget target;
        try {
            target = DisplayLocator::locate(policy);
            X11Connection connection(target);
            for (const auto& monitor : MonitorLayout::read(connection))
                list.push_back({{"name", monitor.name},
                                {"display", target.display},
                                {"x", std::max(0, monitor.x)}, // the screen starts at 0,0
                                {"y", std::max(0, monitor.y)},
                                {"width", monitor.width},
                                {"height", monitor.height},
                                {"primary", monitor.primary}});
        } catch (const std::exception&) {
            // Nobody logged in to a graphical session (or Wayland), or the display went away while it was
            // looked at: no monitors.
            list = nlohmann::json::array();
        }
        return list;
    });
}

} // namespace breeze::agent
