#include "ui/profilemodel.h"

#include "core/refresh/tokenengine.h"
#include "core/workspace/workspace.h"
#include "ui/managertext.h"

#include <QFont>
#include <QLocale>

namespace TokenTray {
namespace {

// Profile rows carry internal id 0; environment rows carry their profile's row + 1.
constexpr quintptr kProfileRow = 0;

QStringList idsOf(const QList<Profile> &profiles)
{
    QStringList ids;
    for (const Profile &p : profiles)
        ids << p.id;
    return ids;
}

// `a` without what `b` lacks, in a's order.
QStringList keptIn(const QStringList &a, const QStringList &b)
{
    QStringList out;
    for (const QString &s : a) {
        if (b.contains(s))
            out << s;
    }
    return out;
}

} // namespace

ProfileModel::ProfileModel(Workspace *workspace, QObject *parent)
    : QAbstractItemModel(parent)
    , m_workspace(workspace)
    , m_grey(QStringLiteral(":/icons/status-grey.svg"))
    , m_green(QStringLiteral(":/icons/status-green.svg"))
    , m_amber(QStringLiteral(":/icons/status-amber.svg"))
    , m_red(QStringLiteral(":/icons/status-red.svg"))
    , m_config(workspace->config())
{
    connect(m_workspace, &Workspace::configChanged, this, &ProfileModel::onConfigChanged);
    connect(m_workspace, &Workspace::stateChanged, this, &ProfileModel::onStateChanged);
}

ProfileModel::~ProfileModel() = default;

QString ProfileModel::environmentSummary(ProfileKind kind, const Environment &env)
{
    switch (kind) {
    case ProfileKind::OAuth2:
        if (!env.tokenUrl.isEmpty())
            return env.tokenUrl.host();
        return env.issuer.host();
    case ProfileKind::AwsAssumeRole: {
        const QString role = env.roleArn.section(QLatin1Char(':'), 5);
        return env.region.isEmpty() ? role : role + QStringLiteral(" · ") + env.region;
    }
    case ProfileKind::AwsAccessKey:
        return env.region;
    case ProfileKind::StaticToken:
        return env.apiUrl.host();
    }
    return {};
}

QModelIndex ProfileModel::profileIndex(const QString &profileId, int column) const
{
    for (qsizetype row = 0; row < m_config.profiles.size(); ++row) {
        if (m_config.profiles.at(row).id == profileId)
            return index(static_cast<int>(row), column);
    }
    return {};
}

QModelIndex ProfileModel::environmentIndex(const QString &profileId, const QString &envName,
                                           int column) const
{
    const QModelIndex parent = profileIndex(profileId);
    if (!parent.isValid())
        return {};
    const Profile &p = m_config.profiles.at(parent.row());
    for (qsizetype row = 0; row < p.environments.size(); ++row) {
        if (p.environments.at(row).name == envName)
            return index(static_cast<int>(row), column, parent);
    }
    return {};
}

QModelIndex ProfileModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_config.profiles.size() ? createIndex(row, column, kProfileRow)
                                              : QModelIndex();
    if (parent.internalId() != kProfileRow || parent.column() != 0)
        return {};
    const Profile &p = m_config.profiles.at(parent.row());
    if (row >= p.environments.size())
        return {};
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex ProfileModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kProfileRow)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kProfileRow);
}

int ProfileModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_config.profiles.size());
    if (parent.column() != 0 || parent.internalId() != kProfileRow)
        return 0;
    return static_cast<int>(m_config.profiles.at(parent.row()).environments.size());
}

int ProfileModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

Qt::ItemFlags ProfileModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.internalId() != kProfileRow)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QVariant ProfileModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Profile / environment");
    case KindColumn:
        return tr("Kind / source");
    case StateColumn:
        return tr("Token");
    case NotesColumn:
        return tr("Notes");
    default:
        return {};
    }
}

QVariant ProfileModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == kProfileRow)
        return profileData(m_config.profiles.at(index.row()), index.column(), role);
    const Profile &p = m_config.profiles.at(static_cast<qsizetype>(index.internalId() - 1));
    return environmentData(p, p.environments.at(index.row()), index.column(), role);
}

QVariant ProfileModel::profileData(const Profile &profile, int column, int role) const
{
    const bool current = profile.id == m_config.currentProfileId;
    const bool hasActive = !profile.activeEnvironment.isEmpty();
    const TokenState state
        = hasActive ? stateOf(profile.id, profile.activeEnvironment) : TokenState::None;
    switch (role) {
    case ProfileIdRole:
        return profile.id;
    case EnvironmentNameRole:
        return QString();
    case IsEnvironmentRole:
        return false;
    case IsCurrentRole:
        return current;
    case TokenStateRole:
        return static_cast<int>(state);
    case Qt::FontRole:
        if (current && column == NameColumn) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::DecorationRole:
        if (column == StateColumn && hasActive)
            return iconFor(state);
        return {};
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case NameColumn:
        return profile.name;
    case KindColumn:
        return ManagerText::kindWithGrant(profile.kind, profile.grant);
    case StateColumn:
        if (!hasActive)
            return tr("no environments");
        return tr("%1: %2").arg(
            profile.activeEnvironment,
            ManagerText::state(state, expiryOf(profile.id, profile.activeEnvironment)));
    case NotesColumn:
        return current ? tr("current profile") : QString();
    default:
        return {};
    }
}

