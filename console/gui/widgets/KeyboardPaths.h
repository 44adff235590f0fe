#pragma once

class QAbstractItemView;
class QLineEdit;

namespace breeze::console {

// Shift+F10 and the Menu key (which the window system delivers as a keyboard context-menu request) open a
// view's context menu at its current row, as a right-click there does (for views whose menu comes from
// customContextMenuRequested).
void openContextMenuFromKeyboard(QAbstractItemView* view);

// The Down arrow in a search field moves into its results: to the current row, or the first.
void downArrowInto(QLineEdit* search, QAbstractItemView* results);

} // namespace breeze::console
