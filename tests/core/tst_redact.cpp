#include "core/oauth/tokenresponse.h"
#include "core/util/knownsecrets.h"
#include "core/util/redact.h"
#include "core/util/secret.h"

#include <QTest>

using namespace TokenTray;

class tst_Redact : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { KnownSecrets::forgetAll(); }
    void redacts_data();
    void redacts();
    void keepsHarmlessText_data();
    void keepsHarmlessText();
    void secretDebugOutputHidesBytes();
    void secretComparesInConstantTime();
    void messageHandlerRedactsEveryLine();
    void knownValueIsRedactedWhateverItsShape();
    void shortValuesAreNotKnown();
    void knownValuesAreBounded();
};

void tst_Redact::redacts_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("secret"); // must not survive
    QTest::addColumn<QString>("kept"); // must survive (context for the reader)

    QTest::newRow("bearer header") << "Authorization: Bearer abc.DEF-123_x~+/="
                                   << "abc.DEF-123"
                                   << "Authorization: Bearer";
    QTest::newRow("basic header") << "authorization: Basic Y2xpZW50OnMzY3JldA=="
                                  << "Y2xpZW50OnMzY3JldA"
                                  << "Basic";
    QTest::newRow("json access_token") << R"({"access_token":"tok-AAA","token_type":"Bearer"})"
                                       << "tok-AAA"
                                       << "token_type";
    QTest::newRow("json refresh_token spaced") << R"({ "refresh_token" : "rt-BBB" })"
                                               << "rt-BBB"
                                               << "refresh_token";
    QTest::newRow("json escaped quote") << R"({"client_secret":"a\"b-CCC"})"
                                        << "b-CCC"
                                        << "client_secret";
    QTest::newRow("json id_token") << R"({"id_token": "idtok-DDD"})"
                                   << "idtok-DDD"
                                   << "id_token";
    QTest::newRow("form body") << "grant_type=refresh_token&refresh_token=rt-EEE&client_id=app"
                               << "rt-EEE"
                               << "client_id=app";
    QTest::newRow("form client_secret") << "client_id=app&client_secret=cs-FFF"
                                        << "cs-FFF"
                                        << "client_id=app";
    QTest::newRow("query access_token") << "https://api/x?access_token=at-GGG&x=1"
                                        << "at-GGG"
                                        << "x=1";
    QTest::newRow("sts xml secret") << "<SecretAccessKey>wJalr-HHH</SecretAccessKey>"
                                    << "wJalr-HHH"
                                    << "</SecretAccessKey>";
    QTest::newRow("sts xml session")
        << "<SessionToken>FwoG-III</SessionToken><AccessKeyId>AKIA1</AccessKeyId>"
        << "FwoG-III"
        << "AKIA1";
    QTest::newRow("json SecretAccessKey")
        << R"({"SecretAccessKey": "sk-JJJ", "AccessKeyId": "AKIA2"})"
        << "sk-JJJ"
        << "AKIA2";
    QTest::newRow("container Token") << R"({"Token": "st-KKK"})"
                                     << "st-KKK"
                                     << "Token";
    QTest::newRow("amz security token header") << "X-Amz-Security-Token: st-LLL"
                                               << "st-LLL"
                                               << "X-Amz-Security-Token";
    QTest::newRow("amz security token query") << "?X-Amz-Security-Token=st-MMM&X-Amz-Date=1"
                                              << "st-MMM"
                                              << "X-Amz-Date=1";
    QTest::newRow("sigv4 signature")
        << "Credential=AKID/2015/us-east-1/sts/aws4_request, Signature=5fa00fa31553b73e"
        << "5fa00fa31553b73e"
        << "Credential=AKID";
    QTest::newRow("env export") << "export AWS_SECRET_ACCESS_KEY=sk-NNN"
                                << "sk-NNN"
                                << "export";
    QTest::newRow("env session token") << "AWS_SESSION_TOKEN=st-OOO AWS_REGION=eu-west-1"
                                       << "st-OOO"
                                       << "AWS_REGION=eu-west-1";
    QTest::newRow("bare jwt") << "got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl for user"
                              << "eyJzdWIiOiIxMjMifQ"
                              << "for user";
    QTest::newRow("password field") << "password=hunter2-PPP"
                                    << "hunter2-PPP"
                                    << "password=";
    QTest::newRow("two secrets one line") << "refresh_token=rt-Q1&client_secret=cs-Q2"
                                          << "cs-Q2"
                                          << "refresh_token=";
    QTest::newRow("presigned url signature")
        << "https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Signature=9f1c2e3d4b5a6978"
           "&X-Amz-Date=20260101T000000Z"
        << "9f1c2e3d4b5a6978"
        << "X-Amz-Date=20260101T000000Z";
    QTest::newRow("sigv4 authorization header")
        << "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/"
           "aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff0"
        << "fe5f80f77d5fa3beca038a248ff0"
        << "SignedHeaders=host";
    QTest::newRow("access key id") << "AssumeRole with AKIAIOSFODNN7EXAMPLE failed"
                                   << "IOSFODNN7EXAMPLE"
                                   << "failed";
    QTest::newRow("temporary key id") << "AccessKeyId: ASIAQ3EGRJZ5T2EXAMPL expires soon"
                                      << "Q3EGRJZ5T2EXAMPL"
                                      << "expires soon";
    QTest::newRow("ini secret key")
        << "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        << "wJalrXUtnFEMI"
        << "aws_secret_access_key";
    QTest::newRow("40-char key as a value") << "SecretKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
                                            << "wJalrXUtnFEMI"
                                            << "SecretKey:";
    QTest::newRow("json camel secret key")
        << R"({"secretAccessKey":"sk-RRR","sessionToken":"st-SSS","expiration":"2026"})"
        << "sk-RRR"
        << "expiration";
    QTest::newRow("json session token camel")
        << R"({"secretAccessKey":"sk-RRR","sessionToken":"st-SSS","expiration":"2026"})"
        << "st-SSS"
        << "expiration";
    QTest::newRow("bare bearer") << "retrying with Bearer 2YotnFZFEjr1zKsicMWpAA now"
                                 << "2YotnFZFEjr1zKsicMWpAA"
                                 << "now";
    QTest::newRow("json authorization") << R"({"Authorization": "Bearer tok-TTT"})"
                                        << "tok-TTT"
                                        << "Authorization";
    QTest::newRow("mfa code") << "SerialNumber=arn:aws:iam::1:mfa/me&TokenCode=123456"
                              << "123456"
                              << "SerialNumber=";
}

