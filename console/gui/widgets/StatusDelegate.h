#pragma once

#include <QStyledItemDelegate>

namespace breeze::console {

// The status cell: a coloured dot (green online, grey offline, amber awaiting approval, red revoked) before
// the word, so the state reads at a glance and without colour alike.
class StatusDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
};

} // namespace breeze::console
