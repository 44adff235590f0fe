#pragma once

#include "ApiClient.h"
#include "CommandRunner.h"
#include "DeviceDirectory.h"
#include "DeviceTableModel.h"
#include "LiveChannel.h"
#include "SignInSession.h"

#include <QObject>

namespace breeze::console {

// Everything the console holds for one server, wired together: signing in starts the live channel and loads
// the devices; every renewed token is handed to the live channel.
class ConsoleConnection : public QObject {
    Q_OBJECT

public:
    ConsoleConnection(QUrl server, const QList<QSslCertificate>& trustedCas, QObject* parent = nullptr);

    ApiClient& api() { return m_api; }
    SignInSession& session() { return m_session; }
    LiveChannel& live() { return m_live; }
    DeviceTableModel& devices() { return m_devices; }
    FleetTreeModel& tree() { return m_tree; }
    DeviceDirectory& directory() { return m_directory; }
    CommandRunner& commands() { return m_commands; }

private:
    ApiClient m_api;
    SignInSession m_session;
    LiveChannel m_live;
    DeviceTableModel m_devices;
    FleetTreeModel m_tree;
    DeviceDirectory m_directory;
    CommandRunner m_commands;
};

} // namespace breeze::console
