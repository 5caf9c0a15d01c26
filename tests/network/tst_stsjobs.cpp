// AssumeRoleJob and CallerIdentityJob against the project's fake STS (tests/support/fakests), which
// recomputes every request's SigV4 signature from what it received: success, chaining with a
// session token, MFA, ExternalId, clock skew, and each fault mapped to its ErrorCode.
#include "../support/fakests.h"
#include "../support/testhttpserver.h"
#include "core/aws/sigv4.h"
#include "core/aws/stsjobs.h"
#include "core/util/clock.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::ErrorCode)
Q_DECLARE_METATYPE(TokenTray::FakeSts::Fault)

namespace {

const QDateTime kStart(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);
const QString kKeyId = "AKIAIOSFODNN7EXAMPLE";
const QString kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const QString kRole = "arn:aws:iam::111111111111:role/deploy";
const QString kMfaRole = "arn:aws:iam::111111111111:role/admin";
const QString kMfaSerial = "arn:aws:iam::222222222222:mfa/alice";
const QString kExternalRole = "arn:aws:iam::333333333333:role/vendor";
const QString kRegion = "eu-west-1";

AwsKeys longTermKeys()
{
    return {kKeyId, Secret::fromUtf8(kSecret), {}};
}

AssumeRoleParams params(const QString &role = kRole)
{
    AssumeRoleParams p;
    p.roleArn = role;
    p.sessionName = "tokentray-test";
    return p;
}

} // namespace

class tst_StsJobs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void assumeRoleSucceeds();
    void requestIsSignedAsSent();
    void durationIsHonoured_data();
    void durationIsHonoured();
    void forcedDuration();
    void serverVerifiesSignature_data();
    void serverVerifiesSignature();
    void hostMismatchIsRejected();
    void chainedWithSessionToken();
    void expiredTemporaryCredentials();
    void mfa_data();
    void mfa();
    void externalId_data();
    void externalId();
    void clockSkew_data();
    void clockSkew();
    void faults_data();
    void faults();
    void timeout();
    void callerIdentity();
    void callerIdentityOfAssumedRole();
    void invalidParamsSendNothing_data();
    void invalidParamsSendNothing();
    void startNeverEmitsSynchronously();
    void cancel();
    void endpointFor_data();
    void endpointFor();
    void sessionNameForUser_data();
    void sessionNameForUser();

private:
    Result<StsCredentials> assume(const AssumeRoleParams &p, const AwsKeys &source,
                                  const HttpPolicy &policy = {});
    Result<CallerIdentity> whoAmI(const AwsKeys &source);

    std::unique_ptr<ManualClock> m_serverClock;
    std::unique_ptr<ManualClock> m_clientClock;
    std::unique_ptr<FakeSts> m_sts;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

void tst_StsJobs::init()
{
    m_serverClock = std::make_unique<ManualClock>(kStart);
    m_clientClock = std::make_unique<ManualClock>(kStart);
    FakeSts::Options options;
    options.clock = m_serverClock.get();
    options.region = kRegion;
    m_sts = std::make_unique<FakeSts>(options);
    m_sts->addAccessKey(kKeyId, kSecret, "arn:aws:iam::111111111111:user/alice");
    m_sts->addRole({kRole, {}, {}, {}, 43200});
    m_sts->addRole({kMfaRole, kMfaSerial, "123456", {}, 3600});
    m_sts->addRole({kExternalRole, {}, {}, "ext-42/ü+=", 3600});
    QVERIFY(m_sts->listen());
    m_nam = std::make_unique<QNetworkAccessManager>();
}

void tst_StsJobs::cleanup()
{
    m_nam.reset();
    m_sts.reset();
}

Result<StsCredentials> tst_StsJobs::assume(const AssumeRoleParams &p, const AwsKeys &source,
                                           const HttpPolicy &policy)
{
    AssumeRoleJob job(m_nam.get(), m_clientClock.get(), m_sts->url(), kRegion, p, source, policy);
    QSignalSpy spy(&job, &AssumeRoleJob::finished);
    job.start();
    if (!spy.wait(10000))
        return Error {ErrorCode::Internal, "the job never finished"};
    if (spy.count() != 1)
        return Error {ErrorCode::Internal, "finished more than once"};
    return job.result();
}

