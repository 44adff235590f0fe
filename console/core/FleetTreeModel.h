#pragma once

#include "DeviceTableModel.h"
#include "FleetScope.h"

#include <QAbstractItemModel>
#include <QHash>
#include <memory>
#include <vector>

namespace breeze::console {

struct TenancyNode {
    QString id;
    QString parentId; // an organisation's id for a site or a group
    QString name;
    QString siteId; // a group's site; empty for an organisation-wide group
};

// The left-hand tree: the partner at the root, its organisations, their sites, the device groups within each
// site, and the devices, with online/total counts on every organisation, site and group. A site's group is
// always shown under it; an organisation-wide group appears under each site that has devices in it. Devices
// outside any group sit directly under their site. It follows the DeviceTableModel: a device going online
// changes its leaf and the counts above it, nothing else.
class FleetTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum class Kind { Partner, Organisation, Site, Group, Device };
    // SiteIdRole: the site a group node or device leaf sits under.
    enum Role { KindRole = Qt::UserRole + 100, IdRole, OnlineRole, TotalRole, SiteIdRole };

    explicit FleetTreeModel(DeviceTableModel& devices, QObject* parent = nullptr);
    ~FleetTreeModel() override;

    // Organisations, sites and device groups as the REST API lists them; rebuilds the tree.
    void setTenancy(QVector<TenancyNode> organisations, QVector<TenancyNode> sites,
                    const QVector<TenancyNode>& groups = {});

    // The root's name (the MSP's own); shown as "All organisations" until set.
    void setPartner(const QString& id, const QString& name);
    // The index whose children are the organisations.
    QModelIndex organisationsRoot() const { return index(0, 0); }
    // The node of a scope (the root for everything); invalid when the tree does not hold it.
    QModelIndex indexFor(const FleetScope& scope) const;
    // Every device group loaded, by id (for menus that put devices into one).
    const QHash<QString, TenancyNode>& groups() const { return m_groupById; }
    const QVector<TenancyNode>& organisations() const { return m_organisations; }
    const QVector<TenancyNode>& sites() const { return m_sites; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    struct Node {
        Node(Kind k, QString i, QString n) : kind(k), id(std::move(i)), name(std::move(n)) {}
        Kind kind;
        QString id;
        QString name;
        Node* parent = nullptr;
        int row = 0; // position among its siblings, kept current so that a live change costs O(1)
        std::vector<std::unique_ptr<Node>> children;
        int total = 0;
        int online = 0;
    };

    void rebuild();
    // Where the device's leaf belongs: its group's node under its site (made on demand for an
    // organisation-wide group), else the site itself; null for a site not loaded.
    Node* containerFor(const Device& device, bool notify);
    Node* addGroupNode(Node* site, const TenancyNode& group, bool notify);
    void addDevice(const Device& device, bool notify);
    void removeDevice(const QString& id);
    void updateDevice(const Device& device);
    void adjustCounts(Node* leafParent, int totalDelta, int onlineDelta);
    QModelIndex indexOf(const Node* node) const;

    DeviceTableModel& m_devices;
    TenancyNode m_partner;
    QVector<TenancyNode> m_organisations;
    QVector<TenancyNode> m_sites;
    QHash<QString, TenancyNode> m_groupById;
    std::vector<std::unique_ptr<Node>> m_roots;
    QHash<QString, Node*> m_siteById;
    QHash<QString, Node*> m_groupNodeByKey; // site id + '/' + group id
    QHash<QString, Node*> m_leafById;
    QHash<QString, bool> m_onlineById;
};

} // namespace breeze::console
