#pragma once

#include <QString>

namespace breeze::console {

// Light, dark or the system's look; the choice is remembered.
class Theme {
public:
    static void apply(const QString& name); // "system", "light" or "dark"
    static QString current();
    static void restore();
};

} // namespace breeze::console
