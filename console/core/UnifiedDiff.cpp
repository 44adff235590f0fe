#include "UnifiedDiff.h"

#include <QStringList>
#include <dtl/dtl.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace breeze::console {

namespace {
std::vector<std::string> lines(const QString& text) {
    std::vector<std::string> out;
    for (const auto& line : text.split('\n'))
        out.push_back(line.toStdString());
    if (!out.empty() && out.back().empty())
        out.pop_back(); // the newline that ends the last line starts no new one
    return out;
}
} // namespace

QString unifiedDiff(const QString& before, const QString& after, const QString& beforeLabel,
                    const QString& afterLabel) {
    if (before == after)
        return {};
    dtl::Diff<std::string> diff(lines(before), lines(after));
    diff.compose();
    diff.composeUnifiedHunks();
    std::ostringstream out;
    out << "--- " << beforeLabel.toStdString() << "\n+++ " << afterLabel.toStdString() << "\n";
    diff.printUnifiedFormat(out);
    return QString::fromStdString(out.str());
}

} // namespace breeze::console
