#include "desktop/MonitorProbe.h"

#include "desktop/DisplayLocator.h"
#include "desktop/MonitorLayout.h"
#include "desktop/X11Connection.h"

#include <algorithm>
#include <future>
#include <stdexcept>
#include <thread>

namespace breeze::agent {

nlohmann::json MonitorProbe::monitors(std::chrono::milliseconds timeout) {
    bool idle = false;
    if (!m_stuck->compare_exchange_strong(idle, true))
        throw std::runtime_error("the display has not answered an earlier look at its monitors yet");
    auto result = std::make_shared<std::promise<nlohmann::json>>();
    auto answer = result->get_future();
    // Detached: a display that never answers keeps only this thread, not the caller.
    std::thread([policy = m_policy, result, stuck = m_stuck] {
        try {
            nlohmann::json list = nlohmann::json::array();
            DisplayTarget target;
            try {
                target = DisplayLocator::locate(policy);
            } catch (const std::exception&) {
                result->set_value(list); // nobody logged in to a graphical session (or Wayland): none
                stuck->store(false);
                return;
            }
            try {
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
                list = nlohmann::json::array(); // the display went away (a logout) while it was looked at
            }
            result->set_value(std::move(list));
        } catch (...) {
            result->set_exception(std::current_exception());
        }
        stuck->store(false);
    }).detach();
    if (answer.wait_for(timeout) != std::future_status::ready)
        throw std::runtime_error("the display did not answer within " + std::to_string(timeout.count()) +
                                 " ms");
    return answer.get();
}

} // namespace breeze::agent
