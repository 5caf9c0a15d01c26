#include "core/refresh/tokenengine.h"

#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "core/util/logging.h"
#include "core/util/randomsource.h"

#include <QTimer>

#include <algorithm>

namespace TokenTray {

namespace {

constexpr qint64 kMaxTimerMs = 24LL * 3600 * 1000;

QString keyOf(const QString &profileId, const QString &env)
{
    return profileId + QLatin1Char('\n') + env;
}

} // namespace

struct TokenEngine::Entry
{
    QString profileId;
    QString env;
    std::optional<Credential> credential;
    enum class Cache { NotLoaded, Loading, Loaded } cache = Cache::NotLoaded;
    QList<QPointer<TokenAsk>> pendingAsks; // waiting for the cache to load
    QList<QPointer<TokenAsk>> waiters; // waiting for a refresh
    QPointer<CredentialFetchJob> flight;
    bool queued = false;
    int attempt = 0; // failed attempts in the current cycle
    QDateTime retryAt; // backoff: the next attempt, if one is scheduled
    QDateTime eagerAt; // eager policy: when the next refresh is due
    std::optional<Error> lastError;
    bool needsPerson = false; // SignInRequired: no automatic retries
    bool locked = false; // the keychain was locked or missing
    TokenState emitted = TokenState::None;
    QDateTime wakeAt; // this entry's next due instant, as the timer last saw it
    bool refreshRequested = false; // a refresh was asked for while one was in flight
    QDateTime attemptEndedAt; // when the last refresh attempt ended, however it ended
    QDateTime obtainedAt; // when the last refresh obtained a credential
};

// ---- TokenAsk ------------------------------------------------------------------------------

TokenAsk::TokenAsk(TokenEngine *engine, const QString &profileId, const QString &env,
                   qint64 minValidSeconds)
    : QObject(engine)
    , m_profileId(profileId)
    , m_env(env)
    , m_minValidSeconds(minValidSeconds)
{
}

void TokenAsk::complete(const Result<Credential> &result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = result;
    if (m_deadline)
        m_deadline->stop();
    Q_EMIT finished(this);
    if (m_autoDelete)
        deleteLater();
}

// ---- TokenEngine ---------------------------------------------------------------------------

TokenEngine::TokenEngine(const FetchServices &services, QObject *parent)
    : QObject(parent)
    , m_services(services)
    , m_timer(new QTimer(this))
    , m_heartbeat(new QTimer(this))
    , m_flushTimer(new QTimer(this))
{
    m_services.engine = this; // role profiles ask their source credentials from here
    m_flushTimer->setSingleShot(true);
    connect(m_flushTimer, &QTimer::timeout, this, &TokenEngine::flushCacheWrites);
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::CoarseTimer);
    connect(m_timer, &QTimer::timeout, this, &TokenEngine::reevaluate);
    // QTimer does not count suspended time; a coarse wall-clock heartbeat re-reads the clock.
    m_heartbeat->setTimerType(Qt::VeryCoarseTimer);
    connect(m_heartbeat, &QTimer::timeout, this, &TokenEngine::onHeartbeat);
    m_heartbeat->start(m_options.heartbeatMs);
    if (m_services.secrets)
        connect(m_services.secrets, &SecretStore::keychainAvailable, this,
                &TokenEngine::onKeychainAvailable);
}

void TokenEngine::onHeartbeat()
{
    // Nobody may ask for a locked entry for a long time (an eager one, the tray's icon): ask
    // the keychain once a heartbeat whether it was unlocked meanwhile.
    const bool anyLocked = std::any_of(m_entries.cbegin(), m_entries.cend(),
                                       [](const auto &kv) { return kv.second->locked; });
    if (anyLocked && m_services.secrets)
        m_services.secrets->probeAvailability();
    reevaluate();
}

