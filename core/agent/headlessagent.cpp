#include "core/agent/headlessagent.h"

#include "core/agent/agentservice.h"
#include "core/aws/mfa.h"
#include "core/ipc/agentserver.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/sleepwatcher.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/util/terminationwatcher.h"
#include "core/workspace/gracefulquit.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QNetworkAccessManager>

#include <cstdio>

namespace TokenTray {

std::unique_ptr<AgentServer> listenForClients(AgentService *service, const QString &configDir)
{
    auto server = std::make_unique<AgentServer>(agentSocketPathFor(configDir));
    server->setHandler(
        [service](const QJsonObject &request, const AgentServer::Responder &respond) {
            service->handle(request, respond);
        });
    if (!server->listen()) {
        std::fprintf(stderr, "%s: cannot serve CLI clients: %s\n",
                     qPrintable(QCoreApplication::applicationName()),
                     qPrintable(server->errorString()));
        return nullptr;
    }
    return server;
}

void announceAgent(const ProfileStore &store, const AgentServer &agent)
{
    std::fprintf(stderr, "%s: agent for %s listening on %s\n",
                 qPrintable(QCoreApplication::applicationName()), qPrintable(store.directory()),
                 qPrintable(agent.socketPath()));
}

int runHeadlessAgent(SecretBackend *backend, const QString &configDirOption)
{
    const SystemClock clock;
    QNetworkAccessManager nam;
    SecretStore secrets(backend);
    DiscoveryCache discovery;
    OfferedCodePrompter mfa; // only codes a client passes: nobody to ask here
    FetchServices fetch {&nam, &secrets, &discovery, &clock};
    fetch.mfa = &mfa;
    TokenEngine engine(fetch);
    ProfileStore store(ProfileStore::resolveConfigDir(configDirOption));
    Workspace workspace(&store, &engine, &clock);
    SleepWatcher sleep;
    QObject::connect(&sleep, &SleepWatcher::resumed, &engine, &TokenEngine::reevaluate);
    AgentService service({&secrets, &nam, &clock, &engine, &workspace, store.directory(), 30000,
                          [&mfa](const Secret &code) {
                              mfa.offer(code);
                          }});
    const auto agent = listenForClients(&service, store.directory());
    if (!agent)
        return 1;
    if (auto loaded = workspace.load(); !loaded)
        std::fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()),
                     qPrintable(loaded.error().detail));
    GracefulQuit quit(&engine, &secrets);
    TerminationWatcher termination;
    QObject::connect(&termination, &TerminationWatcher::terminationRequested, &quit,
                     &GracefulQuit::request);
    announceAgent(store, *agent);
    return QCoreApplication::exec();
}

} // namespace TokenTray
