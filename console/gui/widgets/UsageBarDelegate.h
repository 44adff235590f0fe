#pragma once

#include <QStyledItemDelegate>

namespace breeze::console {

// Draws a percentage (the model's Qt::UserRole value, 0-100) as a bar with its figure; amber from 80 %, red
// from 90 %, so a filling disk stands out in a long list. Empty cells stay empty.
class UsageBarDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace breeze::console
