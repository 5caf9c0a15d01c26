// TokenEngine end to end: a real QNetworkAccessManager against the loopback server, an
// in-memory keychain (MemorySecretBackend; the real keychain's quirks are tst_secretstore's), and a
// ManualClock for every instant the engine reasons about (DESIGN §4).
#include "../support/memorysecretbackend.h"
#include "../support/testhttpserver.h"
#include "core/model/config.h"
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "core/util/randomsource.h"
#include "core/workspace/persistjob.h"
#include "tests/support/secretjobs.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

#include <list>
#include <memory>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::ErrorCode)
Q_DECLARE_METATYPE(TokenTray::TokenState)
Q_DECLARE_METATYPE(TokenTray::Grant)

namespace {

const QString kService = QStringLiteral("tokentray-test-engine");
const QString kEnv = QStringLiteral("QA");
const QString kClientId = QStringLiteral("engine-client");
const QByteArray kClientSecret = "s3cret+/=";
const QDateTime kStart(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);
constexpr qint64 kMinute = 60 * 1000;

QByteArray tokenJson(const QByteArray &token, qint64 expiresIn = 3600)
{
    return R"({"access_token":")" + token + R"(","token_type":"Bearer","expires_in":)"
        + QByteArray::number(expiresIn) + "}";
}

QStringList names(const QList<TokenState> &states)
{
    QStringList out;
    for (TokenState s : states)
        out << tokenStateName(s);
    return out;
}

} // namespace

class tst_TokenEngine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void fetchThenMemoryThenKeychainCache();
    void expiryFromResponse_data();
    void expiryFromResponse();
    void refreshTokenGrantPersistsRotation();
    void clientSecretPost();
    void discoveryFetchedOnceAndUsed_data();
    void discoveryFetchedOnceAndUsed();
    void concurrentAsksShareOneRequest();
    void concurrencyCap_data();
    void concurrencyCap();
    void faults_data();
    void faults();
    void retryAfterIsHonoured();
    void askWhileBackingOffAnswersAtOnce_data();
    void askWhileBackingOffAnswersAtOnce();
    void askDeadline_data();
    void askDeadline();
    void advisoryServesNowAndRefreshesInBackground();
    void eagerRefreshBeforeExpiry();
    void eagerWithoutTokenFetchesAtStart();
    void eagerFailureDoesNotSpin();
    void resumeAfterSleepRefreshesWithinAHeartbeat();
    void stateSequenceOfARefresh();
    void signInRequiredOnceForRepeatedInvalidGrant();
    void invalidateRefreshesOnce();
    void unknownProfileIsNotFound();
    void lockedKeychainIsLockedNotMissing();
    void eagerBackingOffDoesNotSpin();
    void eagerQueuedDoesNotSpin();
    void shortLifetimeIsAServerError();
    void eagerRefreshHasAMinimumInterval();
    void askAfterAnOutageTriesAgain();
    void retryAfterIsCappedAndAsksFailFast();
    void backoffJitterComesFromTheRandomSource();
    void tokenIssuedInTheFutureIsRefreshed();
    void rotatedRefreshTokenSurvivesALockedKeychain();
    void eagerRecoversFromALockWithoutAnAsk();
    void forgetCancelsARefreshUnderWay();
    void persistWaitsForARefreshUnderWay();

private:
    QString newId();
    Profile makeProfile(const QString &id, const QUrl &tokenUrl,
                        Grant grant = Grant::ClientCredentials,
                        RefreshPolicy refresh = RefreshPolicy::Deferred) const;
    static Config configOf(const QList<Profile> &profiles, int maxConcurrency = 8);
    TokenEngine::Options fastOptions() const;
    FetchServices services(SecretStore *store = nullptr) const;
    std::unique_ptr<TokenEngine> makeEngine(const Config &config,
                                            const TokenEngine::Options &options,
                                            SecretStore *store = nullptr);
    bool storeSecrets(const QList<std::pair<QString, QByteArray>> &items,
                      SecretStore *store = nullptr);
    bool storeClientSecret(const QString &id);
    void serveTokens(const QByteArray &path, int delayMs = 0, qint64 expiresIn = 3600);
    Credential tokenExpiringIn(qint64 msLeft, const QByteArray &token = "old-token",
                               qint64 lifetimeMs = 3600000) const;
    static Result<Credential> await(TokenAsk *ask, int waitMs = 15000);
    void driveAttempts(TokenEngine *engine, const QString &id, const QSignalSpy &states,
                       int attempts);
    static int count(const QSignalSpy &spy, const QString &id,
                     std::optional<TokenState> state = std::nullopt);
    static QList<TokenState> statesOf(const QSignalSpy &spy, const QString &id);

    std::unique_ptr<TestHttpServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    MemorySecretBackend m_keychain;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<DiscoveryCache> m_discovery;
    std::unique_ptr<ManualClock> m_clock;
    std::list<std::unique_ptr<SecretStore>> m_extraStores;
    QStringList m_ids;
    quint16 m_deadPort = 0;
    int m_httpTimeoutMs = 5000;
    qint64 m_defaultLifetime = 3600;
    int m_issued = 0;
};

// ---- fixture -----------------------------------------------------------------------------------

void tst_TokenEngine::initTestCase()
{
    QVERIFY2(!m_keychain.isLocked(), "the keychain must start unlocked");
}

void tst_TokenEngine::init()
{
    m_server = std::make_unique<TestHttpServer>();
    QVERIFY(m_server->listen());
    {
        TestHttpServer gone;
        QVERIFY(gone.listen());
        m_deadPort = gone.port();
    } // nothing listens there any more: connection refused
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_secrets = std::make_unique<SecretStore>(&m_keychain, kService);
    m_discovery = std::make_unique<DiscoveryCache>();
    m_clock = std::make_unique<ManualClock>(kStart);
    m_httpTimeoutMs = 5000;
    m_defaultLifetime = 3600;
    m_issued = 0;
    m_ids.clear();
}

void tst_TokenEngine::cleanup()
{
    m_keychain.setLocked(false);
    // Let keychain writes already under way land before the items are removed.
    auto idle = [](SecretStore *s) {
        return s->findChildren<SecretJob *>().isEmpty();
    };
    QTRY_VERIFY_WITH_TIMEOUT(idle(m_secrets.get()), 30000);
    for (const auto &s : m_extraStores)
        QTRY_VERIFY_WITH_TIMEOUT(idle(s.get()), 30000);
    m_extraStores.clear();
    m_secrets.reset();
    m_nam.reset();
    m_server.reset();
    m_keychain.clear(); // nothing of a test stays in the keychain
}

