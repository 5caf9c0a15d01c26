#pragma once

#include "core/util/job.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QProcess;
class QTimer;

namespace TokenTray {

// What a role needs a one-time code for: shown to the person who is asked.
struct MfaChallenge
{
    QString profileName;
    QString environmentName;
    QString serial; // the MFA device ARN
    QString roleArn;
};

// One request for an MFA code, answered once by whoever the front end put in charge (a dialog,
// the terminal, --mfa-code). finished() is emitted once, never from inside answer()/decline()
// calls made during MfaPrompter::ask(). The code is handed over and forgotten: it is valid for
// one AssumeRole call and never cached.
class MfaRequest final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MfaRequest)
public:
    explicit MfaRequest(const MfaChallenge &challenge, QObject *parent = nullptr);
    ~MfaRequest() override;

    [[nodiscard]] const MfaChallenge &challenge() const { return m_challenge; }
    // A 6-digit code; anything else is refused with a clear error.
    void answer(const Secret &code);
    // No code: the person cancelled, or nobody can be asked.
    void decline(const Error &error);
    [[nodiscard]] bool isFinished() const { return m_finished; }
    // The code, once; taking it clears it from the request.
    Result<Secret> takeResult();

Q_SIGNALS:
    void finished(TokenTray::MfaRequest *request);

private:
    void complete(const Result<Secret> &result);

    MfaChallenge m_challenge;
    Result<Secret> m_result = Secret();
    bool m_finished = false;
};

// Asks a person (or a stored answer) for a code. Implemented by each front end: the tray's MFA
// dialog, the CLI's --mfa-code and terminal prompt. ask() must answer or decline the request
// eventually, and must tolerate the request being deleted first (the refresh was abandoned).
class MfaPrompter
{
public:
    virtual ~MfaPrompter();
    virtual void ask(MfaRequest *request) = 0;
};

// The agent's prompter: a code a CLI client passed with --mfa-code answers the next challenge
// (within a minute); otherwise the fallback asks (the tray's dialog), or, without one (a
// headless agent), the challenge is declined with a clear error.
class OfferedCodePrompter final : public MfaPrompter
{
public:
    explicit OfferedCodePrompter(MfaPrompter *fallback = nullptr);
    void setFallback(MfaPrompter *fallback) { m_fallback = fallback; }
    void offer(const Secret &code);
    void ask(MfaRequest *request) override;

private:
    MfaPrompter *m_fallback;
    Secret m_code;
    qint64 m_offeredAtMs = 0;
};

// The refusal when nobody can give the code: names the scope, the device and what to do.
Error mfaCodeRequired(const MfaChallenge &challenge);

// Whether a code is well formed: exactly six ASCII digits.
bool isValidMfaCode(const QByteArray &code);

// Runs an environment's mfa_process (`/bin/sh -c COMMAND`) and reads the code from its first
// line of output: the unattended way to answer an MFA challenge (oathtool, a hardware token
// helper). Bounded in time and output; a failing command is a clear error that names its exit
// status but never repeats its output.
class MfaProcessJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MfaProcessJob)
public:
    MfaProcessJob(const QString &command, int timeoutMs, QObject *parent = nullptr);
    ~MfaProcessJob() override;

    [[nodiscard]] const Result<Secret> &result() const { return m_result; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void finish(const Result<Secret> &result);

    QString m_command;
    int m_timeoutMs;
    QProcess *m_process = nullptr;
    QTimer *m_deadline = nullptr;
    Result<Secret> m_result = Secret();
};

} // namespace TokenTray
