#include "PlainTextMarkup.h"

namespace breeze::console {

QString plainTextTooltip(const QString& text) {
    if (text.isEmpty())
        return {};
    return "<p style=\"white-space:pre-wrap\">" + text.toHtmlEscaped() + "</p>";
}

QString plainTextLabel(const QString& text) {
    return text.toHtmlEscaped();
}

} // namespace breeze::console
