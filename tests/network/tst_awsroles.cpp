// AWS kinds through the TokenEngine, end to end: long-term keys from the real keychain, STS
// AssumeRole against the project's fake STS (which checks every SigV4 signature), chaining, MFA
// asked at each refresh (a prompter, an mfa_process command), STS faults, and short-lived
// credentials refreshed before they expire (DESIGN §4, §7).
#include "../support/fakests.h"
#include "../support/memorysecretbackend.h"
#include "../support/testenv.h"
#include "core/aws/mfa.h"
#include "core/model/config.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "tests/support/secretjobs.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <memory>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::ErrorCode)
Q_DECLARE_METATYPE(TokenTray::FakeSts::Fault)

namespace {

const QString kService = QStringLiteral("tokentray-test-awsroles");
const QString kEnv = QStringLiteral("QA");
const QString kKeyId = QStringLiteral("AKIAEXAMPLEKEY000001");
const QByteArray kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const QString kRoleA = QStringLiteral("arn:aws:iam::123456789012:role/Deploy");
const QString kRoleB = QStringLiteral("arn:aws:iam::123456789012:role/Audit");
const QString kMfaSerial = QStringLiteral("arn:aws:iam::123456789012:mfa/alice");
const QDateTime kStart(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);

// Answers every challenge with the next scripted code (or declines when none is left) and
// counts how often it was asked.
class ScriptedPrompter final : public MfaPrompter
{
public:
    QStringList codes;
    QList<MfaChallenge> asked;
    void ask(MfaRequest *request) override
    {
        asked << request->challenge();
        if (codes.isEmpty())
            request->decline(Error {ErrorCode::Cancelled, QStringLiteral("no code")});
        else
            request->answer(Secret(codes.takeFirst().toLatin1()));
    }
};

} // namespace

class tst_AwsRoles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void accessKeysFromKeychain();
    void missingKeyNamesTheCommand();
    void assumeRoleWithAccessKeySource();
    void chainedRoleReusesSourceAndCapsDuration();
    void chainedRoleUnderConcurrencyCapOfOne();
    void mfaAskedAtEachRefresh();
    void mfaWrongCodeNeedsPerson();
    void mfaWithoutPrompterFailsClearly();
    void mfaProcess_data();
    void mfaProcess();
    void faults_data();
    void faults();
    void wrongSecretIsSignatureMismatch();
    void shortDurationRefreshedBeforeExpiry();

private:
    QString newId();
    Profile keysProfile(const QString &name) const;
    Profile roleProfile(const QString &name, const QString &source, const QString &roleArn) const;
    bool storeKeys(const QString &profileId, const QString &keyId, const QByteArray &secret);
    std::unique_ptr<TokenEngine> makeEngine(const QList<Profile> &profiles, int cap = 8);
    static Result<Credential> await(TokenAsk *ask, int waitMs = 15000);
    static QString describe(const Result<Credential> &r)
    {
        return r ? QString() : errorCodeName(r.error().code) + u": " + r.error().detail;
    }

    std::unique_ptr<FakeSts> m_sts;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<MemorySecretBackend> m_keychain;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<DiscoveryCache> m_discovery;
    std::unique_ptr<ManualClock> m_clock;
    ScriptedPrompter m_prompter;
    bool m_usePrompter = true;
    QStringList m_ids;
};

void tst_AwsRoles::init()
{
    m_clock = std::make_unique<ManualClock>(kStart);
    FakeSts::Options options;
    options.clock = m_clock.get();
    m_sts = std::make_unique<FakeSts>(options);
    QVERIFY(m_sts->listen());
    m_sts->addAccessKey(kKeyId, QString::fromLatin1(kSecretKey));
    m_sts->addRole({kRoleA, {}, {}, {}, 43200});
    m_sts->addRole({kRoleB, {}, {}, {}, 43200});
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_keychain = std::make_unique<MemorySecretBackend>();
    m_secrets = std::make_unique<SecretStore>(m_keychain.get(), kService);
    m_discovery = std::make_unique<DiscoveryCache>();
    m_prompter = ScriptedPrompter();
    m_usePrompter = true;
}

void tst_AwsRoles::cleanup()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_secrets->findChildren<SecretJob *>().isEmpty(), 30000);
    m_secrets.reset();
    m_keychain.reset();
    m_nam.reset();
    m_sts.reset();
    m_ids.clear();
}

