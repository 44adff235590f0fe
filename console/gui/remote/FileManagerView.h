#pragma once

#include <QMessageBox>
#include <QPointer>
#include <QWidget>

class QAbstractButton;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace breeze::console {

class ApiClient;
class FileTransferModel;
class FileTransferQueue;
class InlineMessage;
class RemoteFileModel;
class RemoteFiles;

// A device's files in a window of their own: a folder listing (name, size, modified, owner, mode; sorted by
// any column, folders first; hidden files on request), a path bar to type into, and the transfers below with
// progress, speed and time left, pause, resume and cancel. Files and folders dropped from the workstation are
// uploaded; a name already taken asks what to do. Closing the window ends the session.
class FileManagerView : public QWidget {
    Q_OBJECT

public:
    // `root`: a folder to keep the session inside (within what the role allows); empty for the role's own.
    FileManagerView(ApiClient& api, const QString& deviceId, const QString& deviceName,
                    const QString& root = {}, QWidget* parent = nullptr);
    ~FileManagerView() override;

    RemoteFiles& files() { return *m_files; }
    FileTransferQueue& transfers() { return *m_queue; }
    RemoteFileModel& listing() { return *m_model; }
    QTableView* table() const { return m_table; }
    QTableView* transferTable() const { return m_transferTable; }
    // The folder shown (the device's bytes, "/"-separated, inside the session's root).
    const QByteArray& folder() const { return m_folder; }
    // The question shown for a taken name, if one is up.
    QMessageBox* conflictQuestion() const { return m_conflictBox; }
    QString message() const;

    void navigate(const QByteArray& folder);
    void refresh();
    void setShowHidden(bool show);
    void createFolder(const QString& name);
    void renameEntry(const QByteArray& name, const QString& newName);
    // Asks first; what is selected in the listing.
    void deleteSelected();
    void uploadPaths(const QStringList& localPaths, const QByteArray& remoteFolder);
    void downloadSelectedTo(const QString& localFolder);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void onSessionState();
    void askConflict(int id);
    void askNewFolder();
    void askRename();
    void askUpload(bool folders);
    void askDownload();
    QList<int> selectedRows() const;
    QList<int> selectedTransfers() const;
    void updateActions();

    RemoteFiles* m_files;
    FileTransferQueue* m_queue;
    RemoteFileModel* m_model;
    FileTransferModel* m_transferModel;
    QByteArray m_folder = "/";
    bool m_showHidden = false;
    bool m_listed = false;
    QLineEdit* m_path;
    QCheckBox* m_hidden;
    QTableView* m_table;
    QTableView* m_transferTable;
    QComboBox* m_policy;
    QLabel* m_state;
    InlineMessage* m_message;
    QPointer<QMessageBox> m_conflictBox;
    QList<QAbstractButton*> m_writeActions, m_deleteActions, m_downloadActions;
};

} // namespace breeze::console