Result<CallerIdentity> tst_StsJobs::whoAmI(const AwsKeys &source)
{
    CallerIdentityJob job(m_nam.get(), m_clientClock.get(), m_sts->url(), kRegion, source, {});
    QSignalSpy spy(&job, &CallerIdentityJob::finished);
    job.start();
    if (!spy.wait(10000))
        return Error {ErrorCode::Internal, "the job never finished"};
    return job.result();
}

void tst_StsJobs::assumeRoleSucceeds()
{
    const auto r = assume(params(), longTermKeys());
    QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    QVERIFY(r->keys.accessKeyId.startsWith("ASIA"));
    QCOMPARE(r->keys.accessKeyId.size(), 20);
    QCOMPARE(r->keys.secretAccessKey.size(), 40);
    QVERIFY(r->keys.isTemporary());
    QCOMPARE(r->expiration, kStart.addSecs(3600)); // STS's default
    QCOMPARE(r->assumedRoleArn, "arn:aws:sts::111111111111:assumed-role/deploy/tokentray-test");
    QVERIFY(r->assumedRoleId.startsWith("AROA"));
    QVERIFY(r->assumedRoleId.endsWith(":tokentray-test"));
    QVERIFY(m_sts->isIssued(r->keys.accessKeyId));
    QCOMPARE(m_sts->expiryOf(r->keys.accessKeyId), r->expiration);
    QCOMPARE(m_sts->requestCount("AssumeRole"), 1);
    QCOMPARE(m_sts->lastErrorCode(), QString());
    QCOMPARE(m_sts->lastSigningRegion(), kRegion);

    const QHash<QString, QString> form = m_sts->lastForm();
    QCOMPARE(form.value("Action"), "AssumeRole");
    QCOMPARE(form.value("Version"), "2011-06-15");
    QCOMPARE(form.value("RoleArn"), kRole);
    QCOMPARE(form.value("RoleSessionName"), "tokentray-test");
    QVERIFY(!form.contains("DurationSeconds"));
    QVERIFY(!form.contains("SerialNumber"));
    QVERIFY(!form.contains("TokenCode"));
    QVERIFY(!form.contains("ExternalId"));
}

void tst_StsJobs::requestIsSignedAsSent()
{
    AssumeRoleParams p = params();
    p.sourceIdentity = "alice@example.com";
    AssumeRoleJob job(m_nam.get(), m_clientClock.get(), m_sts->url(), kRegion, p, longTermKeys(),
                      {});
    QSignalSpy spy(&job, &AssumeRoleJob::finished);
    m_clientClock->advance(1234); // milliseconds are not part of X-Amz-Date
    job.start();
    QVERIFY(spy.wait());
    QVERIFY(job.result());
    QCOMPARE(job.sentAt(), kStart.addMSecs(1234));

    const QList<RecordedRequest> requests = m_sts->server().requests("/");
    QCOMPARE(requests.size(), 1);
    const RecordedRequest &sent = requests.first();
    QCOMPARE(sent.method, QByteArray("POST"));
    QCOMPARE(sent.header("host"),
             QByteArray("127.0.0.1:" + QByteArray::number(m_sts->server().port())));
    QCOMPARE(std::count_if(sent.headers.cbegin(), sent.headers.cend(),
                           [](const auto &h) { return h.first == "host"; }),
             1);
    QCOMPARE(sent.header("content-type"),
             QByteArray("application/x-www-form-urlencoded; charset=utf-8"));
    QCOMPARE(sent.header("accept"), QByteArray("text/xml"));
    QCOMPARE(sent.header("x-amz-date"), QByteArray("20300102T030406Z"));
    QVERIFY(sent.header("x-amz-security-token").isEmpty());
    QVERIFY(sent.header("authorization")
                .startsWith(QByteArray("AWS4-HMAC-SHA256 Credential=" + kKeyId.toLatin1()
                                       + "/20300102/eu-west-1/sts/aws4_request, "
                                         "SignedHeaders=content-type;host;x-amz-date, "
                                         "Signature=")));
    QCOMPARE(sent.body,
             QByteArray("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"
                        "111111111111%3Arole%2Fdeploy&RoleSessionName=tokentray-test&"
                        "SourceIdentity=alice%40example.com"));
    // The secret never travels.
    for (const auto &[name, value] : sent.headers)
        QVERIFY(!value.contains(kSecret.toLatin1()));
    QVERIFY(!sent.body.contains(kSecret.toLatin1()));
}

