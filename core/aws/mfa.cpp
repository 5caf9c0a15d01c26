#include "core/aws/mfa.h"

#include "core/util/logging.h"

#include <QDateTime>
#include <QProcess>
#include <QTimer>

namespace TokenTray {

MfaRequest::MfaRequest(const MfaChallenge &challenge, QObject *parent)
    : QObject(parent)
    , m_challenge(challenge)
{
}

MfaRequest::~MfaRequest() = default;

void MfaRequest::answer(const Secret &code)
{
    const QByteArray trimmed = code.expose().trimmed();
    if (!isValidMfaCode(trimmed)) {
        complete(Error {ErrorCode::Invalid,
                        QStringLiteral("an MFA code is six digits (for ") + m_challenge.serial
                            + QLatin1Char(')')});
        return;
    }
    complete(Secret(trimmed));
}

void MfaRequest::decline(const Error &error)
{
    complete(error);
}

Result<Secret> MfaRequest::takeResult()
{
    Result<Secret> r = std::move(m_result);
    m_result = Error {ErrorCode::Internal, QStringLiteral("the MFA code was already used")};
    return r;
}

void MfaRequest::complete(const Result<Secret> &result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = result;
    // Never re-entrant: whoever answers inside ask() sees ask() return first.
    QTimer::singleShot(0, this, [this] { Q_EMIT finished(this); });
}

MfaPrompter::~MfaPrompter() = default;

OfferedCodePrompter::OfferedCodePrompter(MfaPrompter *fallback)
    : m_fallback(fallback)
{
}

void OfferedCodePrompter::offer(const Secret &code)
{
    m_code = code;
    m_offeredAtMs = QDateTime::currentMSecsSinceEpoch();
}

void OfferedCodePrompter::ask(MfaRequest *request)
{
    constexpr qint64 kOfferValidMs = 60 * 1000;
    if (!m_code.isEmpty() && QDateTime::currentMSecsSinceEpoch() - m_offeredAtMs <= kOfferValidMs) {
        request->answer(std::exchange(m_code, Secret()));
        return;
    }
    m_code.clear();
    if (m_fallback) {
        m_fallback->ask(request);
        return;
    }
    request->decline(mfaCodeRequired(request->challenge()));
}

Error mfaCodeRequired(const MfaChallenge &c)
{
    return Error {ErrorCode::Rejected,
                  c.profileName + QLatin1Char('/') + c.environmentName
                      + QStringLiteral(" needs an MFA code from ") + c.serial
                      + QStringLiteral(": pass --mfa-code CODE, or set an MFA process "
                                       "(environment set --mfa-process)"),
                  0, QStringLiteral("mfa_required")};
}

bool isValidMfaCode(const QByteArray &code)
{
    if (code.size() != 6)
        return false;
    for (char c : code) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

MfaProcessJob::MfaProcessJob(const QString &command, int timeoutMs, QObject *parent)
    : Job(parent)
    , m_command(command)
    , m_timeoutMs(timeoutMs)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

MfaProcessJob::~MfaProcessJob()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

void MfaProcessJob::doStart()
{
    m_process = new QProcess(this);
    // stderr goes where ours goes: a helper may explain itself to the person.
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->setInputChannelMode(QProcess::ManagedInputChannel);
    m_deadline = new QTimer(this);
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        m_process->kill();
        finish(Error {ErrorCode::Timeout,
                      QStringLiteral("the mfa_process command did not print a code within %1 s")
                          .arg(m_timeoutMs / 1000)});
    });
    connect(m_process, &QProcess::readyReadStandardOutput, this, [this] {
        // A code is one short line; more output than a few lines is not a code.
        if (m_process->bytesAvailable() > 4096) {
            m_process->kill();
            finish(Error {ErrorCode::Rejected,
                          QStringLiteral("the mfa_process command printed too much output"), 0,
                          QStringLiteral("mfa_process_failed")});
        }
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finish(Error {ErrorCode::Invalid,
                          QStringLiteral("the mfa_process command could not be started")});
    });
    connect(m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus st) {
        if (st != QProcess::NormalExit || exitCode != 0) {
            finish(Error {ErrorCode::Rejected,
                          QStringLiteral("the mfa_process command failed (exit status %1)")
                              .arg(st == QProcess::NormalExit ? exitCode : -1),
                          0, QStringLiteral("mfa_process_failed")});
            return;
        }
        QByteArray out = m_process->readAllStandardOutput();
        const qsizetype newline = out.indexOf('\n');
        Secret code(out.left(newline < 0 ? out.size() : newline).trimmed());
        out.fill('\0');
        if (!isValidMfaCode(code.expose())) {
            finish(Error {ErrorCode::Rejected,
                          QStringLiteral("the mfa_process command did not print a six-digit code"),
                          0, QStringLiteral("mfa_process_failed")});
            return;
        }
        finish(code);
    });
    qCDebug(lcSts) << "running the mfa_process command";
    m_deadline->start(m_timeoutMs);
    m_process->start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), m_command});
    m_process->closeWriteChannel();
}

void MfaProcessJob::doCancel()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        m_process->kill();
    finish(Error {ErrorCode::Cancelled, cancelledDetail()});
}

void MfaProcessJob::finish(const Result<Secret> &result)
{
    if (isFinished())
        return;
    m_result = result;
    if (m_deadline)
        m_deadline->stop();
    emitFinished(m_result);
}

} // namespace TokenTray
