#include "widgets/SelectionGate.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QItemSelectionModel>
#include <QPointer>

namespace breeze::console {

void enableWithSelection(QAbstractItemView* view, const QList<QAbstractButton*>& buttons) {
    QList<QPointer<QAbstractButton>> gated(buttons.begin(), buttons.end());
    const auto update = [view, gated] {
        const bool selected = view->selectionModel() && view->selectionModel()->hasSelection();
        for (const auto& button : gated)
            if (button)
                button->setEnabled(selected);
    };
    QObject::connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, view, update);
    QObject::connect(view->model(), &QAbstractItemModel::modelReset, view, update);
    QObject::connect(view->model(), &QAbstractItemModel::rowsRemoved, view, update);
    update();
}

} // namespace breeze::console