void tst_StsJobs::durationIsHonoured_data()
{
    QTest::addColumn<int>("duration");
    QTest::addColumn<QString>("reason"); // empty: success
    QTest::newRow("900") << 900 << QString();
    QTest::newRow("12h") << 43200 << QString();
    QTest::newRow("over the role's maximum") << 7200 << "ValidationError";
}

void tst_StsJobs::durationIsHonoured()
{
    QFETCH(int, duration);
    QFETCH(QString, reason);
    AssumeRoleParams p = params(reason.isEmpty() ? kRole : kExternalRole);
    p.externalId = "ext-42/ü+=";
    p.durationSeconds = duration;
    const auto r = assume(p, longTermKeys());
    QCOMPARE(m_sts->lastForm().value("DurationSeconds"), QString::number(duration));
    if (reason.isEmpty()) {
        QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
        QCOMPARE(r->expiration, kStart.addSecs(duration));
    } else {
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Rejected);
        QCOMPARE(r.error().reason, reason);
    }
}

void tst_StsJobs::forcedDuration()
{
    FakeSts::Options options;
    options.clock = m_serverClock.get();
    options.forcedDurationSeconds = 5;
    m_sts = std::make_unique<FakeSts>(options);
    m_sts->addAccessKey(kKeyId, kSecret);
    m_sts->addRole({kRole, {}, {}, {}, 43200});
    QVERIFY(m_sts->listen());
    AssumeRoleParams p = params();
    p.durationSeconds = 3600;
    const auto r = assume(p, longTermKeys());
    QVERIFY(r);
    QCOMPARE(r->expiration, kStart.addSecs(5));
}

void tst_StsJobs::serverVerifiesSignature_data()
{
    QTest::addColumn<QString>("keyId");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("reason");
    QTest::newRow("wrong secret") << kKeyId << QString(kSecret.left(39) + "X") << QString()
                                  << "SignatureDoesNotMatch";
    QTest::newRow("unknown key") << "AKIAUNKNOWN000000000" << kSecret << QString()
                                 << "InvalidClientTokenId";
    QTest::newRow("long-term key with a token") << kKeyId << kSecret << "bogus"
                                                << "InvalidClientTokenId";
}

void tst_StsJobs::serverVerifiesSignature()
{
    QFETCH(QString, keyId);
    QFETCH(QString, secret);
    QFETCH(QString, token);
    QFETCH(QString, reason);
    const auto r = assume(params(), {keyId, Secret::fromUtf8(secret), Secret::fromUtf8(token)});
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Rejected);
    QCOMPARE(r.error().reason, reason);
    QCOMPARE(r.error().httpStatus, 403);
    QVERIFY(!r.error().transient());
    QCOMPARE(m_sts->lastErrorCode(), reason);
    QVERIFY(!r.error().detail.contains(secret));
    if (reason == "SignatureDoesNotMatch")
        QVERIFY2(r.error().detail.contains("clock"), qPrintable(r.error().detail));
}

// The server recomputes the signature over the Host it received: a client that signs one Host
// and sends another is caught, so the passing tests prove the job sends exactly what it signs.
void tst_StsJobs::hostMismatchIsRejected()
{
    HttpJob *job = makeSignedStsPost(m_nam.get(), m_sts->url(), kRegion,
                                     {{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}},
                                     longTermKeys(), kStart, {}, this);
    job->setHeader("Host", QByteArray("localhost:" + QByteArray::number(m_sts->server().port())));
    QSignalSpy spy(job, &HttpJob::finished);
    job->start();
    QVERIFY(spy.wait());
    QVERIFY(job->result());
    QCOMPARE(job->result()->status, 403);
    QCOMPARE(m_sts->lastErrorCode(), "SignatureDoesNotMatch");
    delete job;

    // The same request unmodified is accepted.
    HttpJob *good = makeSignedStsPost(m_nam.get(), m_sts->url(), kRegion,
                                      {{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}},
                                      longTermKeys(), kStart, {}, this);
    QSignalSpy goodSpy(good, &HttpJob::finished);
    good->start();
    QVERIFY(goodSpy.wait());
    QCOMPARE(good->result()->status, 200);
    delete good;
}

