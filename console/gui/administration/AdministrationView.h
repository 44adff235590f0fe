#pragma once

#include "JsonTableModel.h"

#include <QJsonObject>
#include <QWidget>
#include <functional>

class QHBoxLayout;
class QLabel;
class QTabWidget;
class QTableView;

namespace breeze::console {

class ApiClient;
class RecordForm;
struct FormField;

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

private:
    struct Page {
        QString path;
        JsonTableModel* model;
        QLabel* status;
        QTableView* table;
        QHBoxLayout* bar;
        bool loaded = false;
    };
    void add(const QString& title, const QString& path, QList<JsonTableModel::Column> columns,
             QWidget* extra = nullptr);
    // A button on the page added last.
    void addAction(const QString& label, const std::function<void()>& action);
    QWidget* listPage(const QString& path, JsonTableModel* model, QWidget* extra = nullptr);
    Page& currentPage();
    // The current page's selected record; empty (and a hint on the page) when none is.
    QJsonObject selectedRecord();
    RecordForm* openForm(const QString& title, const QString& method, const QString& path,
                         QList<FormField> fields);
    // Asks, then DELETEs pathPrefix + the selected record's id; `question` has %1 for its name.
    void deleteSelected(const QString& question, const QString& pathPrefix);
    void showOnce(const QString& title, const QString& note, const QString& secret);
    void load(int index);
    void createEnrollmentKey();

    ApiClient& m_api;
    QTabWidget* m_tabs;
    QList<Page> m_pages;
    QString m_auditFilter;
};

} // namespace breeze::console