void tst_Redact::redacts()
{
    QFETCH(QString, input);
    QFETCH(QString, secret);
    QFETCH(QString, kept);
    const QString out = redactSecrets(input);
    QVERIFY2(!out.contains(secret), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("<redacted>")), qPrintable(out));
    QVERIFY2(out.contains(kept), qPrintable(out));
}

void tst_Redact::keepsHarmlessText_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("plain") << "refreshing profile work/QA";
    QTest::newRow("url") << "POST https://auth.example.com/oauth2/token";
    QTest::newRow("category name") << "tokentray.secrets: probe finished";
    QTest::newRow("status") << "HTTP 503 from token endpoint";
    QTest::newRow("key path") << "no keychain item 1234/QA/client_secret";
    QTest::newRow("bearer as a word") << R"({"access_token_type":"x","token_type":"Bearer"})";
    QTest::newRow("request id") << "[request id 4e3f1c3a-6c55-4a8e-9a2b-3c1d2e0f9a8b]";
    QTest::newRow("url with port and path")
        << "POST http://127.0.0.1:43210/oauth2/v1/TokenEndpoint/a1b2c3d4e5f6g7h8i9j0";

    // What real servers say: the fake STS (tests/support/fakests.cpp, as AWS words them), the test
    // authority (core/demo/demoauthority.cpp) and the fault server's scripted answers. Every
    // word must reach the user.
    QTest::newRow("aws SignatureDoesNotMatch")
        << "The request signature we calculated does not match the signature you provided. "
           "Check your AWS Secret Access Key and signing method.";
    QTest::newRow("sts SignatureDoesNotMatch")
        << "The request signature we calculated does not match the signature you provided. Check "
           "your AWS Secret Access Key and signing method. Consult the service documentation for "
           "details.";
    QTest::newRow("sts SignatureDoesNotMatch sentence")
        << "STS did not accept the request's signature: The request signature we calculated does "
           "not match the signature you provided. Check your AWS Secret Access Key and signing "
           "method. Check the secret access key; the cause is often the computer's clock being "
           "more than 5 minutes off [request id 0d2f5a9e-1c0b-4f7e-8a53-2b6c9d1e7f40]";
    QTest::newRow("sts invalid token") << "The security token included in the request is invalid.";
    QTest::newRow("sts expired token") << "The security token included in the request is expired";
    QTest::newRow("sts missing token") << "Request is missing Authentication Token";
    QTest::newRow("sts incomplete signature")
        << "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
           "parameters.";
    QTest::newRow("sts service scope") << "Credential should be scoped to correct service: 'sts'. ";
    QTest::newRow("sts region scope") << "Credential should be scoped to a valid region. ";
    QTest::newRow("sts date") << "Date must be in ISO-8601 'basic format'.";
    QTest::newRow("sts signature expired")
        << "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z "
           "(20260101T001000Z - 5 min.)";
    QTest::newRow("sts signature not yet current")
        << "Signature not yet current: 20260101T002000Z is still later than 20260101T001500Z "
           "(20260101T001000Z + 5 min.)";
    QTest::newRow("sts access denied")
        << "User: arn:aws:iam::123456789012:user/demo is not authorized to perform: "
           "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Admin";
    QTest::newRow("sts mfa") << "MultiFactorAuthentication failed with invalid MFA one time pass "
                                "code. ";
    QTest::newRow("sts token code pattern")
        << "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: "
           "Member must satisfy regular expression pattern: [\\d]*";
    QTest::newRow("sts chaining")
        << "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
           "role chaining.";
    QTest::newRow("sts throttling") << "STS is throttling requests (Throttling): Rate exceeded";
    QTest::newRow("sts internal failure")
        << "The request processing has failed because of an unknown error, exception or failure.";
    QTest::newRow("sts invalid action") << "Could not find operation AssumeRole for version "
                                           "2011-06-15";
    QTest::newRow("authority invalid_grant")
        << R"({"error":"invalid_grant","error_description":"unknown or revoked refresh token"})";
    QTest::newRow("authority refusal sentence")
        << "the token endpoint refused: invalid_grant (unknown or revoked refresh token)";
    QTest::newRow("authority invalid_client") << R"({"error":"invalid_client"})";
    QTest::newRow("authority post only")
        << R"({"error":"invalid_request","error_description":"POST only"})";
    QTest::newRow("fault server") << R"({"error":"temporarily_unavailable"})";
    QTest::newRow("fault server exhausted") << R"({"error":"script exhausted"})";
    QTest::newRow("client auth failed")
        << R"({"error":"invalid_client","error_description":"client authentication failed"})";
}

