#include "core/workspace/secretsavejob.h"

#include "core/model/configedits.h"
#include "core/model/kindrules.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretbatchjob.h"
#include "core/workspace/workspace.h"

#include <QTimer>

namespace TokenTray {

SecretSaveJob::SecretSaveJob(Workspace *workspace, SecretStore *store, const QString &profileId,
                             const QString &envName,
                             const QList<std::pair<QString, Secret>> &secrets, QObject *parent)
    : Job(parent)
    , m_workspace(workspace)
    , m_store(store)
    , m_profileId(profileId)
    , m_env(envName)
{
    for (const auto &[name, value] : secrets) {
        if (!value.isEmpty())
            m_secrets.append({name, value});
    }
    setAutoDelete(false); // the caller reads result() and deletes it
}

SecretSaveJob::~SecretSaveJob() = default;

void SecretSaveJob::doStart()
{
    QTimer::singleShot(0, this, &SecretSaveJob::run);
}

void SecretSaveJob::finishWithError(const Error &error)
{
    finish(error);
}

void SecretSaveJob::run()
{
    if (isFinished())
        return; // cancelled before it began
    if (m_secrets.isEmpty())
        return finish({});
    const Profile *profile = m_workspace->config().profileById(m_profileId);
    if (!profile || !profile->environment(m_env))
        return finish(
            Error {ErrorCode::NotFound, QStringLiteral("the profile or environment was removed")});
    const QStringList allowed = secretNamesFor(profile->kind);
    for (const auto &[name, value] : std::as_const(m_secrets)) {
        if (!allowed.contains(name))
            return finish(
                Error {ErrorCode::Usage,
                       kindName(profile->kind) + QStringLiteral(" profiles keep no ") + name});
        const QString entry = secretIndexEntry(m_env, name);
        if (!profile->secretIndex.contains(entry))
            m_added << entry;
    }
    if (m_added.isEmpty())
        return write();
    m_workspace->updateSoon([profileId = m_profileId, added = m_added](
                                Config &c) { return indexSecrets(c, profileId, added); },
                            this,
                            [this](const Result<void> &indexed) {
                                if (isFinished())
                                    return;
                                if (!indexed) {
                                    m_added.clear();
                                    return finish(indexed);
                                }
                                write();
                            });
}

void SecretSaveJob::write()
{
    m_batch = new SecretBatchJob(m_store, this);
    for (const auto &[name, value] : std::as_const(m_secrets))
        m_batch->addWrite(secretKey(m_profileId, m_env, name), value);
    connect(m_batch, &SecretBatchJob::finished, this, &SecretSaveJob::onWritten);
    m_batch->start();
    // The values are in the jobs now; this copy is not needed any more.
    m_secrets.clear();
}

void SecretSaveJob::onWritten()
{
    if (isFinished())
        return;
    const QString prefix = m_profileId + QLatin1Char('/') + m_env + QLatin1Char('/');
    QStringList failedEntries;
    for (const QString &key : m_batch->keys()) {
        const QString name = key.mid(prefix.size());
        if (m_batch->succeeded().contains(key))
            m_stored << name;
        else if (m_added.contains(secretIndexEntry(m_env, name)))
            failedEntries << secretIndexEntry(m_env, name);
    }
    const Result<void> written = m_batch->result();
    if (failedEntries.isEmpty())
        return dropTokenCache(written);
    // Best effort: a leftover index entry for an item never written is harmless.
    m_workspace->updateSoon(
        [profileId = m_profileId, failedEntries](Config &c) -> Result<void> {
            unindexSecrets(c, profileId, failedEntries);
            return {};
        },
        this, [this, written](const Result<void> &) { dropTokenCache(written); });
}

void SecretSaveJob::dropTokenCache(const Result<void> &written)
{
    if (m_stored.isEmpty())
        return finish(written);
    // The cached credential came from the old secrets: a static token or key pair never
    // expires, so it would otherwise be served forever.
    m_workspace->engine()->forget(m_profileId, m_env);
    auto *drop = new SecretBatchJob(m_store, this);
    drop->addRemove(secretKey(m_profileId, m_env, QStringLiteral("token_cache")));
    connect(drop, &SecretBatchJob::finished, this, [this, drop, written] {
        drop->deleteLater();
        finish(written);
    });
    drop->start();
}

void SecretSaveJob::finish(const Result<void> &result)
{
    if (isFinished())
        return;
    m_result = result;
    emitFinished(m_result);
}

} // namespace TokenTray
