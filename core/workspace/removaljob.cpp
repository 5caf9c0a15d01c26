#include "core/workspace/removaljob.h"

#include "core/model/configedits.h"
#include "core/model/kindrules.h"
#include "core/secrets/secretbatchjob.h"
#include "core/workspace/workspace.h"

#include <QTimer>

namespace TokenTray {

RemovalJob::RemovalJob(Workspace *workspace, SecretStore *store, const QString &profileId,
                       const QString &envName, QObject *parent)
    : QObject(parent)
    , m_workspace(workspace)
    , m_store(store)
    , m_profileId(profileId)
    , m_env(envName)
{
}

RemovalJob::~RemovalJob() = default;

void RemovalJob::start()
{
    if (m_started)
        return;
    m_started = true;
    QTimer::singleShot(0, this, &RemovalJob::run);
}

void RemovalJob::run()
{
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
    for (const QString &key : m_batch->succeeded())
        m_removed << key.mid(m_profileId.size() + 1);
    if (!m_batch->result()) {
        for (const QString &entry : std::as_const(m_entries)) {
            if (!m_removed.contains(entry))
                m_notRemoved << entry;
        }
        // Keep the profile; forget only what is really gone, so a later attempt finds the rest.
        if (!m_removed.isEmpty()) {
            (void)m_workspace->update([this](Config &c) -> Result<void> {
                unindexSecrets(c, m_profileId, m_removed);
                return {};
            });
        }
        return finish(m_batch->result());
    }
    finish(m_workspace->update([this](Config &c) -> Result<void> {
        if (m_env.isEmpty())
            return removeProfile(c, m_profileId);
        unindexSecrets(c, m_profileId, m_entries);
        return removeEnvironment(c, m_profileId, m_env);
    }));
}

void RemovalJob::finish(const Result<void> &result)
{
    m_result = result;
    Q_EMIT finished();
}

} // namespace TokenTray
