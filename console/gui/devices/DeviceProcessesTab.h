#pragma once

#include "DeviceCommands.h"
#include "widgets/InlineMessage.h"

#include <QWidget>

class QPushButton;

namespace breeze::console {

class DeviceTablePage;

// The device's processes (searchable): asked of the device whenever the tab is shown without any (it is a
// command, not inventory) and on Refresh, with End process for the selected one (TERM or KILL, after asking).
class DeviceProcessesTab : public QWidget {
    Q_OBJECT

public:
    explicit DeviceProcessesTab(QWidget* parent = nullptr);
    void setProcesses(const QJsonArray& processes);
    int count() const;
    void refresh();

    // What this tab asked of the device and how it went; each tab keeps its own.
    void say(InlineMessage::Kind kind, const QString& text) { m_status->say(kind, text); }
    QString status() const { return m_status->message(); }

Q_SIGNALS:
    void commandRequested(const DeviceCommand& command, const QString& tag, const QString& doing);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void endSelected();

    DeviceTablePage* m_table;
    InlineMessage* m_status;
    QPushButton* m_refresh;
};

} // namespace breeze::console