QString tst_AwsRoles::newId()
{
    const QString id = QStringLiteral("aws-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
    m_ids << id;
    return id;
}

Profile tst_AwsRoles::keysProfile(const QString &name) const
{
    Profile p;
    p.id = name;
    p.name = name;
    p.kind = ProfileKind::AwsAccessKey;
    Environment env;
    env.name = kEnv;
    env.region = QStringLiteral("eu-west-1");
    p.environments = {env};
    p.activeEnvironment = kEnv;
    return p;
}

Profile tst_AwsRoles::roleProfile(const QString &name, const QString &source,
                                  const QString &roleArn) const
{
    Profile p;
    p.id = name;
    p.name = name;
    p.kind = ProfileKind::AwsAssumeRole;
    Environment env;
    env.name = kEnv;
    env.roleArn = roleArn;
    env.sourceProfile = source;
    env.region = QStringLiteral("eu-west-1");
    env.stsEndpoint = m_sts->url();
    env.sessionName = QStringLiteral("tests");
    p.environments = {env};
    p.activeEnvironment = kEnv;
    return p;
}

bool tst_AwsRoles::storeKeys(const QString &profileId, const QString &keyId,
                             const QByteArray &secret)
{
    const QList<std::pair<QString, QByteArray>> items {
        {secretKey(profileId, kEnv, QStringLiteral("aws_access_key_id")), keyId.toLatin1()},
        {secretKey(profileId, kEnv, QStringLiteral("aws_secret_access_key")), secret}};
    return TestEnv::writeSecrets(m_secrets.get(), items);
}

std::unique_ptr<TokenEngine> tst_AwsRoles::makeEngine(const QList<Profile> &profiles, int cap)
{
    FetchServices s;
    s.nam = m_nam.get();
    s.secrets = m_secrets.get();
    s.discovery = m_discovery.get();
    s.clock = m_clock.get();
    s.httpTimeoutMs = 5000;
    s.mfa = m_usePrompter ? &m_prompter : nullptr;
    auto engine = std::make_unique<TokenEngine>(s);
    TokenEngine::Options o;
    o.maxAttempts = 3;
    o.backoffBaseMs = 20;
    o.backoffCapMs = 200;
    o.askTimeoutMs = 10000;
    o.eagerJitterMaxMs = 0;
    o.maxConcurrency = cap;
    engine->setOptions(o);
    Config config;
    config.profiles = profiles;
    config.settings.maxConcurrency = cap;
    engine->setConfig(config);
    return engine;
}

Result<Credential> tst_AwsRoles::await(TokenAsk *ask, int waitMs)
{
    ask->setAutoDelete(false);
    QSignalSpy spy(ask, &TokenAsk::finished);
    if (!ask->isFinished() && !spy.wait(waitMs))
        return Error {ErrorCode::Internal, QStringLiteral("the ask did not finish")};
    const Result<Credential> r = ask->result();
    delete ask;
    return r;
}

// ---- tests -------------------------------------------------------------------------------------

void tst_AwsRoles::accessKeysFromKeychain()
{
    const QString keys = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    auto engine = makeEngine({keysProfile(keys)});
    const auto r = await(engine->ask(keys, kEnv));
    QVERIFY2(r, qPrintable(describe(r)));
    QCOMPARE(r->accessKeyId, kKeyId);
    QCOMPARE(r->secretAccessKey.expose(), kSecretKey);
    QVERIFY(r->sessionToken.isEmpty());
    QVERIFY2(!r->expires(), "long-term keys do not expire");
    QCOMPARE(m_sts->requestCount(), 0);
}

void tst_AwsRoles::missingKeyNamesTheCommand()
{
    const QString keys = newId();
    auto engine = makeEngine({keysProfile(keys)});
    const auto r = await(engine->ask(keys, kEnv));
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::SecretNotFound);
    QVERIFY2(r.error().detail.contains(u"secret set " + keys + u" QA aws_access_key_id"),
             qPrintable(r.error().detail));
}

