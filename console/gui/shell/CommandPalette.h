#pragma once

#include "PaletteModel.h"

#include <QDialog>

class QLineEdit;
class QListWidget;

namespace breeze::console {

// Ctrl+K: type a few letters of a device, organisation, site, script, view or action (in order is enough) and
// press Enter, or Down into the results.
class CommandPalette : public QDialog {
    Q_OBJECT

public:
    CommandPalette(PaletteModel& model, QWidget* parent = nullptr);
    void refresh();

Q_SIGNALS:
    void chosen(breeze::console::PaletteModel::Kind kind, const QString& id);

private:
    PaletteModel& m_model;
    QLineEdit* m_input;
    QListWidget* m_results;
};

} // namespace breeze::console
