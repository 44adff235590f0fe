#include "widgets/StatusDelegate.h"

#include "widgets/Colours.h"

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
    QColor shade = colour(Colour::Muted);
    if (word == "online")
        shade = colour(Colour::Success);
    else if (word == "revoked")
        shade = colour(Colour::Error);
    else if (word != "offline")
        shade = colour(Colour::Warning);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(shade);
    painter->drawEllipse(
        QRect(option.rect.left() + dot / 2 + 2, option.rect.center().y() - dot / 2, dot, dot));
    painter->restore();
}

} // namespace breeze::console
