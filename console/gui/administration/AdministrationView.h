#pragma once

#include "FormField.h"
#include "JsonTableModel.h"
#include "RecordClient.h"

#include <QJsonObject>
#include <QWidget>
#include <functional>

class QHBoxLayout;
class QLabel;
class QTabWidget;
class QTableView;

namespace breeze::console {

class ApiClient;
class InlineMessage;
class RecordForm;

// Administration: organisations, sites, device groups, users, roles, API keys, enrollment keys and the audit
// log with filters. Each list loads when its tab is first opened and on Refresh, with buttons to create,
// edit, delete or revoke its records in forms that show the server's refusals in words; secrets (an API key,
// an install command with its enrollment key) are shown once, with a Copy button. Refusals of a list (a
// technician without the permission) are shown on its tab.
class AdministrationView : public QWidget {
    Q_OBJECT

public:
    explicit AdministrationView(ApiClient& api, QWidget* parent = nullptr);
    void loadCurrent();
    // Someone changed records of this table (the live channel): the lists already loaded that show them load
    // again, keeping the selected record selected.
    void recordsChanged(const QString& changedTable);

private:
    struct Page {
        RecordKind kind;
        JsonTableModel* model;
        InlineMessage* status;
        QTableView* table;
        QHBoxLayout* bar;
        bool loaded = false;
    };
    // One tab per kind of record.
    void addOrganisations();
    void addSites();
    void addDeviceGroups();
    void addUsers();
    void addRoles();
    void addApiKeys();
    void addEnrollmentKeys();
    void addAuditLog();

    void add(const QString& title, RecordKind kind, QList<JsonTableModel::Column> columns,
             QWidget* extra = nullptr);
    // A button on the page added last.
    void addAction(const QString& label, const std::function<void()>& action);
    QWidget* listPage(RecordKind kind, JsonTableModel* model, QWidget* extra = nullptr);
    Page& currentPage();
    // The current page's selected record; empty (and a hint on the page) when none is.
    QJsonObject selectedRecord();
    // A form for a record of the current page's kind: a new one, or the one with `editedId`.
    RecordForm* openForm(const QString& title, QList<FormField> fields, const QString& editedId = {});
    // Asks, then removes the selected record; `question` has %1 for its name.
    void deleteSelected(const QString& question);
    // A secret shown once with Copy and Close; the install command stays open beside the console.
    enum class Presentation { Modal, Modeless };
    void showOnce(const QString& title, const QString& note, const QString& secret,
                  Presentation presentation = Presentation::Modal);
    void load(int index);
    void createEnrollmentKey();

    ApiClient& m_api;
    RecordClient m_records;
    QTabWidget* m_tabs;
    QList<Page> m_pages;
    AuditFilter m_auditFilter;
};

} // namespace breeze::console
