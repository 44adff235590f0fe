#include "patches/PatchTable.h"

#include <QHeaderView>
#include <QTableView>

namespace breeze::console {

QTableView* patchTable(QAbstractItemModel* model, QWidget* parent, bool multiSelect) {
    auto* view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(multiSelect ? QAbstractItemView::ExtendedSelection
                                       : QAbstractItemView::SingleSelection);
    view->horizontalHeader()->setStretchLastSection(true);
    view->verticalHeader()->hide();
    return view;
}

} // namespace breeze::console
