#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace breeze::console {

class ScriptRunMonitor;

// A run as it happens: every device with its status and exit code on the left, and the output of the device
// chosen there on the right (stdout and stderr apart, as plain text: a script prints whatever it likes),
// growing as it arrives; a note when a stream was cut at 1 MiB; Cancel stops what has not finished.
class RunMonitorWindow : public QWidget {
    Q_OBJECT

public:
    // Takes ownership of `monitor`.
    explicit RunMonitorWindow(ScriptRunMonitor* monitor, QWidget* parent = nullptr);

    ScriptRunMonitor& monitor() const { return *m_monitor; }
    QTableView* devices() const { return m_table; }
    QString stdoutText() const;
    QString stderrText() const;
    QString summary() const;

private:
    QWidget* outputPanes();
    void showRow(int row);
    void showOutput(int row);
    void updateSummary();

    ScriptRunMonitor* m_monitor;
    QTableView* m_table;
    QLabel* m_summary;
    QLabel* m_header;
    QPlainTextEdit* m_stdout;
    QPlainTextEdit* m_stderr;
    QPushButton* m_cancel;
    int m_shownRow = -1;
    qsizetype m_shownOut = 0;
    qsizetype m_shownErr = 0;
};

} // namespace breeze::console
