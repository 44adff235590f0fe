#include "FileManagerView.h"

#include "ApiClient.h"
#include "FileTransferModel.h"
#include "FileTransferQueue.h"
#include "RemoteFileModel.h"
#include "RemoteFiles.h"
#include "widgets/Confirmation.h"
#include "widgets/InlineMessage.h"
#include "widgets/ProgressBarDelegate.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
QByteArray joined(const QByteArray& folder, const QByteArray& name) {
    return folder.endsWith('/') ? folder + name : folder + '/' + name;
}

// "/a/b/../c" as typed: "." and ".." resolved here, so the device only ever sees a plain path.
QByteArray cleanFolder(const QString& typed) {
    QList<QByteArray> parts;
    for (const QByteArray& part : typed.toUtf8().split('/')) {
        if (part.isEmpty() || part == ".")
            continue;
        if (part == "..") {
            if (!parts.isEmpty())
                parts.removeLast();
            continue;
        }
        parts << part;
    }
    return "/" + parts.join('/');
}

QByteArray parentOf(const QByteArray& folder) {
    const auto slash = folder.lastIndexOf('/');
    return slash <= 0 ? QByteArray("/") : folder.left(slash);
}

QPushButton* button(const QString& text, const QString& name, QWidget* parent) {
    auto* made = new QPushButton(text, parent);
    made->setObjectName(name);
    return made;
}
} // namespace