void tst_AwsRoles::assumeRoleWithAccessKeySource()
{
    const QString keys = newId();
    const QString role = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    Profile roleP = roleProfile(role, keys, kRoleA);
    roleP.environments[0].durationSeconds = 1800;
    roleP.environments[0].externalId = QStringLiteral("ext-42");
    roleP.environments[0].sourceIdentity = QStringLiteral("alice@example.com");
    auto engine = makeEngine({keysProfile(keys), roleP});

    const auto r = await(engine->ask(role, kEnv));
    QVERIFY2(r, qPrintable(describe(r)));
    QVERIFY(r->accessKeyId.startsWith(u"ASIA"));
    QVERIFY(m_sts->isIssued(r->accessKeyId));
    QVERIFY(!r->sessionToken.isEmpty());
    QCOMPARE(r->expiresAt, m_sts->expiryOf(r->accessKeyId));
    QCOMPARE(r->expiresAt, kStart.addSecs(1800));
    const auto form = m_sts->lastForm();
    QCOMPARE(form.value("Action"), QStringLiteral("AssumeRole"));
    QCOMPARE(form.value("Version"), QStringLiteral("2011-06-15"));
    QCOMPARE(form.value("RoleArn"), kRoleA);
    QCOMPARE(form.value("RoleSessionName"), QStringLiteral("tests"));
    QCOMPARE(form.value("DurationSeconds"), QStringLiteral("1800"));
    QCOMPARE(form.value("ExternalId"), QStringLiteral("ext-42"));
    QCOMPARE(form.value("SourceIdentity"), QStringLiteral("alice@example.com"));
    QCOMPARE(m_sts->lastSigningRegion(), QStringLiteral("eu-west-1"));

    // Served from memory while fresh: no second AssumeRole.
    const auto again = await(engine->ask(role, kEnv));
    QVERIFY(again);
    QCOMPARE(again->accessKeyId, r->accessKeyId);
    QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 1);
}

void tst_AwsRoles::chainedRoleReusesSourceAndCapsDuration()
{
    const QString keys = newId();
    const QString first = newId();
    const QString second = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    Profile chained = roleProfile(second, first, kRoleB);
    chained.environments[0].durationSeconds = 7200; // STS allows at most 1 h when chained
    auto engine = makeEngine({keysProfile(keys), roleProfile(first, keys, kRoleA), chained});

    const auto r = await(engine->ask(second, kEnv));
    QVERIFY2(r, qPrintable(describe(r)));
    QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 2);
    QCOMPARE(m_sts->lastForm().value("RoleArn"), kRoleB);
    QCOMPARE(m_sts->lastForm().value("DurationSeconds"), QStringLiteral("3600"));
    QVERIFY(m_sts->isIssued(r->accessKeyId));
    const auto firstCred = engine->credential(first, kEnv);
    QVERIFY2(firstCred, "the intermediate role's credentials are cached too");
    QVERIFY(firstCred->accessKeyId != r->accessKeyId);

    // A refresh of the chained role signs with the cached intermediate credentials.
    QSignalSpy refreshedSpy(engine.get(), &TokenEngine::tokenRefreshed);
    engine->refreshNow(second, kEnv);
    // Wait for the engine to take the answer, not only for STS to send it.
    QTRY_VERIFY(std::any_of(
        refreshedSpy.cbegin(), refreshedSpy.cend(),
        [&second](const QList<QVariant> &args) { return args.at(0).toString() == second; }));
    QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 3);
    const auto refreshed = await(engine->ask(second, kEnv, 3000));
    QVERIFY2(refreshed, qPrintable(describe(refreshed)));
    QVERIFY(refreshed->accessKeyId != r->accessKeyId);
    QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 3);
}

void tst_AwsRoles::chainedRoleUnderConcurrencyCapOfOne()
{
    // The chained role's request holds the only slot while its source is fetched: the source
    // must not queue behind it.
    const QString keys = newId();
    const QString first = newId();
    const QString second = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    auto engine = makeEngine(
        {keysProfile(keys), roleProfile(first, keys, kRoleA), roleProfile(second, first, kRoleB)},
        1);
    const auto r = await(engine->ask(second, kEnv));
    QVERIFY2(r, qPrintable(describe(r)));
    QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 2);
}

void tst_AwsRoles::mfaAskedAtEachRefresh()
{
    m_sts->addRole({kRoleA, kMfaSerial, QStringLiteral("123456"), {}, 43200});
    const QString keys = newId();
    const QString role = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    Profile roleP = roleProfile(role, keys, kRoleA);
    roleP.environments[0].mfaSerial = kMfaSerial;
    auto engine = makeEngine({keysProfile(keys), roleP});
    m_prompter.codes = {QStringLiteral("123456"), QStringLiteral("123456")};

    const auto r = await(engine->ask(role, kEnv));
    QVERIFY2(r, qPrintable(describe(r)));
    QCOMPARE(m_prompter.asked.size(), 1);
    QCOMPARE(m_prompter.asked.first().serial, kMfaSerial);
    QCOMPARE(m_prompter.asked.first().profileName, role);
    QCOMPARE(m_prompter.asked.first().roleArn, kRoleA);
    QCOMPARE(m_sts->lastForm().value("SerialNumber"), kMfaSerial);
    QCOMPARE(m_sts->lastForm().value("TokenCode"), QStringLiteral("123456"));

    // Never cached: the next refresh asks again.
    engine->refreshNow(role, kEnv);
    QTRY_COMPARE(m_prompter.asked.size(), 2);
    QTRY_COMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 2);
    QCOMPARE(m_sts->lastErrorCode(), QString());
}

