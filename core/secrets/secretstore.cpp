#include "core/secrets/secretstore.h"

#include "core/secrets/secretbackend.h"
#include "core/util/knownsecrets.h"
#include "core/util/logging.h"

#include <QTimer>

namespace TokenTray {

namespace {
constexpr int kFirstRetryMs = 2000;
constexpr int kMaxRetryMs = 60 * 1000;
} // namespace

SecretStore::SecretStore(SecretBackend *backend, const QString &service, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_service(service)
    , m_retryTimer(new QTimer(this))
{
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &SecretStore::flushUnsaved);
}

SecretStore::~SecretStore() = default;

SecretJob *SecretStore::read(const QString &key)
{
    return new SecretJob(this, SecretJob::Operation::Read, key, Secret());
}

SecretJob *SecretStore::write(const QString &key, const Secret &value)
{
    return new SecretJob(this, SecretJob::Operation::Write, key, value);
}

SecretJob *SecretStore::remove(const QString &key)
{
    return new SecretJob(this, SecretJob::Operation::Remove, key, Secret());
}

SecretJob *SecretStore::keep(const QString &key, const Secret &value)
{
    return new SecretJob(this, SecretJob::Operation::Write, key, value, true);
}

void SecretStore::flushUnsaved()
{
    m_retryTimer->stop();
    for (auto it = m_unsaved.cbegin(); it != m_unsaved.cend(); ++it) {
        if (m_rewriting.contains(it.key()))
            continue;
        m_rewriting.insert(it.key());
        keep(it.key(), it.value())->start();
    }
}

void SecretStore::scheduleRetry()
{
    if (m_unsaved.isEmpty() || m_retryTimer->isActive())
        return;
    m_retryDelayMs = m_retryDelayMs == 0 ? kFirstRetryMs : qMin(kMaxRetryMs, m_retryDelayMs * 2);
    m_retryTimer->start(m_retryDelayMs);
}

void SecretStore::probeAvailability()
{
    if (m_availabilityProbe)
        return;
    m_availabilityProbe = m_backend->create(SecretBackendJob::Operation::Probe, m_service,
                                            QString(), Secret(), this);
    connect(m_availabilityProbe, &SecretBackendJob::finished, this, [this] {
        SecretBackendJob *p = m_availabilityProbe;
        p->deleteLater();
        noteProbe(!probeError(p).has_value());
    });
    m_availabilityProbe->start();
}

std::optional<Error> SecretStore::probeError(const SecretBackendJob *probe)
{
    switch (probe->status()) {
    case SecretBackendJob::Status::Locked:
        return Error {ErrorCode::KeychainLocked, probe->message()};
    case SecretBackendJob::Status::NoBackend:
        return Error {ErrorCode::NoKeychain, probe->message()};
    case SecretBackendJob::Status::Pending:
    case SecretBackendJob::Status::Ok:
    case SecretBackendJob::Status::NotFound:
    case SecretBackendJob::Status::Denied:
    case SecretBackendJob::Status::Failed:
        break;
    }
    return std::nullopt;
}

void SecretStore::noteStarted()
{
    ++m_running;
}

void SecretStore::noteFinished(SecretJob *job)
{
    const bool ok = job->result().has_value();
    if (job->m_kept)
        m_rewriting.remove(job->key());
    if (!ok && job->result().error().isKeychainError())
        m_unavailable = true; // the next answer from the keychain is news (keychainAvailable)
    if (job->operation() != SecretJob::Operation::Read && ok) {
        // What landed last is the truth now, unless a newer kept value is still waiting.
        if (!job->m_kept || m_unsaved.value(job->key()).constantTimeEquals(job->m_value))
            m_unsaved.remove(job->key());
        if (m_unsaved.isEmpty())
            m_retryDelayMs = 0;
    } else if (job->m_kept && !ok && m_unsaved.contains(job->key())) {
        qCWarning(lcSecrets).noquote()
            << "keeping" << job->key()
            << "in memory until the keychain takes it:" << job->result().error().detail;
        scheduleRetry();
    }
    if (--m_running == 0)
        Q_EMIT idle();
}

std::optional<Secret> SecretStore::cached(const QString &key) const
{
    // A kept value not yet written is newer than whatever the keychain (and so m_cache) holds.
    auto it = m_unsaved.constFind(key);
    if (it == m_unsaved.cend()) {
        it = m_cache.constFind(key);
        if (it == m_cache.cend())
            return std::nullopt;
    }
    KnownSecrets::remember(it->expose()); // in use: keep it among the values the redactor knows
    return *it;
}

void SecretStore::forgetCache()
{
    m_cache.clear();
    m_availableAt = QDateTime();
}

void SecretStore::enqueue(SecretJob *job)
{
    if (m_active.size() < kMaxActiveJobs) {
        m_active.insert(job);
        job->begin();
        return;
    }
    m_waiting.append(job);
}

void SecretStore::release(SecretJob *job)
{
    if (!m_active.remove(job))
        return;
    while (!m_waiting.isEmpty() && m_active.size() < kMaxActiveJobs) {
        QPointer<SecretJob> next = m_waiting.takeFirst();
        if (!next)
            continue;
        m_active.insert(next);
        QTimer::singleShot(0, next, &SecretJob::begin);
    }
}

void SecretStore::noteProbe(bool available)
{
    m_availableAt = available ? QDateTime::currentDateTimeUtc() : QDateTime();
    if (!available) {
        m_unavailable = true;
        return;
    }
    if (std::exchange(m_unavailable, false)) {
        flushUnsaved();
        Q_EMIT keychainAvailable();
    }
}

bool SecretStore::recentlyAvailable() const
{
    return m_availableAt.isValid()
        && m_availableAt.msecsTo(QDateTime::currentDateTimeUtc()) < kProbeReuseMs;
}

SecretJob::SecretJob(SecretStore *store, Operation operation, const QString &key,
                     const Secret &value, bool kept)
    : Job(store)
    , m_store(store)
    , m_operation(operation)
    , m_key(key)
    , m_value(value)
    , m_kept(kept)
{
}

// Backend jobs are children: they go with the job and never call back.
SecretJob::~SecretJob() = default;

void SecretJob::doStart()
{
    m_store->noteStarted();
    if (m_kept) {
        m_store->m_unsaved.insert(m_key, m_value); // the truth from now on, written or not
        m_store->m_rewriting.insert(m_key); // flushUnsaved() need not write it a second time
    }
    if (m_operation == Operation::Write)
        KnownSecrets::remember(m_value.expose());
    QTimer::singleShot(0, this, [this] {
        // A value held in memory needs no turn at the backend; one not yet written is newer
        // than whatever the keychain holds.
        if (m_operation == Operation::Read && m_store->m_unsaved.contains(m_key))
            finish(m_store->m_unsaved.value(m_key));
        else if (m_operation == Operation::Read && m_store->m_cache.contains(m_key))
            finish(m_store->m_cache.value(m_key));
        else
            m_store->enqueue(this);
    });
}

void SecretJob::begin()
{
    m_deadline = new QTimer(this);
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        finish(Error {ErrorCode::KeychainTimeout,
                      QStringLiteral("the keychain did not answer within %1 s (is an unlock "
                                     "prompt waiting?)")
                          .arg(m_store->timeout() / 1000.0)});
    });
    m_deadline->start(m_store->timeout());

    probe(&SecretJob::runBackend, true);
}

