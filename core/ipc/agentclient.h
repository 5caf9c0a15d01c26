#pragma once

#include "core/ipc/frame.h"
#include "core/model/credential.h"
#include "core/util/job.h"
#include "core/util/result.h"

#include <QJsonObject>
#include <QLocalSocket>
#include <QObject>
#include <QPointer>
#include <QString>

#include <optional>

class QTimer;

namespace TokenTray {

// One request to the agent serving `configDir` (the tray app or `tokentray --no-tray`), for the
// Qt CLI's commands that run in the caller's process but must not refresh on their own (exec).
// nullopt: no agent answers there (the caller does the work itself); otherwise the reply, or an
// error when the agent failed mid-request. Blocking, bounded by timeoutMs.
std::optional<Result<QJsonObject>> askAgent(const QString &configDir, QJsonObject request,
                                            int timeoutMs);

// {"op":"credential"}: a credential fresh enough for a caching consumer, from the agent's engine.
QJsonObject credentialRequest(const QString &profileId, const QString &env,
                              const QString &mfaCode = QString());
// The agent's answer to a credential request: the credential, or the error it reports (or that
// broke the request).
Result<Credential> credentialFromReply(const Result<QJsonObject> &reply);

// askAgent() as a Job, for a process that keeps serving others while the agent works (serve).
// finished() comes within timeoutMs; error() is set when the agent failed (not when there is
// none). Not auto-deleted: the caller reads the result.
class AgentRequestJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentRequestJob)
public:
    AgentRequestJob(const QString &configDir, const QJsonObject &request, int timeoutMs,
                    QObject *parent = nullptr);
    ~AgentRequestJob() override;

    // nullopt: no agent answers for the config dir, so the caller does the work itself.
    [[nodiscard]] const std::optional<Result<QJsonObject>> &result() const { return m_result; }

protected:
    void doStart() override; // queued
    void finishWithError(const Error &error) override;

private:
    void connectToAgent();
    void onReadyRead();
    void finish(const std::optional<Result<QJsonObject>> &result);

    QString m_configDir;
    QJsonObject m_request;
    int m_timeoutMs;
    QPointer<QLocalSocket> m_socket;
    QTimer *m_timeout;
    FrameReader m_reader;
    bool m_connected = false;
    std::optional<Result<QJsonObject>> m_result;
};

} // namespace TokenTray