void tst_AwsRoles::mfaWrongCodeNeedsPerson()
{
    m_sts->addRole({kRoleA, kMfaSerial, QStringLiteral("123456"), {}, 43200});
    const QString keys = newId();
    const QString role = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    Profile roleP = roleProfile(role, keys, kRoleA);
    roleP.environments[0].mfaSerial = kMfaSerial;
    auto engine = makeEngine({keysProfile(keys), roleP});
    QSignalSpy needed(engine.get(), &TokenEngine::signInRequired);
    m_prompter.codes = {QStringLiteral("654321")};

    const auto r = await(engine->ask(role, kEnv));
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Rejected);
    QCOMPARE(r.error().reason, QStringLiteral("AccessDenied"));
    QCOMPARE(engine->state(role, kEnv), TokenState::SignInRequired);
    QCOMPARE(needed.size(), 1);
    // A refusal is not retried: one AssumeRole, one question.
    QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 1);
    QCOMPARE(m_prompter.asked.size(), 1);
}

void tst_AwsRoles::mfaWithoutPrompterFailsClearly()
{
    m_usePrompter = false;
    const QString keys = newId();
    const QString role = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    Profile roleP = roleProfile(role, keys, kRoleA);
    roleP.environments[0].mfaSerial = kMfaSerial;
    auto engine = makeEngine({keysProfile(keys), roleP});
    const auto r = await(engine->ask(role, kEnv));
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Rejected);
    QCOMPARE(r.error().reason, QStringLiteral("mfa_required"));
    QVERIFY(r.error().detail.contains(u"--mfa-code"));
    QCOMPARE(m_sts->requestCount(), 0);
}

void tst_AwsRoles::mfaProcess_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<bool>("succeeds");
    QTest::addColumn<QString>("detail");
    QTest::newRow("prints the code") << "echo 123456" << true << "";
    QTest::newRow("code with spaces") << "printf '  123456  \\nmore\\n'" << true << "";
    QTest::newRow("fails") << "echo 123456; exit 3" << false << "exit status 3";
    QTest::newRow("not a code") << "echo hello" << false << "six-digit";
    QTest::newRow("no output") << "true" << false << "six-digit";
    QTest::newRow("missing command") << "/nonexistent/oathtool" << false << "exit status 127";
}

void tst_AwsRoles::mfaProcess()
{
    QFETCH(QString, command);
    QFETCH(bool, succeeds);
    QFETCH(QString, detail);
    m_sts->addRole({kRoleA, kMfaSerial, QStringLiteral("123456"), {}, 43200});
    const QString keys = newId();
    const QString role = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    Profile roleP = roleProfile(role, keys, kRoleA);
    roleP.environments[0].mfaSerial = kMfaSerial;
    roleP.environments[0].mfaProcess = command;
    auto engine = makeEngine({keysProfile(keys), roleP});
    const auto r = await(engine->ask(role, kEnv));
    QCOMPARE(bool(r), succeeds);
    QVERIFY2(m_prompter.asked.isEmpty(), "an mfa_process answers instead of a person");
    if (succeeds) {
        QCOMPARE(m_sts->lastForm().value("TokenCode"), QStringLiteral("123456"));
    } else {
        QVERIFY2(r.error().detail.contains(detail), qPrintable(r.error().detail));
        QCOMPARE(m_sts->requestCount(), 0);
    }
}

void tst_AwsRoles::faults_data()
{
    QTest::addColumn<FakeSts::Fault>("fault");
    QTest::addColumn<bool>("recovers");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("reason");
    QTest::newRow("throttling") << FakeSts::Fault::Throttling << true << ErrorCode::HttpStatus
                                << "Throttling";
    QTest::newRow("500") << FakeSts::Fault::ServerError << true << ErrorCode::HttpStatus << "";
    QTest::newRow("malformed xml")
        << FakeSts::Fault::MalformedXml << true << ErrorCode::Parse << "";
    QTest::newRow("access denied")
        << FakeSts::Fault::AccessDenied << false << ErrorCode::Rejected << "AccessDenied";
}

