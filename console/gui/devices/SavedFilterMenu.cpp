#include "devices/SavedFilterMenu.h"

#include "widgets/Confirmation.h"

#include <QInputDialog>

namespace breeze::console {

namespace {
// Menu texts treat '&' as a shortcut marker: names are shown as typed.
QString literal(QString text) {
    return text.replace('&', "&&");
}
} // namespace

SavedFilterMenu::SavedFilterMenu(ApiClient& api, std::function<SavedFilter()> current, QWidget* parent)
    : QMenu(parent), m_client(api), m_current(std::move(current)) {
    rebuild();
}

void SavedFilterMenu::reload() {
    m_client.list([this](const QList<SavedFilter>& filters, const QString& error) {
        if (!error.isEmpty()) {
            Q_EMIT status(tr("Could not load the saved filters: %1").arg(error));
            return;
        }
        m_filters = filters;
        rebuild();
    });
}

void SavedFilterMenu::rebuild() {
    clear();
    if (m_filters.isEmpty())
        addAction(tr("No saved filters yet"))->setEnabled(false);
    for (const SavedFilter& filter : m_filters)
        addAction(literal(filter.name), this, [this, filter] { Q_EMIT chosen(filter); });
    addSeparator();
    addAction(tr("Save current filter…"), this, [this] {
        bool ok = false;
        const QString name =
            QInputDialog::getText(parentWidget(), tr("Save filter"), tr("Name:"), QLineEdit::Normal, {}, &ok)
                .trimmed();
        if (ok && !name.isEmpty())
            saveAs(name);
    });
    QMenu* deletions = addMenu(tr("Delete a saved filter"));
    deletions->setEnabled(!m_filters.isEmpty());
    for (const SavedFilter& filter : m_filters)
        deletions->addAction(literal(filter.name), this, [this, filter] {
            if (Confirmation::ask(parentWidget(), tr("Delete filter"),
                                  tr("Delete the saved filter \"%1\"?").arg(filter.name)))
                remove(filter);
        });
}

void SavedFilterMenu::saveAs(const QString& name) {
    SavedFilter filter = m_current();
    filter.name = name;
    m_client.save(filter, [this, name](const SavedFilter&, const QString& error) {
        Q_EMIT status(error.isEmpty() ? tr("Saved the filter \"%1\".").arg(name)
                                      : tr("Could not save the filter: %1").arg(error));
        reload();
    });
}

void SavedFilterMenu::remove(const SavedFilter& filter) {
    m_client.remove(filter.id, [this, name = filter.name](bool, const QString& error) {
        Q_EMIT status(error.isEmpty() ? tr("Deleted the filter \"%1\".").arg(name)
                                      : tr("Could not delete the filter: %1").arg(error));
        reload();
    });
}

} // namespace breeze::console
