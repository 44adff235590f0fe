#include "widgets/KeyboardPaths.h"

#include <QAbstractItemView>
#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QShortcut>

namespace breeze::console {

namespace {
// Moves the focus from a search field into its results on Down.
class DownIntoResults : public QObject {
public:
    DownIntoResults(QLineEdit* search, QAbstractItemView* results) : QObject(search), m_results(results) {
        search->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() != QEvent::KeyPress || static_cast<QKeyEvent*>(event)->key() != Qt::Key_Down)
            return QObject::eventFilter(watched, event);
        QAbstractItemModel* model = m_results->model();
        if (!model || model->rowCount() == 0)
            return false;
        m_results->setFocus(Qt::TabFocusReason);
        if (!m_results->currentIndex().isValid())
            m_results->setCurrentIndex(model->index(0, 0));
        return true;
    }

private:
    QAbstractItemView* m_results;
};

void requestMenuAtCurrentRow(QAbstractItemView* view) {
    if (view->contextMenuPolicy() != Qt::CustomContextMenu)
        return;
    const QModelIndex current = view->currentIndex();
    const QPoint at = current.isValid() ? view->visualRect(current).center() : QPoint(8, 8);
    Q_EMIT view->customContextMenuRequested(at);
}

// A context-menu request from the keyboard opens the menu at the current row, not wherever the pointer is.
class MenuKeyAtCurrentRow : public QObject {
public:
    explicit MenuKeyAtCurrentRow(QAbstractItemView* view) : QObject(view), m_view(view) {
        view->viewport()->installEventFilter(this);
        view->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::ContextMenu &&
            static_cast<QContextMenuEvent*>(event)->reason() == QContextMenuEvent::Keyboard) {
            requestMenuAtCurrentRow(m_view);
            return true;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QAbstractItemView* m_view;
};
} // namespace

void openContextMenuFromKeyboard(QAbstractItemView* view) {
    // Shift+F10 is taught here; the Menu key reaches the view from the window system as a keyboard
    // context-menu request, which is moved to the current row too.
    auto* shortcut = new QShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F10), view);
    shortcut->setContext(Qt::WidgetWithChildrenShortcut);
    QObject::connect(shortcut, &QShortcut::activated, view, [view] { requestMenuAtCurrentRow(view); });
    new MenuKeyAtCurrentRow(view);
}

void downArrowInto(QLineEdit* search, QAbstractItemView* results) {
    new DownIntoResults(search, results);
}

} // namespace breeze::console