QString tst_TokenEngine::newId()
{
    const QString id = QStringLiteral("eng-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
    m_ids << id;
    return id;
}

Profile tst_TokenEngine::makeProfile(const QString &id, const QUrl &tokenUrl, Grant grant,
                                     RefreshPolicy refresh) const
{
    Profile p;
    p.id = id;
    p.name = id;
    p.kind = ProfileKind::OAuth2;
    p.grant = grant;
    p.refresh = refresh;
    Environment env;
    env.name = kEnv;
    env.tokenUrl = tokenUrl;
    env.clientId = kClientId;
    env.scopes = {QStringLiteral("api.read")};
    p.environments = {env};
    p.activeEnvironment = kEnv;
    return p;
}

Config tst_TokenEngine::configOf(const QList<Profile> &profiles, int maxConcurrency)
{
    Config c;
    c.profiles = profiles;
    c.settings.maxConcurrency = maxConcurrency;
    return c;
}

TokenEngine::Options tst_TokenEngine::fastOptions() const
{
    TokenEngine::Options o;
    o.maxAttempts = 3;
    o.backoffBaseMs = 20;
    o.backoffCapMs = 200;
    o.askTimeoutMs = 5000;
    o.eagerJitterMaxMs = 0;
    return o;
}

FetchServices tst_TokenEngine::services(SecretStore *store) const
{
    FetchServices s;
    s.nam = m_nam.get();
    s.secrets = store ? store : m_secrets.get();
    s.discovery = m_discovery.get();
    s.clock = m_clock.get();
    s.httpTimeoutMs = m_httpTimeoutMs;
    s.defaultLifetimeSeconds = m_defaultLifetime;
    return s;
}

std::unique_ptr<TokenEngine> tst_TokenEngine::makeEngine(const Config &config,
                                                         const TokenEngine::Options &options,
                                                         SecretStore *store)
{
    auto engine = std::make_unique<TokenEngine>(services(store));
    engine->setOptions(options);
    engine->setConfig(config);
    return engine;
}

bool tst_TokenEngine::storeSecrets(const QList<std::pair<QString, QByteArray>> &items,
                                   SecretStore *store)
{
    return TestEnv::writeSecrets(store ? store : m_secrets.get(), items, 60000);
}

bool tst_TokenEngine::storeClientSecret(const QString &id)
{
    return storeSecrets({{secretKey(id, kEnv, QStringLiteral("client_secret")), kClientSecret}});
}

void tst_TokenEngine::serveTokens(const QByteArray &path, int delayMs, qint64 expiresIn)
{
    m_server->setHandler(path, [this, delayMs, expiresIn](const RecordedRequest &) {
        ++m_issued;
        return ScriptedReply::json(200, tokenJson("tok-" + QByteArray::number(m_issued), expiresIn))
            .withDelay(delayMs);
    });
}

Credential tst_TokenEngine::tokenExpiringIn(qint64 msLeft, const QByteArray &token,
                                            qint64 lifetimeMs) const
{
    Credential c;
    c.accessToken = Secret(token);
    c.tokenType = QStringLiteral("Bearer");
    c.expiresAt = m_clock->nowUtc().addMSecs(msLeft);
    c.issuedAt = c.expiresAt.addMSecs(-lifetimeMs);
    return c;
}

Result<Credential> tst_TokenEngine::await(TokenAsk *ask, int waitMs)
{
    ask->setAutoDelete(false);
    QSignalSpy spy(ask, &TokenAsk::finished);
    if (!ask->isFinished() && !spy.wait(waitMs))
        return Error {ErrorCode::Internal, QStringLiteral("the ask did not finish")};
    const Result<Credential> r = ask->result();
    delete ask;
    return r;
}

int tst_TokenEngine::count(const QSignalSpy &spy, const QString &id,
                           std::optional<TokenState> state)
{
    int n = 0;
    for (const QList<QVariant> &args : spy) {
        if (args.at(0).toString() == id && (!state || args.at(2).value<TokenState>() == *state))
            ++n;
    }
    return n;
}

QList<TokenState> tst_TokenEngine::statesOf(const QSignalSpy &spy, const QString &id)
{
    QList<TokenState> out;
    for (const QList<QVariant> &args : spy) {
        if (args.at(0).toString() == id)
            out << args.at(2).value<TokenState>();
    }
    return out;
}

// Lets `attempts` refresh attempts run one after the other: waits for each to end, then moves
// the ManualClock to the engine's next due instant (the backoff) so the retry starts.
void tst_TokenEngine::driveAttempts(TokenEngine *engine, const QString &id,
                                    const QSignalSpy &states, int attempts)
{
    for (int i = 1; i <= attempts; ++i) {
        QTRY_COMPARE_WITH_TIMEOUT(count(states, id, TokenState::Refreshing), i, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(engine->state(id, kEnv) != TokenState::Refreshing, 15000);
        if (i == attempts)
            break;
        QVERIFY2(engine->nextWakeUp().isValid(), "no retry was scheduled");
        const qint64 wait = m_clock->nowUtc().msecsTo(engine->nextWakeUp());
        QVERIFY2(wait >= 0 && wait <= fastOptions().backoffCapMs,
                 qPrintable(QString::number(wait)));
        m_clock->setNow(engine->nextWakeUp());
        engine->reevaluate();
    }
}

// ---- tests -------------------------------------------------------------------------------------

void tst_TokenEngine::fetchThenMemoryThenKeychainCache()
{
    const QString id = newId();
    serveTokens("/token");
    QVERIFY(storeClientSecret(id));
    const Config config = configOf({makeProfile(id, m_server->url("/token"))});
    auto engine = makeEngine(config, fastOptions());

    const auto first = await(engine->ask(id, kEnv));
    QVERIFY2(first, qPrintable(first ? QString() : first.error().detail));
    QCOMPARE(first->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(m_server->requestCount("/token"), 1);
    const RecordedRequest sent = m_server->requests("/token").first();
    QCOMPARE(sent.form().value("grant_type"), QStringLiteral("client_credentials"));
    QCOMPARE(sent.form().value("scope"), QStringLiteral("api.read"));
    QCOMPARE(sent.header("authorization"), basicAuthorization(kClientId, Secret(kClientSecret)));
    QCOMPARE(engine->state(id, kEnv), TokenState::Fresh);

    // From memory: nothing on the wire.
    for (int i = 0; i < 3; ++i) {
        const auto again = await(engine->ask(id, kEnv));
        QVERIFY(again);
        QCOMPARE(again->accessToken.expose(), QByteArray("tok-1"));
    }
    QCOMPARE(m_server->requestCount(), 1);

    // The token cache item reached the keychain.
    const QString cacheKey = secretKey(id, kEnv, QStringLiteral("token_cache"));
    QTRY_VERIFY_WITH_TIMEOUT(!m_keychain.value(kService, cacheKey).isEmpty(), 10000);
    const auto cached = Credential::fromCacheBytes(m_keychain.value(kService, cacheKey));
    QVERIFY(cached);
    QCOMPARE(cached->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(cached->expiresAt, first->expiresAt);

    // A new engine (a restart) with a store that has nothing in memory reuses it.
    auto *store
        = m_extraStores.emplace_back(std::make_unique<SecretStore>(&m_keychain, kService)).get();
    auto restarted = makeEngine(config, fastOptions(), store);
    const auto reused = await(restarted->ask(id, kEnv));
    QVERIFY(reused);
    QCOMPARE(reused->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(reused->expiresAt, first->expiresAt);
    QCOMPARE(restarted->state(id, kEnv), TokenState::Fresh);
    QCOMPARE(m_server->requestCount(), 1);
}

void tst_TokenEngine::expiryFromResponse_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QDateTime>("expiresAt");

    QTest::newRow("expires_in") << tokenJson("tok", 1234) << kStart.addSecs(1234);
    const qint64 exp = kStart.toSecsSinceEpoch() + 5000;
    const QByteArray jwt
        = QByteArray(R"({"alg":"none"})")
              .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
        + '.'
        + QByteArray(R"({"exp":)" + QByteArray::number(exp) + "}")
              .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
        + '.';
    QTest::newRow("JWT exp without expires_in")
        << QByteArray(R"({"access_token":")" + jwt + R"("})")
        << QDateTime::fromSecsSinceEpoch(exp, Qt::UTC);
    QTest::newRow("default lifetime")
        << QByteArray(R"({"access_token":"opaque"})") << kStart.addSecs(777);
}

void tst_TokenEngine::expiryFromResponse()
{
    QFETCH(QByteArray, body);
    QFETCH(QDateTime, expiresAt);
    m_defaultLifetime = 777;
    const QString id = newId();
    m_server->setDefault("/token", ScriptedReply::json(200, body));
    QVERIFY(storeClientSecret(id));
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), fastOptions());

    const auto r = await(engine->ask(id, kEnv));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    QCOMPARE(r->expiresAt, expiresAt);
    QCOMPARE(r->issuedAt, kStart); // the send time by the injected clock
    QCOMPARE(engine->credential(id, kEnv)->expiresAt, expiresAt);
    // The state follows the same clock: one ms before expiry it is Mandatory, at expiry Expired.
    m_clock->setNow(expiresAt.addMSecs(-1));
    QCOMPARE(engine->state(id, kEnv), TokenState::Mandatory);
    m_clock->setNow(expiresAt);
    QCOMPARE(engine->state(id, kEnv), TokenState::Expired);
}

void tst_TokenEngine::refreshTokenGrantPersistsRotation()
{
    const QString id = newId();
    const QString refreshKey = secretKey(id, kEnv, QStringLiteral("refresh_token"));
    m_server->setDefault("/token",
                         ScriptedReply::json(200,
                                             R"({"access_token":"at-2","expires_in":3600,)"
                                             R"("refresh_token":"rt-rotated"})"));
    QVERIFY(storeSecrets({{refreshKey, "rt-original"}}));
    auto engine = makeEngine(
        configOf({makeProfile(id, m_server->url("/token"), Grant::RefreshToken)}), fastOptions());

    const auto r = await(engine->ask(id, kEnv));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    QCOMPARE(r->accessToken.expose(), QByteArray("at-2"));
    const RecordedRequest sent = m_server->requests("/token").value(0);
    QCOMPARE(sent.form().value("grant_type"), QStringLiteral("refresh_token"));
    QCOMPARE(sent.form().value("refresh_token"), QStringLiteral("rt-original"));
    QCOMPARE(sent.form().value("client_id"), kClientId); // a public client: no secret stored
    QVERIFY(sent.header("authorization").isEmpty());
    // The rotated refresh token is persisted before the credential is reported.
    QCOMPARE(m_keychain.value(kService, refreshKey), QByteArray("rt-rotated"));
}

void tst_TokenEngine::clientSecretPost()
{
    const QString id = newId();
    serveTokens("/token");
    QVERIFY(storeClientSecret(id));
    Profile p = makeProfile(id, m_server->url("/token"));
    p.environments[0].clientAuth = QStringLiteral("post");
    auto engine = makeEngine(configOf({p}), fastOptions());
    const auto r = await(engine->ask(id, kEnv));
    QVERIFY(r);
    const RecordedRequest sent = m_server->requests("/token").value(0);
    QCOMPARE(sent.form().value("client_id"), kClientId);
    QCOMPARE(sent.form().value("client_secret"),
             QString::fromLatin1(kClientSecret)); // '+', '/', '=' intact
    QVERIFY(sent.header("authorization").isEmpty());
}

void tst_TokenEngine::discoveryFetchedOnceAndUsed_data()
{
    QTest::addColumn<QString>("issuerPath");
    QTest::addColumn<QByteArray>("documentPath");
    QTest::newRow("OpenID Connect")
        << "/realm" << QByteArray("/realm/.well-known/openid-configuration");
    QTest::newRow("RFC 8414 fallback")
        << "/realm" << QByteArray("/.well-known/oauth-authorization-server/realm");
}

void tst_TokenEngine::discoveryFetchedOnceAndUsed()
{
    QFETCH(QString, issuerPath);
    QFETCH(QByteArray, documentPath);
    const QString issuer = m_server->url(issuerPath).toString();
    m_server->setDefault(
        documentPath,
        ScriptedReply::json(200,
                            R"({"issuer":")" + issuer.toUtf8() + R"(","token_endpoint":")"
                                + m_server->url("/realm/token").toEncoded() + R"("})"));
    serveTokens("/realm/token");
    QList<Profile> profiles;
    QList<std::pair<QString, QByteArray>> secrets;
    for (int i = 0; i < 2; ++i) {
        const QString id = newId();
        Profile p = makeProfile(id, QUrl());
        p.environments[0].issuer = QUrl(issuer);
        profiles << p;
        secrets.append({secretKey(id, kEnv, QStringLiteral("client_secret")), kClientSecret});
    }
    QVERIFY(storeSecrets(secrets));
    auto engine = makeEngine(configOf(profiles), fastOptions());
    for (const Profile &p : std::as_const(profiles)) {
        const auto r = await(engine->ask(p.id, kEnv));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    }
    QCOMPARE(m_server->requestCount(documentPath), 1); // the second profile used the cache
    QCOMPARE(m_server->requestCount("/realm/token"), 2);
}

void tst_TokenEngine::concurrentAsksShareOneRequest()
{
    const QString id = newId();
    serveTokens("/token", 150);
    QVERIFY(storeClientSecret(id));
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), fastOptions());

    QList<TokenAsk *> asks;
    for (int i = 0; i < 50; ++i) {
        asks << engine->ask(id, kEnv);
        asks.last()->setAutoDelete(false);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(asks.cbegin(), asks.cend(), [](TokenAsk *a) { return a->isFinished(); }),
        10000);
    for (TokenAsk *a : std::as_const(asks)) {
        QVERIFY(a->result());
        QCOMPARE(a->result()->accessToken.expose(), QByteArray("tok-1"));
    }
    qDeleteAll(asks);
    QCOMPARE(m_server->requestCount("/token"), 1);
    QCOMPARE(engine->peakRequestsInFlight(), 1);
}

