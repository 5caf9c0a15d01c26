// A stand-in for the tray's agent until the real one is wired: an AgentServer for
// --config-dir DIR that answers every "cli" request with exit 0 and "TOKEN\n" on stdout
// (--token TOKEN, default "stub-token"). Prints "listening PATH" when ready; SIGTERM/SIGINT stop
// it cleanly (the socket is removed). Used by bench/token_latency.sh and tst_agentserver.
#include "core/ipc/agentserver.h"
#include "core/util/terminationwatcher.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

using namespace TokenTray;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QString configDir;
    QString token = QStringLiteral("stub-token");
    const QStringList args = QCoreApplication::arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args.at(i) == QStringLiteral("--config-dir"))
            configDir = args.at(++i);
        else if (args.at(i) == QStringLiteral("--token"))
            token = args.at(++i);
    }
    if (configDir.isEmpty()) {
        std::fprintf(stderr, "usage: tokentray-stub-agent --config-dir DIR [--token TOKEN]\n");
        return 2;
    }

    AgentServer server(agentSocketPathFor(configDir));
    server.setHandler([token](const QJsonObject &request, AgentServer::Responder respond) {
        if (request.value(QStringLiteral("op")).toString() != QStringLiteral("cli")) {
            respond.fail(QStringLiteral("unsupported"), QStringLiteral("stub agent: cli only"));
            return;
        }
        respond.ok({{QStringLiteral("exit"), 0},
                    {QStringLiteral("stdout"), QString(token + QLatin1Char('\n'))},
                    {QStringLiteral("stderr"), QString()}});
    });
    if (!server.listen()) {
        std::fprintf(stderr, "tokentray-stub-agent: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    TerminationWatcher termination;
    QObject::connect(&termination, &TerminationWatcher::terminationRequested, &app,
                     [] { QCoreApplication::quit(); });
    std::printf("listening %s\n", qPrintable(server.socketPath()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}
