#pragma once

#include "FleetScope.h"
#include "PatchClient.h"

#include <QDialog>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPushButton;
class QRadioButton;
class QTableView;

namespace breeze::console {

class ConsoleConnection;
class JsonTableModel;

// Where, when and how to deploy what is approved: a site or an organisation (found by typing; it starts on
// the scope chosen in the tree), now or at a time in the workstation's named time zone, and how devices
// restart. Before anything is sent it previews, device by device, what would be installed now, with each
// device's maintenance window and restart; Deploy waits until there is something to install.
class PatchDeployDialog : public QDialog {
    Q_OBJECT

public:
    PatchDeployDialog(ConsoleConnection& connection, const FleetScope& scope, QWidget* parent = nullptr);
    DeploymentTarget target() const;
    void chooseTarget(const QString& target); // "site:ID" or "org:ID"
    void chooseRestart(const QString& reboot);
    const JsonTableModel& preview() const { return *m_preview; }
    QString summary() const;
    QPushButton* deployButton() const { return m_deploy; }

private:
    void refreshPreview();

    PatchClient m_client;
    QComboBox* m_target;
    QRadioButton* m_now;
    QRadioButton* m_later;
    QDateTimeEdit* m_at;
    QComboBox* m_restart;
    JsonTableModel* m_preview;
    QTableView* m_table;
    QLabel* m_summary;
    QPushButton* m_deploy;
    int m_request = 0; // an answer about an earlier choice is dropped
};

} // namespace breeze::console