void TokenEngine::onKeychainAvailable()
{
    for (auto &[key, ptr] : m_entries) {
        Entry *e = ptr.get();
        if (!e->locked)
            continue;
        e->locked = false;
        e->lastError.reset();
        const Profile *p = profile(e->profileId);
        if (p && p->refresh == RefreshPolicy::Eager && e->cache == Entry::Cache::NotLoaded)
            loadCache(e); // it evaluates, and so refreshes, once loaded
        updateState(e);
    }
    reevaluate();
}

TokenEngine::~TokenEngine()
{
    flushCacheWrites(); // the jobs belong to the secret store and finish without us
    for (auto &[key, e] : m_entries) {
        if (e->flight)
            e->flight->disconnect(this);
    }
}

void TokenEngine::setOptions(const Options &options)
{
    m_options = options;
    // VeryCoarseTimer rounds to whole seconds: a shorter heartbeat would round to 0 and spin.
    m_heartbeat->setTimerType(m_options.heartbeatMs >= 1000 ? Qt::VeryCoarseTimer
                                                            : Qt::CoarseTimer);
    m_heartbeat->start(m_options.heartbeatMs);
    pump();
}

void TokenEngine::setConfig(const Config &config)
{
    m_config = config;
    m_profileIndex.clear();
    for (qsizetype i = 0; i < m_config.profiles.size(); ++i)
        m_profileIndex.insert(m_config.profiles.at(i).id, i);
    m_options.maxConcurrency = qMax(1, config.settings.maxConcurrency);
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        const Profile *p = profile(it->second->profileId);
        if (!p || !p->environment(it->second->env)) {
            Entry *e = it->second.get();
            if (e->flight) {
                e->flight->disconnect(this);
                e->flight->cancel();
                --m_running;
            }
            for (const QPointer<TokenAsk> &a : e->waiters + e->pendingAsks) {
                if (a)
                    a->complete(Error {ErrorCode::NotFound,
                                       QStringLiteral("the profile or environment was removed")});
            }
            if (e->wakeAt.isValid()) {
                auto [first, last] = m_wakes.equal_range(e->wakeAt);
                for (auto w = first; w != last; ++w) {
                    if (w->second == it->first) {
                        m_wakes.erase(w);
                        break;
                    }
                }
            }
            it = m_entries.erase(it);
        } else {
            ++it;
        }
    }
    // Eager profiles keep a token ready from the start.
    for (const Profile &p : std::as_const(m_config.profiles)) {
        if (p.refresh != RefreshPolicy::Eager)
            continue;
        for (const Environment &env : p.environments) {
            Entry *e = entry(p.id, env.name, true);
            if (e->cache == Entry::Cache::NotLoaded)
                loadCache(e);
        }
    }
    pump();
    armTimer();
}

const Profile *TokenEngine::profile(const QString &id) const
{
    const auto it = m_profileIndex.constFind(id);
    return it == m_profileIndex.cend() ? nullptr : &m_config.profiles.at(*it);
}

QDateTime TokenEngine::now() const
{
    return m_services.clock->nowUtc();
}

TokenEngine::Entry *TokenEngine::entry(const QString &profileId, const QString &env, bool create)
{
    const QString key = keyOf(profileId, env);
    auto it = m_entries.find(key);
    if (it != m_entries.end())
        return it->second.get();
    if (!create)
        return nullptr;
    auto e = std::make_unique<Entry>();
    e->profileId = profileId;
    e->env = env;
    Entry *raw = e.get();
    m_entries.emplace(key, std::move(e));
    return raw;
}

TokenAsk *TokenEngine::ask(const QString &profileId, const QString &env, qint64 minValidSeconds)
{
    auto *a = new TokenAsk(this, profileId, env, minValidSeconds);
    QTimer::singleShot(0, a, [this, a] { handleAsk(a); });
    return a;
}

TokenAsk *TokenEngine::askForSource(const QString &profileId, const QString &env)
{
    auto *a = new TokenAsk(this, profileId, env, -1);
    a->m_forSource = true;
    QTimer::singleShot(0, a, [this, a] { handleAsk(a); });
    return a;
}