void tst_TokenEngine::concurrencyCap_data()
{
    QTest::addColumn<int>("profiles");
    QTest::addColumn<int>("cap");
    QTest::addColumn<int>("delayMs");
    QTest::addColumn<bool>("saturates"); // the server is slow enough that the cap is always reached
    QTest::newRow("200 profiles, cap 8") << 200 << 8 << 20 << false;
    QTest::newRow("64 profiles, cap 8, slow server") << 64 << 8 << 300 << true;
    QTest::newRow("40 profiles, cap 3, slow server") << 40 << 3 << 300 << true;
}

void tst_TokenEngine::concurrencyCap()
{
    QFETCH(int, profiles);
    QFETCH(int, cap);
    QFETCH(int, delayMs);
    QFETCH(bool, saturates);
    serveTokens("/token", delayMs);
    // Two host names for the one server: Qt opens at most six connections per host, which
    // alone would keep the server below a cap of 8 and prove nothing.
    QList<Profile> list;
    QList<std::pair<QString, QByteArray>> secrets;
    for (int i = 0; i < profiles; ++i) {
        const QString id = newId();
        QUrl url = m_server->url("/token");
        if (i % 2)
            url.setHost(QStringLiteral("localhost"));
        list << makeProfile(id, url);
        secrets.append({secretKey(id, kEnv, QStringLiteral("client_secret")), kClientSecret});
    }
    QVERIFY(storeSecrets(secrets));
    TokenEngine::Options options = fastOptions();
    options.askTimeoutMs = 60000;
    auto engine = makeEngine(configOf(list, cap), options);
    QCOMPARE(engine->options().maxConcurrency, cap);

    QList<TokenAsk *> asks;
    for (const Profile &p : std::as_const(list)) {
        asks << engine->ask(p.id, kEnv);
        asks.last()->setAutoDelete(false);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(asks.cbegin(), asks.cend(), [](TokenAsk *a) { return a->isFinished(); }),
        60000);
    int ok = 0;
    for (TokenAsk *a : std::as_const(asks))
        ok += a->result() ? 1 : 0;
    qDeleteAll(asks);
    QCOMPARE(ok, profiles);
    QCOMPARE(m_server->requestCount("/token"), profiles);
    qInfo("peak: %d at the server, %d in the engine", m_server->peakOutstanding(),
          engine->peakRequestsInFlight());
    QVERIFY2(m_server->peakOutstanding() <= cap,
             qPrintable(QString::number(m_server->peakOutstanding())));
    QVERIFY(m_server->peakOutstanding() >= 2); // requests did overlap
    QVERIFY2(engine->peakRequestsInFlight() <= cap,
             qPrintable(QString::number(engine->peakRequestsInFlight())));
    if (saturates) {
        QCOMPARE(engine->peakRequestsInFlight(), cap);
        QVERIFY2(m_server->peakOutstanding() >= cap - 1,
                 qPrintable(QString::number(m_server->peakOutstanding())));
    }
    QCOMPARE(engine->requestsInFlight(), 0);
}

