#include "scripts/RunMonitorWindow.h"

#include "ScriptRunMonitor.h"
#include "widgets/WindowKeys.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
QPlainTextEdit* outputPane(QWidget* parent) {
    auto* pane = new QPlainTextEdit(parent);
    pane->setReadOnly(true);
    pane->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    pane->setLineWrapMode(QPlainTextEdit::NoWrap);
    pane->setMaximumBlockCount(0);
    return pane;
}

QLabel* plainLabel(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    return label;
}
} // namespace

RunMonitorWindow::RunMonitorWindow(ScriptRunMonitor* monitor, QWidget* parent)
    : QWidget(parent, Qt::Window), m_monitor(monitor), m_table(new QTableView(this)),
      m_summary(plainLabel({}, this)), m_header(plainLabel({}, this)), m_stdout(outputPane(this)),
      m_stderr(outputPane(this)), m_cancel(new QPushButton(tr("Cancel run"), this)) {
    monitor->setParent(this);
    setAttribute(Qt::WA_DeleteOnClose);
    closeOnEscapeAndCtrlW(this);
    setWindowTitle(tr("Run of %1").arg(monitor->scriptName()));
    resize(1100, 650);
    m_table->setModel(monitor);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_header->setWordWrap(true);

    QWidget* right = outputPanes();
    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_table);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({420, 680});
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { showRow(current.row()); });
    connect(monitor, &ScriptRunMonitor::outputChanged, this, [this](int row) {
        if (row == m_shownRow)
            showOutput(row);
    });
    connect(monitor, &ScriptRunMonitor::statusesChanged, this, [this] {
        updateSummary();
        if (m_shownRow >= 0)
            showOutput(m_shownRow);
    });
    connect(monitor, &QAbstractItemModel::modelReset, this, [this] { updateSummary(); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_cancel->setEnabled(false);
        m_monitor->cancelRun([this](const QString& error) {
            if (!error.isEmpty()) {
                m_summary->setText(error);
                m_cancel->setEnabled(true);
            }
        });
    });
    updateSummary();
    if (monitor->rowCount() > 0)
        m_table->selectRow(0);
}

// The chosen device's header, and its standard output above its standard error.
QWidget* RunMonitorWindow::outputPanes() {
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_header);
    auto* streams = new QSplitter(Qt::Vertical, right);
    auto* outBox = new QWidget(streams);
    auto* outLayout = new QVBoxLayout(outBox);
    outLayout->setContentsMargins(0, 0, 0, 0);
    outLayout->addWidget(plainLabel(tr("Standard output"), outBox));
    outLayout->addWidget(m_stdout);
    auto* errBox = new QWidget(streams);
    auto* errLayout = new QVBoxLayout(errBox);
    errLayout->setContentsMargins(0, 0, 0, 0);
    errLayout->addWidget(plainLabel(tr("Standard error"), errBox));
    errLayout->addWidget(m_stderr);
    streams->addWidget(outBox);
    streams->addWidget(errBox);
    streams->setStretchFactor(0, 3);
    streams->setStretchFactor(1, 1);
    rightLayout->addWidget(streams, 1);

    return right;
}

QString RunMonitorWindow::stdoutText() const {
    return m_stdout->toPlainText();
}

QString RunMonitorWindow::stderrText() const {
    return m_stderr->toPlainText();
}

QString RunMonitorWindow::summary() const {
    return m_summary->text();
}

void RunMonitorWindow::showRow(int row) {
    if (row < 0)
        return;
    m_shownRow = row;
    m_shownOut = 0;
    m_shownErr = 0;
    m_stdout->clear();
    m_stderr->clear();
    m_monitor->follow(row);
    showOutput(row);
}

void RunMonitorWindow::showOutput(int row) {
    const QByteArray out = m_monitor->output(row, ScriptRunMonitor::Stream::Stdout);
    const QByteArray err = m_monitor->output(row, ScriptRunMonitor::Stream::Stderr);
    // Only what is new is appended; bytes that are not UTF-8 show as U+FFFD.
    if (out.size() > m_shownOut) {
        m_stdout->moveCursor(QTextCursor::End);
        m_stdout->insertPlainText(QString::fromUtf8(out.mid(m_shownOut)));
        m_shownOut = out.size();
    }
    if (err.size() > m_shownErr) {
        m_stderr->moveCursor(QTextCursor::End);
        m_stderr->insertPlainText(QString::fromUtf8(err.mid(m_shownErr)));
        m_shownErr = err.size();
    }
    const QModelIndex exitIndex = m_monitor->index(row, ScriptRunMonitor::ExitCode);
    QString header = m_monitor->data(m_monitor->index(row, ScriptRunMonitor::Device)).toString() + ": " +
                     m_monitor->status(row).replace('_', ' ');
    if (m_monitor->data(exitIndex).isValid())
        header += tr(", exit code %1").arg(m_monitor->data(exitIndex).toInt());
    if (!m_monitor->note(row).isEmpty() && m_monitor->status(row) != "completed")
        header += " — " + m_monitor->note(row);
    for (const auto& [stream, name] : {std::pair{ScriptRunMonitor::Stream::Stdout, tr("standard output")},
                                       std::pair{ScriptRunMonitor::Stream::Stderr, tr("standard error")}})
        if (m_monitor->truncated(row, stream))
            header += "\n" + tr("The %1 was cut after 1 MiB; the rest was not kept.").arg(name);
    m_header->setText(header);
}

void RunMonitorWindow::updateSummary() {
    QMap<QString, int> counts;
    for (int row = 0; row < m_monitor->rowCount(); ++row)
        ++counts[m_monitor->status(row)];
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts << QString("%1 %2").arg(it.value()).arg(QString(it.key()).replace('_', ' '));
    const int open = m_monitor->openCount();
    m_summary->setText(tr("%n device(s): ", nullptr, m_monitor->rowCount()) + parts.join(", ") +
                       (open == 0 ? tr(" — finished") : QString()));
    m_cancel->setEnabled(open > 0 && !m_monitor->runId().isEmpty());
}

} // namespace breeze::console
