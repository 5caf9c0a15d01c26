// SignInJob (the device-code sign-in the CLI and the tray share) against an in-process
// FakeAuthority and the real keychain of the test desktop session: user code, polling status,
// the refresh token stored, beforeStore's veto, denial, and cancellation stopping the polls.
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/refresh/oauthclientjob.h"
#include "core/refresh/signinjob.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "tests/support/fakeauthority.h"
#include "tests/support/memorysecretbackend.h"
#include "tests/support/secretjobs.h"
#include "tests/support/testenv.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace TokenTray;

namespace {

const QString kService = QStringLiteral("tokentray-test-signin");
const QString kEnv = QStringLiteral("DEV");
constexpr double kFastPolls = 0.02; // the authority's 1 s interval -> 20 ms

} // namespace

class tst_SignInJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void signsInAndStoresTheRefreshToken();
    void beforeStoreRunsFirstAndCanRefuse();
    void deniedStoresNothing();
    void cancelStopsPolling();
    void cancelBeforeItBegins();
    void noDeviceEndpoint();
    void recordInConfig();

private:
    std::unique_ptr<SignInJob> makeJob(const Environment *env = nullptr);
    Environment environment() const;
    static bool finishes(SignInJob *job, QSignalSpy &spy);

    std::unique_ptr<FakeAuthority> m_authority;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<MemorySecretBackend> m_keychain;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<DiscoveryCache> m_discovery;
    SystemClock m_clock;
    Profile m_profile;
    QStringList m_ids;
};

void tst_SignInJob::init()
{
    FakeAuthority::Options options;
    m_authority = std::make_unique<FakeAuthority>(options);
    QVERIFY(m_authority->listen());
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_keychain = std::make_unique<MemorySecretBackend>();
    m_secrets = std::make_unique<SecretStore>(m_keychain.get(), kService);
    m_discovery = std::make_unique<DiscoveryCache>();
    m_profile = Profile();
    m_profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_profile.name = QStringLiteral("sso");
    m_profile.kind = ProfileKind::OAuth2;
    m_profile.grant = Grant::DeviceCode;
    m_profile.environments = {environment()};
    m_profile.activeEnvironment = kEnv;
    m_ids << m_profile.id;
}

void tst_SignInJob::cleanup()
{
    // Nothing of a test stays in the keyring.
    for (const QString &id : std::as_const(m_ids)) {
        QVERIFY(TestEnv::removeSecret(m_secrets.get(),
                                      secretKey(id, kEnv, QStringLiteral("refresh_token"))));
    }
    m_ids.clear();
    m_secrets.reset();
    m_keychain.reset();
    m_nam.reset();
    m_authority.reset();
}

Environment tst_SignInJob::environment() const
{
    Environment env;
    env.name = kEnv;
    env.issuer = m_authority->issuer();
    env.clientId = QStringLiteral("demo-client");
    env.scopes = {QStringLiteral("openid"), QStringLiteral("offline_access")};
    return env;
}

std::unique_ptr<SignInJob> tst_SignInJob::makeJob(const Environment *env)
{
    FetchServices services;
    services.nam = m_nam.get();
    services.secrets = m_secrets.get();
    services.discovery = m_discovery.get();
    services.clock = &m_clock;
    services.httpTimeoutMs = 5000;
    auto job = std::make_unique<SignInJob>(services, m_profile, env ? *env : environment());
    job->setIntervalScale(kFastPolls);
    return job;
}

bool tst_SignInJob::finishes(SignInJob *job, QSignalSpy &spy)
{
    if (spy.isEmpty() && !spy.wait(15000))
        return false;
    QCoreApplication::processEvents(); // a second emission would be queued behind the first
    return spy.count() == 1 && job->isFinished();
}