void tst_AwsRoles::faults()
{
    QFETCH(FakeSts::Fault, fault);
    QFETCH(bool, recovers);
    QFETCH(ErrorCode, code);
    QFETCH(QString, reason);
    const QString keys = newId();
    const QString role = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    auto engine = makeEngine({keysProfile(keys), roleProfile(role, keys, kRoleA)});
    QSignalSpy failed(engine.get(), &TokenEngine::refreshFailed);
    m_sts->injectFault(fault, 0, 0);
    TokenAsk *ask = engine->ask(role, kEnv);
    // Transient faults retry after the backoff; the ManualClock has to reach it.
    if (recovers) {
        QTRY_VERIFY_WITH_TIMEOUT(engine->nextWakeUp().isValid()
                                     && engine->state(role, kEnv) != TokenState::Refreshing,
                                 10000);
        QCOMPARE(engine->lastError(role, kEnv)->code, code);
        if (!reason.isEmpty())
            QCOMPARE(engine->lastError(role, kEnv)->reason, reason);
        m_clock->setNow(engine->nextWakeUp());
        engine->reevaluate();
    }
    const auto r = await(ask);
    if (recovers) {
        QVERIFY2(r, qPrintable(describe(r)));
        QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 2);
    } else {
        QVERIFY(!r);
        QCOMPARE(r.error().code, code);
        QCOMPARE(r.error().reason, reason);
        QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 1);
        QCOMPARE(engine->state(role, kEnv), TokenState::SignInRequired);
    }
    QVERIFY(failed.isEmpty());
}

void tst_AwsRoles::wrongSecretIsSignatureMismatch()
{
    const QString keys = newId();
    const QString role = newId();
    QVERIFY(storeKeys(keys, kKeyId, "not-the-secret"));
    auto engine = makeEngine({keysProfile(keys), roleProfile(role, keys, kRoleA)});
    const auto r = await(engine->ask(role, kEnv));
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Rejected);
    QCOMPARE(r.error().reason, QStringLiteral("SignatureDoesNotMatch"));
    QVERIFY2(!r.error().detail.contains(u"not-the-secret"), qPrintable(r.error().detail));
    QCOMPARE(m_sts->rejectedCount(), 1);
}

void tst_AwsRoles::shortDurationRefreshedBeforeExpiry()
{
    // 15-minute sessions: advisory lead min(15 min, L/4) = 225 s, mandatory min(10 min, L/6)
    // = 150 s. Inside the mandatory window an ask waits for new credentials.
    const QString keys = newId();
    const QString role = newId();
    QVERIFY(storeKeys(keys, kKeyId, kSecretKey));
    Profile roleP = roleProfile(role, keys, kRoleA);
    roleP.environments[0].durationSeconds = 900;
    auto engine = makeEngine({keysProfile(keys), roleP});

    const auto first = await(engine->ask(role, kEnv));
    QVERIFY2(first, qPrintable(describe(first)));
    QCOMPARE(first->expiresAt, kStart.addSecs(900));
    m_clock->setNow(kStart.addSecs(600)); // 300 s left: fresh
    QCOMPARE(engine->state(role, kEnv), TokenState::Fresh);
    const auto same = await(engine->ask(role, kEnv));
    QVERIFY(same);
    QCOMPARE(same->accessKeyId, first->accessKeyId);

    m_clock->setNow(kStart.addSecs(800)); // 100 s left: mandatory
    engine->reevaluate();
    const auto renewed = await(engine->ask(role, kEnv));
    QVERIFY2(renewed, qPrintable(describe(renewed)));
    QVERIFY(renewed->accessKeyId != first->accessKeyId);
    QCOMPARE(renewed->expiresAt, kStart.addSecs(800 + 900));
    QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 2);

    // credential-process style: at least 15 minutes asked of a 15-minute session (a second
    // later) gets a fresh one, which is served although it too is short of 15 minutes.
    m_clock->setNow(kStart.addSecs(801));
    const auto longAsk = await(engine->ask(role, kEnv, 900));
    QVERIFY2(longAsk, qPrintable(describe(longAsk)));
    QCOMPARE(longAsk->expiresAt, kStart.addSecs(801 + 900));
    QCOMPARE(m_sts->requestCount(QStringLiteral("AssumeRole")), 3);
}

QTEST_GUILESS_MAIN(tst_AwsRoles)
#include "tst_awsroles.moc"
