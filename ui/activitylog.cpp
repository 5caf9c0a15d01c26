#include "ui/activitylog.h"

#include "core/refresh/tokenengine.h"
#include "core/util/clock.h"
#include "core/util/redact.h"
#include "core/workspace/workspace.h"

#include <QLocale>

namespace TokenTray {

ActivityLog::ActivityLog(const Clock *clock, QObject *parent)
    : QAbstractTableModel(parent)
    , m_clock(clock)
{
}

ActivityLog::~ActivityLog() = default;

void ActivityLog::record(Kind kind, const QString &profile, const QString &env,
                         const QString &detail)
{
    Entry entry {m_clock->nowUtc(), kind, redactSecrets(profile), redactSecrets(env),
                 redactSecrets(detail.simplified())};
    const int row = static_cast<int>(m_entries.size());
    beginInsertRows(QModelIndex(), row, row);
    m_entries.append(std::move(entry));
    endInsertRows();
    trim();
}

void ActivityLog::watch(Workspace *workspace)
{
    TokenEngine *engine = workspace->engine();
    auto nameOf = [workspace](const QString &profileId) {
        const Profile *p = workspace->config().profileById(profileId);
        return p ? p->name : profileId;
    };
    connect(engine, &TokenEngine::tokenRefreshed, this,
            [this, nameOf](const QString &id, const QString &env) {
                record(Kind::Refreshed, nameOf(id), env);
            });
    connect(engine, &TokenEngine::refreshFailed, this,
            [this, nameOf](const QString &id, const QString &env, const Error &error) {
                record(Kind::Failed, nameOf(id), env, error.detail);
            });
    connect(engine, &TokenEngine::signInRequired, this,
            [this, nameOf](const QString &id, const QString &env, const Error &error) {
                record(Kind::SignInRequired, nameOf(id), env, error.detail);
            });
}

void ActivityLog::setCapacity(int capacity)
{
    m_capacity = qMax(1, capacity);
    trim();
}

void ActivityLog::clear()
{
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

void ActivityLog::trim()
{
    const int excess = static_cast<int>(m_entries.size()) - m_capacity;
    if (excess <= 0)
        return;
    beginRemoveRows(QModelIndex(), 0, excess - 1);
    m_entries.remove(0, excess);
    endRemoveRows();
}

QString ActivityLog::kindText(Kind kind)
{
    switch (kind) {
    case Kind::Refreshed:
        return tr("Refreshed");
    case Kind::Failed:
        return tr("Refresh failed");
    case Kind::SignInRequired:
        return tr("Sign-in required");
    case Kind::Switched:
        return tr("Switched");
    case Kind::Copied:
        return tr("Copied");
    case Kind::SignedIn:
        return tr("Signed in");
    case Kind::SignedOut:
        return tr("Signed out");
    }
    return QString();
}

int ActivityLog::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int ActivityLog::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ActivityLog::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QLocale().toString(e.at.toLocalTime(), QLocale::ShortFormat);
        case EventColumn:
            return kindText(e.kind);
        case ScopeColumn:
            return e.environment.isEmpty() ? e.profile
                                           : e.profile + QLatin1Char('/') + e.environment;
        case DetailColumn:
            return e.detail;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return QLocale().toString(e.at.toLocalTime(), QLocale::LongFormat);
        if (index.column() == DetailColumn && !e.detail.isEmpty())
            return e.detail;
        return {};
    case KindRole:
        return QVariant::fromValue(e.kind);
    case TimestampRole:
        return e.at;
    default:
        return {};
    }
}

QVariant ActivityLog::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case EventColumn:
        return tr("Event");
    case ScopeColumn:
        return tr("Profile");
    case DetailColumn:
        return tr("Details");
    }
    return {};
}

} // namespace TokenTray
