#include "DeviceDirectory.h"

#include "ListLoader.h"

#include <QJsonArray>
#include <QTimer>
#include <QUrlQuery>

namespace breeze::console {

DeviceDirectory::DeviceDirectory(ApiClient& api, LiveChannel& live, DeviceTableModel& model,
                                 FleetTreeModel& tree, QObject* parent)
    : QObject(parent), m_api(api), m_model(model), m_tree(tree) {
    connect(&live, &LiveChannel::deviceEvent, this, [this](const QJsonObject& event) {
        if (!m_model.applyEvent(event))
            fetchDevice(event.value("device_id").toString());
    });
    connect(&live, &LiveChannel::deviceSummaries, &m_model, &DeviceTableModel::applySummaries);
    connect(&live, &LiveChannel::resyncNeeded, this, &DeviceDirectory::reload);
    connect(&live, &LiveChannel::tenancyChanged, this, &DeviceDirectory::tenancyChanged);
    m_tenancyReload = new QTimer(this);
    m_tenancyReload->setSingleShot(true);
    m_tenancyReload->setInterval(300);
    connect(this, &DeviceDirectory::loadingChanged, this, [this](bool loading) {
        if (!loading && m_tenancyAgain) {
            m_tenancyAgain = false;
            m_tenancyReload->start();
        }
    });
    connect(m_tenancyReload, &QTimer::timeout, this, [this] {
        if (!m_loading)
            loadTenancy([](const QString&) {}); // refused now: the next change or reload tries again
    });
}

void DeviceDirectory::reload() {
    if (m_loading) {
        m_reloadAgain = true;
        return;
    }
    m_loading = true;
    m_pending.clear();
    Q_EMIT loadingChanged(true);
    // Organisations, sites and groups first (the tree's skeleton), then the devices page by page.
    loadTenancy([this](const QString& error) {
        if (!error.isEmpty()) {
            m_loading = false;
            Q_EMIT loadingChanged(false);
            Q_EMIT failed(error);
            return;
        }
        loadPage({});
        m_api.get("/api/v1/auth/me", [this](const ApiReply& me) {
            if (me.ok())
                m_tree.setPartner(me.object().value("partner_id").toString(),
                                  me.object().value("partner_name").toString());
        });
    });
}

void DeviceDirectory::loadTenancy(const std::function<void(const QString& error)>& then) {
    loadAllPages(m_api, "/api/v1/orgs", [this, then](const QJsonArray& orgs, const QString& error) {
        if (!error.isEmpty())
            return then(error);
        loadAllPages(
            m_api, "/api/v1/sites", [this, then, orgs](const QJsonArray& sites, const QString& siteError) {
                if (!siteError.isEmpty())
                    return then(siteError);
                QVector<TenancyNode> organisations;
                for (const auto& org : orgs)
                    organisations.push_back({org.toObject().value("id").toString(),
                                             {},
                                             org.toObject().value("name").toString(),
                                             {}});
                QVector<TenancyNode> siteNodes;
                for (const auto& site : sites)
                    siteNodes.push_back({site.toObject().value("id").toString(),
                                         site.toObject().value("org_id").toString(),
                                         site.toObject().value("name").toString(),
                                         {}});
                loadAllPages(
                    m_api, "/api/v1/groups",
                    [this, then, organisations, siteNodes](const QJsonArray& groups, const QString&) {
                        // Groups only arrange the tree: a role without groups:read still sees every
                        // device, under its site.
                        QVector<TenancyNode> groupNodes;
                        for (const auto& item : groups) {
                            const QJsonObject group = item.toObject();
                            groupNodes.push_back(
                                {group.value("id").toString(), group.value("org_id").toString(),
                                 group.value("name").toString(), group.value("site_id").toString()});
                        }
                        m_tree.setTenancy(organisations, siteNodes, groupNodes);
                        then({});
                    });
            });
    });
}

void DeviceDirectory::tenancyChanged() {
    // A burst of changes (an organisation deleted with its sites) is loaded once; a full reload under way
    // brings the news itself.
    if (m_loading) {
        m_tenancyAgain = true; // the load under way may have read them before the change: again after it
        return;
    }
    if (!m_tenancyReload->isActive())
        m_tenancyReload->start();
}

void DeviceDirectory::loadPage(const QString& cursor) {
    QUrlQuery query;
    query.addQueryItem("limit", "500");
    if (!cursor.isEmpty())
        query.addQueryItem("cursor", cursor);
    m_api.get("/api/v1/devices?" + query.toString(QUrl::FullyEncoded), [this](const ApiReply& reply) {
        if (!reply.ok()) {
            m_loading = false;
            Q_EMIT loadingChanged(false);
            Q_EMIT failed(reply.errorMessage);
            return;
        }
        const QJsonObject page = reply.object();
        for (const auto& item : page.value("items").toArray())
            m_pending.push_back(Device::fromJson(item.toObject()));
        Q_EMIT progress(static_cast<int>(m_pending.size()));
        const QString next = page.value("next_cursor").toString();
        if (!next.isEmpty()) {
            loadPage(next);
            return;
        }
        m_model.setDevices(std::move(m_pending));
        m_pending = {};
        m_loading = false;
        Q_EMIT loadingChanged(false);
        Q_EMIT loaded(m_model.rowCount());
        if (m_reloadAgain) {
            m_reloadAgain = false;
            reload();
        }
    });
}

void DeviceDirectory::fetchDevice(const QString& id) {
    if (id.isEmpty())
        return;
    m_api.get("/api/v1/devices/" + id, [this, id](const ApiReply& reply) {
        if (reply.ok())
            m_model.upsert(Device::fromJson(reply.object()));
        else if (reply.status == 404)
            m_model.remove(id);
    });
}

} // namespace breeze::console