FileManagerView::FileManagerView(ApiClient& api, const QString& deviceId, const QString& deviceName,
                                 const QString& root, QWidget* parent)
    : QWidget(parent), m_files(new RemoteFiles(api, deviceId, this)),
      m_queue(new FileTransferQueue(*m_files, this)), m_model(new RemoteFileModel(this)),
      m_transferModel(new FileTransferModel(*m_queue, this)), m_path(new QLineEdit(this)),
      m_hidden(new QCheckBox(tr("Hidden files"), this)), m_table(new QTableView(this)),
      m_transferTable(new QTableView(this)), m_policy(new QComboBox(this)), m_state(new QLabel(this)),
      m_message(new InlineMessage(this)) {
    setWindowTitle(tr("Files — %1").arg(deviceName));
    m_state->setTextFormat(Qt::PlainText);
    m_path->setObjectName(QStringLiteral("path"));
    m_path->setPlaceholderText(tr("A folder on the device, e.g. /var/log"));
    m_hidden->setObjectName(QStringLiteral("hidden"));

    auto* up = new QToolButton(this);
    up->setText(tr("Up"));
    up->setToolTip(tr("The folder above (Alt+Up)"));
    up->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Up));
    auto* reload = new QToolButton(this);
    reload->setText(tr("Refresh"));
    reload->setShortcut(QKeySequence::Refresh);
    auto* newFolder = button(tr("New folder…"), QStringLiteral("newFolder"), this);
    auto* uploadFiles = button(tr("Upload files…"), QStringLiteral("upload"), this);
    auto* uploadFolder = button(tr("Upload folder…"), QStringLiteral("uploadFolder"), this);
    auto* download = button(tr("Download…"), QStringLiteral("download"), this);
    auto* rename = button(tr("Rename…"), QStringLiteral("rename"), this);
    auto* remove = button(tr("Delete…"), QStringLiteral("delete"), this);
    m_writeActions = {newFolder, uploadFiles, uploadFolder};
    m_deleteActions = {rename, remove};
    m_downloadActions = {download};

    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RemoteFileModel::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(RemoteFileModel::Name, QHeaderView::Stretch);
    m_table->setColumnWidth(RemoteFileModel::Modified, 140);
    m_table->viewport()->setAcceptDrops(true);
    m_table->viewport()->installEventFilter(this);

    m_transferTable->setObjectName(QStringLiteral("transfers"));
    m_transferTable->setModel(m_transferModel);
    m_transferTable->setItemDelegateForColumn(FileTransferModel::Progress,
                                              new ProgressBarDelegate(m_transferTable));
    m_transferTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_transferTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_transferTable->verticalHeader()->hide();
    m_transferTable->setWordWrap(false);
    m_transferTable->horizontalHeader()->setSectionResizeMode(FileTransferModel::Status,
                                                              QHeaderView::Stretch);
    m_transferTable->setColumnWidth(FileTransferModel::Name, 240);
    m_transferTable->setColumnWidth(FileTransferModel::Progress, 220);
    auto* pause = button(tr("Pause"), QStringLiteral("pause"), this);
    auto* resume = button(tr("Resume"), QStringLiteral("resume"), this);
    auto* cancel = button(tr("Cancel"), QStringLiteral("cancel"), this);
    auto* clear = button(tr("Clear finished"), QStringLiteral("clear"), this);
    m_policy->setObjectName(QStringLiteral("conflictPolicy"));
    m_policy->addItem(tr("Ask"), static_cast<int>(FileTransferQueue::ConflictPolicy::Ask));
    m_policy->addItem(tr("Replace"), static_cast<int>(FileTransferQueue::ConflictPolicy::Replace));
    m_policy->addItem(tr("Keep both"), static_cast<int>(FileTransferQueue::ConflictPolicy::KeepBoth));
    m_policy->addItem(tr("Skip"), static_cast<int>(FileTransferQueue::ConflictPolicy::Skip));

    auto* top = new QHBoxLayout;
    top->addWidget(up);
    top->addWidget(m_path, 1);
    top->addWidget(reload);
    top->addWidget(m_hidden);
    auto* actions = new QHBoxLayout;
    for (QPushButton* action : {newFolder, uploadFiles, uploadFolder, download, rename, remove})
        actions->addWidget(action);
    actions->addStretch();
    actions->addWidget(m_state);
    auto* transferActions = new QHBoxLayout;
    for (QPushButton* action : {pause, resume, cancel, clear})
        transferActions->addWidget(action);
    transferActions->addStretch();
    transferActions->addWidget(new QLabel(tr("When a name is taken:"), this));
    transferActions->addWidget(m_policy);
    auto* lower = new QWidget(this);
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addLayout(transferActions);
    lowerLayout->addWidget(m_transferTable);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(lower);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(actions);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);
    resize(980, 680);

    connect(m_path, &QLineEdit::returnPressed, this, [this] { navigate(cleanFolder(m_path->text())); });
    connect(up, &QToolButton::clicked, this, [this] { navigate(parentOf(m_folder)); });
    connect(reload, &QToolButton::clicked, this, &FileManagerView::refresh);
    connect(m_hidden, &QCheckBox::toggled, this, &FileManagerView::setShowHidden);
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        if (const RemoteFileEntry* entry = m_model->entry(index.row()); entry && entry->isDir())
            navigate(joined(m_folder, entry->name));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &FileManagerView::updateActions);
    connect(newFolder, &QPushButton::clicked, this, &FileManagerView::askNewFolder);
    connect(uploadFiles, &QPushButton::clicked, this, [this] { askUpload(false); });
    connect(uploadFolder, &QPushButton::clicked, this, [this] { askUpload(true); });
    connect(download, &QPushButton::clicked, this, &FileManagerView::askDownload);
    connect(rename, &QPushButton::clicked, this, &FileManagerView::askRename);
    connect(remove, &QPushButton::clicked, this, &FileManagerView::deleteSelected);
    connect(pause, &QPushButton::clicked, this, [this] {
        for (int id : selectedTransfers())
            m_queue->pause(id);
    });
    connect(resume, &QPushButton::clicked, this, [this] {
        for (int id : selectedTransfers())
            m_queue->resume(id);
    });
    connect(cancel, &QPushButton::clicked, this, [this] {
        for (int id : selectedTransfers())
            m_queue->cancel(id);
    });
    connect(clear, &QPushButton::clicked, m_queue, &FileTransferQueue::clearFinished);
    connect(m_policy, &QComboBox::currentIndexChanged, this, [this] {
        m_queue->setConflictPolicy(
            static_cast<FileTransferQueue::ConflictPolicy>(m_policy->currentData().toInt()));
    });
    connect(m_files, &RemoteFiles::stateChanged, this, &FileManagerView::onSessionState);
    connect(m_queue, &FileTransferQueue::conflictRaised, this, &FileManagerView::askConflict);
    connect(m_queue, &FileTransferQueue::transferFinished, this, [this](int id) {
        // An upload into the folder shown, or a folder made by one: the listing shows it.
        const FileTransfer* done = m_queue->transfer(id);
        if (done && done->direction == FileTransfer::Direction::Upload &&
            parentOf(done->remotePath) == m_folder && done->state == FileTransfer::State::Done)
            refresh();
    });
    updateActions();
    m_files->start(root);
}

FileManagerView::~FileManagerView() {
    // The queue goes before the session it uses, and its table and model before it.
    m_transferTable->setModel(nullptr);
    delete m_transferModel;
    delete m_queue;
    m_queue = nullptr;
}

QString FileManagerView::message() const {
    return m_message->message();
}

void FileManagerView::onSessionState() {
    switch (m_files->state()) {
    case RemoteFiles::State::Opening:
        m_state->setText(tr("Opening…"));
        break;
    case RemoteFiles::State::Live:
        m_state->setText(tr("Connected: %1").arg(m_files->root()));
        m_state->setToolTip(tr("Everything here is inside %1 on the device").arg(m_files->root()));
        if (!m_listed)
            navigate(m_folder);
        break;
    case RemoteFiles::State::Reconnecting:
        m_state->setText(tr("Reconnecting…"));
        break;
    case RemoteFiles::State::Ended:
        m_state->setText(tr("Ended"));
        m_message->showError(tr("The file session ended: %1").arg(m_files->status()));
        break;
    }
    updateActions();
}

