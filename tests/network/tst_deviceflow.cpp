// RFC 8628 device authorization (DeviceFlowJob) against the loopback server: the user code, the
// polling rules, and what the requests carry.
#include "../support/testhttpserver.h"
#include "core/oauth/oauthjobs.h"
#include "core/util/clock.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::ErrorCode)

namespace {

const QByteArray kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";
const QDateTime kStart(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);

QByteArray deviceAnswer(int interval = 5, int expiresIn = 900)
{
    return R"({"device_code":"dev-code-1","user_code":"WDJB-MJHT",)"
           R"("verification_uri":"https://example.com/device",)"
           R"("verification_uri_complete":"https://example.com/device?user_code=WDJB-MJHT",)"
           R"("expires_in":)"
        + QByteArray::number(expiresIn) + R"(,"interval":)" + QByteArray::number(interval) + "}";
}

ScriptedReply tokenReply(const QString &name)
{
    if (name == QLatin1String("success"))
        return ScriptedReply::json(200,
                                   R"({"access_token":"device-at","token_type":"Bearer",)"
                                   R"("expires_in":3600,"refresh_token":"device-rt"})");
    if (name == QLatin1String("close")) {
        ScriptedReply r;
        r.behaviour = ScriptedReply::Behaviour::CloseAtOnce;
        return r;
    }
    bool isStatus = false;
    const int status = name.toInt(&isStatus);
    if (isStatus)
        return ScriptedReply::json(status, R"({"error":"temporarily_unavailable"})");
    if (name == QLatin1String("invalid_client"))
        return ScriptedReply::json(401, R"({"error":"invalid_client"})");
    return ScriptedReply::json(400, R"({"error":")" + name.toLatin1() + R"("})");
}

} // namespace

class tst_DeviceFlow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void userCodeReady();
    void polling_data();
    void polling();
    void pollingStatusReported();
    void requestsOfAPublicClient();
    void clientAuthentication_data();
    void clientAuthentication();
    void deviceEndpointRefuses();
    void deviceEndpointUnreachable();
    void codeExpiresWhilePolling();
    void cancelStopsPolling();

private:
    std::unique_ptr<DeviceFlowJob> makeJob(const ClientAuthentication &client
                                           = {QStringLiteral("tray-cli"), Secret(),
                                              ClientAuth::Basic});
    bool runToEnd(DeviceFlowJob *job);

    std::unique_ptr<TestHttpServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<ManualClock> m_clock;
};

void tst_DeviceFlow::init()
{
    m_server = std::make_unique<TestHttpServer>();
    QVERIFY(m_server->listen());
    m_server->setDefault("/device", ScriptedReply::json(200, deviceAnswer()));
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_clock = std::make_unique<ManualClock>(kStart);
}

void tst_DeviceFlow::cleanup()
{
    m_nam.reset();
    m_server.reset();
}

std::unique_ptr<DeviceFlowJob> tst_DeviceFlow::makeJob(const ClientAuthentication &client)
{
    HttpPolicy policy;
    policy.timeoutMs = 5000;
    auto job = std::make_unique<DeviceFlowJob>(
        m_nam.get(), m_clock.get(), m_server->url("/device"), m_server->url("/token"),
        QStringList {QStringLiteral("openid"), QStringLiteral("offline_access")},
        QStringLiteral("https://api.example.com"), client, policy);
    job->setIntervalScale(0.001); // 5 s -> 5 ms
    return job;
}

bool tst_DeviceFlow::runToEnd(DeviceFlowJob *job)
{
    QSignalSpy spy(job, &DeviceFlowJob::finished);
    job->start();
    if (spy.count() != 0)
        return false; // never synchronously
    if (!spy.wait(15000))
        return false;
    QCoreApplication::processEvents();
    return spy.count() == 1;
}