Result<TokenEngine::SourceRef> TokenEngine::sourceFor(const QString &profileId,
                                                      const QString &env) const
{
    const Profile *role = profile(profileId);
    const Environment *roleEnv = role ? role->environment(env) : nullptr;
    if (!roleEnv)
        return Error {ErrorCode::NotFound, QStringLiteral("no such profile or environment")};
    if (roleEnv->sourceProfile.isEmpty())
        return Error {ErrorCode::Invalid,
                      role->name + QLatin1Char('/') + env
                          + QStringLiteral(" names no source profile")};
    const Profile *source = m_config.profileByName(roleEnv->sourceProfile);
    if (!source)
        return Error {ErrorCode::NotFound,
                      QStringLiteral("source profile ") + roleEnv->sourceProfile
                          + QStringLiteral(" does not exist")};
    const Environment *sourceEnv = source->environment(env);
    if (!sourceEnv)
        sourceEnv = source->active();
    if (!sourceEnv)
        return Error {ErrorCode::NotFound,
                      QStringLiteral("source profile ") + source->name
                          + QStringLiteral(" has no environment ") + env
                          + QStringLiteral(" and no active one")};
    return SourceRef {source->id, source->name, sourceEnv->name, source->kind};
}

void TokenEngine::handleAsk(TokenAsk *a)
{
    const Profile *p = profile(a->profileId());
    if (!p || !p->environment(a->environmentName())) {
        a->complete(Error {ErrorCode::NotFound, QStringLiteral("no such profile or environment")});
        return;
    }
    a->m_deadline = new QTimer(a);
    a->m_deadline->setSingleShot(true);
    connect(a->m_deadline, &QTimer::timeout, this, [this, a] {
        Entry *e = entry(a->profileId(), a->environmentName(), false);
        if (e && usable(e, a->m_minValidSeconds, true)) {
            a->complete(*e->credential); // still valid: better than nothing
            return;
        }
        const std::optional<Error> last = e ? e->lastError : std::nullopt;
        a->complete(last.value_or(
            Error {ErrorCode::Timeout,
                   QStringLiteral("no token within %1 s").arg(m_options.askTimeoutMs / 1000.0)}));
    });
    a->m_deadline->start(m_options.askTimeoutMs);

    Entry *e = entry(a->profileId(), a->environmentName(), true);
    if (e->cache != Entry::Cache::Loaded) {
        e->pendingAsks.append(a);
        if (e->cache == Entry::Cache::NotLoaded)
            loadCache(e);
        return;
    }
    serveOrWait(e, a);
}

bool TokenEngine::usable(const Entry *e, qint64 minValidSeconds, bool allowMandatory) const
{
    if (!e->credential || e->credential->isEmpty())
        return false;
    const Credential &c = *e->credential;
    if (!c.expires())
        return true;
    const QDateTime t = now();
    if (issuedInTheFuture(c, t))
        return false; // fetched while the clock was wrong: its expiry cannot be trusted
    const qint64 leftMs = t.msecsTo(c.expiresAt);
    if (leftMs <= 0)
        return false;
    if (minValidSeconds >= 0)
        return leftMs >= minValidSeconds * 1000;
    return allowMandatory || leftMs > refreshLeads(c).mandatoryMs;
}