void FileManagerView::navigate(const QByteArray& folder) {
    m_path->setText(QString::fromUtf8(folder));
    m_files->list(
        folder, m_showHidden,
        [this, folder](const QVector<RemoteFileEntry>& entries, const QString& code, const QString& error) {
            if (!code.isEmpty()) {
                m_message->showError(tr("Cannot open %1: %2").arg(QString::fromUtf8(folder), error));
                m_path->setText(QString::fromUtf8(m_folder));
                return;
            }
            m_listed = true;
            m_message->clear();
            m_folder = folder;
            m_path->setText(QString::fromUtf8(folder));
            m_model->setEntries(entries);
            updateActions();
        });
}

void FileManagerView::refresh() {
    navigate(m_folder);
}

void FileManagerView::setShowHidden(bool show) {
    m_showHidden = show;
    if (m_hidden->isChecked() != show)
        m_hidden->setChecked(show);
    refresh();
}

void FileManagerView::createFolder(const QString& name) {
    if (name.isEmpty() || name.contains(QChar('/')))
        return;
    m_files->mkdir(joined(m_folder, name.toUtf8()), [this, name](const QString& code, const QString& error) {
        if (!code.isEmpty())
            m_message->showError(tr("Cannot create %1: %2").arg(name, error));
        else
            m_message->showSuccess(tr("Created %1").arg(name));
        refresh();
    });
}

void FileManagerView::renameEntry(const QByteArray& name, const QString& newName) {
    if (newName.isEmpty() || newName.contains(QChar('/')) || newName.toUtf8() == name)
        return;
    m_files->rename(joined(m_folder, name), joined(m_folder, newName.toUtf8()),
                    [this, newName](const QString& code, const QString& error) {
                        if (!code.isEmpty())
                            m_message->showError(tr("Cannot rename: %1").arg(error));
                        else
                            m_message->showSuccess(tr("Renamed to %1").arg(newName));
                        refresh();
                    });
}

QList<int> FileManagerView::selectedRows() const {
    QList<int> rows;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        rows << index.row();
    std::sort(rows.begin(), rows.end());
    return rows;
}

QList<int> FileManagerView::selectedTransfers() const {
    QList<int> ids;
    for (const QModelIndex& index : m_transferTable->selectionModel()->selectedRows())
        ids << index.data(FileTransferModel::kIdRole).toInt();
    return ids;
}

void FileManagerView::deleteSelected() {
    QList<RemoteFileEntry> chosen;
    for (int row : selectedRows())
        chosen << *m_model->entry(row);
    if (chosen.isEmpty())
        return;
    const bool folders = std::any_of(chosen.begin(), chosen.end(), [](const auto& e) { return e.isDir(); });
    QStringList names;
    for (const auto& entry : chosen)
        names << entry.displayName();
    const QString question =
        chosen.size() == 1 ? tr("Delete %1 from the device?").arg(names.first())
                           : tr("Delete these %n items from the device?\n%1", nullptr, int(chosen.size()))
                                 .arg(names.mid(0, 10).join(QChar('\n')));
    if (!Confirmation::ask(this, tr("Delete"),
                           folders ? question + tr("\nFolders are deleted with everything in them.")
                                   : question))
        return;
    auto remaining = std::make_shared<int>(static_cast<int>(chosen.size()));
    for (const auto& entry : chosen)
        m_files->remove(
            joined(m_folder, entry.name), entry.isDir(),
            [this, remaining, name = entry.displayName()](const QString& code, const QString& error) {
                if (!code.isEmpty())
                    m_message->showError(tr("Cannot delete %1: %2").arg(name, error));
                if (--*remaining == 0)
                    refresh();
            });
}

void FileManagerView::uploadPaths(const QStringList& localPaths, const QByteArray& remoteFolder) {
    if (!m_files->mayUpload()) {
        m_message->showError(tr("Your role may not upload to this device."));
        return;
    }
    m_queue->upload(localPaths, remoteFolder);
}

void FileManagerView::downloadSelectedTo(const QString& localFolder) {
    for (int row : selectedRows()) {
        const RemoteFileEntry* entry = m_model->entry(row);
        if (entry->isDir() || entry->type == QStringLiteral("file"))
            m_queue->download(joined(m_folder, entry->name), entry->isDir(), localFolder);
    }
}

