#pragma once

#include "SavedFilterClient.h"

#include <QMenu>
#include <functional>

namespace breeze::console {

// The device list's saved filters: each one the technician saved (choosing it applies its search, state and
// scope), "Save current filter…" and a way to delete one. Kept on the server, so they follow the technician;
// loaded at sign-in and after each change.
class SavedFilterMenu : public QMenu {
    Q_OBJECT

public:
    // `current` gives the list's filter as it stands, for saving.
    SavedFilterMenu(ApiClient& api, std::function<SavedFilter()> current, QWidget* parent = nullptr);
    void reload();
    const QList<SavedFilter>& filters() const { return m_filters; }
    // Saves the current filter under `name`; `status` tells how it went.
    void saveAs(const QString& name);
    void remove(const SavedFilter& filter);

Q_SIGNALS:
    void chosen(const breeze::console::SavedFilter& filter);
    void status(const QString& message);

private:
    void rebuild();

    SavedFilterClient m_client;
    std::function<SavedFilter()> m_current;
    QList<SavedFilter> m_filters;
};

} // namespace breeze::console