void tst_StsJobs::chainedWithSessionToken()
{
    const auto first = assume(params(), longTermKeys());
    QVERIFY(first);

    AssumeRoleParams second = params(kExternalRole);
    second.externalId = "ext-42/ü+=";
    second.sessionName = "chained";
    const auto chained = assume(second, first->keys);
    QVERIFY2(chained, qPrintable(chained ? QString() : chained.error().detail));
    QCOMPARE(chained->assumedRoleArn, "arn:aws:sts::333333333333:assumed-role/vendor/chained");
    QVERIFY(chained->keys.accessKeyId != first->keys.accessKeyId);

    const RecordedRequest sent = m_sts->server().requests("/").last();
    QCOMPARE(sent.header("x-amz-security-token"), first->keys.sessionToken.expose());
    QVERIFY(sent.header("authorization")
                .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"));
    QVERIFY(sent.header("authorization")
                .contains(QByteArray("Credential=" + first->keys.accessKeyId.toLatin1() + '/')));

    // Role chaining limits the session to one hour.
    AssumeRoleParams tooLong = second;
    tooLong.durationSeconds = 7200;
    const auto refused = assume(tooLong, first->keys);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Rejected);
    QCOMPARE(refused.error().reason, "ValidationError");
    QVERIFY(refused.error().detail.contains("role chaining"));

    // The right key with somebody else's token is not the right key.
    AwsKeys forged = first->keys;
    forged.sessionToken = chained->keys.sessionToken;
    const auto forgedResult = assume(second, forged);
    QVERIFY(!forgedResult);
    QCOMPARE(forgedResult.error().reason, "InvalidClientTokenId");
}

void tst_StsJobs::expiredTemporaryCredentials()
{
    AssumeRoleParams p = params();
    p.durationSeconds = 900;
    const auto first = assume(p, longTermKeys());
    QVERIFY(first);
    m_serverClock->advance(901 * 1000);
    m_clientClock->advance(901 * 1000);
    const auto r = assume(params(), first->keys);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Rejected);
    QCOMPARE(r.error().reason, "ExpiredToken");
    QCOMPARE(r.error().httpStatus, 400);
    QVERIFY(!r.error().transient());
}

void tst_StsJobs::mfa_data()
{
    QTest::addColumn<QString>("serial");
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<ErrorCode>("error");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("sent");
    QTest::newRow("right code") << kMfaSerial << QByteArray("123456") << true << ErrorCode::Internal
                                << QString() << true;
    QTest::newRow("wrong code") << kMfaSerial << QByteArray("654321") << false
                                << ErrorCode::Rejected << "AccessDenied" << true;
    QTest::newRow("wrong device") << "arn:aws:iam::222222222222:mfa/bob" << QByteArray("123456")
                                  << false << ErrorCode::Rejected << "AccessDenied" << true;
    QTest::newRow("no MFA at all")
        << QString() << QByteArray() << false << ErrorCode::Rejected << "AccessDenied" << true;
    QTest::newRow("serial without code")
        << kMfaSerial << QByteArray() << false << ErrorCode::Invalid << QString() << false;
    QTest::newRow("code not six digits")
        << kMfaSerial << QByteArray("12a456") << false << ErrorCode::Invalid << QString() << false;
    QTest::newRow("code without serial")
        << QString() << QByteArray("123456") << false << ErrorCode::Invalid << QString() << false;
}