void TokenEngine::serveOrWait(Entry *e, TokenAsk *a)
{
    if (usable(e, a->m_minValidSeconds, false)) {
        if (classify(*e->credential, now()) != TokenState::Fresh && !e->needsPerson && !e->locked)
            startRefresh(e); // advisory: serve now, refresh in the background
        a->complete(*e->credential);
        return;
    }
    const QDateTime t = now();
    bool backingOff = e->retryAt.isValid() && e->retryAt > t && !e->flight && !e->queued;
    // A consumer asking is a reason to try again before the backoff ends (the server may be
    // back), though not more often than the floor allows.
    if (backingOff && !e->needsPerson && e->attemptEndedAt.isValid()
        && e->attemptEndedAt.msecsTo(t) >= m_options.askRetryFloorMs) {
        e->retryAt = QDateTime();
        backingOff = false;
    }
    // Otherwise nothing is tried before retryAt: when that lies beyond the ask's deadline, or
    // the refusal needs a person, there is nothing to wait for, so answer now rather than at the
    // deadline.
    const bool retryTooLate = backingOff
        && (e->attempt == 0 || t.msecsTo(e->retryAt) >= a->m_deadline->remainingTime());
    if ((e->needsPerson || retryTooLate) && !e->flight && !e->queued) {
        if (usable(e, a->m_minValidSeconds, true))
            a->complete(*e->credential);
        else
            a->complete(e->lastError.value_or(
                Error {ErrorCode::InvalidGrant, QStringLiteral("sign-in required")}));
        return;
    }
    e->waiters.append(a);
    e->locked = false; // asking again retries a keychain that may have been unlocked
    startRefresh(e, a->m_forSource);
}

void TokenEngine::loadCache(Entry *target)
{
    target->cache = Entry::Cache::Loading;
    SecretJob *job = m_services.secrets->read(
        secretKey(target->profileId, target->env, QStringLiteral("token_cache")));
    const QString key = keyOf(target->profileId, target->env);
    connect(job, &SecretJob::finished, this, [this, key, j = job] {
        auto it = m_entries.find(key);
        if (it == m_entries.end())
            return;
        Entry *e = it->second.get();
        e->cache = Entry::Cache::Loaded;
        const Result<Secret> &r = j->result();
        e->locked = false; // any answer but a keychain error shows it usable again
        if (r) {
            auto cached = Credential::fromCacheBytes(r->expose());
            if (cached && classify(*cached, now()) != TokenState::Expired && !e->credential) {
                e->credential = *cached;
                qCDebug(lcRefresh) << "reusing the cached token of" << e->env;
            }
        } else if (r.error().isKeychainError()) {
            e->locked = true;
            e->lastError = r.error();
        }
        const QList<QPointer<TokenAsk>> pending = std::exchange(e->pendingAsks, {});
        for (const QPointer<TokenAsk> &a : pending) {
            if (!a)
                continue;
            if (e->locked)
                a->complete(r.error());
            else
                serveOrWait(e, a);
        }
        if (e->locked)
            e->cache = Entry::Cache::NotLoaded; // try again next time
        evaluate(e, now()); // an eager entry without a token fetches one now
        pump();
        noteWake(e);
    });
    job->start();
}

void TokenEngine::refreshNow(const QString &profileId, const QString &env)
{
    Entry *e = entry(profileId, env, true);
    e->needsPerson = false;
    e->locked = false;
    e->retryAt = QDateTime();
    e->attempt = 0;
    if (e->flight)
        e->refreshRequested = true;
    startRefresh(e);
}

void TokenEngine::invalidate(const QString &profileId, const QString &env)
{
    Entry *e = entry(profileId, env, true);
    e->credential.reset();
    refreshNow(profileId, env);
}

void TokenEngine::forget(const QString &profileId, const QString &env)
{
    if (Entry *e = entry(profileId, env, false)) {
        // A refresh under way would bring back what was just signed out.
        if (e->flight) {
            e->flight->disconnect(this);
            e->flight->cancel();
            e->flight->deleteLater();
            e->flight = nullptr;
            --m_running;
        }
        e->queued = false;
        e->refreshRequested = false;
        settleWaitersWith(e, Error {ErrorCode::Cancelled, QStringLiteral("signed out")});
        e->credential.reset();
        e->lastError.reset();
        e->needsPerson = false;
        e->retryAt = QDateTime();
        e->eagerAt = QDateTime();
        updateState(e);
        noteWake(e);
        pump();
    }
}

