// HttpJob with a real QNetworkAccessManager against the project's loopback server: what it
// returns for each kind of answer, what it refuses to send, and how it bounds time and size.
#include "../support/testhttpserver.h"
#include "core/net/httpjob.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace TokenTray;

namespace {

HttpPolicy policyWith(int timeoutMs = 10000, qint64 maxBodyBytes = 1024 * 1024)
{
    HttpPolicy p;
    p.timeoutMs = timeoutMs;
    p.maxBodyBytes = maxBodyBytes;
    return p;
}

// RFC 1952 gzip around a raw deflate stream (qCompress gives zlib: a 4-byte size, a 2-byte
// header and a 4-byte Adler-32 around it).
QByteArray gzip(const QByteArray &data)
{
    const QByteArray zlib = qCompress(data, 9).mid(4);
    quint32 crc = 0xffffffffU;
    for (const char c : data) {
        crc ^= static_cast<quint8>(c);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
    }
    crc = ~crc;
    QByteArray out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    out += zlib.mid(2, zlib.size() - 6);
    const quint32 size = static_cast<quint32>(data.size());
    for (const quint32 v : {crc, size}) {
        for (int i = 0; i < 4; ++i)
            out += static_cast<char>((v >> (8 * i)) & 0xffU);
    }
    return out;
}

} // namespace

class tst_HttpJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void jsonWithHeaders();
    void requestHeadersAndBody();
    void errorStatusIsAResult();
    void redirectIsReturnedNotFollowed_data();
    void redirectIsReturnedNotFollowed();
    void hangTimesOut();
    void dripFeedHitsTheDeadline();
    void closedMidBodyIsNetworkError();
    void closedAtOnceIsNetworkError();
    void bodySizeLimit_data();
    void bodySizeLimit();
    void compressedBodyIsNeverInflated_data();
    void compressedBodyIsNeverInflated();
    void headerFloodIsRefused_data();
    void headerFloodIsRefused();
    void connectionRefused();
    void refusedBeforeSending_data();
    void refusedBeforeSending();
    void caFileWithoutCertificate_data();
    void caFileWithoutCertificate();
    void retryAfter_data();
    void retryAfter();
    void formBodyArrivesDecodable();
    void cancelFinishesOnceWithCancelled();
    void deletingARunningJobClosesTheConnection();

private:
    // Starts the job, checks finished() is not emitted synchronously, waits for exactly one.
    bool run(HttpJob *job, int waitMs = 15000);

    std::unique_ptr<TestHttpServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

void tst_HttpJob::init()
{
    m_server = std::make_unique<TestHttpServer>();
    QVERIFY(m_server->listen());
    m_nam = std::make_unique<QNetworkAccessManager>();
}

void tst_HttpJob::cleanup()
{
    m_nam.reset();
    m_server.reset();
}

bool tst_HttpJob::run(HttpJob *job, int waitMs)
{
    QSignalSpy spy(job, &HttpJob::finished);
    job->start();
    if (spy.count() != 0) {
        qWarning("finished() was emitted synchronously from start()");
        return false;
    }
    if (!spy.wait(waitMs)) {
        qWarning("the job did not finish within %d ms", waitMs);
        return false;
    }
    QCoreApplication::processEvents(); // a second emission would be queued behind the first
    if (spy.count() != 1) {
        qWarning("finished() was emitted %d times", int(spy.count()));
        return false;
    }
    return true;
}

void tst_HttpJob::jsonWithHeaders()
{
    m_server->setDefault("/json",
                         ScriptedReply::json(200, R"({"hello":"world"})")
                             .withHeader("X-Request-Id", "req-42")
                             .withHeader("Cache-Control", "no-store"));
    HttpJob job(m_nam.get(), m_server->url("/json"), "GET", policyWith());
    QVERIFY(run(&job));
    QVERIFY(job.result());
    const HttpResponse &r = *job.result();
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray(R"({"hello":"world"})"));
    QCOMPARE(r.header("x-request-id"), QByteArray("req-42")); // case-insensitive
    QCOMPARE(r.header("X-REQUEST-ID"), QByteArray("req-42"));
    QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(r.header("Cache-Control"), QByteArray("no-store"));
    QVERIFY(r.header("X-Absent").isEmpty());
    QCOMPARE(m_server->requestCount("/json"), 1);
}

