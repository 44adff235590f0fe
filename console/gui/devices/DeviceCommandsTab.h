#pragma once

#include "ScriptClient.h"

#include <QHash>
#include <QJsonArray>
#include <QWidget>

class QPlainTextEdit;
class QPushButton;

namespace breeze::console {

class ApiClient;
class DeviceTablePage;

// The device's command history, newest first, and below it what the selected command answered as text: how
// it ended (exit code, a ping's round trip), the script and version it ran, and what it printed on stdout and
// stderr as printed, with Copy and Save. A reload (the device finished a command) keeps the chosen command.
class DeviceCommandsTab : public QWidget {
    Q_OBJECT

public:
    explicit DeviceCommandsTab(ApiClient& api, QWidget* parent = nullptr);
    void setCommands(const QJsonArray& commands);
    QString outputText() const;
    // Writes the shown output to a file; false (and the reason on the tab) when it could not.
    bool saveOutput(const QString& path);

Q_SIGNALS:
    // The technician wants the process and service listings in the history too (or no longer).
    void listingsShown(bool shown);

private:
    void showSelected();

    ScriptClient m_scripts;
    DeviceTablePage* m_table;
    QPlainTextEdit* m_output;
    QPushButton* m_copy;
    QPushButton* m_save;
    QString m_shownId;
    int m_request = 0; // an older command's output arriving late is dropped
    QHash<QString, CommandOutput> m_endedOutputs;
};

} // namespace breeze::console
