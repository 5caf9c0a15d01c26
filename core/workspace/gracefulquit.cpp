#include "core/workspace/gracefulquit.h"

#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/util/logging.h"
#include "core/workspace/persistjob.h"

#include <QCoreApplication>

namespace TokenTray {

GracefulQuit::GracefulQuit(TokenEngine *engine, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_secrets(secrets)
    , m_timeoutMs(PersistJob::kDefaultTimeoutMs)
{
}

GracefulQuit::~GracefulQuit() = default;

void GracefulQuit::request()
{
    if (std::exchange(m_requested, true))
        return;
    m_job = new PersistJob(m_engine, m_secrets, this);
    m_job->setTimeout(m_timeoutMs);
    connect(m_job, &PersistJob::finished, this, &GracefulQuit::onPersisted);
    m_job->start();
}

void GracefulQuit::onPersisted()
{
    const int unsaved = m_job->unsavedCount();
    if (unsaved > 0)
        qCWarning(lcSecrets).noquote()
            << unsaved
            << "value(s) could not be written to the keychain before quitting (it is locked or "
               "did not answer in time); a rotated refresh token among them means signing in "
               "again";
    Q_EMIT persisted(unsaved);
    QCoreApplication::quit();
}

} // namespace TokenTray