void SecretJob::probe(void (SecretJob::*next)(), bool allowRecent)
{
    if (allowRecent && m_store->recentlyAvailable()) {
        (this->*next)();
        return;
    }
    m_probe = m_store->backend()->create(SecretBackendJob::Operation::Probe, m_store->service(),
                                         QString(), Secret(), this);
    connect(m_probe, &SecretBackendJob::finished, this, [this, next] {
        SecretBackendJob *p = m_probe;
        p->deleteLater();
        m_store->noteProbe(!SecretStore::probeError(p).has_value());
        if (auto error = SecretStore::probeError(p)) {
            unavailable(*error);
            return;
        }
        (this->*next)();
    });
    m_probe->start();
}

void SecretJob::unavailable(const Error &error)
{
    m_store->forgetCache();
    Q_EMIT m_store->keychainUnavailable(error);
    finish(error);
}

void SecretJob::runBackend()
{
    auto operation = SecretBackendJob::Operation::Remove;
    if (m_operation == Operation::Read)
        operation = SecretBackendJob::Operation::Read;
    else if (m_operation == Operation::Write)
        operation = SecretBackendJob::Operation::Write;
    m_backendJob = m_store->backend()->create(operation, m_store->service(), m_key, m_value, this);
    connect(m_backendJob, &SecretBackendJob::finished, this, &SecretJob::onBackendFinished);
    m_backendJob->start();
}

