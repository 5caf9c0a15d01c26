// Helper for tst_storecrash: rewrites profiles.json in a loop until it is killed.
//
//   storewriter CONFIG_DIR ITERATIONS
//
// Iteration i (from 1) takes the update lock, loads, and saves a config in which every profile
// name and the current profile encode i; after each successful save it prints "i\n" and
// flushes. A killed writer has therefore saved either the last number it printed or one more.

#include "core/store/profilestore.h"

#include <QCoreApplication>
#include <QLockFile>
#include <QStringList>

#include <cstdio>

using namespace TokenTray;

namespace {

constexpr int kProfiles = 40;

Config configFor(int iteration)
{
    Config config;
    for (int k = 0; k < kProfiles; ++k) {
        Profile p;
        p.id = QStringLiteral("id-%1").arg(k);
        p.name = QStringLiteral("p%1-%2").arg(k).arg(iteration);
        p.kind = ProfileKind::OAuth2;
        p.grant = Grant::ClientCredentials;
        for (const char *envName : {"PROD", "QA", "DEV"}) {
            Environment env;
            env.name = QLatin1String(envName);
            env.tokenUrl
                = QUrl(QStringLiteral("https://login.example.com/%1/token").arg(iteration));
            env.clientId = QStringLiteral("client-%1-%2").arg(k).arg(iteration);
            env.scopes = {QStringLiteral("openid"), QStringLiteral("api.read")};
            p.environments << env;
        }
        p.activeEnvironment = QStringLiteral("QA");
        config.profiles << p;
    }
    config.currentProfileId = QStringLiteral("id-%1").arg(iteration % kProfiles);
    return config;
}

int fail(const QString &what)
{
    std::fprintf(stderr, "storewriter: %s\n", qPrintable(what));
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    bool ok = false;
    const int iterations = args.size() == 3 ? args.at(2).toInt(&ok) : 0;
    if (!ok || iterations < 1)
        return fail(QStringLiteral("usage: storewriter CONFIG_DIR ITERATIONS"));

    ProfileStore store(args.at(1));
    for (int i = 1; i <= iterations; ++i) {
        auto lock = store.lockForUpdate();
        if (!lock)
            return fail(lock.error().detail);
        const Result<Config> loaded = store.load();
        if (!loaded)
            return fail(loaded.error().detail);
        if (const Result<void> saved = store.save(configFor(i)); !saved)
            return fail(saved.error().detail);
        std::printf("%d\n", i);
        std::fflush(stdout);
    }
    return 0;
}