void TokenEngine::adopt(const QString &profileId, const QString &env, const Credential &credential)
{
    Entry *e = entry(profileId, env, true);
    e->credential = credential;
    e->cache = Entry::Cache::Loaded;
    e->needsPerson = false;
    e->lastError.reset();
    e->attempt = 0;
    e->retryAt = QDateTime();
    storeCache(e);
    updateState(e);
    noteWake(e);
}

void TokenEngine::startRefresh(Entry *e, bool urgent)
{
    if (e->flight)
        return;
    if (e->retryAt.isValid() && e->retryAt > now())
        return; // backing off; the timer starts the next attempt
    if (urgent) {
        // A dependency of a running refresh: waiting for a slot that refresh holds would
        // deadlock, so it goes past the cap (and out of the queue, if it was there).
        launch(e);
        return;
    }
    if (e->queued)
        return;
    e->queued = true;
    m_queue.push_back(keyOf(e->profileId, e->env));
    updateState(e);
    pump();
}

void TokenEngine::pump()
{
    while (m_running < m_options.maxConcurrency && !m_queue.empty()) {
        const QString key = m_queue.front();
        m_queue.pop_front();
        auto it = m_entries.find(key);
        if (it == m_entries.end() || !it->second->queued)
            continue;
        launch(it->second.get());
    }
}

void TokenEngine::launch(Entry *e)
{
    e->queued = false;
    const Profile *p = profile(e->profileId);
    const Environment *env = p ? p->environment(e->env) : nullptr;
    if (!env)
        return;
    auto *job = new CredentialFetchJob(m_services, *p, *env, this);
    e->flight = job;
    ++m_running;
    m_peakRunning = qMax(m_peakRunning, m_running);
    const QString key = keyOf(e->profileId, e->env);
    connect(job, &CredentialFetchJob::finished, this, [this, job, key] {
        job->deleteLater();
        --m_running;
        auto it = m_entries.find(key);
        Entry *done
            = it != m_entries.end() && it->second->flight == job ? it->second.get() : nullptr;
        if (done)
            onFetched(done, job->result());
        pump();
        if (done)
            noteWake(done);
    });
    qCDebug(lcRefresh).noquote() << "refreshing" << p->name << e->env << "attempt"
                                 << e->attempt + 1;
    updateState(e);
    job->start();
}

std::optional<Error> TokenEngine::implausible(const Credential &credential) const
{
    if (!credential.expires())
        return std::nullopt;
    const qint64 leftMs = now().msecsTo(credential.expiresAt);
    if (leftMs >= kMinLifetimeMs)
        return std::nullopt;
    return Error {ErrorCode::Parse,
                  QStringLiteral("the server issued a credential that is valid for %1 s only; it "
                                 "is not used")
                      .arg(qMax<qint64>(0, leftMs) / 1000)};
}

