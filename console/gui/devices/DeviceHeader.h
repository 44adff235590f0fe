#pragma once

#include "widgets/InlineMessage.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTimer;

namespace breeze::console {

class DeviceTableModel;
struct DeviceSummary;

// The top of a device window: the device's name and status, its operating system, last user, uptime and
// addresses, kept live from the fleet's model, with the common actions (run a script, ping, restart) and a
// line that says how the last one went.
class DeviceHeader : public QWidget {
    Q_OBJECT

public:
    DeviceHeader(const DeviceTableModel& devices, const QString& deviceId, QWidget* parent = nullptr);
    // The device's record as its window loaded it: used until (or unless) the fleet's model holds the device.
    void setSummary(const DeviceSummary& summary);
    void say(InlineMessage::Kind kind, const QString& text) { m_status->say(kind, text); }
    QString facts() const;
    QString status() const { return m_status->message(); }
    QPushButton* pingButton() const { return m_ping; }

Q_SIGNALS:
    void runScriptRequested();
    void terminalRequested();
    void filesRequested();
    void desktopRequested(bool viewOnly, bool record);
    void pingRequested();
    void restartRequested();

private:
    void refresh();

    const DeviceTableModel& m_devices;
    QString m_deviceId;
    QString m_summaryName;
    QString m_summaryStatus;
    QString m_summaryOs;
    QLabel* m_name;
    QLabel* m_state;
    QLabel* m_facts;
    QPushButton* m_ping;
    InlineMessage* m_status;
    QTimer* m_tick;
};

} // namespace breeze::console
