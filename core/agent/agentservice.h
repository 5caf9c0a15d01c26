#pragma once

#include "core/ipc/agentserver.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

class QNetworkAccessManager;

namespace TokenTray {

class Clock;
class SecretStore;
class Secret;
class TokenEngine;
class Workspace;

// What the agent (the tray app, or `tokentray --no-tray`) does for CLI clients: a "cli" request
// runs the command in this process with the agent's token engine, so one process refreshes for
// the whole desktop and reads the keychain once; the reply carries the command's exit code,
// standard output and standard error. Commands that change profiles.json reload the workspace
// before the reply, so the tray shows a switch from the shell at once. Commands that need the
// client's terminal, files or process (secret set, login, exec, serve, import-aws, help) are
// answered "unsupported": the client runs them itself. {"op":"reload"} re-reads profiles.json.
class AgentService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentService)
public:
    struct Services
    {
        SecretStore *secrets = nullptr;
        QNetworkAccessManager *nam = nullptr;
        const Clock *clock = nullptr;
        TokenEngine *engine = nullptr;
        Workspace *workspace = nullptr;
        QString configDir;
        int httpTimeoutMs = 30000;
        std::function<void(const Secret &code)> offerMfaCode = {};
    };

    explicit AgentService(const Services &services, QObject *parent = nullptr);
    ~AgentService() override;

    void handle(const QJsonObject &request, const AgentServer::Responder &respond);
    // The commands the agent runs for clients.
    static const QStringList &servedCommands();
    [[nodiscard]] int commandsRun() const { return m_commandsRun; }

private:
    void runCli(const QJsonObject &request, const AgentServer::Responder &respond);
    void serveCredential(const QJsonObject &request, const AgentServer::Responder &respond);
    void offerMfaCode(const QString &profileId, const QString &env, const Secret &code);

    Services m_services;
    int m_commandsRun = 0;
};

} // namespace TokenTray
