#include "FleetTreeModel.h"

#include <algorithm>

namespace breeze::console {

FleetTreeModel::FleetTreeModel(DeviceTableModel& devices, QObject* parent)
    : QAbstractItemModel(parent), m_devices(devices) {
    connect(&devices, &QAbstractItemModel::modelReset, this, &FleetTreeModel::rebuild);
    connect(
        &devices, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int first, int last) {
            for (int row = first; row <= last; ++row)
                addDevice(
                    *m_devices.device(
                        m_devices.data(m_devices.index(row, 0), DeviceTableModel::DeviceIdRole).toString()),
                    true);
        });
    connect(&devices, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex&, int first, int last) {
                for (int row = first; row <= last; ++row)
                    removeDevice(
                        m_devices.data(m_devices.index(row, 0), DeviceTableModel::DeviceIdRole).toString());
            });
    connect(
        &devices, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex& from, const QModelIndex& to) {
            for (int row = from.row(); row <= to.row(); ++row)
                if (const Device* device = m_devices.device(
                        m_devices.data(m_devices.index(row, 0), DeviceTableModel::DeviceIdRole).toString()))
                    updateDevice(*device);
        });
}

FleetTreeModel::~FleetTreeModel() = default;

void FleetTreeModel::setTenancy(QVector<TenancyNode> organisations, QVector<TenancyNode> sites,
                                const QVector<TenancyNode>& groups) {
    m_organisations = std::move(organisations);
    m_sites = std::move(sites);
    m_groupById.clear();
    for (const auto& group : groups)
        m_groupById.insert(group.id, group);
    QHash<QString, QString> places;
    for (const auto& org : m_organisations)
        places.insert(org.id, org.name);
    for (const auto& site : m_sites)
        places.insert(site.id, site.name);
    m_devices.setPlaceNames(std::move(places));
    rebuild();
}

QModelIndex FleetTreeModel::indexFor(const FleetScope& scope) const {
    if (m_roots.empty())
        return {};
    if (!scope.groupId.isEmpty())
        return indexOf(m_groupNodeByKey.value(scope.siteId + '/' + scope.groupId));
    if (!scope.siteId.isEmpty())
        return indexOf(m_siteById.value(scope.siteId));
    if (!scope.orgId.isEmpty())
        for (const auto& org : m_roots.front()->children)
            if (org->id == scope.orgId)
                return indexOf(org.get());
    return organisationsRoot();
}

void FleetTreeModel::setPartner(const QString& id, const QString& name) {
    m_partner = {id, {}, name, {}};
    if (!m_roots.empty()) {
        m_roots.front()->id = id;
        m_roots.front()->name = name;
        const QModelIndex root = index(0, 0);
        Q_EMIT dataChanged(root, root);
    }
}

void FleetTreeModel::rebuild() {
    beginResetModel();
    m_roots.clear();
    m_siteById.clear();
    m_groupNodeByKey.clear();
    m_leafById.clear();
    m_onlineById.clear();
    QHash<QString, Node*> orgById;
    auto organisations = m_organisations;
    std::sort(organisations.begin(), organisations.end(),
              [](const auto& a, const auto& b) { return a.name.compare(b.name, Qt::CaseInsensitive) < 0; });
    auto partner = std::make_unique<Node>(
        Kind::Partner, m_partner.id, m_partner.name.isEmpty() ? tr("All organisations") : m_partner.name);
    for (const auto& org : organisations) {
        auto node = std::make_unique<Node>(Kind::Organisation, org.id, org.name);
        node->parent = partner.get();
        node->row = static_cast<int>(partner->children.size());
        orgById.insert(org.id, node.get());
        partner->children.push_back(std::move(node));
    }
    m_roots.push_back(std::move(partner));
    auto sites = m_sites;
    std::sort(sites.begin(), sites.end(),
              [](const auto& a, const auto& b) { return a.name.compare(b.name, Qt::CaseInsensitive) < 0; });
    for (const auto& site : sites) {
        Node* org = orgById.value(site.parentId);
        if (!org)
            continue;
        auto node = std::make_unique<Node>(Kind::Site, site.id, site.name);
        node->parent = org;
        node->row = static_cast<int>(org->children.size());
        m_siteById.insert(site.id, node.get());
        org->children.push_back(std::move(node));
    }
    for (const auto& group : std::as_const(m_groupById))
        if (Node* site = m_siteById.value(group.siteId))
            addGroupNode(site, group, false);
    for (int row = 0; row < m_devices.rowCount(); ++row)
        if (const Device* device = m_devices.device(
                m_devices.data(m_devices.index(row, 0), DeviceTableModel::DeviceIdRole).toString()))
            addDevice(*device, false);
    endResetModel();
}

FleetTreeModel::Node* FleetTreeModel::addGroupNode(Node* site, const TenancyNode& group, bool notify) {
    // Groups lead a site's children, in name order; devices follow them.
    int row = 0;
    while (row < static_cast<int>(site->children.size())) {
        const Node& sibling = *site->children[static_cast<std::size_t>(row)];
        if (sibling.kind != Kind::Group || sibling.name.compare(group.name, Qt::CaseInsensitive) > 0)
            break;
        ++row;
    }
    if (notify)
        beginInsertRows(indexOf(site), row, row);
    auto node = std::make_unique<Node>(Kind::Group, group.id, group.name);
    node->parent = site;
    Node* raw = node.get();
    site->children.insert(site->children.begin() + row, std::move(node));
    for (std::size_t i = static_cast<std::size_t>(row); i < site->children.size(); ++i)
        site->children[i]->row = static_cast<int>(i);
    m_groupNodeByKey.insert(site->id + '/' + group.id, raw);
    if (notify)
        endInsertRows();
    return raw;
}