void tst_HttpJob::requestHeadersAndBody()
{
    m_server->setDefault("/token", ScriptedReply::json(200, "{}"));
    HttpJob job(m_nam.get(), m_server->url("/token"), "POST", policyWith());
    job.setHeader("Authorization", "Basic YWJjOmRlZg==");
    job.setBody("a=1&b=2", "application/x-www-form-urlencoded");
    QVERIFY(run(&job));
    QVERIFY(job.result());
    const QList<RecordedRequest> seen = m_server->requests("/token");
    QCOMPARE(seen.size(), 1);
    const RecordedRequest &req = seen.first();
    QCOMPARE(req.method, QByteArray("POST"));
    QCOMPARE(req.body, QByteArray("a=1&b=2"));
    QCOMPARE(req.header("authorization"), QByteArray("Basic YWJjOmRlZg=="));
    QCOMPARE(req.header("content-type"), QByteArray("application/x-www-form-urlencoded"));
    QCOMPARE(req.header("accept"), QByteArray("application/json"));
    QVERIFY(req.header("user-agent").startsWith("TokenTray/"));
    QVERIFY(req.header("cookie").isEmpty());
}

void tst_HttpJob::errorStatusIsAResult()
{
    m_server->setDefault("/token", ScriptedReply::json(400, R"({"error":"invalid_grant"})"));
    HttpJob job(m_nam.get(), m_server->url("/token"), "POST", policyWith());
    job.setBody("grant_type=refresh_token", "application/x-www-form-urlencoded");
    QVERIFY(run(&job));
    QVERIFY2(job.result(), qPrintable(job.result() ? QString() : job.result().error().detail));
    QCOMPARE(job.result()->status, 400);
    QCOMPARE(job.result()->body, QByteArray(R"({"error":"invalid_grant"})"));
}

void tst_HttpJob::redirectIsReturnedNotFollowed_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("method");
    QTest::newRow("302 GET") << 302 << QByteArray("GET");
    QTest::newRow("302 POST") << 302 << QByteArray("POST");
    QTest::newRow("301") << 301 << QByteArray("GET");
    QTest::newRow("303") << 303 << QByteArray("POST");
    QTest::newRow("307 POST") << 307 << QByteArray("POST");
    QTest::newRow("308 POST") << 308 << QByteArray("POST");
}

void tst_HttpJob::redirectIsReturnedNotFollowed()
{
    QFETCH(int, status);
    QFETCH(QByteArray, method);
    ScriptedReply redirect;
    redirect.status = status;
    redirect.headers.append({"Location", m_server->url("/target").toEncoded()});
    m_server->setDefault("/redirect", redirect);
    m_server->setDefault("/target", ScriptedReply::json(200, R"({"access_token":"stolen"})"));

    HttpJob job(m_nam.get(), m_server->url("/redirect"), method, policyWith());
    if (method == "POST")
        job.setBody("client_secret=s", "application/x-www-form-urlencoded");
    QVERIFY(run(&job));
    QVERIFY(job.result());
    QCOMPARE(job.result()->status, status);
    QCOMPARE(job.result()->header("Location"), m_server->url("/target").toEncoded());
    // A followed redirect would have finished only after fetching the target.
    QCOMPARE(m_server->requestCount("/redirect"), 1);
    QCOMPARE(m_server->requestCount("/target"), 0);
}

void tst_HttpJob::hangTimesOut()
{
    ScriptedReply hang;
    hang.behaviour = ScriptedReply::Behaviour::Hang;
    m_server->setDefault("/hang", hang);

    HttpJob job(m_nam.get(), m_server->url("/hang"), "POST", policyWith(400));
    job.setBody("x=1", "application/x-www-form-urlencoded");
    QElapsedTimer clock;
    clock.start();
    QVERIFY(run(&job, 5000));
    const qint64 elapsed = clock.elapsed();
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Timeout));
    QVERIFY(job.result().error().transient());
    QVERIFY2(elapsed >= 350, qPrintable(QString::number(elapsed))); // not before the deadline
    QCOMPARE(m_server->requestCount("/hang"), 1);
    QTRY_COMPARE(m_server->outstanding(), 0); // the connection was dropped
}

void tst_HttpJob::dripFeedHitsTheDeadline()
{
    // Bytes keep arriving, so Qt's transfer timeout (idle time) never fires; the job's own
    // deadline bounds the whole exchange.
    ScriptedReply drip = ScriptedReply::json(200, QByteArray(200, 'x'));
    drip.behaviour = ScriptedReply::Behaviour::Drip;
    drip.dripMs = 20;
    m_server->setDefault("/drip", drip);

    // The whole body takes 200 x 20 ms = 4 s: a Timeout (not the body) shows the deadline cut it.
    HttpJob job(m_nam.get(), m_server->url("/drip"), "GET", policyWith(500));
    QVERIFY(run(&job, 30000));
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Timeout));
}