void tst_TokenEngine::faults_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<Grant>("grant");
    QTest::addColumn<bool>("oldToken");
    QTest::addColumn<int>("attempts"); // refresh attempts the engine makes
    QTest::addColumn<int>("requests"); // requests the server sees
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<TokenState>("state");

    const Grant cc = Grant::ClientCredentials;
    // maxAttempts is 3 (fastOptions) for transient failures; Parse counts as transient.
    QTest::newRow("HTTP 500") << "500" << cc << true << 3 << 3 << ErrorCode::HttpStatus
                              << TokenState::Error;
    QTest::newRow("HTTP 502") << "502" << cc << true << 3 << 3 << ErrorCode::HttpStatus
                              << TokenState::Error;
    QTest::newRow("HTTP 503 Retry-After 0")
        << "503" << cc << true << 3 << 3 << ErrorCode::HttpStatus << TokenState::Error;
    QTest::newRow("HTTP 429 Retry-After 0")
        << "429" << cc << true << 3 << 3 << ErrorCode::HttpStatus << TokenState::Error;
    QTest::newRow("connection refused")
        << "refused" << cc << true << 3 << 0 << ErrorCode::Network << TokenState::Error;
    QTest::newRow("hang past timeout")
        << "hang" << cc << true << 3 << 3 << ErrorCode::Timeout << TokenState::Error;
    QTest::newRow("closed mid-body")
        << "closeMidBody" << cc << true << 3 << 3 << ErrorCode::Network << TokenState::Error;
    QTest::newRow("non-JSON body")
        << "notJson" << cc << true << 3 << 3 << ErrorCode::Parse << TokenState::Error;
    QTest::newRow("JSON with wrong types")
        << "wrongTypes" << cc << true << 3 << 3 << ErrorCode::Parse << TokenState::Error;
    QTest::newRow("missing access_token")
        << "missingAccessToken" << cc << true << 3 << 3 << ErrorCode::Parse << TokenState::Error;
    QTest::newRow("10 MB body") << "tooLarge" << cc << true << 3 << 3 << ErrorCode::Parse
                                << TokenState::Error;
    QTest::newRow("302 redirect") << "redirect" << cc << true << 1 << 1 << ErrorCode::HttpStatus
                                  << TokenState::Error;
    QTest::newRow("400 invalid_client") << "invalid_client" << cc << true << 1 << 1
                                        << ErrorCode::Rejected << TokenState::SignInRequired;
    QTest::newRow("400 invalid_grant (refresh_token grant)")
        << "invalid_grant" << Grant::RefreshToken << true << 1 << 1 << ErrorCode::InvalidGrant
        << TokenState::SignInRequired;
    QTest::newRow("no old token: HTTP 503")
        << "503" << cc << false << 3 << 3 << ErrorCode::HttpStatus << TokenState::Error;
    QTest::newRow("no old token: 400 invalid_client")
        << "invalid_client" << cc << false << 1 << 1 << ErrorCode::Rejected
        << TokenState::SignInRequired;
}

void tst_TokenEngine::faults()
{
    QFETCH(QString, fault);
    QFETCH(Grant, grant);
    QFETCH(bool, oldToken);
    QFETCH(int, attempts);
    QFETCH(int, requests);
    QFETCH(ErrorCode, code);
    QFETCH(TokenState, state);

    m_httpTimeoutMs = 300;
    ScriptedReply reply;
    if (fault == QLatin1String("500"))
        reply = ScriptedReply::json(500, R"({"error":"server_error"})");
    else if (fault == QLatin1String("502"))
        reply = ScriptedReply::json(502, "<html>Bad Gateway</html>");
    else if (fault == QLatin1String("503"))
        reply = ScriptedReply::json(503, "").withHeader("Retry-After", "0");
    else if (fault == QLatin1String("429"))
        reply = ScriptedReply::json(429, R"({"error":"slow_down"})").withHeader("Retry-After", "0");
    else if (fault == QLatin1String("hang"))
        reply.behaviour = ScriptedReply::Behaviour::Hang;
    else if (fault == QLatin1String("closeMidBody")) {
        reply = ScriptedReply::json(200, tokenJson("never-complete-token-value-of-some-length"));
        reply.behaviour = ScriptedReply::Behaviour::CloseMidBody;
    } else if (fault == QLatin1String("notJson"))
        reply = ScriptedReply::json(200, "<html><body>Welcome to the hotel wifi</body></html>");
    else if (fault == QLatin1String("wrongTypes"))
        reply = ScriptedReply::json(
            200, R"({"access_token":12345,"token_type":[],"expires_in":"soon"})");
    else if (fault == QLatin1String("missingAccessToken"))
        reply = ScriptedReply::json(200, R"({"token_type":"Bearer","expires_in":3600})");
    else if (fault == QLatin1String("tooLarge"))
        reply = ScriptedReply::json(
            200, R"({"access_token":")" + QByteArray(10 * 1000 * 1000, 'a') + R"("})");
    else if (fault == QLatin1String("redirect")) {
        reply.status = 302;
        reply.headers.append({"Location", m_server->url("/elsewhere").toEncoded()});
        m_server->setDefault("/elsewhere", ScriptedReply::json(200, tokenJson("redirected")));
    } else if (fault == QLatin1String("invalid_client"))
        reply = ScriptedReply::json(400, R"({"error":"invalid_client"})");
    else if (fault == QLatin1String("invalid_grant"))
        reply = ScriptedReply::json(400,
                                    R"({"error":"invalid_grant","error_description":"revoked"})");
    m_server->setDefault("/token", reply);

    const QString id = newId();
    const QString refreshKey = secretKey(id, kEnv, QStringLiteral("refresh_token"));
    QVERIFY(storeClientSecret(id));
    if (grant == Grant::RefreshToken)
        QVERIFY(storeSecrets({{refreshKey, "rt-doomed"}}));
    const QUrl tokenUrl = fault == QLatin1String("refused")
        ? QUrl(QStringLiteral("http://127.0.0.1:%1/token").arg(m_deadPort))
        : m_server->url("/token");
    auto engine = makeEngine(configOf({makeProfile(id, tokenUrl, grant)}), fastOptions());
    QSignalSpy states(engine.get(), &TokenEngine::stateChanged);
    QSignalSpy signIn(engine.get(), &TokenEngine::signInRequired);
    QSignalSpy failed(engine.get(), &TokenEngine::refreshFailed);

    // Still valid for 5 min of its hour, so inside the 10 min mandatory window: usable, but
    // an ask must try to refresh it first.
    const Credential old = tokenExpiringIn(5 * kMinute);
    if (oldToken) {
        engine->adopt(id, kEnv, old);
        QCOMPARE(engine->state(id, kEnv), TokenState::Mandatory);
    }

    TokenAsk *ask = engine->ask(id, kEnv);
    ask->setAutoDelete(false);
    driveAttempts(engine.get(), id, states, attempts);
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY(ask->isFinished());
    const Result<Credential> result = ask->result();
    delete ask;

    QCOMPARE(m_server->requestCount("/token"), requests);
    QCOMPARE(m_server->requestCount("/elsewhere"), 0);
    QCOMPARE(count(states, id, TokenState::Refreshing), attempts);
    if (oldToken) {
        QVERIFY2(result, qPrintable(result ? QString() : result.error().detail));
        QCOMPARE(result->accessToken.expose(), QByteArray("old-token")); // still valid: served
        QCOMPARE(engine->credential(id, kEnv)->accessToken.expose(), QByteArray("old-token"));
    } else {
        QVERIFY(!result);
        QCOMPARE(errorCodeName(result.error().code), errorCodeName(code));
    }
    QVERIFY(engine->lastError(id, kEnv));
    QCOMPARE(errorCodeName(engine->lastError(id, kEnv)->code), errorCodeName(code));
    QCOMPARE(tokenStateName(engine->state(id, kEnv)), tokenStateName(state));
    QVERIFY(!engine->lastError(id, kEnv)->detail.contains(QLatin1String("never-complete")));
    if (state == TokenState::SignInRequired) {
        QCOMPARE(count(signIn, id), 1);
        QCOMPARE(count(failed, id), 0);
    } else {
        QCOMPARE(count(signIn, id), 0);
        QCOMPARE(count(failed, id), 1);
    }
    if (grant == Grant::RefreshToken) {
        // invalid_grant: the refused refresh token is dropped from the keychain.
        QTRY_VERIFY_WITH_TIMEOUT(m_keychain.value(kService, refreshKey).isEmpty(), 10000);
        QCOMPARE(m_keychain.value(kService, secretKey(id, kEnv, QStringLiteral("client_secret"))),
                 kClientSecret);
    }
}

