#pragma once

#include "JsonTableModel.h"
#include "RecordClient.h"
#include "widgets/InlineMessage.h"

#include <QWidget>

class QTableView;

namespace breeze::console {

class RecordForm;

// Patch policies: the list with their windows, reboot rule and assignments, and forms to make, edit and
// assign them, and to delete one. What happened is said through message().
class PatchPoliciesPanel : public QWidget {
    Q_OBJECT

public:
    PatchPoliciesPanel(ApiClient& api, QWidget* parent = nullptr);

    void reload();
    // The forms for a new policy, the selected one (only changes are sent) and assigning the selected one;
    // null (and a message) when none is selected.
    RecordForm* newPolicy();
    RecordForm* editSelectedPolicy();
    RecordForm* assignSelectedPolicy();
    void deleteSelectedPolicy();

    const JsonTableModel& policies() const { return *m_policies; }
    QTableView* table() const { return m_table; }

Q_SIGNALS:
    void message(InlineMessage::Kind kind, const QString& text);

private:
    QJsonObject selectedPolicy();
    RecordForm* open(RecordForm* form);

    RecordClient m_records;
    JsonTableModel* m_policies;
    QTableView* m_table;
};

} // namespace breeze::console
