#pragma once

#include "DeviceTableModel.h"

#include <QAbstractItemModel>
#include <QHash>
#include <memory>
#include <vector>

namespace breeze::console {

struct TenancyNode {
    QString id;
    QString parentId; // an organisation's id for a site
    QString name;
};

// The left-hand tree: organisations, their sites, and the devices in each, with online/total counts on every
// organisation and site. It follows the DeviceTableModel: a device going online changes its leaf and the
// counts above it, nothing else.
class FleetTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum class Kind { Organisation, Site, Device };
    enum Role { KindRole = Qt::UserRole + 100, IdRole, OnlineRole, TotalRole };

    explicit FleetTreeModel(DeviceTableModel& devices, QObject* parent = nullptr);
    ~FleetTreeModel() override;

    // Organisations and sites as the REST API lists them; rebuilds the tree.
    void setTenancy(QVector<TenancyNode> organisations, QVector<TenancyNode> sites);

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
    Node* siteNodeFor(const Device& device);
    void addDevice(const Device& device, bool notify);
    void removeDevice(const QString& id);
    void updateDevice(const Device& device);
    void adjustCounts(Node* leafParent, int totalDelta, int onlineDelta);
    QModelIndex indexOf(const Node* node) const;

    DeviceTableModel& m_devices;
    QVector<TenancyNode> m_organisations;
    QVector<TenancyNode> m_sites;
    std::vector<std::unique_ptr<Node>> m_roots;
    QHash<QString, Node*> m_siteById;
    QHash<QString, Node*> m_leafById;
    QHash<QString, bool> m_onlineById;
};

} // namespace breeze::console