void tst_TokenEngine::retryAfterIsHonoured()
{
    m_server->enqueue("/token", ScriptedReply::json(503, "").withHeader("Retry-After", "120"));
    serveTokens("/token");
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    TokenEngine::Options options = fastOptions();
    options.backoffCapMs = 5 * 60000; // Retry-After is honoured up to the cap
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), options);
    QSignalSpy states(engine.get(), &TokenEngine::stateChanged);
    engine->adopt(id, kEnv, tokenExpiringIn(5 * kMinute));

    TokenAsk *ask = engine->ask(id, kEnv);
    ask->setAutoDelete(false);
    QTRY_COMPARE(count(states, id, TokenState::Refreshing), 1);
    QTRY_COMPARE(engine->state(id, kEnv), TokenState::Error);
    QCOMPARE(engine->lastError(id, kEnv)->retryAfterSeconds, 120);
    // The retry waits for what the server asked, far beyond the first backoff step.
    QCOMPARE(engine->nextWakeUp(), kStart.addSecs(120));
    // It lies beyond the ask's deadline: the ask has the old token, still valid, at once.
    QTRY_VERIFY(ask->isFinished());
    QVERIFY(ask->result());
    QCOMPARE(ask->result()->accessToken.expose(), QByteArray("old-token"));
    delete ask;
    m_clock->setNow(kStart.addSecs(119));
    engine->reevaluate();
    QCOMPARE(engine->state(id, kEnv), TokenState::Error);
    QCOMPARE(m_server->requestCount("/token"), 1);
    // Deferred: the next ask after the wait refreshes.
    m_clock->setNow(kStart.addSecs(120));
    engine->reevaluate();
    const auto r = await(engine->ask(id, kEnv));
    QVERIFY(r);
    QCOMPARE(r->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(m_server->requestCount("/token"), 2);
    QCOMPARE(engine->state(id, kEnv), TokenState::Fresh);
    QVERIFY(!engine->lastError(id, kEnv));
}

void tst_TokenEngine::askWhileBackingOffAnswersAtOnce_data()
{
    QTest::addColumn<bool>("oldToken");
    QTest::newRow("old token still valid") << true;
    QTest::newRow("no token") << false;
}

void tst_TokenEngine::askWhileBackingOffAnswersAtOnce()
{
    // After an exhausted cycle nothing is tried before the long backoff ends: an ask then has
    // nothing to wait for and must not sit out its whole deadline.
    QFETCH(bool, oldToken);
    m_server->setDefault("/token", ScriptedReply::json(503, ""));
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), fastOptions());
    QSignalSpy states(engine.get(), &TokenEngine::stateChanged);
    if (oldToken)
        engine->adopt(id, kEnv, tokenExpiringIn(5 * kMinute));
    TokenAsk *first = engine->ask(id, kEnv);
    first->setAutoDelete(false);
    driveAttempts(engine.get(), id, states, fastOptions().maxAttempts);
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY(first->isFinished());
    delete first;
    QCOMPARE(m_server->requestCount("/token"), fastOptions().maxAttempts);

    // Answered from the backoff at once, with nothing to wait for (not the ask's deadline):
    // done once the events already queued are handled.
    TokenAsk *ask = engine->ask(id, kEnv);
    QCoreApplication::processEvents();
    QVERIFY(ask->isFinished());
    const auto r = await(ask);
    if (oldToken) {
        QVERIFY(r);
        QCOMPARE(r->accessToken.expose(), QByteArray("old-token"));
    } else {
        QVERIFY(!r);
        QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::HttpStatus));
    }
    QCOMPARE(m_server->requestCount("/token"), fastOptions().maxAttempts);
    // When the backoff is over, the next ask tries again.
    m_clock->setNow(engine->nextWakeUp());
    engine->reevaluate();
    TokenAsk *later = engine->ask(id, kEnv);
    QTRY_COMPARE(m_server->requestCount("/token"), fastOptions().maxAttempts + 1);
    delete later;
}

void tst_TokenEngine::askDeadline_data()
{
    QTest::addColumn<bool>("oldToken");
    QTest::newRow("old token still valid") << true;
    QTest::newRow("no token") << false;
}