void tst_Redact::keepsHarmlessText()
{
    QFETCH(QString, input);
    QCOMPARE(redactSecrets(input), input);
}

void tst_Redact::secretDebugOutputHidesBytes()
{
    const Secret secret(QByteArrayLiteral("super-secret-value"));
    QString printed;
    QDebug(&printed) << secret;
    QCOMPARE(printed, QStringLiteral("Secret(<redacted>, 18 bytes) "));
    QCOMPARE(secret.expose(), QByteArrayLiteral("super-secret-value"));
}

void tst_Redact::secretComparesInConstantTime()
{
    const Secret a(QByteArrayLiteral("abcdef"));
    QVERIFY(a.constantTimeEquals(Secret(QByteArrayLiteral("abcdef"))));
    QVERIFY(!a.constantTimeEquals(Secret(QByteArrayLiteral("abcdeg"))));
    QVERIFY(!a.constantTimeEquals(Secret(QByteArrayLiteral("abcde"))));
    QVERIFY(!a.constantTimeEquals(Secret()));
    Secret copy = a;
    copy.clear();
    QVERIFY(copy.isEmpty());
    QCOMPARE(a.expose(), QByteArrayLiteral("abcdef")); // clearing a copy leaves the original
}

namespace {
QStringList g_captured;
void captureHandler(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_captured << message;
}
} // namespace