void SecretJob::onBackendFinished()
{
    SecretBackendJob *job = m_backendJob;
    job->deleteLater();
    const QString message = job->message();
    qCDebug(lcSecrets) << m_operation << m_key << "backend result" << job->status() << message;
    switch (job->status()) {
    case SecretBackendJob::Status::Ok:
        if (m_operation == Operation::Read) {
            m_value = job->value();
            succeed();
        } else if (m_operation == Operation::Remove) {
            // A locked Secret Service says "done" to a delete that did nothing.
            m_pendingError.reset();
            probe(&SecretJob::succeed, false);
        } else {
            succeed();
        }
        return;
    case SecretBackendJob::Status::NotFound:
        // A locked Secret Service says "not found" to a read of an item that exists.
        m_pendingError
            = Error {ErrorCode::SecretNotFound, QStringLiteral("no keychain item ") + m_key};
        probe(&SecretJob::confirmNotLocked, false);
        return;
    case SecretBackendJob::Status::Denied:
        m_pendingError = Error {ErrorCode::KeychainFailure,
                                QStringLiteral("the keychain denied access: ") + message};
        probe(&SecretJob::confirmNotLocked, false);
        return;
    case SecretBackendJob::Status::Locked:
        m_store->noteProbe(false);
        unavailable(Error {ErrorCode::KeychainLocked, message});
        return;
    case SecretBackendJob::Status::NoBackend:
        finish(Error {ErrorCode::NoKeychain, QStringLiteral("no keychain backend: ") + message});
        return;
    case SecretBackendJob::Status::Pending:
    case SecretBackendJob::Status::Failed:
        break;
    }
    finish(Error {ErrorCode::KeychainFailure, QStringLiteral("keychain error: ") + message});
}

void SecretJob::finishWithError(const Error &error)
{
    finish(error);
}

void SecretJob::confirmNotLocked()
{
    finish(m_pendingError.value_or(Error {ErrorCode::KeychainFailure, QString()}));
}

void SecretJob::succeed()
{
    switch (m_operation) {
    case Operation::Read:
    case Operation::Write:
        KnownSecrets::remember(m_value.expose());
        m_store->m_cache.insert(m_key, m_value);
        finish(m_operation == Operation::Read ? m_value : Secret());
        return;
    case Operation::Remove:
        m_store->m_cache.remove(m_key);
        finish(Secret());
        return;
    }
}

void SecretJob::finish(const Result<Secret> &result)
{
    if (isFinished())
        return;
    m_result = result;
    if (m_deadline)
        m_deadline->stop();
    if (m_backendJob)
        m_backendJob->disconnect(this);
    if (m_probe)
        m_probe->disconnect(this);
    m_store->release(this);
    if (isStarted())
        m_store->noteFinished(this);
    m_value.clear();
    if (!result)
        qCDebug(lcSecrets) << m_operation << m_key
                           << "failed:" << errorCodeName(result.error().code)
                           << result.error().detail;
    emitFinished(m_result);
}

} // namespace TokenTray