void tst_TokenEngine::askDeadline()
{
    QFETCH(bool, oldToken);
    ScriptedReply hang;
    hang.behaviour = ScriptedReply::Behaviour::Hang;
    m_server->setDefault("/token", hang);
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    TokenEngine::Options options = fastOptions();
    options.askTimeoutMs = 300;
    m_httpTimeoutMs = 20000; // the refresh outlives the consumer's patience
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), options);
    if (oldToken)
        engine->adopt(id, kEnv, tokenExpiringIn(5 * kMinute));

    // The ask's 300 ms deadline answers it, long before the hanging refresh's 20 s.
    QElapsedTimer elapsed;
    elapsed.start();
    const auto r = await(engine->ask(id, kEnv), 15000);
    QVERIFY2(elapsed.elapsed() >= 250, qPrintable(QString::number(elapsed.elapsed())));
    if (oldToken) {
        QVERIFY(r);
        QCOMPARE(r->accessToken.expose(), QByteArray("old-token"));
    } else {
        QVERIFY(!r);
        QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::Timeout));
    }
    QCOMPARE(engine->state(id, kEnv), TokenState::Refreshing); // the refresh itself goes on
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_TokenEngine::advisoryServesNowAndRefreshesInBackground()
{
    const QString id = newId();
    serveTokens("/token", 100);
    QVERIFY(storeClientSecret(id));
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), fastOptions());
    QSignalSpy refreshed(engine.get(), &TokenEngine::tokenRefreshed);
    engine->adopt(id, kEnv, tokenExpiringIn(12 * kMinute)); // A = 15 min, M = 10 min
    QCOMPARE(engine->state(id, kEnv), TokenState::Advisory);

    int requestsWhenServed = -1;
    TokenAsk *ask = engine->ask(id, kEnv);
    connect(ask, &TokenAsk::finished, this,
            [&] { requestsWhenServed = m_server->requestCount("/token"); });
    const auto r = await(ask);
    QVERIFY(r);
    QCOMPARE(r->accessToken.expose(), QByteArray("old-token"));
    QCOMPARE(requestsWhenServed, 0); // served before the refresh even went out
    QCOMPARE(engine->state(id, kEnv), TokenState::Refreshing);

    // Asked again meanwhile: the same token, and no second refresh.
    const auto again = await(engine->ask(id, kEnv));
    QVERIFY(again);
    QCOMPARE(again->accessToken.expose(), QByteArray("old-token"));

    QTRY_COMPARE(refreshed.count(), 1);
    QCOMPARE(engine->credential(id, kEnv)->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(engine->state(id, kEnv), TokenState::Fresh);
    QCOMPARE(m_server->requestCount("/token"), 1);
    const auto fresh = await(engine->ask(id, kEnv));
    QVERIFY(fresh);
    QCOMPARE(fresh->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_TokenEngine::eagerRefreshBeforeExpiry()
{
    const QString id = newId();
    serveTokens("/token");
    QVERIFY(storeClientSecret(id));
    auto engine = std::make_unique<TokenEngine>(services());
    engine->setOptions(fastOptions());
    const Credential old = tokenExpiringIn(60 * kMinute); // issued now, one hour
    engine->adopt(id, kEnv, old);
    engine->setConfig(configOf({makeProfile(id, m_server->url("/token"), Grant::ClientCredentials,
                                            RefreshPolicy::Eager)}));
    QCOMPARE(engine->state(id, kEnv), TokenState::Fresh);
    // One timer armed for the advisory instant (no jitter in the test options).
    QCOMPARE(engine->nextWakeUp(), old.expiresAt.addMSecs(-15 * kMinute));

    m_clock->setNow(kStart.addMSecs(44 * kMinute));
    engine->reevaluate();
    QCOMPARE(engine->state(id, kEnv), TokenState::Fresh); // not due yet: nothing started
    QCOMPARE(engine->requestsInFlight(), 0);

    m_clock->setNow(kStart.addMSecs(46 * kMinute)); // inside the advisory window
    engine->reevaluate();
    QCOMPARE(engine->state(id, kEnv), TokenState::Refreshing);
    QTRY_COMPARE(m_server->requestCount("/token"), 1);
    QTRY_COMPARE(engine->state(id, kEnv), TokenState::Fresh);
    const Credential fresh = *engine->credential(id, kEnv);
    QCOMPARE(fresh.accessToken.expose(), QByteArray("tok-1"));
    QVERIFY(fresh.issuedAt < old.expiresAt);
    QCOMPARE(fresh.expiresAt, kStart.addMSecs(46 * kMinute).addSecs(3600));
    QCOMPARE(engine->nextWakeUp(), fresh.expiresAt.addMSecs(-15 * kMinute));
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_TokenEngine::eagerWithoutTokenFetchesAtStart()
{
    const QString id = newId();
    serveTokens("/token");
    QVERIFY(storeClientSecret(id));
    QSignalSpy received(m_server.get(), &TestHttpServer::requestReceived);
    auto engine
        = makeEngine(configOf({makeProfile(id, m_server->url("/token"), Grant::ClientCredentials,
                                           RefreshPolicy::Eager)}),
                     fastOptions());
    QVERIFY(received.wait(10000));
    QTRY_COMPARE(engine->state(id, kEnv), TokenState::Fresh);
    QCOMPARE(engine->credential(id, kEnv)->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_TokenEngine::eagerFailureDoesNotSpin()
{
    // A failure that is neither transient nor needs a person (here a redirect) must not make
    // an eager profile retry at once, again and again.
    ScriptedReply redirect;
    redirect.status = 302;
    redirect.headers.append({QByteArray("Location"), QByteArray("http://127.0.0.1:1/elsewhere")});
    m_server->setDefault("/token", redirect);
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    auto engine = std::make_unique<TokenEngine>(services());
    engine->setOptions(fastOptions());
    engine->adopt(id, kEnv, tokenExpiringIn(60 * kMinute));
    engine->setConfig(configOf({makeProfile(id, m_server->url("/token"), Grant::ClientCredentials,
                                            RefreshPolicy::Eager)}));
    QSignalSpy failed(engine.get(), &TokenEngine::refreshFailed);

    m_clock->setNow(kStart.addMSecs(46 * kMinute));
    engine->reevaluate();
    QVERIFY(failed.wait(10000));
    QSignalSpy received(m_server.get(), &TestHttpServer::requestReceived);
    QVERIFY2(!received.wait(500),
             "the eager refresh was retried at once after a permanent failure");
    QCOMPARE(m_server->requestCount("/token"), 1);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(engine->state(id, kEnv), TokenState::Error);
    // It is tried again later, as after an exhausted cycle.
    QVERIFY(engine->nextWakeUp().isValid());
    m_clock->setNow(engine->nextWakeUp());
    engine->reevaluate();
    QTRY_COMPARE(m_server->requestCount("/token"), 2);
}

void tst_TokenEngine::resumeAfterSleepRefreshesWithinAHeartbeat()
{
    const QString id = newId();
    serveTokens("/token");
    QVERIFY(storeClientSecret(id));
    auto engine = std::make_unique<TokenEngine>(services());
    const Credential old = tokenExpiringIn(60 * kMinute);
    engine->adopt(id, kEnv, old);
    engine->setConfig(configOf({makeProfile(id, m_server->url("/token"), Grant::ClientCredentials,
                                            RefreshPolicy::Eager)}));
    TokenEngine::Options options = fastOptions();
    options.heartbeatMs = 200;
    engine->setOptions(options); // (re)starts the heartbeat now
    QSignalSpy received(m_server.get(), &TestHttpServer::requestReceived);
    QElapsedTimer elapsed;
    elapsed.start();

    // The laptop slept for two hours; no timer told the engine, no one calls reevaluate().
    m_clock->advance(2 * 60 * kMinute);
    QCOMPARE(engine->state(id, kEnv), TokenState::Expired);
    QVERIFY(received.wait(5000));
    // Found by the heartbeat (nothing else would ask), and not at once (a spinning timer).
    QVERIFY2(elapsed.elapsed() >= 150, qPrintable(QString::number(elapsed.elapsed())));
    QTRY_COMPARE(engine->state(id, kEnv), TokenState::Fresh);
    QCOMPARE(engine->credential(id, kEnv)->expiresAt,
             kStart.addMSecs(2 * 60 * kMinute).addSecs(3600));
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_TokenEngine::stateSequenceOfARefresh()
{
    const QString id = newId();
    serveTokens("/token", 50);
    QVERIFY(storeClientSecret(id));
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), fastOptions());
    QSignalSpy states(engine.get(), &TokenEngine::stateChanged);
    QSignalSpy refreshed(engine.get(), &TokenEngine::tokenRefreshed);
    engine->adopt(id, kEnv, tokenExpiringIn(60 * kMinute));
    engine->refreshNow(id, kEnv);
    QVERIFY(refreshed.wait(10000));
    QCOMPARE(names(statesOf(states, id)), (QStringList {"fresh", "refreshing", "fresh"}));
    QCOMPARE(refreshed.count(), 1);
    QCOMPARE(engine->credential(id, kEnv)->accessToken.expose(), QByteArray("tok-1"));
}

void tst_TokenEngine::signInRequiredOnceForRepeatedInvalidGrant()
{
    m_server->setDefault("/token", ScriptedReply::json(400, R"({"error":"invalid_grant"})"));
    const QString id = newId();
    const QString refreshKey = secretKey(id, kEnv, QStringLiteral("refresh_token"));
    QVERIFY(storeSecrets({{refreshKey, "rt-revoked"}}));
    auto engine = makeEngine(
        configOf({makeProfile(id, m_server->url("/token"), Grant::RefreshToken)}), fastOptions());
    QSignalSpy signIn(engine.get(), &TokenEngine::signInRequired);

    for (int i = 0; i < 4; ++i) {
        const auto r = await(engine->ask(id, kEnv));
        QVERIFY(!r);
        QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::InvalidGrant));
    }
    QCOMPARE(signIn.count(), 1);
    QCOMPARE(signIn.first().at(0).toString(), id);
    QCOMPARE(signIn.first().at(2).value<Error>().reason, QStringLiteral("invalid_grant"));
    QCOMPARE(m_server->requestCount("/token"), 1); // no retries of a refused grant
    QCOMPARE(engine->state(id, kEnv), TokenState::SignInRequired);
    QCOMPARE(m_keychain.value(kService, refreshKey), QByteArray());
}

void tst_TokenEngine::invalidateRefreshesOnce()
{
    const QString id = newId();
    serveTokens("/token");
    QVERIFY(storeClientSecret(id));
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), fastOptions());
    engine->adopt(id, kEnv, tokenExpiringIn(60 * kMinute, "refused-by-api"));
    engine->invalidate(id, kEnv); // a consumer got 401 with it
    QVERIFY(!engine->credential(id, kEnv));
    const auto r = await(engine->ask(id, kEnv));
    QVERIFY(r);
    QCOMPARE(r->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_TokenEngine::unknownProfileIsNotFound()
{
    auto engine = makeEngine(configOf({}), fastOptions());
    const auto r = await(engine->ask(QStringLiteral("no-such-profile"), kEnv));
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::NotFound);
    QCOMPARE(m_server->requestCount(), 0);
}

void tst_TokenEngine::lockedKeychainIsLockedNotMissing()
{
    const QString id = newId();
    serveTokens("/token");
    QVERIFY(storeClientSecret(id));
    // A store with nothing in memory, as after a restart: every item must come from the keychain.
    auto *store
        = m_extraStores.emplace_back(std::make_unique<SecretStore>(&m_keychain, kService)).get();
    auto engine
        = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), fastOptions(), store);
    QSignalSpy states(engine.get(), &TokenEngine::stateChanged);
    m_keychain.setLocked(true);

    const auto r = await(engine->ask(id, kEnv));
    QVERIFY(!r);
    QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::KeychainLocked));
    QCOMPARE(engine->state(id, kEnv), TokenState::Locked);
    QTRY_COMPARE(count(states, id, TokenState::Locked), 1);
    QCOMPARE(m_server->requestCount(), 0);
    m_keychain.setLocked(false);
    // Nothing was deleted or overwritten meanwhile.
    QCOMPARE(m_keychain.value(kService, secretKey(id, kEnv, QStringLiteral("client_secret"))),
             kClientSecret);

    // Unlocked again, the next ask works.
    const auto after = await(engine->ask(id, kEnv));
    QVERIFY2(after, qPrintable(after ? QString() : after.error().detail));
    QCOMPARE(after->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(engine->state(id, kEnv), TokenState::Fresh);
}

