#pragma once

#include "core/model/config.h"
#include "core/model/credential.h"
#include "core/refresh/credentialfetch.h"
#include "core/refresh/tokenstate.h"
#include "core/util/result.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <deque>
#include <map>
#include <memory>

class QTimer;

namespace TokenTray {

class TokenEngine;

// One consumer's request for a token: finished() once, with a credential that has at least the
// asked-for validity, or an error. Parented to the engine; deletes itself after finished()
// unless setAutoDelete(false).
class TokenAsk final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenAsk)
public:
    [[nodiscard]] const Result<Credential> &result() const { return m_result; }
    [[nodiscard]] QString profileId() const { return m_profileId; }
    [[nodiscard]] QString environmentName() const { return m_env; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    void setAutoDelete(bool autoDelete) { m_autoDelete = autoDelete; }

Q_SIGNALS:
    void finished(TokenTray::TokenAsk *ask);

private:
    friend class TokenEngine;
    TokenAsk(TokenEngine *engine, const QString &profileId, const QString &env,
             qint64 minValidSeconds);
    void complete(const Result<Credential> &result);

    QString m_profileId;
    QString m_env;
    qint64 m_minValidSeconds = -1;
    bool m_forSource = false; // asked by a role's refresh: never queued behind it
    QTimer *m_deadline = nullptr;
    Result<Credential> m_result = Credential();
    bool m_finished = false;
    bool m_autoDelete = true;
};

// Keeps every (profile, environment)'s token fresh (DESIGN §4): deferred or eager refresh,
// single-flight per key, a global cap on requests in flight, exponential backoff with jitter
// honouring Retry-After, old tokens served until they really expire, one timer armed for the
// earliest due instant plus a coarse heartbeat that catches suspended time.
class TokenEngine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenEngine)
public:
    struct Options
    {
        int maxConcurrency = 8;
        int maxAttempts = 5;
        int backoffBaseMs = 1000;
        int backoffCapMs = 5 * 60 * 1000;
        int heartbeatMs = 60 * 1000;
        int askTimeoutMs = 60 * 1000; // how long a consumer waits for a refresh
        int eagerJitterMaxMs = 30 * 1000;
        // Token caches reach the keychain this long after a refresh, coalesced: a refresh storm
        // does not queue a keychain write in front of every next refresh.
        int cacheWriteDelayMs = 2000;
        // An eager refresh starts no sooner than this after the last one obtained a token, what
        // ever lifetime the server claims: a credential is never refreshed in a loop.
        int minEagerIntervalMs = 30 * 1000;
        // After a failed cycle a consumer's explicit ask tries again at once, but not more often
        // than this, instead of waiting out the backoff (the server may be back).
        int askRetryFloorMs = 5 * 1000;
    };
    // A credential valid for less than this when it arrives is a server error, not a token.
    static constexpr qint64 kMinLifetimeMs = 2000;

    TokenEngine(const FetchServices &services, QObject *parent = nullptr);
    ~TokenEngine() override;

    void setOptions(const Options &options);
    [[nodiscard]] const Options &options() const { return m_options; }
    // Profiles and environments to serve; entries of removed ones are dropped.
    void setConfig(const Config &config);

    // A token for the consumer. minValidSeconds < 0: any token outside the mandatory window;
    // otherwise at least that many seconds left (refreshing first when needed).
    [[nodiscard]] TokenAsk *ask(const QString &profileId, const QString &env,
                                qint64 minValidSeconds = -1);
    // Where an aws-assume-role environment gets the credentials that sign its AssumeRole: the
    // source profile's environment of the same name, else the source's active environment.
    struct SourceRef
    {
        QString profileId;
        QString profileName;
        QString env;
        ProfileKind kind = ProfileKind::AwsAccessKey;
    };
    [[nodiscard]] Result<SourceRef> sourceFor(const QString &profileId, const QString &env) const;
    // ask() for a role's refresh: its source is fetched at once even when maxConcurrency
    // requests are in flight, since the role's own request holds a slot while it waits.
    [[nodiscard]] TokenAsk *askForSource(const QString &profileId, const QString &env);

    // Starts a refresh now (the tray's "Refresh now"), whatever the state.
    void refreshNow(const QString &profileId, const QString &env);
    // A consumer was refused with this token (HTTP 401): drop it and refresh once.
    void invalidate(const QString &profileId, const QString &env);
    // Forget the credential in memory (logout), cancelling a refresh under way (its waiters get
    // Cancelled); the caller removes the keychain copy.
    void forget(const QString &profileId, const QString &env);
    // Take a credential obtained elsewhere (a device-flow sign-in) and cache it.
    void adopt(const QString &profileId, const QString &env, const Credential &credential);

    [[nodiscard]] TokenState state(const QString &profileId, const QString &env) const;
    [[nodiscard]] std::optional<Credential> credential(const QString &profileId,
                                                       const QString &env) const;
    [[nodiscard]] std::optional<Error> lastError(const QString &profileId,
                                                 const QString &env) const;
    [[nodiscard]] QDateTime nextWakeUp() const { return m_nextWakeUp; }
    [[nodiscard]] int requestsInFlight() const { return m_running; }
    [[nodiscard]] int peakRequestsInFlight() const { return m_peakRunning; }
    // Token caches not yet in the keychain (deferred or being written). A short-lived process
    // calls flushCacheWrites() and waits for cacheWritesFinished().
    [[nodiscard]] int pendingCacheWrites() const
    {
        return m_pendingWrites + static_cast<int>(m_dirty.size());
    }
    void flushCacheWrites();

