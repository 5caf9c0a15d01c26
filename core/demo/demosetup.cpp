#include "core/demo/demosetup.h"

#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"

#include <QTimer>

namespace TokenTray {

namespace {

DemoAuthority::Options authorityOptions()
{
    DemoAuthority::Options options;
    options.lifetimeSeconds = DemoSetup::kTokenLifetimeSeconds;
    options.deviceIntervalSeconds = 2;
    options.autoApproveAfterPolls = 3; // the "person" approves after a few seconds
    return options;
}

} // namespace

DemoSetup::DemoSetup(ProfileStore *store, SecretStore *secrets, QObject *parent)
    : Job(parent)
    , m_store(store)
    , m_secrets(secrets)
    , m_authority(authorityOptions())
{
    setAutoDelete(false); // the app owns it
}

Config DemoSetup::demoConfig(const QUrl &issuer)
{
    Config config;
    Profile api;
    api.id = QStringLiteral("demo-api");
    api.name = QStringLiteral("demo-api");
    api.kind = ProfileKind::OAuth2;
    api.grant = Grant::ClientCredentials;
    api.refresh = RefreshPolicy::Eager;
    for (const char *name : {"PROD", "QA", "DEV"}) {
        Environment env;
        env.name = QLatin1String(name);
        env.issuer = issuer;
        env.clientId = QStringLiteral("demo-client");
        env.scopes = {QStringLiteral("read"), QStringLiteral("write")};
        env.isProtected = env.name == QLatin1String("PROD");
        api.environments << env;
        api.secretIndex << secretIndexEntry(env.name, QStringLiteral("client_secret"));
    }
    api.activeEnvironment = QStringLiteral("QA");

    Profile sso;
    sso.id = QStringLiteral("demo-sso");
    sso.name = QStringLiteral("demo-sso");
    sso.kind = ProfileKind::OAuth2;
    sso.grant = Grant::DeviceCode;
    Environment env;
    env.name = QStringLiteral("DEV");
    env.issuer = issuer;
    env.clientId = QStringLiteral("demo-client");
    sso.environments << env;
    sso.activeEnvironment = env.name;

    config.profiles = {api, sso};
    config.currentProfileId = api.id;
    return config;
}

void DemoSetup::doStart()
{
    QTimer::singleShot(0, this, [this] {
        if (isFinished())
            return; // cancelled before it began
        if (!m_authority.listen()) {
            finish(Error {ErrorCode::Network,
                          QStringLiteral("the demo authority could not listen on 127.0.0.1")});
            return;
        }
        const Config config = demoConfig(m_authority.issuer());
        if (auto saved = m_store->save(config); !saved) {
            finish(saved.error());
            return;
        }
        auto pending = std::make_shared<int>(3);
        for (const Environment &env : config.profiles.first().environments) {
            SecretJob *job = m_secrets->write(
                secretKey(QStringLiteral("demo-api"), env.name, QStringLiteral("client_secret")),
                Secret(QByteArrayLiteral("demo-secret")));
            connect(job, &SecretJob::finished, this, [this, pending, j = job] {
                if (!j->result())
                    finish(j->result().error());
                else if (--*pending == 0)
                    finish({});
            });
            job->start();
        }
    });
}

void DemoSetup::finish(const Result<void> &result)
{
    if (isFinished())
        return; // the first outcome stands
    m_result = result;
    emitFinished(m_result);
}

void DemoSetup::finishWithError(const Error &error)
{
    finish(error);
}

} // namespace TokenTray
