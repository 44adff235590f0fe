#include "widgets/StatusDelegate.h"

#include <QPainter>

namespace breeze::console {

void StatusDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                           const QModelIndex& index) const {
    QStyleOptionViewItem text = option;
    initStyleOption(&text, index);
    const int dot = option.rect.height() / 3;
    text.rect.adjust(dot * 2 + 4, 0, 0, 0);
    QStyledItemDelegate::paint(painter, text, index);
    const QString word = index.data(Qt::DisplayRole).toString();
    QColor colour("#9e9e9e");
    if (word == "online")
        colour = QColor("#2e7d32");
    else if (word == "revoked")
        colour = QColor("#c62828");
    else if (word != "offline")
        colour = QColor("#f9a825");
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    painter->drawEllipse(
        QRect(option.rect.left() + dot / 2 + 2, option.rect.center().y() - dot / 2, dot, dot));
    painter->restore();
}

} // namespace breeze::console