void TokenEngine::onFetched(Entry *e, const Result<Credential> &fetched)
{
    e->flight = nullptr;
    e->attemptEndedAt = now();
    const Profile *p = profile(e->profileId);
    Result<Credential> result = fetched;
    if (result) {
        if (auto error = implausible(*result))
            result = *error;
    }
    if (result) {
        e->credential = *result;
        e->obtainedAt = e->attemptEndedAt;
        e->attempt = 0;
        e->retryAt = QDateTime();
        e->lastError.reset();
        e->needsPerson = false;
        e->locked = false;
        e->eagerAt = QDateTime();
        storeCache(e);
        settleWaiters(e, std::nullopt);
        updateState(e);
        Q_EMIT tokenRefreshed(e->profileId, e->env);
        if (std::exchange(e->refreshRequested, false))
            startRefresh(e);
        return;
    }

    const Error &error = result.error();
    e->lastError = error;
    qCInfo(lcRefresh).noquote() << "refresh of" << (p ? p->name : e->profileId) << e->env
                                << "failed:" << errorCodeName(error.code) << error.detail;
    if (error.isKeychainError()) {
        e->locked = true;
        e->attempt = 0;
        settleWaiters(e, error);
    } else if (error.transient() && e->attempt + 1 < m_options.maxAttempts) {
        ++e->attempt;
        e->retryAt = now().addMSecs(backoffMs(e->attempt, error.retryAfterSeconds));
        // Waiters keep waiting for the retry, unless it comes after their deadline.
        settleWaitersBefore(e, e->retryAt, error);
    } else if (error.transient()) {
        // This cycle is exhausted; try again after the longest backoff (a consumer's ask may
        // try sooner).
        e->attempt = 0;
        e->retryAt = now().addMSecs(m_options.backoffCapMs);
        settleWaiters(e, error);
        Q_EMIT refreshFailed(e->profileId, e->env, error);
    } else {
        e->attempt = 0;
        e->retryAt = QDateTime();
        const bool needsPerson = error.code == ErrorCode::InvalidGrant
            || error.code == ErrorCode::Rejected || error.code == ErrorCode::SecretNotFound;
        const bool first = !e->needsPerson;
        e->needsPerson = needsPerson;
        // Retrying at once will not help: an eager profile waits as after an exhausted cycle
        // instead of finding its refresh due again straight away.
        if (!needsPerson)
            e->eagerAt = now().addMSecs(m_options.backoffCapMs);
        settleWaiters(e, error);
        if (needsPerson && first)
            Q_EMIT signInRequired(e->profileId, e->env, error);
        else if (!needsPerson)
            Q_EMIT refreshFailed(e->profileId, e->env, error);
    }
    e->refreshRequested = false;
    updateState(e);
}

void TokenEngine::settleWaiters(Entry *e, const std::optional<Error> &error)
{
    const QList<QPointer<TokenAsk>> waiters = std::exchange(e->waiters, {});
    for (const QPointer<TokenAsk> &a : waiters) {
        if (!a)
            continue;
        // Without an error, or when the old token is still valid, the waiter gets the token.
        if (!error || usable(e, a->m_minValidSeconds, true)) {
            a->complete(*e->credential);
        } else {
            a->complete(*error);
        }
    }
}

void TokenEngine::settleWaitersWith(Entry *e, const Error &error)
{
    const QList<QPointer<TokenAsk>> waiters = std::exchange(e->waiters, {});
    for (const QPointer<TokenAsk> &a : waiters) {
        if (a)
            a->complete(error);
    }
}

void TokenEngine::settleWaitersBefore(Entry *e, const QDateTime &retryAt, const Error &error)
{
    const qint64 untilRetry = now().msecsTo(retryAt);
    // Decide every answer first: completing an ask runs its receivers, which may change the
    // waiters or remove the entry.
    QList<std::pair<QPointer<TokenAsk>, Result<Credential>>> due;
    for (auto it = e->waiters.begin(); it != e->waiters.end();) {
        TokenAsk *a = *it;
        if (a && a->m_deadline && a->m_deadline->remainingTime() > untilRetry) {
            ++it;
            continue;
        }
        if (a)
            due.append({a,
                        usable(e, a->m_minValidSeconds, true) ? Result<Credential>(*e->credential)
                                                              : Result<Credential>(error)});
        it = e->waiters.erase(it);
    }
    for (const auto &[a, answer] : due) {
        if (a)
            a->complete(answer);
    }
}

void TokenEngine::storeCache(Entry *e)
{
    if (!e->credential)
        return;
    m_dirty.insert(keyOf(e->profileId, e->env));
    if (!m_flushTimer->isActive())
        m_flushTimer->start(m_options.cacheWriteDelayMs);
}

