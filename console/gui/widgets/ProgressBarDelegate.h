#pragma once

#include <QStyledItemDelegate>

namespace breeze::console {

// Draws a progress (the model's Qt::UserRole value, 0-100) as the style's progress bar with the cell's text
// on it. Cells without a value are drawn as text.
class ProgressBarDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
};

} // namespace breeze::console
