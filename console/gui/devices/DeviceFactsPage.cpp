#include "devices/DeviceFactsPage.h"

#include <QFormLayout>
#include <QLabel>

namespace breeze::console {

DeviceFactsPage::DeviceFactsPage(QWidget* parent) : QWidget(parent), m_form(new QFormLayout(this)) {}

void DeviceFactsPage::clear() {
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
}

void DeviceFactsPage::add(const QString& label, const QString& value) {
    auto* text = new QLabel(value, this);
    text->setTextFormat(Qt::PlainText); // agent-reported: never rich text
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->addRow(label, text);
}

} // namespace breeze::console
