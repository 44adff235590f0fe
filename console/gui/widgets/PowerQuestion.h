#pragma once

#include <QString>
#include <optional>

class QWidget;

namespace breeze::console {

// "Restart web-01, db-01 in how many minutes? (users are warned)": the delay in seconds, or nothing when the
// technician cancelled. The targets are agents' words and are shown as plain text.
std::optional<int> askPowerDelay(QWidget* parent, const QString& verb, const QString& targets);

} // namespace breeze::console
