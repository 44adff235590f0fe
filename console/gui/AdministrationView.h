#pragma once

#include <QWidget>

class QLabel;
class QTabWidget;

namespace breeze::console {

class ApiClient;
class JsonTableModel;

// Administration at a glance: organisations, sites, users, roles, API keys, enrollment keys (a new one shows
// the install command to copy) and the audit log with filters. Each list loads when its tab is first opened
// and on Refresh; refusals (a technician without the permission) are shown on that tab, in words.
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
        bool loaded = false;
    };
    QWidget* listPage(const QString& path, JsonTableModel* model, QWidget* extra = nullptr);
    void load(int index);
    void createEnrollmentKey();

    ApiClient& m_api;
    QTabWidget* m_tabs;
    QList<Page> m_pages;
    QString m_auditFilter;
};

} // namespace breeze::console
