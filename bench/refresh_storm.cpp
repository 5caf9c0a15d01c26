// Refresh storm: N client_credentials profiles refreshed at once through the TokenEngine
// against the project's loopback server, for several maxConcurrency values, next to a bare
// QNetworkAccessManager POST loop against the same server in the same run.
// Prints refreshes per second and CPU milliseconds per refresh (whole process: client and the
// server thread). Needs a Secret Service (run inside scripts/desktop-session; scripts/bench).
#include "../tests/support/testhttpserver.h"
#include "core/model/config.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/keychainbackend.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

using namespace TokenTray;

namespace {

double cpuMs()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0
        + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

struct Figures
{
    double perSecond = 0;
    double cpuMsPerOp = 0;
};

// Runs the event loop until `done`; blocks in the dispatcher between events (the overload with
// a time limit would return at once when idle and turn this into a busy loop).
void spin(const std::function<bool()> &done)
{
    while (!done())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
}

Figures bareLoop(const QUrl &url, int total, int parallel)
{
    QNetworkAccessManager nam;
    int started = 0;
    int finished = 0;
    std::function<void()> next = [&] {
        if (started >= total)
            return;
        ++started;
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded");
        request.setRawHeader("Authorization", "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=");
        QNetworkReply *reply = nam.post(request, QByteArray("grant_type=client_credentials"));
        QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply] {
            reply->readAll();
            reply->deleteLater();
            ++finished;
            next();
        });
    };
    const double cpu0 = cpuMs();
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < parallel; ++i)
        next();
    spin([&] { return finished >= total; });
    const double seconds = clock.nsecsElapsed() / 1e9;
    return {total / seconds, (cpuMs() - cpu0) / total};
}

constexpr int kRounds = 3;

Figures median(QList<Figures> runs)
{
    std::sort(runs.begin(), runs.end(),
              [](const Figures &a, const Figures &b) { return a.perSecond < b.perSecond; });
    return runs.at(runs.size() / 2);
}

struct StormFigures
{
    Figures refresh;
    double drainSeconds = 0; // writing every token cache to the keychain afterwards
};

StormFigures engineStorm(const QUrl &tokenUrl, SecretStore *secrets, const QList<QString> &ids,
                         int maxConcurrency)
{
    QNetworkAccessManager nam;
    DiscoveryCache discovery;
    SystemClock clock;
    FetchServices services {&nam, secrets, &discovery, &clock};
    TokenEngine engine(services);
    TokenEngine::Options options = engine.options();
    options.cacheWriteDelayMs
        = 60000; // keep keychain writes out of the timed storms; drained after
    engine.setOptions(options);
    Config config;
    config.settings.maxConcurrency = maxConcurrency;
    for (const QString &id : ids) {
        Profile p;
        p.id = id;
        p.name = QStringLiteral("p%1").arg(config.profiles.size());
        p.kind = ProfileKind::OAuth2;
        p.grant = Grant::ClientCredentials;
        Environment env;
        env.name = QStringLiteral("QA");
        env.tokenUrl = tokenUrl;
        env.clientId = QStringLiteral("demo-client");
        p.environments = {env};
        p.activeEnvironment = env.name;
        config.profiles << p;
    }
    engine.setConfig(config);

    // Every ask() of the storm needs a new token; returns (refreshes done, failures).
    auto storm = [&] {
        int done = 0;
        int failed = 0;
        for (const QString &id : ids) {
            TokenAsk *ask = engine.ask(id, QStringLiteral("QA"), 1000000);
            QObject::connect(ask, &TokenAsk::finished, &engine, [&](TokenAsk *a) {
                ++done;
                if (!a->result())
                    ++failed;
            });
        }
        spin([&] { return done >= ids.size(); });
        return failed;
    };

    // Warm-up (untimed): the engine loads each cache entry once, as a running tray has.
    storm();
    engine.flushCacheWrites();
    spin([&] { return engine.pendingCacheWrites() == 0; });

    // The storm, three times: every token is refreshed at once, as after a long sleep.
    QList<Figures> runs;
    int failed = 0;
    for (int round = 0; round < kRounds; ++round) {
        const double cpu0 = cpuMs();
        QElapsedTimer timer;
        timer.start();
        failed += storm();
        const double seconds = timer.nsecsElapsed() / 1e9;
        runs.append({ids.size() / seconds, (cpuMs() - cpu0) / ids.size()});
    }
    QElapsedTimer drainTimer;
    drainTimer.start();
    engine.flushCacheWrites();
    spin([&] { return engine.pendingCacheWrites() == 0; });
    if (failed)
        std::printf("  (%d refreshes failed)\n", failed);
    return {median(runs), drainTimer.nsecsElapsed() / 1e9};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int total = argc > 1 ? QByteArray(argv[1]).toInt() : 1000;

    // The server runs in its own thread so that it does not compete with the client's loop.
    QThread serverThread;
    serverThread.start();
    TestHttpServer *server = nullptr;
    QObject context;
    context.moveToThread(&serverThread);
    QMetaObject::invokeMethod(
        &context,
        [&server] {
            server = new TestHttpServer;
            server->setDefault(
                "/token",
                ScriptedReply::json(
                    200,
                    R"({"access_token":"bench-token","token_type":"Bearer","expires_in":3600})"));
            if (!server->listen())
                std::abort();
        },
        Qt::BlockingQueuedConnection);
    const QUrl tokenUrl = server->url("/token");

    KeychainBackend keychain;
    SecretStore secrets(&keychain, QStringLiteral("tokentray-bench"));
    QList<QString> ids;
    int written = 0;
    for (int i = 0; i < total; ++i) {
        const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        ids << id;
        SecretJob *job
            = secrets.write(secretKey(id, QStringLiteral("QA"), QStringLiteral("client_secret")),
                            Secret(QByteArrayLiteral("demo-secret")));
        QObject::connect(job, &SecretJob::finished, &app, [&, j = job] {
            if (!j->result()) {
                std::fprintf(stderr, "keychain: %s\n", qPrintable(j->result().error().detail));
                std::exit(1);
            }
            ++written;
        });
        job->start();
    }
    spin([&] { return written >= total; });

    std::printf("refresh storm: %d profiles, loopback token endpoint, median of %d rounds\n", total,
                kRounds);
    for (const int concurrency : {8, 32}) {
        QList<Figures> bareRuns;
        for (int round = 0; round < kRounds; ++round)
            bareRuns.append(bareLoop(tokenUrl, total, concurrency));
        const Figures bare = median(bareRuns);
        const StormFigures engine = engineStorm(tokenUrl, &secrets, ids, concurrency);
        std::printf("maxConcurrency %2d: engine %6.0f refreshes/s, %.3f CPU ms/refresh | bare QNAM "
                    "loop %6.0f posts/s, "
                    "%.3f CPU ms/post | engine/bare %3.0f %% | then %d token caches written to the "
                    "keychain in %.1f s\n",
                    concurrency, engine.refresh.perSecond, engine.refresh.cpuMsPerOp,
                    bare.perSecond, bare.cpuMsPerOp,
                    100.0 * engine.refresh.perSecond / bare.perSecond, total, engine.drainSeconds);
    }

    // No tidying: scripts/bench runs in a throw-away keyring.
    QMetaObject::invokeMethod(
        &context, [server] { delete server; }, Qt::BlockingQueuedConnection);
    serverThread.quit();
    serverThread.wait();
    return 0;
}