void tst_DeviceFlow::userCodeReady()
{
    m_server->enqueue("/token", tokenReply(QStringLiteral("authorization_pending")));
    m_server->setDefault("/token", tokenReply(QStringLiteral("success")));
    auto job = makeJob();
    QSignalSpy code(job.get(), &DeviceFlowJob::userCodeReady);
    int tokenRequestsWhenReady = -1;
    connect(job.get(), &DeviceFlowJob::userCodeReady, this,
            [&] { tokenRequestsWhenReady = m_server->requestCount("/token"); });
    QVERIFY(runToEnd(job.get()));

    QCOMPARE(code.count(), 1);
    const QList<QVariant> args = code.first();
    QCOMPARE(args.at(0).toString(), QStringLiteral("WDJB-MJHT"));
    QCOMPARE(args.at(1).toUrl(), QUrl("https://example.com/device"));
    QCOMPARE(args.at(2).toUrl(), QUrl("https://example.com/device?user_code=WDJB-MJHT"));
    QCOMPARE(args.at(3).toDateTime(), kStart.addSecs(900));
    QCOMPARE(tokenRequestsWhenReady, 0); // the code is shown before polling starts
    QVERIFY(job->result());
}

void tst_DeviceFlow::polling_data()
{
    QTest::addColumn<QStringList>("script"); // the token endpoint's answers, in order
    QTest::addColumn<bool>("ok");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("polls");
    QTest::addColumn<int>("intervalSeconds");

    const ErrorCode none = ErrorCode::Internal;
    QTest::newRow("pending, pending, success")
        << QStringList {"authorization_pending", "authorization_pending", "success"} << true << none
        << QString() << 3 << 5;
    QTest::newRow("success at once")
        << QStringList {"success"} << true << none << QString() << 1 << 5;
    QTest::newRow("slow_down adds 5 s")
        << QStringList {"slow_down", "success"} << true << none << QString() << 2 << 10;
    QTest::newRow("slow_down twice")
        << QStringList {"slow_down", "authorization_pending", "slow_down", "success"} << true
        << none << QString() << 4 << 15;
    QTest::newRow("access_denied") << QStringList {"access_denied"} << false << ErrorCode::Rejected
                                   << "access_denied" << 1 << 5;
    QTest::newRow("pending then access_denied")
        << QStringList {"authorization_pending", "access_denied"} << false << ErrorCode::Rejected
        << "access_denied" << 2 << 5;
    QTest::newRow("expired_token") << QStringList {"authorization_pending", "expired_token"}
                                   << false << ErrorCode::Rejected << "expired_token" << 2 << 5;
    QTest::newRow("503 keeps polling") << QStringList {"503", "authorization_pending", "success"}
                                       << true << none << QString() << 3 << 5;
    QTest::newRow("429 keeps polling")
        << QStringList {"429", "success"} << true << none << QString() << 2 << 5;
    QTest::newRow("500 twice keeps polling")
        << QStringList {"500", "500", "success"} << true << none << QString() << 3 << 5;
    QTest::newRow("invalid_client stops")
        << QStringList {"authorization_pending", "invalid_client"} << false << ErrorCode::Rejected
        << "invalid_client" << 2 << 5;
    QTest::newRow("invalid_grant stops") << QStringList {"invalid_grant"} << false
                                         << ErrorCode::InvalidGrant << "invalid_grant" << 1 << 5;
}

void tst_DeviceFlow::polling()
{
    QFETCH(QStringList, script);
    QFETCH(bool, ok);
    QFETCH(int, polls);
    QFETCH(int, intervalSeconds);
    for (const QString &step : std::as_const(script))
        m_server->enqueue("/token", tokenReply(step));
    // Anything beyond the script would be a poll too many.
    m_server->setDefault("/token", ScriptedReply::json(500, R"({"error":"script exhausted"})"));

    auto job = makeJob();
    QVERIFY(runToEnd(job.get()));
    QCOMPARE(job->result().has_value(), ok);
    QCOMPARE(job->polls(), polls);
    QCOMPARE(m_server->requestCount("/token"), polls);
    QCOMPARE(m_server->requestCount("/device"), 1);
    QCOMPARE(job->intervalSeconds(), intervalSeconds);
    if (ok) {
        QCOMPARE(job->result()->accessToken.expose(), QByteArray("device-at"));
        QCOMPARE(job->result()->refreshToken.expose(), QByteArray("device-rt"));
        QCOMPARE(*job->result()->expiresIn, qint64(3600));
        QCOMPARE(job->sentAt(), kStart);
        return;
    }
    QFETCH(ErrorCode, code);
    QFETCH(QString, reason);
    QCOMPARE(errorCodeName(job->result().error().code), errorCodeName(code));
    QCOMPARE(job->result().error().reason, reason);
}

