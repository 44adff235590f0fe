#pragma once

#include "DeviceCommands.h"
#include "widgets/InlineMessage.h"

#include <QWidget>

namespace breeze::console {

class DeviceTablePage;

// The device's services (searchable) with Start, Stop and Restart for the selected one.
class DeviceServicesTab : public QWidget {
    Q_OBJECT

public:
    explicit DeviceServicesTab(QWidget* parent = nullptr);
    // `statesKnown`: false when the device could not say whether its services run (no systemd there).
    void setServices(const QJsonArray& services, bool statesKnown);

    // What this tab asked of the device and how it went; each tab keeps its own.
    void say(InlineMessage::Kind kind, const QString& text) { m_status->say(kind, text); }
    QString status() const { return m_status->message(); }
    QString note() const { return m_note->message(); }

Q_SIGNALS:
    // `doing` says what is under way; `tag` names the outcome when it comes back.
    void commandRequested(const DeviceCommand& command, const QString& tag, const QString& doing);

private:
    DeviceTablePage* m_table;
    InlineMessage* m_status;
    InlineMessage* m_note;
};

} // namespace breeze::console
