#include "widgets/UsageBarDelegate.h"

#include "widgets/Colours.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

namespace breeze::console {

void UsageBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                             const QModelIndex& index) const {
    const QVariant value = index.data(Qt::UserRole);
    if (!value.isValid() || value.isNull()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const double percent = std::clamp(value.toDouble(), 0.0, 100.0);
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 3, -2, -3);
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = static_cast<int>(percent * 10);
    bar.text = QString("%1 %").arg(percent, 0, 'f', percent < 10 ? 1 : 0);
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    bar.state = option.state | QStyle::State_Horizontal;
    bar.palette = option.palette;
    if (percent >= 80)
        bar.palette.setColor(QPalette::Highlight, colour(percent >= 90 ? Colour::Error : Colour::Warning));
    const QStyle* style = option.widget ? option.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, option.widget);
}

QSize UsageBarDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(std::max(size.width(), 140));
    return size;
}

} // namespace breeze::console