void tst_HttpJob::closedMidBodyIsNetworkError()
{
    ScriptedReply cut = ScriptedReply::json(
        200, R"({"access_token":"abcdefghijklmnopqrstuvwxyz","expires_in":3600})");
    cut.behaviour = ScriptedReply::Behaviour::CloseMidBody;
    m_server->setDefault("/cut", cut);

    HttpJob job(m_nam.get(), m_server->url("/cut"), "GET", policyWith());
    QVERIFY(run(&job));
    QVERIFY2(!job.result(), "half a body must not be a result");
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Network));
    QVERIFY(job.result().error().transient());
}

void tst_HttpJob::closedAtOnceIsNetworkError()
{
    ScriptedReply close;
    close.behaviour = ScriptedReply::Behaviour::CloseAtOnce;
    m_server->setDefault("/close", close);

    HttpJob job(m_nam.get(), m_server->url("/close"), "GET", policyWith());
    QVERIFY(run(&job));
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Network));
    QVERIFY(m_server->requestCount("/close") >= 1);
}

void tst_HttpJob::bodySizeLimit_data()
{
    QTest::addColumn<qint64>("bodyBytes");
    QTest::addColumn<bool>("ok");
    const qint64 mib = 1024 * 1024;
    QTest::newRow("exactly the limit") << mib << true;
    QTest::newRow("one byte over") << mib + 1 << false;
    QTest::newRow("10 MB") << 10 * 1000 * 1000LL << false;
}

void tst_HttpJob::bodySizeLimit()
{
    QFETCH(qint64, bodyBytes);
    QFETCH(bool, ok);
    m_server->setDefault("/big", ScriptedReply::json(200, QByteArray(bodyBytes, 'a')));

    HttpJob job(m_nam.get(), m_server->url("/big"), "GET", policyWith(10000, 1024 * 1024));
    QVERIFY(run(&job));
    QCOMPARE(job.result().has_value(), ok);
    if (ok) {
        QCOMPARE(job.result()->body.size(), bodyBytes);
        return;
    }
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Parse));
    QVERIFY2(job.result().error().detail.contains(QLatin1String("larger than")),
             qPrintable(job.result().error().detail));
}

void tst_HttpJob::compressedBodyIsNeverInflated_data()
{
    QTest::addColumn<QByteArray>("encoding");
    QTest::addColumn<QByteArray>("body");
    // 10 MB of zeros in about 10 KB: inflated, far beyond the 64 KiB the job allows below.
    const QByteArray zeros(10 * 1024 * 1024, '\0');
    QTest::newRow("gzip") << QByteArray("gzip") << gzip(zeros);
    QTest::newRow("deflate") << QByteArray("deflate") << qCompress(zeros, 9).mid(4); // zlib
    QTest::newRow("gzip, small") << QByteArray("gzip") << gzip(R"({"access_token":"x"})");
}

void tst_HttpJob::compressedBodyIsNeverInflated()
{
    QFETCH(QByteArray, encoding);
    QFETCH(QByteArray, body);
    QVERIFY(body.size() < 64 * 1024);
    m_server->setDefault("/bomb",
                         ScriptedReply::json(200, body).withHeader("Content-Encoding", encoding));

    HttpJob job(m_nam.get(), m_server->url("/bomb"), "GET", policyWith(60000, 64 * 1024));
    QVERIFY(run(&job, 60000));
    // TokenTray asked for an uncompressed answer (so Qt does not inflate anything)...
    const QList<RecordedRequest> seen = m_server->requests("/bomb");
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.first().header("accept-encoding"), QByteArray("identity"));
    // ...and refuses one that is compressed all the same, before reading its body.
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Parse));
    QVERIFY2(job.result().error().detail.contains(QLatin1String("compressed")),
             qPrintable(job.result().error().detail));
}

void tst_HttpJob::headerFloodIsRefused_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("valueBytes");
    QTest::addColumn<bool>("ok");
    // The server adds Content-Type, Content-Length and Connection to `count` headers.
    QTest::newRow("100 headers pass") << 97 << 8 << true;
    QTest::newRow("101 headers") << 98 << 8 << false;
    QTest::newRow("200,000 headers") << 200000 << 1 << false;
    QTest::newRow("one 70 KiB header") << 1 << 70 * 1024 << false;
    QTest::newRow("40 headers of 2 KiB") << 40 << 2048 << false;
}

