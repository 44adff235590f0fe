#pragma once

class QAbstractItemModel;
class QTableView;
class QWidget;

namespace breeze::console {

// The table the patch views share: whole rows selected, last column stretched, no row numbers.
QTableView* patchTable(QAbstractItemModel* model, QWidget* parent, bool multiSelect);

} // namespace breeze::console
