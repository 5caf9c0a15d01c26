#pragma once

#include "core/model/credential.h"
#include "core/util/job.h"
#include "core/util/result.h"

#include <QObject>
#include <QPointer>

namespace TokenTray {

class Clock;
class TokenAsk;
class TokenEngine;

// A credential fresh enough to hand to a tool that caches it (AWS SDKs, credential_process):
// at least `wantedSeconds` (15 min) left, or half its lifetime when the whole lifetime is
// shorter (a 900 s role session), so a short-lived credential is reused for a while instead of
// being fetched again on every call. Asks the engine for whatever it holds first, then, only
// when that is not fresh enough, for a refreshed one; a freshly fetched credential is always
// returned, however short its life.
class FreshCredentialJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FreshCredentialJob)
public:
    static constexpr qint64 kDefaultWantedSeconds = 15 * 60;

    FreshCredentialJob(TokenEngine *engine, const Clock *clock, const QString &profileId,
                       const QString &env, QObject *parent = nullptr);
    ~FreshCredentialJob() override;

    void setWantedSeconds(qint64 seconds) { m_wantedSeconds = seconds; }
    [[nodiscard]] const Result<Credential> &result() const { return m_result; }

    // The validity asked of `credential`: min(wanted, half its lifetime); 0 when it never
    // expires.
    static qint64 requiredSeconds(const Credential &credential, qint64 wantedSeconds);

protected:
    void doStart() override; // asks the engine
    void finishWithError(const Error &error) override;

private:
    void ask(qint64 minValidSeconds);
    void onAnswer(TokenAsk *ask);
    void finish(const Result<Credential> &result);

    QPointer<TokenEngine> m_engine;
    const Clock *m_clock;
    QString m_profileId;
    QString m_env;
    qint64 m_wantedSeconds = kDefaultWantedSeconds;
    bool m_refreshing = false; // the second ask, for a refreshed credential
    Result<Credential> m_result = Error {ErrorCode::Internal, QStringLiteral("not finished")};
};

} // namespace TokenTray