void tst_HttpJob::headerFloodIsRefused()
{
    QFETCH(int, count);
    QFETCH(int, valueBytes);
    QFETCH(bool, ok);
    ScriptedReply flood = ScriptedReply::json(200, R"({"hello":"world"})");
    const QByteArray value(valueBytes, 'v');
    for (int i = 0; i < count; ++i)
        flood.withHeader("X-Flood-" + QByteArray::number(i), value);
    m_server->setDefault("/flood", flood);

    // A deadline far away: a flood must be refused when its headers arrive, not time out.
    HttpJob job(m_nam.get(), m_server->url("/flood"), "GET", policyWith(60000));
    QVERIFY(run(&job, 60000));
    QCOMPARE(m_server->requestCount("/flood"), 1);
    if (ok) {
        QVERIFY(job.result());
        QCOMPARE(job.result()->headers.size(), count + 3);
        QCOMPARE(job.result()->body, QByteArray(R"({"hello":"world"})"));
        return;
    }
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Parse));
    QVERIFY2(job.result().error().detail.contains(QLatin1String("headers")),
             qPrintable(job.result().error().detail));
}

void tst_HttpJob::connectionRefused()
{
    quint16 deadPort = 0;
    {
        TestHttpServer gone;
        QVERIFY(gone.listen());
        deadPort = gone.port();
    } // closed: nothing listens there now
    HttpJob job(m_nam.get(), QUrl(QStringLiteral("http://127.0.0.1:%1/token").arg(deadPort)),
                "POST", policyWith());
    QVERIFY(run(&job));
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Network));
    QVERIFY(job.result().error().transient());
}

void tst_HttpJob::refusedBeforeSending_data()
{
    QTest::addColumn<QString>("url"); // %1 = the loopback server's port
    QTest::newRow("plain http to a public host") << "http://example.com/token";
    QTest::newRow("plain http to a private address") << "http://10.0.0.1/token";
    QTest::newRow("user info on loopback") << "http://user:pw@127.0.0.1:%1/token";
    QTest::newRow("ftp") << "ftp://127.0.0.1:%1/token";
    QTest::newRow("relative") << "/token";
}

void tst_HttpJob::refusedBeforeSending()
{
    QFETCH(QString, url);
    // Everything this manager sends goes through the loopback server as its proxy: if the job
    // sent anything anywhere, the server would see the connection.
    m_nam->setProxy(
        QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), m_server->port()));
    HttpJob job(m_nam.get(),
                QUrl(url.contains(QLatin1String("%1")) ? url.arg(m_server->port()) : url), "POST",
                policyWith());
    job.setBody("client_secret=s3cret", "application/x-www-form-urlencoded");
    QVERIFY(run(&job));
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Invalid));
    QVERIFY(!job.result().error().transient());
    QCOMPARE(m_server->connectionsAccepted(), 0);
    QCOMPARE(m_server->requestCount(), 0);
}

void tst_HttpJob::caFileWithoutCertificate_data()
{
    QTest::addColumn<QByteArray>("contents"); // empty: the file does not exist
    QTest::newRow("text") << QByteArray("this is not a certificate\n");
    QTest::newRow("private key only")
        << QByteArray("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
    QTest::newRow("missing file") << QByteArray();
}

void tst_HttpJob::caFileWithoutCertificate()
{
    QFETCH(QByteArray, contents);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("ca.pem"));
    if (!contents.isEmpty()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(contents);
    }
    HttpPolicy policy = policyWith();
    policy.caFile = path;
    HttpJob job(m_nam.get(),
                QUrl(QStringLiteral("https://127.0.0.1:%1/token").arg(m_server->port())), "POST",
                policy);
    QVERIFY(run(&job));
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Invalid));
    QVERIFY(job.result().error().detail.contains(QLatin1String("CA file")));
    QCOMPARE(m_server->connectionsAccepted(), 0);
}

