#pragma once

#include <QList>

class QAbstractButton;
class QAbstractItemView;

namespace breeze::console {

// Buttons that act on the selected rows of a view are enabled only while something is selected, so a click
// never lands on nothing.
void enableWithSelection(QAbstractItemView* view, const QList<QAbstractButton*>& buttons);

} // namespace breeze::console