// A timer armed for an instant already past, that then starts nothing, fires again at once:
// 100 % CPU. An eager entry that is backing off, queued or in flight must not count its due
// instant.
void tst_TokenEngine::eagerBackingOffDoesNotSpin()
{
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    auto engine = std::make_unique<TokenEngine>(services());
    TokenEngine::Options options = fastOptions();
    options.backoffBaseMs = 60000; // the retry lies well ahead on the ManualClock
    options.backoffCapMs = 5 * 60000;
    engine->setOptions(options);
    engine->adopt(id, kEnv, tokenExpiringIn(60 * kMinute));
    const QUrl dead(QStringLiteral("http://127.0.0.1:%1/token").arg(m_deadPort));
    engine->setConfig(
        configOf({makeProfile(id, dead, Grant::ClientCredentials, RefreshPolicy::Eager)}));
    QSignalSpy states(engine.get(), &TokenEngine::stateChanged);

    m_clock->setNow(kStart.addMSecs(50 * kMinute)); // past the eager instant (45 min)
    engine->reevaluate();
    QTRY_COMPARE_WITH_TIMEOUT(count(states, id, TokenState::Refreshing), 1, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(engine->state(id, kEnv) != TokenState::Refreshing, 15000);
    QVERIFY(engine->nextWakeUp().isValid());
    QVERIFY2(engine->nextWakeUp() > m_clock->nowUtc(),
             qPrintable(engine->nextWakeUp().toString(Qt::ISODateWithMs)));
    // The old token is still served while the retry waits.
    const auto r = await(engine->ask(id, kEnv));
    QVERIFY(r);
    QCOMPARE(r->accessToken.expose(), QByteArray("old-token"));
}

void tst_TokenEngine::eagerQueuedDoesNotSpin()
{
    // One slot, held by a request that does not answer: the other eager entry waits in the
    // queue with its eager instant already past.
    m_server->setDefault("/slow", ScriptedReply::json(200, tokenJson("slow")).withDelay(60000));
    const QString first = newId();
    const QString second = newId();
    QVERIFY(storeClientSecret(first));
    QVERIFY(storeClientSecret(second));
    auto engine = std::make_unique<TokenEngine>(services());
    engine->setOptions(fastOptions());
    engine->adopt(first, kEnv, tokenExpiringIn(60 * kMinute));
    engine->adopt(second, kEnv, tokenExpiringIn(60 * kMinute));
    engine->setConfig(configOf(
        {makeProfile(first, m_server->url("/slow"), Grant::ClientCredentials, RefreshPolicy::Eager),
         makeProfile(second, m_server->url("/slow"), Grant::ClientCredentials,
                     RefreshPolicy::Eager)},
        1));
    m_clock->setNow(kStart.addMSecs(50 * kMinute));
    engine->reevaluate();
    QCOMPARE(engine->requestsInFlight(), 1);
    QCOMPARE(engine->state(first, kEnv), TokenState::Refreshing);
    QCOMPARE(engine->state(second, kEnv), TokenState::Refreshing); // queued
    QVERIFY2(!engine->nextWakeUp().isValid() || engine->nextWakeUp() > m_clock->nowUtc(),
             qPrintable(engine->nextWakeUp().toString(Qt::ISODateWithMs)));
}

void tst_TokenEngine::shortLifetimeIsAServerError()
{
    m_server->setDefault("/token", ScriptedReply::json(200, tokenJson("instant", 0)));
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    TokenEngine::Options options = fastOptions();
    options.maxAttempts = 1;
    options.backoffCapMs = 5 * 60000;
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), options);
    const auto r = await(engine->ask(id, kEnv));
    QVERIFY(!r);
    QCOMPARE(errorCodeName(r.error().code), errorCodeName(ErrorCode::Parse));
    QVERIFY2(r.error().detail.contains(QLatin1String("valid for 0 s")),
             qPrintable(r.error().detail));
    QVERIFY(!engine->credential(id, kEnv));
    QCOMPARE(engine->state(id, kEnv), TokenState::Error);
    QVERIFY(engine->nextWakeUp().isValid());
    QVERIFY(m_clock->nowUtc().msecsTo(engine->nextWakeUp()) >= 60000);
}

void tst_TokenEngine::eagerRefreshHasAMinimumInterval()
{
    // A three-second token, taken as it is, but an eager profile does not refresh it every two
    // seconds: not before the minimum interval after the last one arrived.
    serveTokens("/token", 0, 3);
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    TokenEngine::Options options = fastOptions();
    options.minEagerIntervalMs = 30000;
    auto engine
        = makeEngine(configOf({makeProfile(id, m_server->url("/token"), Grant::ClientCredentials,
                                           RefreshPolicy::Eager)}),
                     options);
    QTRY_COMPARE_WITH_TIMEOUT(engine->state(id, kEnv), TokenState::Fresh, 15000);
    QCOMPARE(m_server->requestCount("/token"), 1);

    for (const qint64 ms : {2500, 3000, 10000, 29000}) {
        m_clock->setNow(kStart.addMSecs(ms));
        engine->reevaluate();
        QCOMPARE(engine->requestsInFlight(), 0);
        QVERIFY(engine->nextWakeUp() > m_clock->nowUtc());
    }
    m_clock->setNow(kStart.addMSecs(30000));
    engine->reevaluate();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requestCount("/token"), 2, 15000);
}

void tst_TokenEngine::askAfterAnOutageTriesAgain()
{
    // The server is down for one cycle, then back: a consumer asking a few seconds later gets
    // a token, not the error until the five-minute backoff ends.
    int calls = 0;
    m_server->setHandler("/token", [&calls](const RecordedRequest &) {
        return ++calls == 1 ? ScriptedReply::json(503, R"({"error":"temporarily_unavailable"})")
                            : ScriptedReply::json(200, tokenJson("after-outage"));
    });
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    TokenEngine::Options options = fastOptions();
    options.maxAttempts = 1;
    options.backoffCapMs = 5 * 60000;
    options.askRetryFloorMs = 5000;
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), options);

    QVERIFY(!await(engine->ask(id, kEnv)));
    // At once again: the floor keeps a crowd of callers from hammering a server that is down.
    QVERIFY(!await(engine->ask(id, kEnv)));
    QCOMPARE(calls, 1);

    m_clock->advance(5000);
    const auto r = await(engine->ask(id, kEnv));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    QCOMPARE(r->accessToken.expose(), QByteArray("after-outage"));
    QCOMPARE(calls, 2);
}

void tst_TokenEngine::retryAfterIsCappedAndAsksFailFast()
{
    ScriptedReply busy = ScriptedReply::json(503, R"({"error":"temporarily_unavailable"})");
    busy.headers.append({QByteArray("Retry-After"), QByteArray("86400")});
    m_server->setDefault("/token", busy);
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    TokenEngine::Options options = fastOptions();
    options.backoffCapMs = 5 * 60000;
    options.askTimeoutMs = 120000;
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/token"))}), options);

    // The retry lies beyond the ask's deadline: the ask fails now rather than after 120 s.
    const auto r = await(engine->ask(id, kEnv), 60000);
    QVERIFY(!r);
    QVERIFY2(r.error().detail != QLatin1String("the ask did not finish"), "the ask waited");
    QCOMPARE(r.error().httpStatus, 503);
    QCOMPARE(m_server->requestCount("/token"), 1);
    // One day asked, five minutes (the cap) granted.
    QVERIFY(engine->nextWakeUp().isValid());
    QCOMPARE(m_clock->nowUtc().msecsTo(engine->nextWakeUp()), qint64(options.backoffCapMs));
}

