#include "ScriptParameterModel.h"

#include <QJsonObject>

namespace breeze::console {

ScriptParameterModel::ScriptParameterModel(QObject* parent) : QAbstractTableModel(parent) {}

const QStringList& ScriptParameterModel::types() {
    static const QStringList names{"string", "number", "boolean", "choice", "secret"};
    return names;
}

void ScriptParameterModel::setDefinitions(const QJsonArray& definitions) {
    beginResetModel();
    m_parameters.clear();
    for (const auto& value : definitions) {
        const QJsonObject item = value.toObject();
        Parameter parameter;
        parameter.name = item.value("name").toString();
        parameter.type = item.value("type").toString("string");
        parameter.label = item.value("label").toString();
        parameter.required = item.value("required").toBool();
        parameter.defaultValue = item.value("default").toString();
        for (const auto& choice : item.value("choices").toArray())
            parameter.choices << choice.toString();
        m_parameters << parameter;
    }
    endResetModel();
}

QJsonArray ScriptParameterModel::definitions() const {
    QJsonArray items;
    for (const auto& parameter : m_parameters) {
        QJsonObject item{
            {"name", parameter.name}, {"type", parameter.type}, {"required", parameter.required}};
        if (!parameter.label.isEmpty())
            item["label"] = parameter.label;
        if (!parameter.defaultValue.isEmpty() && parameter.type != "secret")
            item["default"] = parameter.defaultValue;
        if (parameter.type == "choice")
            item["choices"] = QJsonArray::fromStringList(parameter.choices);
        items.append(item);
    }
    return items;
}

int ScriptParameterModel::addParameter() {
    const int row = static_cast<int>(m_parameters.size());
    beginInsertRows({}, row, row);
    Parameter parameter;
    parameter.name = QString("PARAMETER%1").arg(row + 1);
    m_parameters << parameter;
    endInsertRows();
    Q_EMIT edited();
    return row;
}

void ScriptParameterModel::removeParameter(int row) {
    if (row < 0 || row >= m_parameters.size())
        return;
    beginRemoveRows({}, row, row);
    m_parameters.removeAt(row);
    endRemoveRows();
    Q_EMIT edited();
}

int ScriptParameterModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_parameters.size());
}

int ScriptParameterModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ScriptParameterModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_parameters.size())
        return {};
    const Parameter& parameter = m_parameters[index.row()];
    if (index.column() == Required) {
        if (role == Qt::CheckStateRole)
            return parameter.required ? Qt::Checked : Qt::Unchecked;
        return {};
    }
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case Name:
        return parameter.name;
    case Type:
        return parameter.type;
    case Label:
        return parameter.label;
    case Default:
        return parameter.type == "secret" ? QVariant() : QVariant(parameter.defaultValue);
    case Choices:
        return parameter.type == "choice" ? QVariant(parameter.choices.join(", ")) : QVariant();
    default:
        return {};
    }
}

bool ScriptParameterModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || index.row() >= m_parameters.size())
        return false;
    Parameter& parameter = m_parameters[index.row()];
    if (index.column() == Required) {
        if (role != Qt::CheckStateRole)
            return false;
        parameter.required = value.toInt() == Qt::Checked;
    } else if (role == Qt::EditRole) {
        const QString text = value.toString();
        switch (index.column()) {
        case Name:
            // Environment variable names: the server refuses the rest with the reason, but spaces and
            // lower-case slips are mended as typed.
            parameter.name = text.trimmed().replace(' ', '_');
            break;
        case Type:
            if (!types().contains(text))
                return false;
            parameter.type = text;
            break;
        case Label:
            parameter.label = text;
            break;
        case Default:
            if (parameter.type == "secret")
                return false;
            parameter.defaultValue = text;
            break;
        case Choices: {
            QStringList choices;
            for (const auto& choice : text.split(',', Qt::SkipEmptyParts))
                if (!choice.trimmed().isEmpty())
                    choices << choice.trimmed();
            parameter.choices = choices;
            break;
        }
        default:
            return false;
        }
    } else {
        return false;
    }
    // Changing the type can change what Default and Choices show.
    Q_EMIT dataChanged(this->index(index.row(), 0), this->index(index.row(), ColumnCount - 1));
    Q_EMIT edited();
    return true;
}

Qt::ItemFlags ScriptParameterModel::flags(const QModelIndex& index) const {
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const Parameter& parameter = m_parameters[index.row()];
    if (index.column() == Required)
        return flags | Qt::ItemIsUserCheckable;
    if ((index.column() == Default && parameter.type == "secret") ||
        (index.column() == Choices && parameter.type != "choice"))
        return flags;
    return flags | Qt::ItemIsEditable;
}

QVariant ScriptParameterModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList titles{tr("Name"),     tr("Type"),    tr("Label"),
                                    tr("Required"), tr("Default"), tr("Choices")};
    return titles.value(section);
}

} // namespace breeze::console