void tst_SignInJob::signsInAndStoresTheRefreshToken()
{
    auto job = makeJob();
    QSignalSpy code(job.get(), &SignInJob::userCodeReady);
    QSignalSpy status(job.get(), &SignInJob::statusChanged);
    QSignalSpy finished(job.get(), &SignInJob::finished);
    job->start();
    QCOMPARE(finished.count(), 0); // never synchronously
    QCOMPARE(code.count(), 0);

    QVERIFY(code.wait(10000));
    const QString userCode = code.first().at(0).toString();
    QVERIFY2(userCode.startsWith(QLatin1String("WDJB-")), qPrintable(userCode));
    QCOMPARE(code.first().at(1).toUrl(),
             QUrl(m_authority->issuer().toString() + QStringLiteral("/verify")));
    QCOMPARE(code.first().at(2).toUrl().query(), QStringLiteral("user_code=") + userCode);
    QVERIFY(code.first().at(3).toDateTime() > m_clock.nowUtc().addSecs(500));

    QTRY_VERIFY_WITH_TIMEOUT(status.count() >= 2, 5000);
    QCOMPARE(status.first().at(0).toString(), QStringLiteral("pending"));
    QCOMPARE(finished.count(), 0);
    m_authority->approve(userCode);
    QVERIFY(finishes(job.get(), finished));

    QVERIFY2(job->result(), qPrintable(job->result() ? QString() : job->result().error().detail));
    const SignInResult &result = *job->result();
    QVERIFY(result.refreshTokenStored);
    QVERIFY(result.credential.accessToken.exposeUtf8().startsWith(QLatin1String("at-")));
    QCOMPARE(result.credential.tokenType, QStringLiteral("Bearer"));
    QVERIFY(result.credential.expiresAt > m_clock.nowUtc().addSecs(3500));
    const QByteArray stored = m_keychain->value(
        kService, secretKey(m_profile.id, kEnv, QStringLiteral("refresh_token")));
    QVERIFY(!stored.isEmpty());
    QVERIFY(m_authority->isRefreshTokenValid(QString::fromUtf8(stored)));
}

void tst_SignInJob::beforeStoreRunsFirstAndCanRefuse()
{
    FakeAuthority::Options options;
    options.autoApproveAfterPolls = 1;
    m_authority = std::make_unique<FakeAuthority>(options);
    QVERIFY(m_authority->listen());

    // Accepting: called once, told a refresh token comes, before the keychain has it.
    auto job = makeJob();
    QList<bool> calls;
    QByteArray storedWhenCalled = "unset";
    const QString key = secretKey(m_profile.id, kEnv, QStringLiteral("refresh_token"));
    job->setBeforeStore([&](bool storesRefreshToken) -> Result<void> {
        calls << storesRefreshToken;
        storedWhenCalled = m_keychain->value(kService, key);
        return {};
    });
    QSignalSpy finished(job.get(), &SignInJob::finished);
    job->start();
    QVERIFY(finishes(job.get(), finished));
    QVERIFY(job->result());
    QCOMPARE(calls, QList<bool> {true});
    QCOMPARE(storedWhenCalled, QByteArray());
    QVERIFY(!m_keychain->value(kService, key).isEmpty());

    // Refusing: the job ends with that error and writes nothing.
    m_profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_ids << m_profile.id;
    job = makeJob();
    job->setBeforeStore([](bool) -> Result<void> {
        return Error {ErrorCode::NotFound, QStringLiteral("sso/DEV was removed while signing in")};
    });
    QSignalSpy refused(job.get(), &SignInJob::finished);
    job->start();
    QVERIFY(finishes(job.get(), refused));
    QVERIFY(!job->result());
    QCOMPARE(job->result().error().code, ErrorCode::NotFound);
    QCOMPARE(
        m_keychain->value(kService, secretKey(m_profile.id, kEnv, QStringLiteral("refresh_token"))),
        QByteArray());
}

