#pragma once

#include "core/model/config.h"
#include "core/refresh/tokenstate.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QIcon>

namespace TokenTray {

class Workspace;

// The profiles (top level) and their environments (children) of the Workspace's config, for
// the manager window's tree. Follows configChanged with row inserts/removals where the order of
// what stays is unchanged (a reset otherwise) and stateChanged with dataChanged of the State
// column. The current profile and every profile's active environment are bold.
class ProfileModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProfileModel)
public:
    enum Column { NameColumn, KindColumn, StateColumn, NotesColumn, ColumnCount };
    enum Role {
        ProfileIdRole = Qt::UserRole + 1, // QString, on profile and environment rows
        EnvironmentNameRole, // QString; empty on profile rows
        IsEnvironmentRole, // bool
        IsCurrentRole, // bool: current profile / its profile's active environment
        TokenStateRole, // int(TokenState) of the environment (profile: its active one)
    };

    explicit ProfileModel(Workspace *workspace, QObject *parent = nullptr);
    ~ProfileModel() override;

    // What the Kind column says for an environment: where it gets its credentials from
    // ("login.example.com", "role/Admin · eu-west-1").
    static QString environmentSummary(ProfileKind kind, const Environment &env);

    [[nodiscard]] QModelIndex profileIndex(const QString &profileId, int column = 0) const;
    [[nodiscard]] QModelIndex environmentIndex(const QString &profileId, const QString &envName,
                                               int column = 0) const;

    QModelIndex index(int row, int column,
                      const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    void onConfigChanged();
    void onStateChanged(const QString &profileId, const QString &env);
    bool syncRows(const Config &next);
    void syncEnvironments(int profileRow, const Profile &next);
    QVariant profileData(const Profile &profile, int column, int role) const;
    QVariant environmentData(const Profile &profile, const Environment &env, int column,
                             int role) const;
    TokenState stateOf(const QString &profileId, const QString &env) const;
    QDateTime expiryOf(const QString &profileId, const QString &env) const;

    QIcon iconFor(TokenState state) const;

    Workspace *m_workspace;
    QIcon m_grey;
    QIcon m_green;
    QIcon m_amber;
    QIcon m_red;
    Config m_config; // what the rows show; follows the workspace step by step
};

} // namespace TokenTray