public Q_SLOTS:
    // Re-evaluate every state from absolute times: the heartbeat, a resume from sleep, a clock
    // change. Starts what is due and re-arms the timer.
    void reevaluate();

Q_SIGNALS:
    void stateChanged(const QString &profileId, const QString &env, TokenTray::TokenState state);
    void tokenRefreshed(const QString &profileId, const QString &env);
    void signInRequired(const QString &profileId, const QString &env,
                        const TokenTray::Error &error);
    void refreshFailed(const QString &profileId, const QString &env, const TokenTray::Error &error);
    void cacheWritesFinished();

private:
    struct Entry;
    void onHeartbeat();
    void onKeychainAvailable();
    Entry *entry(const QString &profileId, const QString &env, bool create);
    void handleAsk(TokenAsk *ask);
    void serveOrWait(Entry *e, TokenAsk *ask);
    void loadCache(Entry *e);
    void startRefresh(Entry *e, bool urgent = false);
    void pump();
    void launch(Entry *e);
    void onFetched(Entry *e, const Result<Credential> &result);
    void settleWaiters(Entry *e, const std::optional<Error> &error);
    // Answers the waiters whose deadline comes before retryAt: the old token if still valid,
    // else the error.
    void settleWaitersBefore(Entry *e, const QDateTime &retryAt, const Error &error);
    void settleWaitersWith(Entry *e, const Error &error); // every waiter gets the error
    void storeCache(Entry *e);
    void updateState(Entry *e);
    TokenState computeState(const Entry *e) const;
    void evaluate(Entry *e, const QDateTime &t);
    [[nodiscard]] QDateTime wakeTime(const Entry *e, const QDateTime &t) const;
    [[nodiscard]] bool eagerEligible(const Entry *e) const;
    [[nodiscard]] QDateTime eagerDue(const Entry *e, const QDateTime &planned) const;
    [[nodiscard]] std::optional<Error> implausible(const Credential &credential) const;
    void armTimer();
    void noteWake(Entry *e);
    void startTimerFor(const QDateTime &at, const QDateTime &t);
    [[nodiscard]] RandomSource *random() const;
    qint64 backoffMs(int attempt, int retryAfterSeconds) const;
    bool usable(const Entry *e, qint64 minValidSeconds, bool allowMandatory) const;
    const Profile *profile(const QString &id) const;
    QDateTime now() const;

    FetchServices m_services;
    Options m_options;
    Config m_config;
    QHash<QString, qsizetype> m_profileIndex; // profile id -> index in m_config.profiles
    std::map<QString, std::unique_ptr<Entry>> m_entries;
    std::deque<QString> m_queue; // keys waiting for a concurrency slot
    int m_running = 0;
    int m_peakRunning = 0;
    int m_pendingWrites = 0;
    QTimer *m_timer;
    QTimer *m_heartbeat;
    QTimer *m_flushTimer;
    QSet<QString> m_dirty; // keys whose token cache is not yet written
    QDateTime m_nextWakeUp;
    std::multimap<QDateTime, QString> m_wakes; // each entry's next due instant, ordered
};

} // namespace TokenTray