// Backoff is the base step times a jitter of 0.8 to 1.2 drawn from the injected source.
void tst_TokenEngine::backoffJitterComesFromTheRandomSource()
{
    m_server->setDefault("/token",
                         ScriptedReply::json(503, R"({"error":"temporarily_unavailable"})"));
    const QList<std::pair<double, qint64>> cases = {{0.0, 48000}, {0.5, 60000}, {0.75, 66000}};
    for (const auto &[fraction, expectedMs] : cases) {
        const QString id = newId();
        QVERIFY(storeClientSecret(id));
        FixedRandomSource random(fraction);
        FetchServices s = services();
        s.random = &random;
        auto engine = std::make_unique<TokenEngine>(s);
        TokenEngine::Options options = fastOptions();
        options.backoffBaseMs = 60000; // the retry lies beyond the ask's deadline
        options.backoffCapMs = 5 * 60000;
        engine->setOptions(options);
        engine->setConfig(configOf({makeProfile(id, m_server->url("/token"))}));
        const auto r = await(engine->ask(id, kEnv), 60000);
        QVERIFY(!r);
        QCOMPARE(r.error().httpStatus, 503);
        QVERIFY(engine->nextWakeUp().isValid());
        QCOMPARE(m_clock->nowUtc().msecsTo(engine->nextWakeUp()), expectedMs);
    }
}

void tst_TokenEngine::tokenIssuedInTheFutureIsRefreshed()
{
    // Fetched while the clock was two hours ahead, then the clock was corrected: its expiry
    // cannot be trusted, whatever it says.
    serveTokens("/token");
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    auto engine = std::make_unique<TokenEngine>(services());
    engine->setOptions(fastOptions());
    Credential skewed = tokenExpiringIn(3 * 60 * kMinute, "from-the-future");
    skewed.issuedAt = m_clock->nowUtc().addMSecs(2 * 60 * kMinute);
    engine->adopt(id, kEnv, skewed);
    engine->setConfig(configOf({makeProfile(id, m_server->url("/token"))}));
    QCOMPARE(engine->state(id, kEnv), TokenState::Expired);

    const auto r = await(engine->ask(id, kEnv, 3600));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    QCOMPARE(r->accessToken.expose(), QByteArray("tok-1"));
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_TokenEngine::rotatedRefreshTokenSurvivesALockedKeychain()
{
    // The provider rotates on every use and the keychain locks while the new refresh token is
    // on its way: it is kept in memory, written once the keychain is back, and the void old
    // one is never sent again.
    const QString id = newId();
    const QString refreshKey = secretKey(id, kEnv, QStringLiteral("refresh_token"));
    QStringList sent;
    bool lockOnNext = true;
    m_server->setHandler("/token", [&](const RecordedRequest &request) {
        const QString used = request.form().value(QStringLiteral("refresh_token"));
        sent << used;
        if (std::exchange(lockOnNext, false))
            m_keychain.setLocked(true);
        const QByteArray next = "rt-" + QByteArray::number(sent.size() + 1);
        if (used != QStringLiteral("rt-%1").arg(sent.size()))
            return ScriptedReply::json(400, R"({"error":"invalid_grant"})");
        return ScriptedReply::json(200,
                                   R"({"access_token":"at-)" + QByteArray::number(sent.size())
                                       + R"(","expires_in":3600,"refresh_token":")" + next
                                       + R"("})");
    });
    QVERIFY(storeSecrets({{refreshKey, "rt-1"}}));
    TokenEngine::Options options = fastOptions();
    options.askTimeoutMs = 60000; // a write to a locked keychain waits for its own deadline
    m_secrets->setTimeout(3000);
    auto engine = makeEngine(
        configOf({makeProfile(id, m_server->url("/token"), Grant::RefreshToken)}), options);

    const auto first = await(engine->ask(id, kEnv));
    QVERIFY2(first, qPrintable(first ? QString() : first.error().detail));
    QCOMPARE(first->accessToken.expose(), QByteArray("at-1"));
    QVERIFY(m_keychain.isLocked());
    QVERIFY(m_secrets->hasUnsaved(refreshKey));
    // Whatever the keychain holds (or the store read before), the kept value is what is used.
    QCOMPARE(m_secrets->cached(refreshKey).value_or(Secret()).expose(), QByteArray("rt-2"));
    m_keychain.setLocked(false);
    // Written by the store's own retry once the keychain answers again.
    QTRY_COMPARE_WITH_TIMEOUT(m_keychain.value(kService, refreshKey), QByteArray("rt-2"), 30000);
    QTRY_VERIFY(!m_secrets->hasUnsaved(refreshKey));

    engine->invalidate(id, kEnv);
    QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 2, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(engine->state(id, kEnv), TokenState::Fresh, 15000);
    QCOMPARE(sent, (QStringList {QStringLiteral("rt-1"), QStringLiteral("rt-2")}));
    QTRY_COMPARE_WITH_TIMEOUT(m_keychain.value(kService, refreshKey), QByteArray("rt-3"), 15000);
}

void tst_TokenEngine::eagerRecoversFromALockWithoutAnAsk()
{
    serveTokens("/token");
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    auto *store
        = m_extraStores.emplace_back(std::make_unique<SecretStore>(&m_keychain, kService)).get();
    m_keychain.setLocked(true);
    TokenEngine::Options options = fastOptions();
    options.heartbeatMs = 200;
    auto engine
        = makeEngine(configOf({makeProfile(id, m_server->url("/token"), Grant::ClientCredentials,
                                           RefreshPolicy::Eager)}),
                     options, store);
    QTRY_COMPARE_WITH_TIMEOUT(engine->state(id, kEnv), TokenState::Locked, 15000);
    m_keychain.setLocked(false);
    // Nobody asks: the heartbeat notices the unlock and the eager profile fetches its token.
    QTRY_COMPARE_WITH_TIMEOUT(engine->state(id, kEnv), TokenState::Fresh, 30000);
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_TokenEngine::forgetCancelsARefreshUnderWay()
{
    // Signing out while a refresh is under way: its answer must not bring the token back.
    m_server->setDefault("/slow", ScriptedReply::json(200, tokenJson("late")).withDelay(60000));
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/slow"))}), fastOptions());
    TokenAsk *ask = engine->ask(id, kEnv);
    ask->setAutoDelete(false);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requestCount("/slow"), 1, 15000);
    QCOMPARE(engine->requestsInFlight(), 1);

    engine->forget(id, kEnv);
    QTRY_VERIFY(ask->isFinished());
    QVERIFY(!ask->result());
    QCOMPARE(errorCodeName(ask->result().error().code), errorCodeName(ErrorCode::Cancelled));
    delete ask;
    QCOMPARE(engine->requestsInFlight(), 0);
    QCOMPARE(engine->state(id, kEnv), TokenState::None);
    QVERIFY(!engine->credential(id, kEnv));
}

void tst_TokenEngine::persistWaitsForARefreshUnderWay()
{
    // Quitting while a refresh is under way: its answer may carry a rotated refresh token, so
    // the writes before quitting wait for it, and then write what it brought.
    m_server->setDefault("/slow", ScriptedReply::json(200, tokenJson("slow-1")).withDelay(500));
    const QString id = newId();
    QVERIFY(storeClientSecret(id));
    auto engine = makeEngine(configOf({makeProfile(id, m_server->url("/slow"))}), fastOptions());
    TokenAsk *ask = engine->ask(id, kEnv);
    ask->setAutoDelete(false);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requestCount("/slow"), 1, 15000);

    PersistJob persist(engine.get(), m_secrets.get());
    persist.setTimeout(30000);
    QSignalSpy done(&persist, &PersistJob::finished);
    persist.start();
    QVERIFY(done.wait(30000));
    QVERIFY(!persist.timedOut());
    QCOMPARE(persist.unsavedCount(), 0);
    QVERIFY(ask->isFinished());
    QVERIFY(ask->result());
    delete ask;
    QCOMPARE(
        m_keychain.value(kService, secretKey(id, kEnv, QStringLiteral("token_cache"))).isEmpty(),
        false);
}

QTEST_GUILESS_MAIN(tst_TokenEngine)
#include "tst_tokenengine.moc"
