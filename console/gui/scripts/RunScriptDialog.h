#pragma once

#include "Script.h"
#include "ScriptClient.h"

#include <QDialog>
#include <QJsonObject>
#include <QStringList>
#include <optional>

class QButtonGroup;
class QDateTimeEdit;
class QComboBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace breeze::console {

class InlineMessage;

class ConsoleConnection;

// Runs a script: which one (unless the dialog was opened for one; it starts on the script chosen in the
// library) and which version, on which devices (the selection it was opened with, a site or a device group,
// each picker searchable as one types; nothing is chosen for the technician), naming the devices it will run
// on with their count, with a field per parameter (a password field for secrets, a box for choices, a tick
// for booleans). Values are checked by the server's own rules before anything is sent; a refusal is shown in
// the dialog in words and what was typed stays. On success it emits `started` with the server's answer (the
// run, its executions, and the devices refused with the reason).
class RunScriptDialog : public QDialog {
    Q_OBJECT

public:
    // `script`: a library record with its parameters (as ScriptsView::current() gives), or empty to choose
    // one from the library.
    // `preferredScriptId`: the script to start on when choosing from the library.
    RunScriptDialog(ConsoleConnection& connection, const QJsonObject& script, const QStringList& deviceIds,
                    QWidget* parent = nullptr, const QString& preferredScriptId = {});

    // For tests and keyboard users: the field widget of a parameter, by name.
    QWidget* parameterField(const QString& name) const;
    void chooseSite(const QString& siteId);
    // Later instead of now: at `at` (the workstation's time), then "once", "daily" or "weekly".
    void scheduleAt(const QDateTime& at, const QString& repeat);
    void chooseGroup(const QString& groupId);
    QString error() const;
    // "Runs on 3 devices: web-01, db-01, kiosk-07" for the target chosen; empty when none is.
    QString targetSummary() const;
    QComboBox* scriptPicker() const { return m_scripts; }
    QComboBox* sitePicker() const { return m_site; }
    void run();

Q_SIGNALS:
    void started(const QJsonObject& answer);
    // The server keeps the schedule and makes the runs at their times.
    void scheduled(const QJsonObject& schedule);

private:
    void setScript(const Script& script);
    QWidget* fieldFor(const ScriptParameter& parameter);
    QWidget* targetBox();
    QWidget* whenBox();
    void send(const RunRequest& request);
    QVariantMap values() const;
    // Where the run goes, as chosen; none when nothing is.
    std::optional<RunTarget> target() const;
    void summariseTarget();
    // Typing in a picker narrows its list to the entries that contain what was typed.
    static void makeSearchable(QComboBox* box);

    ConsoleConnection& m_connection;
    ScriptClient m_client;
    std::optional<Script> m_script;
    QStringList m_deviceIds;
    QComboBox* m_scripts = nullptr;
    QSpinBox* m_version;
    QRadioButton* m_onSelection;
    QRadioButton* m_onSite;
    QRadioButton* m_onGroup;
    QComboBox* m_site;
    QComboBox* m_group;
    QFormLayout* m_parameterForm;
    QWidget* m_parameterBox;
    QSpinBox* m_timeout;
    InlineMessage* m_error;
    QLabel* m_targetSummary;
    QRadioButton* m_now;
    QRadioButton* m_later;
    QDateTimeEdit* m_at;
    QComboBox* m_repeat;
    QPushButton* m_run;
    QList<QPair<ScriptParameter, QWidget*>> m_fields;
};

} // namespace breeze::console
