#pragma once

#include <QString>

#include <memory>

namespace TokenTray {

class AgentServer;
class AgentService;
class ProfileStore;
class SecretBackend;

// Serves CLI clients of the config directory (core/ipc) through `service`: this process is the
// desktop's one refresher. Null (and the reason on stderr) when it cannot listen.
std::unique_ptr<AgentServer> listenForClients(AgentService *service, const QString &configDir);

// "<app>: agent for DIR listening on SOCKET" on stderr: what scripts and tests wait for before
// they send the first request.
void announceAgent(const ProfileStore &store, const AgentServer &agent);

// The agent without any display: the engine, the workspace and the agent server for one config
// directory (`--config-dir`, else the usual one). Runs the event loop of the QCoreApplication the
// caller made until SIGINT, SIGTERM or SIGHUP, and writes what is pending before it returns the
// exit code. Secrets live in `secrets` (main() supplies the KeychainBackend). Shared by
// tokentray-agent and `tokentray --no-tray`.
int runHeadlessAgent(SecretBackend *secrets, const QString &configDirOption);

} // namespace TokenTray