QVariant ProfileModel::environmentData(const Profile &profile, const Environment &env, int column,
                                       int role) const
{
    const bool active = env.name == profile.activeEnvironment;
    const TokenState state = stateOf(profile.id, env.name);
    switch (role) {
    case ProfileIdRole:
        return profile.id;
    case EnvironmentNameRole:
        return env.name;
    case IsEnvironmentRole:
        return true;
    case IsCurrentRole:
        return active;
    case TokenStateRole:
        return static_cast<int>(state);
    case Qt::FontRole:
        if (active && column == NameColumn) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::DecorationRole:
        if (column == StateColumn)
            return iconFor(state);
        return {};
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case NameColumn:
        return env.name;
    case KindColumn:
        return environmentSummary(profile.kind, env);
    case StateColumn:
        return ManagerText::state(state, expiryOf(profile.id, env.name));
    case NotesColumn: {
        QStringList notes;
        if (active)
            notes << tr("active");
        if (env.isProtected)
            notes << tr("protected");
        return QLocale().createSeparatedList(notes);
    }
    default:
        return {};
    }
}

QIcon ProfileModel::iconFor(TokenState state) const
{
    switch (severityOf(state)) {
    case Severity::Good:
        return m_green;
    case Severity::Warning:
        return m_amber;
    case Severity::Critical:
        return m_red;
    case Severity::None:
    case Severity::Locked:
        return m_grey;
    }
    return m_grey;
}

TokenState ProfileModel::stateOf(const QString &profileId, const QString &env) const
{
    return m_workspace->state(profileId, env);
}

QDateTime ProfileModel::expiryOf(const QString &profileId, const QString &env) const
{
    const auto credential = m_workspace->engine()->credential(profileId, env);
    if (!credential || !credential->expires())
        return {};
    return credential->expiresAt;
}

void ProfileModel::onConfigChanged()
{
    const Config next = m_workspace->config();
    if (next == m_config)
        return;
    if (!syncRows(next)) {
        beginResetModel();
        m_config = next;
        endResetModel();
    }
}

bool ProfileModel::syncRows(const Config &next)
{
    // Only removals and insertions are told row by row; anything that moved is a reset.
    const QStringList oldIds = idsOf(m_config.profiles);
    const QStringList newIds = idsOf(next.profiles);
    if (keptIn(oldIds, newIds) != keptIn(newIds, oldIds))
        return false;
    for (const Profile &p : next.profiles) {
        const QModelIndex row = profileIndex(p.id);
        if (!row.isValid())
            continue;
        const QStringList oldEnvs = m_config.profiles.at(row.row()).environmentNames();
        const QStringList newEnvs = p.environmentNames();
        if (keptIn(oldEnvs, newEnvs) != keptIn(newEnvs, oldEnvs))
            return false;
    }

    for (int row = static_cast<int>(m_config.profiles.size()) - 1; row >= 0; --row) {
        if (newIds.contains(m_config.profiles.at(row).id))
            continue;
        beginRemoveRows(QModelIndex(), row, row);
        m_config.profiles.removeAt(row);
        endRemoveRows();
    }
    for (int row = 0; row < next.profiles.size(); ++row) {
        if (row < m_config.profiles.size()
            && m_config.profiles.at(row).id == next.profiles.at(row).id)
            continue;
        beginInsertRows(QModelIndex(), row, row);
        m_config.profiles.insert(row, next.profiles.at(row));
        endInsertRows();
    }
    m_config.currentProfileId = next.currentProfileId;
    m_config.settings = next.settings;
    for (int row = 0; row < next.profiles.size(); ++row)
        syncEnvironments(row, next.profiles.at(row));

    // Names, kinds, markers and states may all have changed: repaint every row.
    if (!m_config.profiles.isEmpty()) {
        const int last = static_cast<int>(m_config.profiles.size()) - 1;
        Q_EMIT dataChanged(index(0, 0), index(last, ColumnCount - 1));
        for (int row = 0; row <= last; ++row) {
            const int envs = static_cast<int>(m_config.profiles.at(row).environments.size());
            if (envs > 0) {
                const QModelIndex parent = index(row, 0);
                Q_EMIT dataChanged(index(0, 0, parent), index(envs - 1, ColumnCount - 1, parent));
            }
        }
    }
    return true;
}

void ProfileModel::syncEnvironments(int profileRow, const Profile &next)
{
    const QModelIndex parent = index(profileRow, 0);
    QList<Environment> &envs = m_config.profiles[profileRow].environments;
    const QStringList newNames = next.environmentNames();
    for (int row = static_cast<int>(envs.size()) - 1; row >= 0; --row) {
        if (newNames.contains(envs.at(row).name))
            continue;
        beginRemoveRows(parent, row, row);
        envs.removeAt(row);
        endRemoveRows();
    }
    for (int row = 0; row < next.environments.size(); ++row) {
        if (row < envs.size() && envs.at(row).name == next.environments.at(row).name)
            continue;
        beginInsertRows(parent, row, row);
        envs.insert(row, next.environments.at(row));
        endInsertRows();
    }
    m_config.profiles[profileRow] = next;
}

void ProfileModel::onStateChanged(const QString &profileId, const QString &env)
{
    const QModelIndex envIndex = environmentIndex(profileId, env, StateColumn);
    if (envIndex.isValid())
        Q_EMIT dataChanged(envIndex, envIndex);
    const QModelIndex profile = profileIndex(profileId, StateColumn);
    if (profile.isValid() && m_config.profiles.at(profile.row()).activeEnvironment == env)
        Q_EMIT dataChanged(profile, profile);
}

} // namespace TokenTray
