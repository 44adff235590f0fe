#pragma once

#include <QWidget>

class QFormLayout;

namespace breeze::console {

// A device tab of labelled facts (overview, hardware): values are the agent's, selectable plain text.
class DeviceFactsPage : public QWidget {
    Q_OBJECT

public:
    explicit DeviceFactsPage(QWidget* parent = nullptr);

    void clear();
    void add(const QString& label, const QString& value);

private:
    QFormLayout* m_form;
};

} // namespace breeze::console
