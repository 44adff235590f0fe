#pragma once

#include <QJsonArray>
#include <QWidget>

class QPlainTextEdit;

namespace breeze::console {

class DeviceTablePage;

// The device's command history and, below it, what the selected command answered (plain text, as the agent
// sent it).
class DeviceCommandsTab : public QWidget {
    Q_OBJECT

public:
    explicit DeviceCommandsTab(QWidget* parent = nullptr);
    void setCommands(const QJsonArray& commands);

private:
    DeviceTablePage* m_table;
    QPlainTextEdit* m_output;
};

} // namespace breeze::console
