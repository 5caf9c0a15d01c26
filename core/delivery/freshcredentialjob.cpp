#include "core/delivery/freshcredentialjob.h"

#include "core/refresh/tokenengine.h"
#include "core/util/clock.h"

#include <QTimer>

namespace TokenTray {

FreshCredentialJob::FreshCredentialJob(TokenEngine *engine, const Clock *clock,
                                       const QString &profileId, const QString &env,
                                       QObject *parent)
    : Job(parent)
    , m_engine(engine)
    , m_clock(clock)
    , m_profileId(profileId)
    , m_env(env)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

FreshCredentialJob::~FreshCredentialJob() = default;

qint64 FreshCredentialJob::requiredSeconds(const Credential &credential, qint64 wantedSeconds)
{
    if (!credential.expires())
        return 0;
    const qint64 lifetimeSeconds = credential.lifetimeMs() / 1000;
    if (lifetimeSeconds <= 0)
        return wantedSeconds; // unknown lifetime: ask for the full margin
    return qMin(wantedSeconds, lifetimeSeconds / 2);
}

void FreshCredentialJob::doStart()
{
    ask(-1); // whatever the engine holds (memory, then keychain), refreshed only when due
}

void FreshCredentialJob::finishWithError(const Error &error)
{
    finish(error);
}

void FreshCredentialJob::ask(qint64 minValidSeconds)
{
    if (!m_engine) {
        QTimer::singleShot(0, this, [this] {
            finish(Error {ErrorCode::Cancelled, QStringLiteral("the token engine is gone")});
        });
        return;
    }
    TokenAsk *a = m_engine->ask(m_profileId, m_env, minValidSeconds);
    connect(a, &TokenAsk::finished, this, &FreshCredentialJob::onAnswer);
}

void FreshCredentialJob::onAnswer(TokenAsk *answer)
{
    const Result<Credential> &r = answer->result();
    if (!r || m_refreshing)
        return finish(r);
    const qint64 required = requiredSeconds(*r, m_wantedSeconds);
    if (required <= 0 || r->secondsLeft(m_clock->nowUtc()) >= required)
        return finish(r);
    // Not fresh enough for a caching consumer. The engine refreshes when less than `required`
    // is left and hands its waiters the new credential whatever its lifetime, so this cannot
    // loop.
    m_refreshing = true;
    ask(required);
}

void FreshCredentialJob::finish(const Result<Credential> &result)
{
    if (isFinished())
        return;
    m_result = result;
    emitFinished(m_result);
}

} // namespace TokenTray
