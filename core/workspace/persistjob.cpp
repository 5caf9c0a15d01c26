#include "core/workspace/persistjob.h"

#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"

#include <QTimer>

namespace TokenTray {

PersistJob::PersistJob(TokenEngine *engine, SecretStore *secrets, QObject *parent)
    : Job(parent)
    , m_engine(engine)
    , m_secrets(secrets)
    , m_deadline(new QTimer(this))
{
    setAutoDelete(false); // the caller reads unsavedCount() and deletes it
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        finish();
    });
}

PersistJob::~PersistJob() = default;

void PersistJob::doStart()
{
    QTimer::singleShot(0, this, &PersistJob::run);
}

void PersistJob::finishWithError(const Error &error)
{
    finish(error);
}

void PersistJob::run()
{
    if (isFinished())
        return; // cancelled before it began
    m_deadline->start(m_timeoutMs);
    if (m_engine) {
        connect(m_engine, &TokenEngine::cacheWritesFinished, this, &PersistJob::check);
        // A refresh under way may bring a rotated refresh token (the old one is void once the
        // server answered): wait for it too, then write what it brought.
        connect(m_engine, &TokenEngine::stateChanged, this, &PersistJob::check);
        m_engine->flushCacheWrites();
    }
    if (m_secrets) {
        connect(m_secrets, &SecretStore::idle, this, &PersistJob::check);
        m_secrets->flushUnsaved();
    }
    m_running = true;
    check();
}

void PersistJob::check()
{
    if (!m_running)
        return; // still starting the writes
    if (m_engine && m_engine->requestsInFlight() > 0)
        return;
    if (m_engine && m_engine->pendingCacheWrites() > 0) {
        m_engine->flushCacheWrites(); // what a refresh that just ended deferred
        return;
    }
    if (!m_secrets || m_secrets->isIdle())
        finish();
}

void PersistJob::finish(const std::optional<Error> &error)
{
    if (isFinished())
        return;
    m_deadline->stop();
    m_unsaved = m_secrets ? m_secrets->unsavedCount() : 0;
    if (m_engine)
        m_engine->disconnect(this);
    if (m_secrets)
        m_secrets->disconnect(this);
    emitFinished(error);
}

} // namespace TokenTray
