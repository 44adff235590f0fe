#include "remote/TerminalSearchBar.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

namespace breeze::console {

TerminalSearchBar::TerminalSearchBar(QWidget* parent)
    : QWidget(parent), m_field(new QLineEdit(this)), m_count(new QLabel(this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    m_field->setPlaceholderText(tr("Find in the terminal"));
    m_field->setClearButtonEnabled(true);
    auto* previous = new QToolButton(this);
    previous->setText(tr("Previous"));
    auto* next = new QToolButton(this);
    next->setText(tr("Next"));
    auto* close = new QToolButton(this);
    close->setText(tr("Close"));
    layout->addWidget(m_field, 1);
    layout->addWidget(m_count);
    layout->addWidget(previous);
    layout->addWidget(next);
    layout->addWidget(close);
    connect(m_field, &QLineEdit::textChanged, this, &TerminalSearchBar::searchChanged);
    connect(m_field, &QLineEdit::returnPressed, this, &TerminalSearchBar::next);
    connect(next, &QToolButton::clicked, this, &TerminalSearchBar::next);
    connect(previous, &QToolButton::clicked, this, &TerminalSearchBar::previous);
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        Q_EMIT closed();
    });
    hide();
}

void TerminalSearchBar::begin() {
    show();
    m_field->setFocus();
    m_field->selectAll();
}

QString TerminalSearchBar::text() const {
    return m_field->text();
}

void TerminalSearchBar::showMatches(int current, int total) {
    m_count->setText(total == 0 ? (m_field->text().isEmpty() ? QString() : tr("No matches"))
                                : tr("%1 of %2").arg(current + 1).arg(total));
}

void TerminalSearchBar::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Escape) {
        hide();
        Q_EMIT closed();
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        (event->modifiers() & Qt::ShiftModifier)) {
        Q_EMIT previous();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace breeze::console