void tst_DeviceFlow::pollingStatusReported()
{
    for (const char *step : {"authorization_pending", "slow_down", "503", "success"})
        m_server->enqueue("/token", tokenReply(QString::fromLatin1(step)));
    auto job = makeJob();
    QSignalSpy status(job.get(), &DeviceFlowJob::pollingStatusChanged);
    QVERIFY(runToEnd(job.get()));
    QVERIFY(job->result());
    QStringList seen;
    for (const QList<QVariant> &args : std::as_const(status))
        seen << args.at(0).toString();
    QCOMPARE(seen, (QStringList {"pending", "slow_down", "retrying"}));
}

void tst_DeviceFlow::requestsOfAPublicClient()
{
    m_server->enqueue("/token", tokenReply(QStringLiteral("authorization_pending")));
    m_server->enqueue("/token", tokenReply(QStringLiteral("success")));
    auto job = makeJob({QStringLiteral("tray-cli"), Secret(), ClientAuth::Basic});
    QVERIFY(runToEnd(job.get()));
    QVERIFY(job->result());

    const QList<RecordedRequest> device = m_server->requests("/device");
    QCOMPARE(device.size(), 1);
    QCOMPARE(device.first().method, QByteArray("POST"));
    QCOMPARE(device.first().header("content-type"),
             QByteArray("application/x-www-form-urlencoded"));
    const QHash<QString, QString> deviceForm = device.first().form();
    QCOMPARE(deviceForm.value("client_id"), QStringLiteral("tray-cli"));
    QCOMPARE(deviceForm.value("scope"), QStringLiteral("openid offline_access"));
    QCOMPARE(deviceForm.value("audience"), QStringLiteral("https://api.example.com"));
    QVERIFY(!deviceForm.contains("client_secret"));
    QVERIFY(device.first().header("authorization").isEmpty());

    const QList<RecordedRequest> polls = m_server->requests("/token");
    QCOMPARE(polls.size(), 2);
    for (const RecordedRequest &poll : polls) {
        const QHash<QString, QString> form = poll.form();
        QCOMPARE(poll.method, QByteArray("POST"));
        QCOMPARE(form.value("grant_type"), QString::fromLatin1(kDeviceGrant));
        QCOMPARE(form.value("device_code"), QStringLiteral("dev-code-1"));
        QCOMPARE(form.value("client_id"), QStringLiteral("tray-cli"));
        QVERIFY(!form.contains("client_secret"));
        QVERIFY(poll.header("authorization").isEmpty());
    }
}

void tst_DeviceFlow::clientAuthentication_data()
{
    QTest::addColumn<int>("method"); // ClientAuth
    QTest::newRow("basic") << int(ClientAuth::Basic);
    QTest::newRow("post") << int(ClientAuth::Post);
}

