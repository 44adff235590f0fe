#include "devices/DeviceCommandsTab.h"

#include "DeviceCommands.h"
#include "RecordClient.h"
#include "TableColumns.h"
#include "devices/DeviceTablePage.h"

#include <QCheckBox>
#include <QClipboard>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

DeviceCommandsTab::DeviceCommandsTab(ApiClient& api, QWidget* parent)
    : QWidget(parent), m_scripts(api),
      m_table(new DeviceTablePage(TableColumns::commands(), true, nullptr, this)),
      m_output(new QPlainTextEdit(this)), m_copy(new QPushButton(tr("Copy output"), this)),
      m_save(new QPushButton(tr("Save output…"), this)) {
    m_output->setReadOnly(true);
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setFont(QFont("monospace"));
    m_output->setPlaceholderText(tr("Choose a command to see its output"));
    auto* buttons = new QHBoxLayout;
    auto* listings = new QCheckBox(tr("Show process and service listings"), this);
    connect(listings, &QCheckBox::toggled, this, &DeviceCommandsTab::listingsShown);
    buttons->addWidget(listings);
    buttons->addStretch();
    buttons->addWidget(m_copy);
    buttons->addWidget(m_save);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 3);
    layout->addWidget(m_output, 2);
    layout->addLayout(buttons);
    m_copy->setEnabled(false);
    m_save->setEnabled(false);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(outputText()); });
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save output"), "output.txt");
        if (!path.isEmpty())
            saveOutput(path);
    });
    connect(m_table->table()->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DeviceCommandsTab::showSelected);
}

void DeviceCommandsTab::setCommands(const QJsonArray& commands) {
    const QString chosen = m_shownId;
    m_table->setRows(commands);
    // Newest first; the command the technician was reading stays chosen, else the newest one's answer.
    m_table->table()->sortByColumn(0, Qt::DescendingOrder);
    m_shownId.clear(); // shown again: its status and output may have moved
    if ((chosen.isEmpty() || !m_table->selectWhere(recordId, chosen)) && m_table->rowCount() > 0)
        m_table->table()->selectRow(0);
}

void DeviceCommandsTab::showSelected() {
    const QJsonObject command = m_table->selectedRow();
    m_shownId = recordId(command);
    const QString head = commandText(command);
    m_output->setPlainText(head);
    m_copy->setEnabled(!head.isEmpty());
    m_save->setEnabled(!head.isEmpty());
    if (!commandRunsScript(command))
        return;
    // What the script printed lives apart from the command: fetched whole, shown as text. A command that has
    // ended printed all it will: its output is kept rather than fetched again at each reload.
    const int request = ++m_request;
    const bool ended = commandEnded(command);
    const auto show = [this, head](const CommandOutput& output, const QString& error) {
        QString text = head;
        text += "\n\n" + tr("— stdout —") + "\n" + QString::fromUtf8(output.stdoutBytes);
        if (!output.stderrBytes.isEmpty())
            text += "\n" + tr("— stderr —") + "\n" + QString::fromUtf8(output.stderrBytes);
        if (output.truncated)
            text += "\n" + tr("(cut short: the output was larger than what is kept)");
        if (!error.isEmpty())
            text += "\n" + tr("(the output could not be loaded: %1)").arg(error);
        m_output->setPlainText(text);
    };
    if (const auto kept = m_endedOutputs.constFind(m_shownId); kept != m_endedOutputs.cend()) {
        show(*kept, {});
        return;
    }
    m_scripts.output(m_shownId, [this, request, ended, id = m_shownId, show](const CommandOutput& output,
                                                                             const QString& error) {
        if (ended && error.isEmpty()) {
            if (m_endedOutputs.size() >= 20) // bounded: outputs can be megabytes each
                m_endedOutputs.clear();
            m_endedOutputs.insert(id, output);
        }
        if (request == m_request)
            show(output, error);
    });
}

QString DeviceCommandsTab::outputText() const {
    return m_output->toPlainText();
}

bool DeviceCommandsTab::saveOutput(const QString& path) {
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(outputText().toUtf8()) >= 0 && file.commit())
        return true;
    m_output->appendPlainText("\n" + tr("Could not save to %1: %2").arg(path, file.errorString()));
    return false;
}

} // namespace breeze::console