void tst_StsJobs::mfa()
{
    QFETCH(QString, serial);
    QFETCH(QByteArray, code);
    QFETCH(bool, ok);
    QFETCH(ErrorCode, error);
    QFETCH(QString, reason);
    QFETCH(bool, sent);

    AssumeRoleParams p = params(kMfaRole);
    p.serialNumber = serial;
    p.tokenCode = Secret(code);
    const auto r = assume(p, longTermKeys());
    QCOMPARE(m_sts->requestCount(), sent ? 1 : 0);
    if (ok) {
        QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
        QCOMPARE(m_sts->lastForm().value("SerialNumber"), serial);
        QCOMPARE(m_sts->lastForm().value("TokenCode"), QString::fromLatin1(code));
        return;
    }
    QVERIFY(!r);
    QCOMPARE(r.error().code, error);
    QCOMPARE(r.error().reason, reason);
    QVERIFY(!r.error().detail.contains(QString::fromLatin1(code)) || code.isEmpty());
    if (QTest::currentDataTag() == QLatin1String("wrong code"))
        QVERIFY2(r.error().detail.contains("MFA"), qPrintable(r.error().detail));
}

void tst_StsJobs::externalId_data()
{
    QTest::addColumn<QString>("externalId");
    QTest::addColumn<bool>("ok");
    QTest::newRow("right") << "ext-42/ü+=" << true;
    QTest::newRow("wrong") << "ext-43" << false;
    QTest::newRow("missing") << QString() << false;
}

void tst_StsJobs::externalId()
{
    QFETCH(QString, externalId);
    QFETCH(bool, ok);
    AssumeRoleParams p = params(kExternalRole);
    p.externalId = externalId;
    const auto r = assume(p, longTermKeys());
    QCOMPARE(bool(r), ok);
    QCOMPARE(m_sts->lastForm().value("ExternalId"), externalId);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Rejected);
        QCOMPARE(r.error().reason, "AccessDenied");
        QVERIFY(r.error().detail.contains("is not authorized to perform: sts:AssumeRole"));
    }
}

void tst_StsJobs::clockSkew_data()
{
    QTest::addColumn<qint64>("offsetSeconds"); // client clock minus server clock
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("hint");
    QTest::newRow("4 minutes ahead") << qint64(240) << true << QString();
    QTest::newRow("4 minutes behind") << qint64(-240) << true << QString();
    QTest::newRow("10 minutes ahead") << qint64(600) << false << "10 minutes ahead of";
    QTest::newRow("2 hours behind") << qint64(-7200) << false << "120 minutes behind";
}

void tst_StsJobs::clockSkew()
{
    QFETCH(qint64, offsetSeconds);
    QFETCH(bool, ok);
    QFETCH(QString, hint);
    m_clientClock->advance(offsetSeconds * 1000);
    const auto r = assume(params(), longTermKeys());
    QCOMPARE(bool(r), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Rejected);
        QCOMPARE(r.error().reason, "SignatureDoesNotMatch");
        QVERIFY2(r.error().detail.contains(hint), qPrintable(r.error().detail));
        QVERIFY(r.error().detail.contains("correct the clock"));
    }
}

void tst_StsJobs::faults_data()
{
    QTest::addColumn<FakeSts::Fault>("fault");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<bool>("transient");
    QTest::addColumn<int>("retryAfter");
    QTest::newRow("throttling") << FakeSts::Fault::Throttling << ErrorCode::HttpStatus
                                << "Throttling" << 400 << true << 3;
    QTest::newRow("server error") << FakeSts::Fault::ServerError << ErrorCode::HttpStatus
                                  << "InternalFailure" << 500 << true << -1;
    QTest::newRow("malformed") << FakeSts::Fault::MalformedXml << ErrorCode::Parse << QString() << 0
                               << true << -1;
    QTest::newRow("access denied") << FakeSts::Fault::AccessDenied << ErrorCode::Rejected
                                   << "AccessDenied" << 403 << false << -1;
    QTest::newRow("expired token") << FakeSts::Fault::ExpiredToken << ErrorCode::Rejected
                                   << "ExpiredToken" << 400 << false << -1;
}

