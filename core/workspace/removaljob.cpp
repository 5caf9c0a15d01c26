#include "core/workspace/removaljob.h"

#include "core/model/configedits.h"
#include "core/model/kindrules.h"
#include "core/secrets/secretbatchjob.h"
#include "core/workspace/workspace.h"

#include <QTimer>

namespace TokenTray {

RemovalJob::RemovalJob(Workspace *workspace, SecretStore *store, const QString &profileId,
                       const QString &envName, QObject *parent)
    : Job(parent)
    , m_workspace(workspace)
    , m_store(store)
    , m_profileId(profileId)
    , m_env(envName)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

RemovalJob::~RemovalJob() = default;

void RemovalJob::doStart()
{
    QTimer::singleShot(0, this, &RemovalJob::run);
}

void RemovalJob::finishWithError(const Error &error)
{
    finish(error);
}

void RemovalJob::run()
{
    if (isFinished())
        return; // cancelled before it began
    if (m_workspace->isReadOnly())
        return finish(Error {ErrorCode::ConfigReadOnly, m_workspace->loadError()->detail});
    const Config &config = m_workspace->config();
    const Profile *profile = config.profileById(m_profileId);
    if (!profile)
        return finish(
            Error {ErrorCode::NotFound, QStringLiteral("the profile was removed meanwhile")});
    if (m_env.isEmpty()) {
        if (auto r = checkProfileRemovable(config, m_profileId); !r)
            return finish(r);
    } else if (!profile->environment(m_env)) {
        return finish(
            Error {ErrorCode::NotFound, QStringLiteral("the environment was removed meanwhile")});
    }
    m_entries = secretEntriesToRemove(*profile, m_env);
    m_batch = new SecretBatchJob(m_store, this);
    for (const QString &entry : std::as_const(m_entries))
        m_batch->addRemove(m_profileId + QLatin1Char('/') + entry);
    connect(m_batch, &SecretBatchJob::finished, this, &RemovalJob::onRemoved);
    m_batch->start();
}

void RemovalJob::onRemoved()
{
    if (isFinished())
        return;
    for (const QString &key : m_batch->succeeded())
        m_removed << key.mid(m_profileId.size() + 1);
    if (!m_batch->result()) {
        for (const QString &entry : std::as_const(m_entries)) {
            if (!m_removed.contains(entry))
                m_notRemoved << entry;
        }
        const Result<void> refused = m_batch->result();
        if (m_removed.isEmpty())
            return finish(refused);
        // Keep the profile; forget only what is really gone, so a later attempt finds the rest
        // (best effort: the keychain's refusal is what the job reports).
        m_workspace->updateSoon(
            [profileId = m_profileId, removed = m_removed](Config &c) -> Result<void> {
                unindexSecrets(c, profileId, removed);
                return {};
            },
            this, [this, refused](const Result<void> &) { finish(refused); });
        return;
    }
    m_workspace->updateSoon(
        [profileId = m_profileId, env = m_env, entries = m_entries](Config &c) -> Result<void> {
            if (env.isEmpty())
                return removeProfile(c, profileId);
            unindexSecrets(c, profileId, entries);
            return removeEnvironment(c, profileId, env);
        },
        this, [this](const Result<void> &removed) { finish(removed); });
}

void RemovalJob::finish(const Result<void> &result)
{
    if (isFinished())
        return;
    m_result = result;
    emitFinished(m_result);
}

} // namespace TokenTray