void TokenEngine::flushCacheWrites()
{
    m_flushTimer->stop();
    const QSet<QString> dirty = std::exchange(m_dirty, {});
    for (const QString &key : dirty) {
        auto it = m_entries.find(key);
        if (it == m_entries.end() || !it->second->credential)
            continue;
        const Entry *e = it->second.get();
        SecretJob *job = m_services.secrets->keep(
            secretKey(e->profileId, e->env, QStringLiteral("token_cache")),
            Secret(e->credential->toCacheBytes()));
        ++m_pendingWrites;
        connect(job, &SecretJob::finished, this, [this, j = job] {
            if (!j->result())
                qCWarning(lcRefresh).noquote()
                    << "could not cache the token in the keychain:" << j->result().error().detail;
            if (--m_pendingWrites == 0 && m_dirty.isEmpty())
                Q_EMIT cacheWritesFinished();
        });
        job->start();
    }
    if (m_pendingWrites == 0)
        QTimer::singleShot(0, this, [this] {
            if (m_pendingWrites == 0 && m_dirty.isEmpty())
                Q_EMIT cacheWritesFinished();
        });
}

RandomSource *TokenEngine::random() const
{
    return m_services.random ? m_services.random : SystemRandomSource::instance();
}

qint64 TokenEngine::backoffMs(int attempt, int retryAfterSeconds) const
{
    // 1 s, 2 s, 4 s … capped, with ±20 % jitter so many clients do not retry in step.
    const qint64 base = qMin<qint64>(m_options.backoffCapMs,
                                     qint64(m_options.backoffBaseMs) << qMin(attempt - 1, 30));
    const double jitter = 0.8 + 0.4 * random()->generateDouble();
    const qint64 delay = static_cast<qint64>(base * jitter);
    // Retry-After is honoured up to the cap: one reply asking for a day must not wedge a
    // credential.
    const qint64 asked = retryAfterSeconds > 0 ? retryAfterSeconds * 1000LL : 0;
    return qMin<qint64>(qMax<qint64>(delay, asked), m_options.backoffCapMs);
}

TokenState TokenEngine::computeState(const Entry *e) const
{
    if (e->locked)
        return TokenState::Locked;
    if (e->flight || e->queued)
        return TokenState::Refreshing;
    if (e->needsPerson)
        return TokenState::SignInRequired;
    const TokenState timeState = e->credential ? classify(*e->credential, now()) : TokenState::None;
    if (e->lastError && timeState != TokenState::Fresh)
        return TokenState::Error;
    return timeState;
}

void TokenEngine::updateState(Entry *e)
{
    const TokenState s = computeState(e);
    if (s == e->emitted)
        return;
    e->emitted = s;
    Q_EMIT stateChanged(e->profileId, e->env, s);
}

TokenState TokenEngine::state(const QString &profileId, const QString &env) const
{
    auto it = m_entries.find(keyOf(profileId, env));
    return it == m_entries.end() ? TokenState::None : computeState(it->second.get());
}

std::optional<Credential> TokenEngine::credential(const QString &profileId,
                                                  const QString &env) const
{
    auto it = m_entries.find(keyOf(profileId, env));
    if (it == m_entries.end())
        return std::nullopt;
    return it->second->credential;
}

std::optional<Error> TokenEngine::lastError(const QString &profileId, const QString &env) const
{
    auto it = m_entries.find(keyOf(profileId, env));
    if (it == m_entries.end())
        return std::nullopt;
    return it->second->lastError;
}

void TokenEngine::reevaluate()
{
    const QDateTime t = now();
    for (auto &[key, ptr] : m_entries)
        evaluate(ptr.get(), t);
    pump();
    armTimer();
}

