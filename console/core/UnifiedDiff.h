#pragma once

#include <QString>

namespace breeze::console {

// The changes from `before` to `after` line by line in unified format ("--- a", "+++ b", "@@ -1,3 +1,4 @@",
// then " ", "-" and "+" lines with three lines of context), as `diff -u` prints them. Computed by dtl
// (Debian's libdtl-dev, the O(NP) algorithm). Empty when the texts are the same.
QString unifiedDiff(const QString& before, const QString& after, const QString& beforeLabel,
                    const QString& afterLabel);

} // namespace breeze::console