FleetTreeModel::Node* FleetTreeModel::containerFor(const Device& device, bool notify) {
    Node* site = m_siteById.value(device.siteId);
    if (!site || device.groupId.isEmpty())
        return site;
    if (Node* group = m_groupNodeByKey.value(device.siteId + '/' + device.groupId))
        return group;
    const auto group = m_groupById.constFind(device.groupId);
    // A group this console has not loaded yet, or another site's: the device shows under its site.
    if (group == m_groupById.constEnd() || !group->siteId.isEmpty())
        return site;
    return addGroupNode(site, *group, notify);
}

void FleetTreeModel::adjustCounts(Node* node, int totalDelta, int onlineDelta) {
    for (; node; node = node->parent) {
        node->total += totalDelta;
        node->online += onlineDelta;
        const QModelIndex index = indexOf(node);
        Q_EMIT dataChanged(index, index);
    }
}

void FleetTreeModel::addDevice(const Device& device, bool notify) {
    if (m_leafById.contains(device.id))
        return;
    Node* container = containerFor(device, notify);
    if (!container)
        return; // a site this console has not loaded yet: it appears with the next tenancy refresh
    const int row = static_cast<int>(container->children.size());
    if (notify)
        beginInsertRows(indexOf(container), row, row);
    auto leaf = std::make_unique<Node>(Kind::Device, device.id,
                                       device.hostname.isEmpty() ? device.identity : device.hostname);
    leaf->parent = container;
    leaf->row = row;
    m_leafById.insert(device.id, leaf.get());
    container->children.push_back(std::move(leaf));
    const bool online = device.status == "online";
    m_onlineById.insert(device.id, online);
    if (notify) {
        endInsertRows();
        adjustCounts(container, 1, online);
    } else {
        for (Node* node = container; node; node = node->parent) {
            ++node->total;
            node->online += online;
        }
    }
}

void FleetTreeModel::removeDevice(const QString& id) {
    Node* leaf = m_leafById.value(id);
    if (!leaf)
        return;
    Node* container = leaf->parent;
    const int row = leaf->row;
    const bool online = m_onlineById.value(id);
    beginRemoveRows(indexOf(container), row, row);
    m_leafById.remove(id);
    m_onlineById.remove(id);
    container->children.erase(container->children.begin() + row);
    for (std::size_t i = static_cast<std::size_t>(row); i < container->children.size(); ++i)
        container->children[i]->row = static_cast<int>(i);
    endRemoveRows();
    adjustCounts(container, -1, -static_cast<int>(online));
}

void FleetTreeModel::updateDevice(const Device& device) {
    Node* leaf = m_leafById.value(device.id);
    if (!leaf)
        return;
    if (leaf->parent != containerFor(device, true)) { // moved to another site or group
        removeDevice(device.id);
        addDevice(device, true);
        return;
    }
    leaf->name = device.hostname.isEmpty() ? device.identity : device.hostname;
    const bool online = device.status == "online";
    const bool was = m_onlineById.value(device.id);
    const QModelIndex index = indexOf(leaf);
    Q_EMIT dataChanged(index, index);
    if (online != was) {
        m_onlineById[device.id] = online;
        adjustCounts(leaf->parent, 0, online ? 1 : -1);
    }
}

QModelIndex FleetTreeModel::indexOf(const Node* node) const {
    return node ? createIndex(node->row, 0, const_cast<Node*>(node)) : QModelIndex();
}

QModelIndex FleetTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (column != 0 || row < 0)
        return {};
    if (!parent.isValid())
        return row < static_cast<int>(m_roots.size())
                   ? createIndex(row, 0, m_roots[static_cast<std::size_t>(row)].get())
                   : QModelIndex();
    const auto* node = static_cast<Node*>(parent.internalPointer());
    return row < static_cast<int>(node->children.size())
               ? createIndex(row, 0, node->children[static_cast<std::size_t>(row)].get())
               : QModelIndex();
}

QModelIndex FleetTreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid())
        return {};
    const auto* node = static_cast<Node*>(child.internalPointer());
    return indexOf(node->parent);
}

int FleetTreeModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid())
        return static_cast<int>(m_roots.size());
    if (parent.column() != 0)
        return 0;
    return static_cast<int>(static_cast<Node*>(parent.internalPointer())->children.size());
}

int FleetTreeModel::columnCount(const QModelIndex&) const {
    return 1;
}

QVariant FleetTreeModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid())
        return {};
    const auto* node = static_cast<Node*>(index.internalPointer());
    switch (role) {
    case Qt::DisplayRole:
        if (node->kind == Kind::Device)
            return node->name;
        // One arg() call: a name containing "%2" must not swallow the counts.
        return tr("%1 (%2/%3 online)")
            .arg(node->name, QString::number(node->online), QString::number(node->total));
    case KindRole:
        return static_cast<int>(node->kind);
    case IdRole:
        return node->id;
    case SiteIdRole: {
        const Node* site = node->parent;
        while (site && site->kind != Kind::Site)
            site = site->parent;
        return site ? site->id : QString();
    }
    case OnlineRole:
        return node->kind == Kind::Device ? QVariant(m_onlineById.value(node->id)) : QVariant(node->online);
    case TotalRole:
        return node->total;
    default:
        return {};
    }
}

} // namespace breeze::console