void FileManagerView::askConflict(int id) {
    if (m_conflictBox)
        return; // one question at a time: the next is asked once this one is answered
    const FileTransfer* transfer = m_queue->transfer(id);
    if (!transfer)
        return;
    const bool upload = transfer->direction == FileTransfer::Direction::Upload;
    auto* box = new QMessageBox(
        QMessageBox::Question, tr("Name taken"),
        upload ? tr("%1 is already on the device.").arg(QString::fromUtf8(transfer->remotePath))
               : tr("%1 is already on this computer.").arg(transfer->localPath),
        QMessageBox::NoButton, this);
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    auto* replace = box->addButton(tr("Replace"), QMessageBox::AcceptRole);
    auto* both = box->addButton(tr("Keep both"), QMessageBox::AcceptRole);
    auto* skip = box->addButton(tr("Skip"), QMessageBox::RejectRole);
    replace->setObjectName(QStringLiteral("replace"));
    both->setObjectName(QStringLiteral("keep_both"));
    skip->setObjectName(QStringLiteral("skip"));
    auto* forAll = new QCheckBox(tr("Do this for every name taken"), box);
    box->setCheckBox(forAll);
    connect(box, &QMessageBox::buttonClicked, this, [this, id, forAll](QAbstractButton* clicked) {
        m_conflictBox = nullptr; // closing, so the next question can be asked
        m_queue->resolveConflict(id, clicked->objectName(), forAll->isChecked());
        QMetaObject::invokeMethod(
            this,
            [this] {
                for (const auto& transfer : m_queue->transfers())
                    if (transfer.state == FileTransfer::State::Conflict) {
                        askConflict(transfer.id);
                        return;
                    }
            },
            Qt::QueuedConnection);
    });
    m_conflictBox = box;
    box->open();
}

void FileManagerView::askNewFolder() {
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("New folder"), tr("Name:"), QLineEdit::Normal, {}, &ok);
    if (ok)
        createFolder(name);
}

void FileManagerView::askRename() {
    const QList<int> rows = selectedRows();
    if (rows.size() != 1)
        return;
    const RemoteFileEntry entry = *m_model->entry(rows.first());
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename"), tr("New name:"), QLineEdit::Normal,
                                               entry.displayName(), &ok);
    if (ok)
        renameEntry(entry.name, name);
}

void FileManagerView::askUpload(bool folders) {
    QStringList paths;
    if (folders) {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Upload a folder"));
        if (!folder.isEmpty())
            paths << folder;
    } else {
        paths = QFileDialog::getOpenFileNames(this, tr("Upload files"));
    }
    if (!paths.isEmpty())
        uploadPaths(paths, m_folder);
}

void FileManagerView::askDownload() {
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Download into"), QStandardPaths::writableLocation(QStandardPaths::DownloadLocation));
    if (!folder.isEmpty())
        downloadSelectedTo(folder);
}

void FileManagerView::updateActions() {
    const bool live = m_files->state() == RemoteFiles::State::Live;
    const int selected = static_cast<int>(m_table->selectionModel()->selectedRows().size());
    for (auto* action : m_writeActions)
        action->setEnabled(live && m_files->mayUpload());
    for (auto* action : m_downloadActions)
        action->setEnabled(live && m_files->mayDownload() && selected > 0);
    m_deleteActions[0]->setEnabled(live && m_files->mayUpload() && m_files->mayRemove() && selected == 1);
    m_deleteActions[1]->setEnabled(live && m_files->mayRemove() && selected > 0);
}

bool FileManagerView::eventFilter(QObject* watched, QEvent* event) {
    if (watched != m_table->viewport())
        return QWidget::eventFilter(watched, event);
    // Files and folders dragged from the workstation: into the folder dropped on, else the one shown.
    if (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove) {
        auto* drag = static_cast<QDropEvent*>(event);
        if (drag->mimeData()->hasUrls() && m_files->mayUpload()) {
            drag->acceptProposedAction();
            return true;
        }
        return false;
    }
    if (event->type() == QEvent::Drop) {
        auto* drop = static_cast<QDropEvent*>(event);
        QStringList paths;
        for (const QUrl& url : drop->mimeData()->urls())
            if (url.isLocalFile())
                paths << url.toLocalFile();
        QByteArray target = m_folder;
        if (const RemoteFileEntry* entry = m_model->entry(m_table->indexAt(drop->position().toPoint()).row());
            entry && entry->isDir())
            target = joined(m_folder, entry->name);
        if (!paths.isEmpty()) {
            uploadPaths(paths, target);
            drop->acceptProposedAction();
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void FileManagerView::closeEvent(QCloseEvent* event) {
    const bool busy = std::any_of(m_queue->transfers().begin(), m_queue->transfers().end(),
                                  [](const FileTransfer& transfer) { return !transfer.finished(); });
    if (busy &&
        !Confirmation::ask(this, tr("Close"), tr("Transfers are still running. Stop them and close?"))) {
        event->ignore();
        return;
    }
    m_files->close();
    event->accept();
}

} // namespace breeze::console
