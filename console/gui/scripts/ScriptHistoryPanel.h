#pragma once

#include "JsonTableModel.h"
#include "ScriptClient.h"

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QTableView;
class QsciScintilla;

namespace breeze::console {

class InlineMessage;

// A script's versions, newest first, with what each one changed as a unified diff (against the version
// before it, or against the current one), and Restore, which makes the selected version current again as a
// new version.
class ScriptHistoryPanel : public QWidget {
    Q_OBJECT

public:
    explicit ScriptHistoryPanel(ApiClient& api, QWidget* parent = nullptr);

    void setScript(const QString& scriptId, int currentVersion);
    QTableView* versions() const { return m_table; }
    QString diffText() const;
    // Restores the selected version (asking nothing: the old versions stay).
    void restoreSelected();

Q_SIGNALS:
    void restored(const Script& script);

private:
    void load();
    void showSelected();
    void fetchVersion(int version, std::function<void(const QString& content)> done);

    ScriptClient m_client;
    QString m_scriptId;
    int m_current = 0;
    JsonTableModel* m_model;
    QTableView* m_table;
    QCheckBox* m_againstCurrent;
    QsciScintilla* m_diff;
    InlineMessage* m_status;
    QPushButton* m_restore;
    int m_request = 0; // answers to an older selection are dropped
};

} // namespace breeze::console