void TokenEngine::evaluate(Entry *e, const QDateTime &t)
{
    const Profile *p = profile(e->profileId);
    if (!p)
        return;
    if (e->retryAt.isValid() && e->retryAt <= t) {
        e->retryAt = QDateTime();
        if (!e->waiters.isEmpty() || p->refresh == RefreshPolicy::Eager)
            startRefresh(e);
    }
    if (eagerEligible(e)) {
        if (!e->credential) {
            startRefresh(e);
        } else if (e->credential->expires()) {
            if (!e->eagerAt.isValid()) {
                const RefreshLeads leads = refreshLeads(*e->credential);
                const qint64 jitterMax
                    = qMin<qint64>(m_options.eagerJitterMaxMs, leads.advisoryMs / 10);
                const qint64 jitter = random()->bounded(jitterMax);
                e->eagerAt
                    = eagerDue(e, e->credential->expiresAt.addMSecs(-leads.advisoryMs - jitter));
            }
            if (e->eagerAt <= t)
                startRefresh(e);
        }
    }
    updateState(e);
}

bool TokenEngine::eagerEligible(const Entry *e) const
{
    // Exactly the entries evaluate() would start an eager refresh for: counting any other's due
    // instant would arm the timer for a moment that starts nothing, again and again.
    const Profile *p = profile(e->profileId);
    return p && p->refresh == RefreshPolicy::Eager && !e->needsPerson && !e->locked
        && e->cache == Entry::Cache::Loaded && !e->retryAt.isValid() && !e->flight && !e->queued;
}

QDateTime TokenEngine::eagerDue(const Entry *e, const QDateTime &planned) const
{
    // Whatever lifetime the server claims, never sooner than the minimum interval after the
    // last credential arrived.
    if (!e->obtainedAt.isValid())
        return planned;
    return qMax(planned, e->obtainedAt.addMSecs(m_options.minEagerIntervalMs));
}

QDateTime TokenEngine::wakeTime(const Entry *e, const QDateTime &t) const
{
    const Profile *p = profile(e->profileId);
    if (!p)
        return {};
    QDateTime earliest;
    auto consider = [&earliest](const QDateTime &at) {
        if (at.isValid() && (!earliest.isValid() || at < earliest))
            earliest = at;
    };
    consider(e->retryAt);
    if (e->credential)
        consider(nextTransition(*e->credential, t)); // state changes for the UI
    if (eagerEligible(e) && e->credential && e->credential->expires()) {
        if (e->eagerAt.isValid())
            consider(e->eagerAt);
        else
            consider(eagerDue(
                e, e->credential->expiresAt.addMSecs(-refreshLeads(*e->credential).advisoryMs)));
    }
    return earliest;
}

void TokenEngine::armTimer()
{
    const QDateTime t = now();
    m_wakes.clear();
    for (const auto &[key, ptr] : m_entries) {
        ptr->wakeAt = wakeTime(ptr.get(), t);
        if (ptr->wakeAt.isValid())
            m_wakes.emplace(ptr->wakeAt, key);
    }
    startTimerFor(m_wakes.empty() ? QDateTime() : m_wakes.begin()->first, t);
}

void TokenEngine::noteWake(Entry *e)
{
    // One entry changed: move it in the ordered index of due instants (O(log n), so a storm of
    // refreshes never rescans every entry) and re-arm for the earliest.
    const QDateTime t = now();
    const QString key = keyOf(e->profileId, e->env);
    if (e->wakeAt.isValid()) {
        auto [first, last] = m_wakes.equal_range(e->wakeAt);
        for (auto it = first; it != last; ++it) {
            if (it->second == key) {
                m_wakes.erase(it);
                break;
            }
        }
    }
    e->wakeAt = wakeTime(e, t);
    if (e->wakeAt.isValid())
        m_wakes.emplace(e->wakeAt, key);
    const QDateTime earliest = m_wakes.empty() ? QDateTime() : m_wakes.begin()->first;
    if (earliest != m_nextWakeUp || !m_timer->isActive())
        startTimerFor(earliest, t);
}

void TokenEngine::startTimerFor(const QDateTime &at, const QDateTime &t)
{
    m_nextWakeUp = at;
    if (!at.isValid()) {
        m_timer->stop();
        return;
    }
    const qint64 delay = qBound<qint64>(0, t.msecsTo(at), kMaxTimerMs);
    m_timer->start(static_cast<int>(delay));
}

} // namespace TokenTray