void tst_StsJobs::faults()
{
    QFETCH(FakeSts::Fault, fault);
    QFETCH(ErrorCode, code);
    QFETCH(QString, reason);
    QFETCH(int, httpStatus);
    QFETCH(bool, transient);
    QFETCH(int, retryAfter);

    m_sts->injectFault(fault, 0, 3);
    const auto r = assume(params(), longTermKeys());
    QVERIFY(!r);
    QCOMPARE(r.error().code, code);
    QCOMPARE(r.error().reason, reason);
    QCOMPARE(r.error().httpStatus, httpStatus);
    QCOMPARE(r.error().transient(), transient);
    QCOMPARE(r.error().retryAfterSeconds, retryAfter);

    // One fault, one request: the next attempt succeeds.
    QVERIFY(assume(params(), longTermKeys()));
    QCOMPARE(m_sts->requestCount("AssumeRole"), 2);
}

void tst_StsJobs::timeout()
{
    HttpPolicy policy;
    policy.timeoutMs = 300;
    m_sts->injectFault(FakeSts::Fault::Slow, 2000);
    const auto slow = assume(params(), longTermKeys(), policy);
    QVERIFY(!slow);
    QCOMPARE(slow.error().code, ErrorCode::Timeout);
    QVERIFY(slow.error().transient());

    m_sts->injectFault(FakeSts::Fault::Slow, 100);
    QVERIFY(assume(params(), longTermKeys(), policy));

    ScriptedReply hang;
    hang.behaviour = ScriptedReply::Behaviour::Hang;
    m_sts->server().enqueue("/", hang);
    const auto hung = assume(params(), longTermKeys(), policy);
    QVERIFY(!hung);
    QCOMPARE(hung.error().code, ErrorCode::Timeout);
}

void tst_StsJobs::callerIdentity()
{
    const auto r = whoAmI(longTermKeys());
    QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    QCOMPARE(r->arn, "arn:aws:iam::111111111111:user/alice");
    QCOMPARE(r->account, "111111111111");
    QVERIFY(!r->userId.isEmpty());
    QCOMPARE(m_sts->requestCount("GetCallerIdentity"), 1);
    QCOMPARE(m_sts->lastForm().value("Action"), "GetCallerIdentity");

    const auto bad = whoAmI({kKeyId, Secret("wrong"), {}});
    QVERIFY(!bad);
    QCOMPARE(bad.error().reason, "SignatureDoesNotMatch");

    m_sts->injectFault(FakeSts::Fault::Throttling);
    const auto throttled = whoAmI(longTermKeys());
    QVERIFY(!throttled);
    QVERIFY(throttled.error().transient());
}

void tst_StsJobs::callerIdentityOfAssumedRole()
{
    const auto creds = assume(params(), longTermKeys());
    QVERIFY(creds);
    const auto r = whoAmI(creds->keys);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    QCOMPARE(r->arn, creds->assumedRoleArn);
    QCOMPARE(r->userId, creds->assumedRoleId);
    QCOMPARE(r->account, "111111111111");
}

void tst_StsJobs::invalidParamsSendNothing_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("sessionName");
    QTest::addColumn<int>("duration");
    QTest::addColumn<bool>("noKeys");
    QTest::newRow("no role") << QString() << "ok-name" << 0 << false;
    QTest::newRow("session name too short") << kRole << "a" << 0 << false;
    QTest::newRow("session name too long") << kRole << QString(65, 'a') << 0 << false;
    QTest::newRow("session name with space") << kRole << "a b" << 0 << false;
    QTest::newRow("session name with slash") << kRole << "a/b" << 0 << false;
    QTest::newRow("duration too short") << kRole << "ok-name" << 899 << false;
    QTest::newRow("duration too long") << kRole << "ok-name" << 43201 << false;
    QTest::newRow("no source keys") << kRole << "ok-name" << 0 << true;
}

void tst_StsJobs::invalidParamsSendNothing()
{
    QFETCH(QString, role);
    QFETCH(QString, sessionName);
    QFETCH(int, duration);
    QFETCH(bool, noKeys);
    AssumeRoleParams p = params(role);
    p.sessionName = sessionName;
    p.durationSeconds = duration;
    const auto r = assume(p, noKeys ? AwsKeys() : longTermKeys());
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Invalid);
    QCOMPARE(m_sts->requestCount(), 0);
}