void tst_DeviceFlow::clientAuthentication()
{
    QFETCH(int, method);
    const ClientAuthentication client {QStringLiteral("conf:client"),
                                       Secret(QByteArrayLiteral("s3+cret")), ClientAuth(method)};
    m_server->setDefault("/token", tokenReply(QStringLiteral("success")));
    auto job = makeJob(client);
    QVERIFY(runToEnd(job.get()));
    QVERIFY(job->result());

    QList<RecordedRequest> all = m_server->requests("/device") + m_server->requests("/token");
    QCOMPARE(all.size(), 2);
    for (const RecordedRequest &r : std::as_const(all)) {
        const QHash<QString, QString> form = r.form();
        if (ClientAuth(method) == ClientAuth::Basic) {
            QCOMPARE(r.header("authorization"),
                     basicAuthorization(client.clientId, client.clientSecret));
            QVERIFY(!form.contains("client_id"));
            QVERIFY(!form.contains("client_secret"));
        } else {
            QVERIFY(r.header("authorization").isEmpty());
            QCOMPARE(form.value("client_id"), client.clientId);
            QCOMPARE(form.value("client_secret"), QStringLiteral("s3+cret"));
        }
    }
}

void tst_DeviceFlow::deviceEndpointRefuses()
{
    m_server->setDefault("/device", ScriptedReply::json(400, R"({"error":"invalid_client"})"));
    auto job = makeJob();
    QSignalSpy code(job.get(), &DeviceFlowJob::userCodeReady);
    QVERIFY(runToEnd(job.get()));
    QVERIFY(!job->result());
    QCOMPARE(errorCodeName(job->result().error().code), errorCodeName(ErrorCode::Rejected));
    QCOMPARE(job->result().error().reason, QStringLiteral("invalid_client"));
    QCOMPARE(code.count(), 0);
    QCOMPARE(job->polls(), 0);
    QCOMPARE(m_server->requestCount("/token"), 0);
}

void tst_DeviceFlow::deviceEndpointUnreachable()
{
    quint16 deadPort = 0;
    {
        TestHttpServer gone;
        QVERIFY(gone.listen());
        deadPort = gone.port();
    }
    HttpPolicy policy;
    policy.timeoutMs = 5000;
    DeviceFlowJob job(m_nam.get(), m_clock.get(),
                      QUrl(QStringLiteral("http://127.0.0.1:%1/device").arg(deadPort)),
                      m_server->url("/token"), {}, {},
                      {QStringLiteral("tray-cli"), Secret(), ClientAuth::Basic}, policy);
    QVERIFY(runToEnd(&job));
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Network));
    QCOMPARE(job.polls(), 0);
}

void tst_DeviceFlow::codeExpiresWhilePolling()
{
    m_server->setDefault("/token", tokenReply(QStringLiteral("authorization_pending")));
    auto job = makeJob();
    // The person walks away: by the first "pending" the code's 900 s are over.
    connect(job.get(), &DeviceFlowJob::pollingStatusChanged, this,
            [this] { m_clock->advance(901 * 1000); });
    QVERIFY(runToEnd(job.get()));
    QVERIFY(!job->result());
    QCOMPARE(errorCodeName(job->result().error().code), errorCodeName(ErrorCode::Rejected));
    QCOMPARE(job->result().error().reason, QStringLiteral("expired_token"));
    QCOMPARE(job->polls(), 1);
    QCOMPARE(m_server->requestCount("/token"), 1);
}

void tst_DeviceFlow::cancelStopsPolling()
{
    m_server->setDefault("/token", tokenReply(QStringLiteral("authorization_pending")));
    auto job = makeJob();
    QSignalSpy finished(job.get(), &DeviceFlowJob::finished);
    QSignalSpy status(job.get(), &DeviceFlowJob::pollingStatusChanged);
    job->start();
    QVERIFY(status.wait(5000));
    job->cancel();
    QCOMPARE(finished.count(), 1);
    QVERIFY(!job->result());
    QCOMPARE(errorCodeName(job->result().error().code), errorCodeName(ErrorCode::Cancelled));
    const int polled = m_server->requestCount("/token");
    QSignalSpy received(m_server.get(), &TestHttpServer::requestReceived);
    // At 5 ms per poll, a live timer would have polled many times in this window.
    QVERIFY(!received.wait(300));
    QCOMPARE(m_server->requestCount("/token"), polled);
    QCOMPARE(finished.count(), 1);
}

QTEST_GUILESS_MAIN(tst_DeviceFlow)
#include "tst_deviceflow.moc"