void tst_HttpJob::retryAfter_data()
{
    QTest::addColumn<QByteArray>("value"); // empty: no header
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<int>("seconds");

    const QDateTime now(QDate(2015, 10, 21), QTime(7, 27, 0), Qt::UTC);
    QTest::newRow("seconds") << QByteArray("120") << now << 120;
    QTest::newRow("zero") << QByteArray("0") << now << 0;
    QTest::newRow("padded") << QByteArray(" 30 ") << now << 30;
    QTest::newRow("negative") << QByteArray("-5") << now << -1;
    QTest::newRow("absent") << QByteArray() << now << -1;
    QTest::newRow("garbage") << QByteArray("soon") << now << -1;
    QTest::newRow("fraction") << QByteArray("1.5") << now << -1;
    // RFC 9110 §10.2.3 / §5.6.7: the IMF-fixdate form, always "GMT".
    QTest::newRow("http-date") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << now << 60;
    QTest::newRow("http-date an hour ahead")
        << QByteArray("Wed, 21 Oct 2015 08:27:00 GMT") << now << 3600;
    QTest::newRow("http-date in the past")
        << QByteArray("Wed, 21 Oct 2015 07:00:00 GMT") << now << 0;
    QTest::newRow("http-date now not UTC")
        << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << now.toOffsetFromUtc(2 * 3600) << 60;
    QTest::newRow("numeric zone") << QByteArray("Wed, 21 Oct 2015 09:28:00 +0200") << now << 60;
}

void tst_HttpJob::retryAfter()
{
    QFETCH(QByteArray, value);
    QFETCH(QDateTime, now);
    QFETCH(int, seconds);
    HttpResponse r;
    r.status = 503;
    r.headers.append({QByteArray("Content-Type"), QByteArray("application/json")});
    if (!value.isEmpty())
        r.headers.append({QByteArray("retry-after"), value});
    QCOMPARE(r.retryAfterSeconds(now), seconds);
}

void tst_HttpJob::formBodyArrivesDecodable()
{
    m_server->setDefault("/token", ScriptedReply::json(200, "{}"));
    const QList<std::pair<QString, QString>> fields {
        {"grant_type", "client_credentials"},
        {"scope", "read write+admin"},
        {"client_secret", "a&b=c+d%e f"},
        {"name", QString::fromUtf8("J\xc3\xbcrgen \xe2\x82\xac")},
        {"key with space", "v"},
    };
    const QByteArray body = formEncode(fields);
    HttpJob job(m_nam.get(), m_server->url("/token"), "POST", policyWith());
    job.setBody(body, "application/x-www-form-urlencoded");
    QVERIFY(run(&job));
    QVERIFY(job.result());

    const QList<RecordedRequest> seen = m_server->requests("/token");
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.first().body, body);
    QVERIFY(!body.contains('+')); // a form decoder reads a bare '+' as a space
    QVERIFY(!body.contains(' '));
    const QHash<QString, QString> form = seen.first().form();
    QCOMPARE(form.size(), fields.size());
    for (const auto &[key, value] : fields)
        QCOMPARE(form.value(key), value);
}

void tst_HttpJob::cancelFinishesOnceWithCancelled()
{
    ScriptedReply hang;
    hang.behaviour = ScriptedReply::Behaviour::Hang;
    m_server->setDefault("/hang", hang);

    HttpJob job(m_nam.get(), m_server->url("/hang"), "GET", policyWith(10000));
    QSignalSpy finished(&job, &HttpJob::finished);
    QSignalSpy received(m_server.get(), &TestHttpServer::requestReceived);
    job.start();
    QVERIFY(received.wait(5000));
    job.cancel();
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(!job.result());
    QCOMPARE(errorCodeName(job.result().error().code), errorCodeName(ErrorCode::Cancelled));
    job.cancel(); // a second cancel is harmless and emits nothing
    QCoreApplication::processEvents();
    QCOMPARE(finished.count(), 1);

    // Cancelled before it was sent: finishes, and nothing reaches the server.
    HttpJob early(m_nam.get(), m_server->url("/hang"), "GET", policyWith(10000));
    QSignalSpy earlyFinished(&early, &HttpJob::finished);
    early.start();
    early.cancel();
    QTRY_COMPARE(earlyFinished.count(), 1);
    QCOMPARE(errorCodeName(early.result().error().code), errorCodeName(ErrorCode::Cancelled));
    QCoreApplication::processEvents();
    QCOMPARE(earlyFinished.count(), 1);
    QCOMPARE(m_server->requestCount("/hang"), 1);
}

void tst_HttpJob::deletingARunningJobClosesTheConnection()
{
    ScriptedReply hang;
    hang.behaviour = ScriptedReply::Behaviour::Hang;
    m_server->setDefault("/hang", hang);

    auto *job = new HttpJob(m_nam.get(), m_server->url("/hang"), "GET", policyWith(10000));
    QSignalSpy received(m_server.get(), &TestHttpServer::requestReceived);
    job->start();
    QVERIFY(received.wait(5000));
    QCOMPARE(m_server->outstanding(), 1);
    delete job;
    QTRY_COMPARE(m_server->outstanding(), 0);
}

QTEST_GUILESS_MAIN(tst_HttpJob)
#include "tst_httpjob.moc"
