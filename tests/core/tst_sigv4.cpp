// SigV4 against the vectors in tests/data/sigv4 (signed by botocore; see the README there): every
// vector's canonical request, string to sign, signature and Authorization header.
#include "../support/testenv.h"
#include "core/aws/sigv4.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace TokenTray;

using Headers = QList<std::pair<QByteArray, QByteArray>>;
Q_DECLARE_METATYPE(Headers)

namespace {

QString vectorsPath()
{
    const QString fromEnv = TestEnv::sourceDir();
    if (!fromEnv.isEmpty())
        return fromEnv + "/tests/data/sigv4/vectors.json";
    return QFINDTESTDATA("../data/sigv4/vectors.json");
}

QJsonArray loadVectors()
{
    QFile file(vectorsPath());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value("vectors").toArray();
}

} // namespace

class tst_SigV4 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void vectorsArePresent();
    void vectors_data();
    void vectors();
    void headersToAdd();
    void givenHostIsSigned();
    void host_data();
    void host();
    void amzDateRoundTrip();
    void differentSecretChangesSignature();
};

void tst_SigV4::vectorsArePresent()
{
    const QJsonArray vectors = loadVectors();
    QVERIFY2(!vectors.isEmpty(), qPrintable("no vectors at " + vectorsPath()));
    QCOMPARE(vectors.size(), 27);
    // AWS's published get-vanilla signature: the file is the one the README describes.
    QCOMPARE(vectors.first().toObject().value("signature").toString(),
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

void tst_SigV4::vectors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("region");
    QTest::addColumn<QString>("service");
    QTest::addColumn<QString>("accessKey");
    QTest::addColumn<QByteArray>("secretKey");
    QTest::addColumn<QByteArray>("sessionToken");
    QTest::addColumn<QDateTime>("time");
    QTest::addColumn<QByteArray>("canonicalRequest");
    QTest::addColumn<QByteArray>("stringToSign");
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<QByteArray>("authorization");

    for (const QJsonValue &value : loadVectors()) {
        const QJsonObject v = value.toObject();
        Headers headers;
        for (const QJsonValue &h : v.value("headers").toArray())
            headers.append(
                {h.toArray().at(0).toString().toUtf8(), h.toArray().at(1).toString().toUtf8()});
        const QDateTime time = parseSigV4AmzDate(v.value("timestamp").toString().toLatin1());
        QTest::newRow(qPrintable(v.value("name").toString()))
            << v.value("method").toString().toLatin1()
            << QUrl(v.value("url").toString(), QUrl::StrictMode) << headers
            << v.value("body").toString().toUtf8() << v.value("region").toString()
            << v.value("service").toString() << v.value("access_key").toString()
            << v.value("secret_key").toString().toUtf8()
            << v.value("session_token").toString().toUtf8() << time
            << v.value("canonical_request").toString().toUtf8()
            << v.value("string_to_sign").toString().toUtf8()
            << v.value("signature").toString().toUtf8()
            << v.value("authorization").toString().toUtf8();
    }
}

void tst_SigV4::vectors()
{
    QFETCH(QByteArray, method);
    QFETCH(QUrl, url);
    QFETCH(Headers, headers);
    QFETCH(QByteArray, body);
    QFETCH(QString, region);
    QFETCH(QString, service);
    QFETCH(QString, accessKey);
    QFETCH(QByteArray, secretKey);
    QFETCH(QByteArray, sessionToken);
    QFETCH(QDateTime, time);
    QFETCH(QByteArray, canonicalRequest);
    QFETCH(QByteArray, stringToSign);
    QFETCH(QByteArray, signature);
    QFETCH(QByteArray, authorization);

    QVERIFY(url.isValid());
    QVERIFY(time.isValid());
    const SigV4Signature s = signSigV4({method, url, headers, body, region, service, time},
                                       {accessKey, Secret(secretKey), Secret(sessionToken)});
    QCOMPARE(s.canonicalRequest, canonicalRequest);
    QCOMPARE(s.stringToSign, stringToSign);
    QCOMPARE(s.signature, signature);
    QCOMPARE(s.authorization, authorization);
}

void tst_SigV4::headersToAdd()
{
    const QDateTime t(QDate(2015, 8, 30), QTime(12, 36), Qt::UTC);
    const SigV4Request request {
        "POST", QUrl("https://sts.amazonaws.com/"), {}, "Action=x", "us-east-1", "sts", t};
    const SigV4Signature longTerm = signSigV4(request, {"AKIDEXAMPLE", Secret("secret"), {}});
    QCOMPARE(longTerm.amzDate, QByteArray("20150830T123600Z"));
    QCOMPARE(
        longTerm.headersToAdd,
        (Headers {{"X-Amz-Date", "20150830T123600Z"}, {"Authorization", longTerm.authorization}}));
    QVERIFY(!longTerm.canonicalRequest.contains("x-amz-security-token"));

    const SigV4Signature temporary
        = signSigV4(request, {"ASIAEXAMPLE", Secret("secret"), Secret("tok/en+=")});
    QCOMPARE(temporary.headersToAdd,
             (Headers {{"X-Amz-Date", "20150830T123600Z"},
                       {"X-Amz-Security-Token", "tok/en+="},
                       {"Authorization", temporary.authorization}}));
    QVERIFY(
        temporary.authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
    // The secret itself never appears in anything the signer returns.
    QVERIFY(!temporary.canonicalRequest.contains("secret"));
    QVERIFY(!temporary.authorization.contains("secret"));
}

void tst_SigV4::givenHostIsSigned()
{
    const QDateTime t(QDate(2015, 8, 30), QTime(12, 36), Qt::UTC);
    SigV4Request request {"GET", QUrl("http://127.0.0.1:4566/"), {}, {}, "us-east-1", "sts", t};
    QCOMPARE(signSigV4(request, {"AKID", Secret("s"), {}}).host, QByteArray("127.0.0.1:4566"));
    request.headers = {{"Host", "sts.example.test"}};
    const SigV4Signature s = signSigV4(request, {"AKID", Secret("s"), {}});
    QCOMPARE(s.host, QByteArray("sts.example.test"));
    QVERIFY(s.canonicalRequest.contains("\nhost:sts.example.test\n"));
    // Header names are case-insensitive, and the signer owns x-amz-date.
    request.headers = {{"HOST", "sts.example.test"}, {"X-Amz-Date", "19990101T000000Z"}};
    const SigV4Signature again = signSigV4(request, {"AKID", Secret("s"), {}});
    QCOMPARE(again.signature, s.signature);
}

void tst_SigV4::host_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QByteArray>("host");
    QTest::newRow("https default")
        << QUrl("https://sts.amazonaws.com/") << QByteArray("sts.amazonaws.com");
    QTest::newRow("https explicit 443")
        << QUrl("https://sts.amazonaws.com:443/") << QByteArray("sts.amazonaws.com");
    QTest::newRow("https 8443") << QUrl("https://sts.amazonaws.com:8443/")
                                << QByteArray("sts.amazonaws.com:8443");
    QTest::newRow("http 80") << QUrl("http://localhost:80/") << QByteArray("localhost");
    QTest::newRow("http port") << QUrl("http://127.0.0.1:4566/") << QByteArray("127.0.0.1:4566");
    QTest::newRow("upper case") << QUrl("https://STS.Example.COM/")
                                << QByteArray("sts.example.com");
    QTest::newRow("ipv6") << QUrl("http://[::1]:9000/") << QByteArray("[::1]:9000");
}

void tst_SigV4::host()
{
    QFETCH(QUrl, url);
    QFETCH(QByteArray, host);
    QCOMPARE(sigV4Host(url), host);
}

void tst_SigV4::amzDateRoundTrip()
{
    const QDateTime t(QDate(2026, 2, 27), QTime(19, 16, 15), Qt::UTC);
    QCOMPARE(sigV4AmzDate(t), QByteArray("20260227T191615Z"));
    QCOMPARE(parseSigV4AmzDate("20260227T191615Z"), t);
    QCOMPARE(sigV4AmzDate(t.toOffsetFromUtc(3600)), QByteArray("20260227T191615Z"));
    QVERIFY(!parseSigV4AmzDate("2026-02-27T19:16:15Z").isValid());
    QVERIFY(!parseSigV4AmzDate("20261327T191615Z").isValid());
    QVERIFY(!parseSigV4AmzDate("").isValid());
}

void tst_SigV4::differentSecretChangesSignature()
{
    const QDateTime t(QDate(2015, 8, 30), QTime(12, 36), Qt::UTC);
    const SigV4Request request {
        "POST", QUrl("https://sts.amazonaws.com/"), {}, "a=b", "us-east-1", "sts", t};
    const QByteArray a = signSigV4(request, {"AKID", Secret("one"), {}}).signature;
    const QByteArray b = signSigV4(request, {"AKID", Secret("two"), {}}).signature;
    QCOMPARE(a.size(), 64);
    QVERIFY(a != b);
    SigV4Request other = request;
    other.region = "eu-west-1";
    QVERIFY(signSigV4(other, {"AKID", Secret("one"), {}}).signature != a);
}

QTEST_GUILESS_MAIN(tst_SigV4)
#include "tst_sigv4.moc"
