#pragma once

#include <QString>

namespace breeze::console {

// Light, dark or the system's look; the choice is remembered.
class Theme {
public:
    // "system", "light" or "dark"; remembered for the next start unless `remember` is false (screenshots).
    static void apply(const QString& name, bool remember = true);
    static QString current();
    static void restore();

private:
    static QString s_applied; // what this run applied; empty: nothing yet
};

} // namespace breeze::console