void tst_StsJobs::startNeverEmitsSynchronously()
{
    for (const bool valid : {true, false}) {
        AssumeRoleParams p = params();
        if (!valid)
            p.sessionName.clear();
        AssumeRoleJob job(m_nam.get(), m_clientClock.get(), m_sts->url(), kRegion, p,
                          longTermKeys(), {});
        QSignalSpy spy(&job, &AssumeRoleJob::finished);
        job.start();
        QCOMPARE(spy.count(), 0);
        QVERIFY(spy.wait());
        QCoreApplication::processEvents(); // a second emission would be queued behind the first
        QCOMPARE(spy.count(), 1);
        QCOMPARE(bool(job.result()), valid);
    }
    CallerIdentityJob job(m_nam.get(), m_clientClock.get(), m_sts->url(), kRegion, AwsKeys(), {});
    QSignalSpy spy(&job, &CallerIdentityJob::finished);
    job.start();
    QCOMPARE(spy.count(), 0);
    QVERIFY(spy.wait());
    QCOMPARE(job.result().error().code, ErrorCode::Invalid);
}

void tst_StsJobs::cancel()
{
    m_sts->injectFault(FakeSts::Fault::Slow, 5000);
    AssumeRoleJob job(m_nam.get(), m_clientClock.get(), m_sts->url(), kRegion, params(),
                      longTermKeys(), {});
    QSignalSpy spy(&job, &AssumeRoleJob::finished);
    job.start();
    QTRY_COMPARE(m_sts->requestCount(), 1);
    job.cancel();
    QTRY_COMPARE(spy.count(), 1);
    QCOMPARE(job.result().error().code, ErrorCode::Cancelled);
    QCoreApplication::processEvents(); // a second emission would be queued behind the first
    QCOMPARE(spy.count(), 1);
}

void tst_StsJobs::endpointFor_data()
{
    QTest::addColumn<QString>("region");
    QTest::addColumn<QUrl>("override");
    QTest::addColumn<QUrl>("endpoint");
    QTest::newRow("regional") << "eu-west-1" << QUrl()
                              << QUrl("https://sts.eu-west-1.amazonaws.com/");
    QTest::newRow("no region") << QString() << QUrl()
                               << QUrl("https://sts.us-east-1.amazonaws.com/");
    QTest::newRow("china") << "cn-north-1" << QUrl()
                           << QUrl("https://sts.cn-north-1.amazonaws.com.cn/");
    QTest::newRow("gov") << "us-gov-west-1" << QUrl()
                         << QUrl("https://sts.us-gov-west-1.amazonaws.com/");
    QTest::newRow("override") << "eu-west-1" << QUrl("http://127.0.0.1:4566/")
                              << QUrl("http://127.0.0.1:4566/");
}

void tst_StsJobs::endpointFor()
{
    QFETCH(QString, region);
    QFETCH(QUrl, override);
    QFETCH(QUrl, endpoint);
    QCOMPARE(stsEndpointFor(region, override), endpoint);
}

void tst_StsJobs::sessionNameForUser_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("name");
    QTest::newRow("plain") << "bob"
                           << "tokentray-bob";
    QTest::newRow("allowed punctuation") << "a.b@c-d_e+f=g,h"
                                         << "tokentray-a.b@c-d_e+f=g,h";
    QTest::newRow("spaces and slashes dropped") << "DOMAIN\\Jane Doe/x"
                                                << "tokentray-DOMAINJaneDoex";
    QTest::newRow("non-ascii dropped") << "jürgen"
                                       << "tokentray-jrgen";
    QTest::newRow("nothing usable") << "äöü"
                                    << "tokentray";
    QTest::newRow("empty") << QString() << "tokentray";
    QTest::newRow("long") << QString(100, 'x') << QString("tokentray-" + QString(54, 'x'));
}

void tst_StsJobs::sessionNameForUser()
{
    QFETCH(QString, user);
    QFETCH(QString, name);
    QCOMPARE(roleSessionNameForUser(user), name);
    QVERIFY(name.size() >= 2 && name.size() <= 64);
    const QString fromEnvironment = defaultRoleSessionName();
    QVERIFY(fromEnvironment.size() >= 2 && fromEnvironment.size() <= 64);
}

QTEST_GUILESS_MAIN(tst_StsJobs)
#include "tst_stsjobs.moc"
