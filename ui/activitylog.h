#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>

namespace TokenTray {

class Clock;
class Workspace;

// What happened to tokens, for the person looking back: refreshed, failed, switched, copied,
// signed in or out. Every text is passed through redactSecrets() as it is recorded; only the
// newest entries are kept (capacity(), 500 by default). Rows are oldest first.
class ActivityLog final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityLog)
public:
    enum class Kind { Refreshed, Failed, SignInRequired, Switched, Copied, SignedIn, SignedOut };
    Q_ENUM(Kind)
    enum Column { TimeColumn, EventColumn, ScopeColumn, DetailColumn, ColumnCount };
    enum Role { KindRole = Qt::UserRole + 1, TimestampRole };

    struct Entry
    {
        QDateTime at; // UTC
        Kind kind;
        QString profile;
        QString environment;
        QString detail;
    };

    static constexpr int kDefaultCapacity = 500;

    explicit ActivityLog(const Clock *clock, QObject *parent = nullptr);
    ~ActivityLog() override;

    // The hook everything else calls: the tray on switch and copy, the sign-in and sign-out code.
    void record(Kind kind, const QString &profile, const QString &env, const QString &detail = {});
    // Records the engine's refreshes and failures, with profile names from the workspace.
    void watch(Workspace *workspace);

    void setCapacity(int capacity);
    [[nodiscard]] int capacity() const { return m_capacity; }
    [[nodiscard]] const QList<Entry> &entries() const { return m_entries; }
    void clear();

    static QString kindText(Kind kind);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void trim();

    const Clock *m_clock;
    QList<Entry> m_entries;
    int m_capacity = kDefaultCapacity;
};

} // namespace TokenTray