void tst_SignInJob::deniedStoresNothing()
{
    auto job = makeJob();
    connect(job.get(), &SignInJob::userCodeReady, m_authority.get(),
            [this](const QString &userCode) { m_authority->deny(userCode); });
    QSignalSpy finished(job.get(), &SignInJob::finished);
    job->start();
    QVERIFY(finishes(job.get(), finished));
    QVERIFY(!job->result());
    QCOMPARE(job->result().error().code, ErrorCode::Rejected);
    QCOMPARE(job->result().error().reason, QStringLiteral("access_denied"));
    QCOMPARE(
        m_keychain->value(kService, secretKey(m_profile.id, kEnv, QStringLiteral("refresh_token"))),
        QByteArray());
}

void tst_SignInJob::cancelStopsPolling()
{
    auto job = makeJob();
    QSignalSpy status(job.get(), &SignInJob::statusChanged);
    QSignalSpy finished(job.get(), &SignInJob::finished);
    job->start();
    QTRY_VERIFY_WITH_TIMEOUT(status.count() >= 2, 10000); // polling
    job->cancel();
    QCOMPARE(finished.count(), 1); // at once
    QCOMPARE(job->result().error().code, ErrorCode::Cancelled);
    job->cancel(); // again: nothing
    // The poller is gone with its timer and its request: nothing is left to poll again.
    QTRY_VERIFY_WITH_TIMEOUT(job->findChildren<DeviceFlowJob *>().isEmpty(), 10000);
    QCOMPARE(finished.count(), 1);
}

void tst_SignInJob::cancelBeforeItBegins()
{
    auto job = makeJob();
    QSignalSpy finished(job.get(), &SignInJob::finished);
    job->start();
    job->cancel();
    QCOMPARE(finished.count(), 1);
    QCoreApplication::processEvents(); // the queued start runs, and must do nothing
    QCOMPARE(finished.count(), 1);
    QVERIFY(job->findChildren<OAuthClientJob *>().isEmpty()); // no discovery begun
    QCOMPARE(m_authority->server().requestCount(), 0);
}

void tst_SignInJob::noDeviceEndpoint()
{
    Environment env = environment();
    env.issuer.clear();
    env.tokenUrl = QUrl(m_authority->issuer().toString() + QStringLiteral("/token"));
    auto job = makeJob(&env);
    QSignalSpy finished(job.get(), &SignInJob::finished);
    job->start();
    QVERIFY(finishes(job.get(), finished));
    QVERIFY(!job->result());
    QCOMPARE(job->result().error().code, ErrorCode::Invalid);
    QVERIFY2(
        job->result().error().detail.contains(QLatin1String("no device authorization endpoint")),
        qPrintable(job->result().error().detail));
    QCOMPARE(m_authority->server().requestCount(), 0);
}

void tst_SignInJob::recordInConfig()
{
    auto job = makeJob();
    Config config;
    Profile other;
    other.id = QStringLiteral("other-id");
    other.name = QStringLiteral("other");
    config.profiles = {other, m_profile};
    config.profiles[1].name = QStringLiteral("renamed meanwhile"); // found by id

    auto changed = job->recordInConfig(config, true);
    QVERIFY(changed);
    QVERIFY(*changed);
    QCOMPARE(config.profiles.at(1).secretIndex, QStringList {QStringLiteral("DEV/refresh_token")});
    changed = job->recordInConfig(config, true); // indexed already
    QVERIFY(changed);
    QVERIFY(!*changed);
    Config untouched = config;
    changed = job->recordInConfig(untouched, false); // no refresh token: only the checks
    QVERIFY(changed && !*changed);
    QCOMPARE(untouched, config);

    config.profiles[1].environments.clear();
    changed = job->recordInConfig(config, true);
    QVERIFY(!changed);
    QCOMPARE(changed.error().code, ErrorCode::NotFound);
    QVERIFY(changed.error().detail.contains(QLatin1String("sso/DEV was removed while signing in")));
    config.profiles.removeLast();
    QVERIFY(!job->recordInConfig(config, true));
}

QTEST_GUILESS_MAIN(tst_SignInJob)
#include "tst_signinjob.moc"
