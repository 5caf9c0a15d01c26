#include "core/secrets/secretbatchjob.h"

#include "core/secrets/secretstore.h"

namespace TokenTray {

SecretBatchJob::SecretBatchJob(SecretStore *store, QObject *parent)
    : Job(parent)
    , m_store(store)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

SecretBatchJob::~SecretBatchJob() = default;

void SecretBatchJob::addWrite(const QString &key, const Secret &value)
{
    Q_ASSERT(!isStarted());
    m_jobs << m_store->write(key, value);
    m_keys << key;
}

void SecretBatchJob::addRemove(const QString &key)
{
    Q_ASSERT(!isStarted());
    m_jobs << m_store->remove(key);
    m_keys << key;
}

void SecretBatchJob::doStart()
{
    m_pending = static_cast<int>(m_jobs.size());
    if (m_jobs.isEmpty()) {
        emitFinished(); // Job delivers it from the event loop
        return;
    }
    for (SecretJob *job : std::as_const(m_jobs)) {
        connect(job, &SecretJob::finished, this, [this, job] { onJobFinished(job); });
        job->start();
    }
}

void SecretBatchJob::finishWithError(const Error &error)
{
    m_result = error;
    emitFinished(m_result);
}

void SecretBatchJob::onJobFinished(SecretJob *job)
{
    if (isFinished())
        return; // cancelled: the operations still answer, but nobody listens
    const Result<Secret> &r = job->result();
    const bool removedMissing = !r && job->operation() == SecretJob::Operation::Remove
        && r.error().code == ErrorCode::SecretNotFound;
    if (r || removedMissing)
        m_succeeded << job->key();
    else if (m_result)
        m_result = r.error();
    if (--m_pending > 0)
        return;
    // Report in the order the operations were added, whatever order they answered in.
    QStringList ordered;
    for (const QString &key : std::as_const(m_keys)) {
        if (m_succeeded.contains(key))
            ordered << key;
    }
    m_succeeded = ordered;
    emitFinished(m_result);
}

} // namespace TokenTray
