#include "scripts/ScriptHistoryPanel.h"

#include "TableColumns.h"
#include "UnifiedDiff.h"
#include "scripts/QsciHeaders.h"
#include "widgets/InlineMessage.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

ScriptHistoryPanel::ScriptHistoryPanel(ApiClient& api, QWidget* parent)
    : QWidget(parent), m_client(api), m_model(new JsonTableModel(TableColumns::scriptVersions(), this)),
      m_table(new QTableView(this)),
      m_againstCurrent(new QCheckBox(tr("Compare with the current version"), this)),
      m_diff(new QsciScintilla(this)), m_status(new InlineMessage(this)),
      m_restore(new QPushButton(tr("Restore"), this)) {
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto* lexer = new QsciLexerDiff(m_diff);
    lexer->setDefaultFont(mono);
    lexer->setFont(mono);
    lexer->setDefaultPaper(palette().color(QPalette::Base));
    lexer->setPaper(palette().color(QPalette::Base));
    m_diff->setLexer(lexer);
    m_diff->setReadOnly(true);
    m_diff->setUtf8(true);
    m_restore->setEnabled(false);
    m_restore->setToolTip(tr("Make the selected version current again, as a new version"));

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_diff);
    splitter->setStretchFactor(1, 2);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_againstCurrent);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_restore);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    layout->addLayout(bar);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showSelected(); });
    connect(m_againstCurrent, &QCheckBox::toggled, this, [this] { showSelected(); });
    connect(m_restore, &QPushButton::clicked, this, [this] { restoreSelected(); });
}

void ScriptHistoryPanel::setScript(const QString& scriptId, int currentVersion) {
    m_scriptId = scriptId;
    m_current = currentVersion;
    m_model->setItems({});
    m_diff->setText({});
    m_restore->setEnabled(false);
    if (!scriptId.isEmpty())
        load();
}

QString ScriptHistoryPanel::diffText() const {
    return m_diff->text();
}

void ScriptHistoryPanel::load() {
    m_client.versions(m_scriptId, [this, id = m_scriptId](const QJsonArray& items, const QString& error) {
        if (id != m_scriptId)
            return;
        if (!error.isEmpty()) {
            m_status->showError(error);
            return;
        }
        m_model->setItems(items);
        if (m_model->rowCount() > 0)
            m_table->selectRow(0);
    });
}

void ScriptHistoryPanel::fetchVersion(int version, std::function<void(const QString& content)> done) {
    if (version < 1) {
        done({});
        return;
    }
    m_client.versionText(m_scriptId, version,
                         [done = std::move(done)](const QString& content, const QString&) { done(content); });
}

void ScriptHistoryPanel::showSelected() {
    const int row = m_table->currentIndex().row();
    if (row < 0)
        return;
    const int version = versionOf(m_model->items().at(row).toObject());
    m_restore->setEnabled(version != m_current);
    const int base = m_againstCurrent->isChecked() ? m_current : version - 1;
    const int request = ++m_request;
    fetchVersion(version, [this, version, base, request](const QString& selected) {
        fetchVersion(base, [this, version, base, request, selected](const QString& other) {
            if (request != m_request)
                return;
            const bool againstCurrent = m_againstCurrent->isChecked();
            // Against the current version the arrow points from the selected one to now.
            const QString diff =
                againstCurrent
                    ? unifiedDiff(selected, other, tr("version %1").arg(version),
                                  tr("version %1 (current)").arg(base))
                    : unifiedDiff(other, selected, base < 1 ? tr("(empty)") : tr("version %1").arg(base),
                                  tr("version %1").arg(version));
            m_diff->setText(diff.isEmpty() ? tr("No changes to the script's text.") : diff);
        });
    });
}

void ScriptHistoryPanel::restoreSelected() {
    const int row = m_table->currentIndex().row();
    if (row < 0)
        return;
    const int version = versionOf(m_model->items().at(row).toObject());
    m_restore->setEnabled(false);
    m_client.restore(m_scriptId, version, [this, version](const Script& script, const QString& error) {
        if (!error.isEmpty()) {
            m_status->showError(error);
            m_restore->setEnabled(true);
            return;
        }
        m_status->showSuccess(tr("Version %1 restored as version %2").arg(version).arg(script.version));
        m_current = script.version;
        load();
        Q_EMIT restored(script);
    });
}

} // namespace breeze::console
