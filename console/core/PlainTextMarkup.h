#pragma once

#include <QString>

namespace breeze::console {

// Qt renders a tooltip as rich text whenever the string looks like HTML, and QtCharts renders every label as
// HTML. Text that an agent or another tenant controls (identities, hostnames, site names, descriptions) goes
// through one of these first, so it always reads literally and can never format, link or load anything.
// For tooltips: the text escaped inside a paragraph that keeps its line breaks.
QString plainTextTooltip(const QString& text);
// For chart labels and legends: the text escaped.
QString plainTextLabel(const QString& text);

} // namespace breeze::console
