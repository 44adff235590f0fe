#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QStringList>

namespace breeze::console {

// The parameters of the script being edited, as an editable table: name, type (string, number, boolean,
// choice, secret), label, required, default and choices (comma-separated). The server checks the whole list
// when the script is saved; this model only keeps each cell to what its column can hold.
class ScriptParameterModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Name, Type, Label, Required, Default, Choices, ColumnCount };

    explicit ScriptParameterModel(QObject* parent = nullptr);

    static const QStringList& types();

    void setDefinitions(const QJsonArray& definitions);
    // In the REST API's form; empty cells are left out.
    QJsonArray definitions() const;
    // Adds "PARAMETERn" of type string; returns its row.
    int addParameter();
    void removeParameter(int row);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void edited();

private:
    struct Parameter {
        QString name;
        QString type = "string";
        QString label;
        bool required = false;
        QString defaultValue;
        QStringList choices;
    };
    QList<Parameter> m_parameters;
};

} // namespace breeze::console
