#include "shell/CommandPalette.h"

#include "widgets/KeyboardPaths.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
QString kindName(PaletteModel::Kind kind) {
    switch (kind) {
    case PaletteModel::Kind::Device:
        return QObject::tr("device");
    case PaletteModel::Kind::Organisation:
        return QObject::tr("organisation");
    case PaletteModel::Kind::Site:
        return QObject::tr("site");
    case PaletteModel::Kind::View:
        return QObject::tr("view");
    case PaletteModel::Kind::Action:
        return QObject::tr("action");
    case PaletteModel::Kind::Script:
        return QObject::tr("script");
    }
    return {};
}
} // namespace

CommandPalette::CommandPalette(PaletteModel& model, QWidget* parent) : QDialog(parent), m_model(model) {
    setWindowTitle(tr("Go to…"));
    m_input = new QLineEdit(this);
    m_input->setPlaceholderText(tr("Device, organisation, site, script, view or action"));
    m_results = new QListWidget(this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_input);
    layout->addWidget(m_results);
    resize(560, 380);
    connect(m_input, &QLineEdit::textChanged, this, &CommandPalette::refresh);
    const auto choose = [this] {
        const QListWidgetItem* item = m_results->currentItem();
        if (!item)
            return;
        const PaletteModel::Entry& entry = m_model.entry(item->data(Qt::UserRole).toInt());
        accept();
        Q_EMIT chosen(entry.kind, entry.id);
    };
    connect(m_input, &QLineEdit::returnPressed, this, choose);
    connect(m_results, &QListWidget::itemActivated, this, choose);
    downArrowInto(m_input, m_results);
}

void CommandPalette::refresh() {
    m_results->clear();
    for (int row : m_model.find(m_input->text(), 50)) {
        const PaletteModel::Entry& entry = m_model.entry(row);
        // QListWidgetItem text is plain text: host names from agents stay text.
        auto* item = new QListWidgetItem(entry.label + "   · " + kindName(entry.kind), m_results);
        item->setData(Qt::UserRole, row);
    }
    m_results->setCurrentRow(0);
}

} // namespace breeze::console