void tst_Redact::messageHandlerRedactsEveryLine()
{
    const QtMessageHandler testlib = qInstallMessageHandler(captureHandler);
    installRedactingMessageHandler();
    qWarning("token response {\"access_token\":\"at-ZZZ\"}");
    qDebug() << "client_secret=cs-YYY";
    qInstallMessageHandler(testlib);
    QCOMPARE(g_captured.size(), 2);
    for (const QString &line : std::as_const(g_captured)) {
        QVERIFY2(!line.contains(QLatin1String("at-ZZZ")) && !line.contains(QLatin1String("cs-YYY")),
                 qPrintable(line));
        QVERIFY(line.contains(QLatin1String("<redacted>")));
    }
}

void tst_Redact::knownValueIsRedactedWhateverItsShape()
{
    // An opaque API key has no shape a rule could find; once this process held it as a secret
    // (read from the keychain, parsed from a token answer), it is removed wherever it appears,
    // and only it.
    const QString line
        = QStringLiteral("the server refused key q7Zr9wLx2m, sent as q7Zr9wLx2m; q7Zr9wLx2 stays");
    QCOMPARE(redactSecrets(line), line);
    KnownSecrets::remember("q7Zr9wLx2m");
    QCOMPARE(
        redactSecrets(line),
        QStringLiteral("the server refused key <redacted>, sent as <redacted>; q7Zr9wLx2 stays"));
    // Non-ASCII around it and in it.
    KnownSecrets::remember(QStringLiteral("gehëim-wört-42").toUtf8());
    QCOMPARE(redactSecrets(QStringLiteral("«gehëim-wört-42» ist falsch")),
             QStringLiteral("«<redacted>» ist falsch"));
    // Tokens a server issues are known from the moment they are parsed.
    const auto parsed = parseTokenResponse(
        200, R"({"access_token":"opaque.AT.7781","refresh_token":"opaque-RT-9923"})");
    QVERIFY(parsed);
    QCOMPARE(redactSecrets(QStringLiteral("got opaque.AT.7781 and opaque-RT-9923 back")),
             QStringLiteral("got <redacted> and <redacted> back"));
}

void tst_Redact::shortValuesAreNotKnown()
{
    // A six-digit MFA code is too likely to be an ordinary number to be removed everywhere.
    KnownSecrets::remember("123456");
    const QString line = QStringLiteral("request 123456 failed");
    QCOMPARE(redactSecrets(line), line);
    // Nor is every Secret a known value: a region or a URL handed around as one stays readable.
    const Secret region(QByteArray("us-east-1"));
    QCOMPARE(redactSecrets(QStringLiteral("sts.us-east-1.amazonaws.com")),
             QStringLiteral("sts.us-east-1.amazonaws.com"));
}

void tst_Redact::knownValuesAreBounded()
{
    const QByteArray first = "first-secret-value";
    KnownSecrets::remember(first);
    for (int i = 0; i < KnownSecrets::kCapacity; ++i)
        KnownSecrets::remember(QByteArray("later-secret-") + QByteArray::number(i));
    // The oldest one fell out of the bounded list; the newest is still known.
    QCOMPARE(redactSecrets(QString::fromLatin1(first)), QString::fromLatin1(first));
    QCOMPARE(redactSecrets(QStringLiteral("later-secret-%1").arg(KnownSecrets::kCapacity - 1)),
             QStringLiteral("<redacted>"));
}

QTEST_GUILESS_MAIN(tst_Redact)
#include "tst_redact.moc"
