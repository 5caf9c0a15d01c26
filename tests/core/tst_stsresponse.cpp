// STS answer parsers and the STS error mapping: good and bad XML, every error code TokenTray
// reasons about, and that no secret reaches an error's detail.
#include "core/aws/stsresponse.h"
#include "core/net/httpjob.h"

#include <QTest>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::ErrorCode)

using Headers = QList<std::pair<QByteArray, QByteArray>>;

namespace {

const QDateTime kNow(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);
const QByteArray kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const QByteArray kToken = "FwoGZXIvYXdzEBYaDHhBTEXAMPLETOKENAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                          "+/Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==";

QByteArray assumeRoleXml(const QByteArray &credentials, const QByteArray &user = {},
                         const QByteArray &xmlns
                         = " xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"")
{
    const QByteArray assumedUser = user.isNull()
        ? "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>"
          "<AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId></AssumedRoleUser>"
        : user;
    return "<AssumeRoleResponse" + xmlns
        + ">\n  <AssumeRoleResult>\n    <SourceIdentity>DevUser"
          "</SourceIdentity>\n    "
        + assumedUser + "\n    " + credentials
        + "\n    <PackedPolicySize>6</PackedPolicySize>\n  </AssumeRoleResult>\n"
          "  <ResponseMetadata>\n    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
          "  </ResponseMetadata>\n</AssumeRoleResponse>\n";
}

QByteArray credentialsXml(const QByteArray &expiration = "2030-01-02T04:04:05Z",
                          const QByteArray &id = "ASIAIOSFODNN7EXAMPLE",
                          const QByteArray &secret = kSecret, const QByteArray &token = kToken)
{
    return "<Credentials>\n      <AccessKeyId>" + id + "</AccessKeyId>\n      <SecretAccessKey>"
        + secret + "</SecretAccessKey>\n      <SessionToken>" + token
        + "</SessionToken>\n      <Expiration>" + expiration + "</Expiration>\n    </Credentials>";
}

QByteArray errorXml(const QByteArray &code, const QByteArray &message,
                    const QByteArray &type = "Sender")
{
    return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n"
           "    <Type>"
        + type + "</Type>\n    <Code>" + code + "</Code>\n    <Message>" + message
        + "</Message>\n  </Error>\n  <RequestId>4b6a2f3e-9c1d-11e0-8154-cbc7ccf896c7</RequestId>\n"
          "</ErrorResponse>\n";
}

} // namespace

class tst_StsResponse : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseAssumeRole_data();
    void parseAssumeRole();
    void parseCallerIdentity_data();
    void parseCallerIdentity();
    void stsError_data();
    void stsError();
    void noSecretInErrorDetail_data();
    void noSecretInErrorDetail();
    void parseErrorDetailHasNoSecret();
    void throttlingReasonsAreTransient();
    void serverMessageReachesTheUser_data();
    void serverMessageReachesTheUser();
    void serverMessageHasNoControlCharacters_data();
    void serverMessageHasNoControlCharacters();
    void requestIdWithoutErrorDocument();
    void expirationIsSane_data();
    void expirationIsSane();
};

// ---- AssumeRole ----------------------------------------------------------------------------

void tst_StsResponse::parseAssumeRole_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("accessKeyId");
    QTest::addColumn<QDateTime>("expiration");

    const QString id = "ASIAIOSFODNN7EXAMPLE";
    const QDateTime exp(QDate(2030, 1, 2), QTime(4, 4, 5), Qt::UTC);
    QTest::newRow("real shape") << assumeRoleXml(credentialsXml()) << true << id << exp;
    QTest::newRow("milliseconds") << assumeRoleXml(credentialsXml("2030-01-02T04:04:05.359Z"))
                                  << true << id << exp.addMSecs(359);
    QTest::newRow("microseconds") << assumeRoleXml(credentialsXml("2030-01-02T04:04:05.359123Z"))
                                  << true << id << exp.addMSecs(359);
    QTest::newRow("offset") << assumeRoleXml(credentialsXml("2030-01-02T06:04:05+02:00")) << true
                            << id << exp;
    QTest::newRow("no zone is UTC")
        << assumeRoleXml(credentialsXml("2030-01-02T04:04:05")) << true << id << exp;
    QTest::newRow("no namespace") << assumeRoleXml(credentialsXml(), {}, {}) << true << id << exp;
    QTest::newRow("xml declaration") << QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                                   + assumeRoleXml(credentialsXml()))
                                     << true << id << exp;
    QTest::newRow("escaped characters")
        << assumeRoleXml(credentialsXml("2030-01-02T04:04:05Z", id.toLatin1(), "a&amp;b/c+d"))
        << true << id << exp;

    const QDateTime none;
    QTest::newRow("empty") << QByteArray() << false << QString() << none;
    QTest::newRow("json") << QByteArray(R"({"AssumeRoleResponse":{}})") << false << QString()
                          << none;
    QTest::newRow("truncated") << assumeRoleXml(credentialsXml()).left(300) << false << QString()
                               << none;
    QTest::newRow("error document") << errorXml("AccessDenied", "no") << false << QString() << none;
    QTest::newRow("no session token") << assumeRoleXml(
        credentialsXml().replace(QByteArray("<SessionToken>" + kToken + "</SessionToken>"), ""))
                                      << false << QString() << none;
    QTest::newRow("empty secret") << assumeRoleXml(
        credentialsXml("2030-01-02T04:04:05Z", id.toLatin1(), ""))
                                  << false << QString() << none;
    QTest::newRow("CSI in the role arn")
        << assumeRoleXml(credentialsXml(),
                         "<AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/x\xc2\x9b"
                         "2J/s</Arn>"
                         "<AssumedRoleId>ARO1:s</AssumedRoleId></AssumedRoleUser>")
        << false << QString() << none;
    QTest::newRow("no access key id")
        << assumeRoleXml(credentialsXml("2030-01-02T04:04:05Z", "")) << false << QString() << none;
    QTest::newRow("space in key id")
        << assumeRoleXml(credentialsXml("2030-01-02T04:04:05Z", "ASIA IOSFODNN7")) << false
        << QString() << none;
    QTest::newRow("newline in token")
        << assumeRoleXml(credentialsXml("2030-01-02T04:04:05Z", id.toLatin1(), kSecret, "ab\ncd"))
        << false << QString() << none;
    QTest::newRow("no assumed role user")
        << assumeRoleXml(credentialsXml(), "") << false << QString() << none;
    QTest::newRow("no expiration") << assumeRoleXml(
        credentialsXml().replace("<Expiration>2030-01-02T04:04:05Z</Expiration>", ""))
                                   << false << QString() << none;
    QTest::newRow("expiration words")
        << assumeRoleXml(credentialsXml("tomorrow")) << false << QString() << none;
    QTest::newRow("expiration space")
        << assumeRoleXml(credentialsXml("2030-01-02 04:04:05Z")) << false << QString() << none;
    QTest::newRow("expiration epoch")
        << assumeRoleXml(credentialsXml("1893557045")) << false << QString() << none;
    QTest::newRow("expiration month 13")
        << assumeRoleXml(credentialsXml("2030-13-02T04:04:05Z")) << false << QString() << none;
    QTest::newRow("duplicate key id")
        << assumeRoleXml(credentialsXml() + credentialsXml()) << false << QString() << none;
    QTest::newRow("credentials at the wrong depth")
        << QByteArray("<AssumeRoleResponse>" + credentialsXml() + "</AssumeRoleResponse>") << false
        << QString() << none;
    QTest::newRow("dtd with entities") << QByteArray(
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
        + assumeRoleXml(credentialsXml("2030-01-02T04:04:05Z", "ASIAIOSFODNN7EXAMPLE", "&b;")))
                                       << false << QString() << none;
    QTest::newRow("trailing garbage")
        << QByteArray(assumeRoleXml(credentialsXml()) + "<x>") << false << QString() << none;
}

void tst_StsResponse::parseAssumeRole()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(QString, accessKeyId);
    QFETCH(QDateTime, expiration);

    const auto r = parseAssumeRoleResponse(body);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Parse);
        QVERIFY(!r.error().detail.isEmpty());
        return;
    }
    QCOMPARE(r->keys.accessKeyId, accessKeyId);
    QCOMPARE(r->expiration, expiration);
    QCOMPARE(r->expiration.timeSpec(), Qt::UTC);
    QVERIFY(!r->keys.secretAccessKey.isEmpty());
    QVERIFY(r->keys.isTemporary());
    QCOMPARE(r->assumedRoleArn, "arn:aws:sts::123456789012:assumed-role/demo/TestAR");
    QCOMPARE(r->assumedRoleId, "ARO123EXAMPLE123:TestAR");
    if (QTest::currentDataTag() == QLatin1String("escaped characters"))
        QCOMPARE(r->keys.secretAccessKey.expose(), QByteArray("a&b/c+d"));
    else
        QCOMPARE(r->keys.secretAccessKey.expose(), kSecret);
}

// ---- GetCallerIdentity ---------------------------------------------------------------------

void tst_StsResponse::parseCallerIdentity_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    const QByteArray good
        = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
          "  <GetCallerIdentityResult>\n    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n"
          "    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>\n    <Account>123456789012</Account>\n"
          "  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>01234567-89ab-cdef"
          "</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n";
    QTest::newRow("real shape") << good << true;
    QTest::newRow("no account") << QByteArray(good).replace("<Account>123456789012</Account>", "")
                                << false;
    // What `verify` prints: no terminal escapes (C1 CSI is XML; ESC itself is not).
    QTest::newRow("CSI in the arn") << QByteArray(good).replace("user/Alice",
                                                                "user/Alice\xc2\x9b"
                                                                "2J")
                                    << false;
    QTest::newRow("line break in the user id")
        << QByteArray(good).replace("AIDACKCEVSQ6C2EXAMPLE", "AIDA&#13;&#10;fake") << false;
    QTest::newRow("empty arn") << QByteArray(good).replace("arn:aws:iam::123456789012:user/Alice",
                                                           "")
                               << false;
    QTest::newRow("truncated") << good.left(120) << false;
    QTest::newRow("assume role document") << assumeRoleXml(credentialsXml()) << false;
    QTest::newRow("not xml") << QByteArray("Account=123") << false;
}

void tst_StsResponse::parseCallerIdentity()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    const auto r = parseCallerIdentityResponse(body);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Parse);
        return;
    }
    QCOMPARE(r->account, "123456789012");
    QCOMPARE(r->arn, "arn:aws:iam::123456789012:user/Alice");
    QCOMPARE(r->userId, "AIDACKCEVSQ6C2EXAMPLE");
}

// ---- error mapping -------------------------------------------------------------------------

void tst_StsResponse::stsError_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("transient");
    QTest::addColumn<int>("retryAfter");
    QTest::addColumn<QString>("detailContains");

    const Headers none;
    QTest::newRow("AccessDenied")
        << 403 << none
        << errorXml("AccessDenied",
                    "User: arn:aws:iam::123456789012:user/bob is not authorized "
                    "to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/x")
        << ErrorCode::Rejected << "AccessDenied" << false << -1 << "is not authorized";
    QTest::newRow("InvalidClientTokenId")
        << 403 << none
        << errorXml("InvalidClientTokenId",
                    "The security token included in the request is "
                    "invalid.")
        << ErrorCode::Rejected << "InvalidClientTokenId" << false << -1 << "access key";
    QTest::newRow("SignatureDoesNotMatch, clock far ahead")
        << 403 << Headers {{"Date", "Wed, 02 Jan 2030 02:54:05 GMT"}}
        << errorXml("SignatureDoesNotMatch",
                    "Signature not yet current: 20300102T030405Z is "
                    "still later than 20300102T025905Z")
        << ErrorCode::Rejected << "SignatureDoesNotMatch" << false << -1
        << "clock is 10 minutes ahead of AWS's time";
    QTest::newRow("SignatureDoesNotMatch, clock far behind")
        << 403 << Headers {{"Date", "Wed, 02 Jan 2030 04:04:05 GMT"}}
        << errorXml("SignatureDoesNotMatch", "Signature expired") << ErrorCode::Rejected
        << "SignatureDoesNotMatch" << false << -1 << "clock is 60 minutes behind";
    QTest::newRow("SignatureDoesNotMatch, clock fine")
        << 403 << Headers {{"Date", "Wed, 02 Jan 2030 03:06:05 GMT"}}
        << errorXml("SignatureDoesNotMatch", "The request signature we calculated does not match")
        << ErrorCode::Rejected << "SignatureDoesNotMatch" << false << -1
        << "often the computer's clock";
    QTest::newRow("SignatureDoesNotMatch, no date")
        << 403 << none << errorXml("SignatureDoesNotMatch", "") << ErrorCode::Rejected
        << "SignatureDoesNotMatch" << false << -1 << "often the computer's clock";
    QTest::newRow("ExpiredToken")
        << 400 << none
        << errorXml("ExpiredToken", "The security token included in the request is expired")
        << ErrorCode::Rejected << "ExpiredToken" << false << -1 << "expired";
    QTest::newRow("MFA failed")
        << 403 << none
        << errorXml("AccessDenied",
                    "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
        << ErrorCode::Rejected << "AccessDenied" << false << -1 << "MFA code";
    QTest::newRow("ValidationError")
        << 400 << none
        << errorXml("ValidationError",
                    "The requested DurationSeconds exceeds the 1 hour session "
                    "limit for roles assumed by role chaining.")
        << ErrorCode::Rejected << "ValidationError" << false << -1 << "role chaining";
    QTest::newRow("Throttling") << 400 << Headers {{"Retry-After", "7"}}
                                << errorXml("Throttling", "Rate exceeded") << ErrorCode::HttpStatus
                                << "Throttling" << true << 7 << "throttling";
    QTest::newRow("ThrottlingException")
        << 400 << none << errorXml("ThrottlingException", "Rate exceeded") << ErrorCode::HttpStatus
        << "ThrottlingException" << true << -1 << "throttling";
    QTest::newRow("RequestLimitExceeded")
        << 400 << Headers {{"Retry-After", "Wed, 02 Jan 2030 03:04:35 GMT"}}
        << errorXml("RequestLimitExceeded", "") << ErrorCode::HttpStatus << "RequestLimitExceeded"
        << true << 30 << "throttling";
    QTest::newRow("500 InternalFailure")
        << 500 << none << errorXml("InternalFailure", "unknown error", "Receiver")
        << ErrorCode::HttpStatus << "InternalFailure" << true << -1 << "HTTP 500";
    QTest::newRow("503 no body") << 503 << Headers {{"Retry-After", "2"}} << QByteArray()
                                 << ErrorCode::HttpStatus << QString() << true << 2 << "HTTP 503";
    QTest::newRow("403 html") << 403 << none << QByteArray("<html><body>Forbidden</body></html>")
                              << ErrorCode::HttpStatus << QString() << false << -1 << "HTTP 403";
    QTest::newRow("400 truncated error")
        << 400 << none << errorXml("AccessDenied", "x").left(60) << ErrorCode::HttpStatus
        << QString() << false << -1 << "HTTP 400";
    QTest::newRow("redirect") << 302 << Headers {{"Location", "https://elsewhere/"}} << QByteArray()
                              << ErrorCode::HttpStatus << QString() << false << -1 << "redirect";
    QTest::newRow("unreadable code")
        << 400 << none << errorXml("Bad Code &lt;script&gt;", "m") << ErrorCode::Rejected
        << "(unreadable)" << false << -1 << "STS refused";
}

void tst_StsResponse::stsError()
{
    QFETCH(int, status);
    QFETCH(Headers, headers);
    QFETCH(QByteArray, body);
    QFETCH(ErrorCode, code);
    QFETCH(QString, reason);
    QFETCH(bool, transient);
    QFETCH(int, retryAfter);
    QFETCH(QString, detailContains);

    const Error e = TokenTray::stsError(HttpResponse {status, headers, body}, kNow);
    QCOMPARE(e.code, code);
    QCOMPARE(e.reason, reason);
    QCOMPARE(e.httpStatus, status);
    QCOMPARE(e.transient(), transient);
    QCOMPARE(e.retryAfterSeconds, retryAfter);
    QVERIFY2(e.detail.contains(detailContains), qPrintable(e.detail));
}

// STS (and the services that share its error format) echo the canonical request after a
// SignatureDoesNotMatch; that holds the session token. None of it may reach the detail.
void tst_StsResponse::noSecretInErrorDetail_data()
{
    QTest::addColumn<QByteArray>("message");
    const QByteArray canonical
        = "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:sts."
          "amazonaws.com\nx-amz-date:20300102T030405Z\nx-amz-security-token:"
        + kToken + "\n\ncontent-type;host;x-amz-date;x-amz-security-token\ne3b0c442";
    QTest::newRow("canonical string") << QByteArray(
        "The request signature we calculated does not match the signature you provided.\n\n"
        "The Canonical String for this request should have been\n'"
        + canonical
        + "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20300102T030405Z'\n");
    QTest::newRow("token in the message") << QByteArray("bad token " + kToken);
    QTest::newRow("secret in the message") << QByteArray("secret " + kSecret + " is wrong");
    QTest::newRow("named fields") << QByteArray(
        "X-Amz-Security-Token: abcdef SecretAccessKey=ghijkl&SessionToken=mnopqr");
    QTest::newRow("body echo") << QByteArray("Action=AssumeRole&TokenCode=123456&SessionToken="
                                             + kToken.left(20));
}

void tst_StsResponse::noSecretInErrorDetail()
{
    QFETCH(QByteArray, message);
    for (const QByteArray code : {"SignatureDoesNotMatch", "AccessDenied", "Throttling",
                                  "InternalFailure", "SomethingNew"}) {
        const QByteArray escaped = QString::fromUtf8(message).toHtmlEscaped().toUtf8();
        const Error e = TokenTray::stsError(
            HttpResponse {code == "InternalFailure" ? 500 : 403, {}, errorXml(code, escaped)},
            kNow);
        QVERIFY2(!e.detail.contains(QString::fromLatin1(kToken)), qPrintable(e.detail));
        QVERIFY2(!e.detail.contains(QString::fromLatin1(kToken.left(40))), qPrintable(e.detail));
        QVERIFY2(!e.detail.contains(QString::fromLatin1(kSecret)), qPrintable(e.detail));
        QVERIFY2(!e.detail.contains("abcdef"), qPrintable(e.detail));
        QVERIFY2(!e.detail.contains("ghijkl"), qPrintable(e.detail));
        QVERIFY2(!e.detail.contains("mnopqr"), qPrintable(e.detail));
        QVERIFY2(!e.detail.contains("123456"), qPrintable(e.detail));
        QVERIFY2(!e.detail.contains('\n'), qPrintable(e.detail));
        QVERIFY(e.detail.size() < 500);
    }
}

void tst_StsResponse::parseErrorDetailHasNoSecret()
{
    // A 200 whose credentials are broken says what is wrong, never what the values were.
    for (const QByteArray &body :
         {assumeRoleXml(credentialsXml("not-a-date")),
          assumeRoleXml(credentialsXml("2030-01-02T04:04:05Z", "ASIA X", kSecret, kToken)),
          assumeRoleXml(credentialsXml(), "")}) {
        const auto r = parseAssumeRoleResponse(body);
        QVERIFY(!r);
        QVERIFY(!r.error().detail.contains(QString::fromLatin1(kSecret)));
        QVERIFY(!r.error().detail.contains(QString::fromLatin1(kToken.left(20))));
    }
}

void tst_StsResponse::throttlingReasonsAreTransient()
{
    for (const char *reason : {"Throttling", "ThrottlingException", "RequestLimitExceeded"}) {
        QVERIFY(Error(ErrorCode::HttpStatus, {}, 400, QString::fromLatin1(reason)).transient());
        QVERIFY(Error(ErrorCode::Rejected, {}, 400, QString::fromLatin1(reason)).transient());
    }
    QVERIFY(!Error(ErrorCode::HttpStatus, {}, 400, "AccessDenied").transient());
    QVERIFY(!Error(ErrorCode::Rejected, {}, 403, "throttling").transient());
}

// What STS (and the fake STS, tests/support/fakests.cpp, which words its errors as AWS does) says
// reaches the user word for word: redaction takes secrets, not words after "signature:".
void tst_StsResponse::serverMessageReachesTheUser_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("sentence");

    QTest::newRow("aws SignatureDoesNotMatch")
        << 403 << QByteArray("SignatureDoesNotMatch")
        << "The request signature we calculated does not match the signature you provided. Check "
           "your AWS Secret Access Key and signing method."
        << "STS did not accept the request's signature: The request signature we calculated does "
           "not match the signature you provided. Check your AWS Secret Access Key and signing "
           "method. Check the secret access key; the cause is often the computer's clock being "
           "more than 5 minutes off [request id 4b6a2f3e-9c1d-11e0-8154-cbc7ccf896c7]";
    QTest::newRow("fake sts SignatureDoesNotMatch")
        << 403 << QByteArray("SignatureDoesNotMatch")
        << "The request signature we calculated does not match the signature you provided. Check "
           "your AWS Secret Access Key and signing method. Consult the service documentation for "
           "details."
        << "STS did not accept the request's signature: The request";
    QTest::newRow("signature expired")
        << 403 << QByteArray("SignatureDoesNotMatch")
        << "Signature expired: 20300102T030405Z is now earlier than 20300102T031405Z "
           "(20300102T031905Z - 5 min.)"
        << "signature: Signature expired: 20300102T030405Z";
    QTest::newRow("service scope") << 403 << QByteArray("SignatureDoesNotMatch")
                                   << "Credential should be scoped to correct service: 'sts'."
                                   << "signature: Credential should";
    QTest::newRow("invalid token") << 403 << QByteArray("InvalidClientTokenId")
                                   << "The security token included in the request is invalid."
                                   << "access key or session token: The security token";
    QTest::newRow("expired token") << 400 << QByteArray("ExpiredToken")
                                   << "The security token included in the request is expired"
                                   << "have expired: The security token";
    QTest::newRow("missing token") << 403 << QByteArray("MissingAuthenticationToken")
                                   << "Request is missing Authentication Token"
                                   << "(MissingAuthenticationToken): Request";
    QTest::newRow("incomplete signature")
        << 400 << QByteArray("IncompleteSignature")
        << "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
           "parameters."
        << "(IncompleteSignature): Authorization header";
    QTest::newRow("access denied")
        << 403 << QByteArray("AccessDenied")
        << "User: arn:aws:iam::123456789012:user/demo is not authorized to perform: "
           "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Admin"
        << "STS denied access: User:";
    QTest::newRow("token code pattern")
        << 400 << QByteArray("ValidationError")
        << "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: "
           "Member must satisfy regular expression pattern: [\\d]*"
        << "(ValidationError): 1 validation";
    QTest::newRow("internal failure")
        << 500 << QByteArray("InternalFailure")
        << "The request processing has failed because of an unknown error, exception or failure."
        << "HTTP 500, InternalFailure): The request";
}

void tst_StsResponse::serverMessageReachesTheUser()
{
    QFETCH(int, status);
    QFETCH(QByteArray, code);
    QFETCH(QString, message);
    QFETCH(QString, sentence);
    const Error e = TokenTray::stsError(
        HttpResponse {status, {}, errorXml(code, message.toHtmlEscaped().toUtf8())}, kNow);
    QCOMPARE(e.reason, QString::fromLatin1(code));
    QCOMPARE(e.requestId, QStringLiteral("4b6a2f3e-9c1d-11e0-8154-cbc7ccf896c7"));
    QVERIFY2(e.detail.contains(message.trimmed()), qPrintable(e.detail));
    QVERIFY2(e.detail.contains(sentence), qPrintable(e.detail));
    QVERIFY2(!e.detail.contains(QLatin1String("redacted")), qPrintable(e.detail));
}

// A hostile or broken server cannot move the cursor, colour the terminal or fake a line.
void tst_StsResponse::serverMessageHasNoControlCharacters_data()
{
    QTest::addColumn<QByteArray>("message"); // XML text
    QTest::addColumn<QString>("shown");
    QTest::newRow("CR LF") << QByteArray("denied\r\ntokentray-cli: all good")
                           << "denied tokentray-cli: all good";
    QTest::newRow("character references") << QByteArray("a&#13;&#10;b&#9;c") << "a b c";
    QTest::newRow("C1 CSI") << QByteArray("x\xc2\x9b"
                                          "2Jy")
                            << "x 2Jy";
    QTest::newRow("bidi override") << QByteArray("abc\xe2\x80\xae"
                                                 "dcba")
                                   << "abc dcba";
    QTest::newRow("line separator") << QByteArray("one\xe2\x80\xa8"
                                                  "two")
                                    << "one two";
}

void tst_StsResponse::serverMessageHasNoControlCharacters()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, shown);
    const Error e
        = TokenTray::stsError(HttpResponse {403, {}, errorXml("AccessDenied", message)}, kNow);
    QVERIFY2(e.detail.contains(QStringLiteral("STS denied access: ") + shown),
             qPrintable(e.detail));
    for (QChar c : e.detail)
        QVERIFY2(c.category() != QChar::Other_Control && c.category() != QChar::Other_Format
                     && c.category() != QChar::Separator_Line,
                 qPrintable(e.detail));
    // ESC is not even XML: the document is unreadable and nothing of it is shown.
    const Error esc
        = TokenTray::stsError(HttpResponse {403, {}, errorXml("AccessDenied", "a\x1b[2Jb")}, kNow);
    QVERIFY(!esc.detail.contains(QLatin1Char('\x1b')));
}

void tst_StsResponse::requestIdWithoutErrorDocument()
{
    const Headers headers {{"x-amzn-RequestId", "0d2f5a9e-1c0b-4f7e-8a53-2b6c9d1e7f40"}};
    const Error bare = TokenTray::stsError(HttpResponse {503, headers, {}}, kNow);
    QCOMPARE(bare.requestId, QStringLiteral("0d2f5a9e-1c0b-4f7e-8a53-2b6c9d1e7f40"));
    // The document's RequestId is the one STS logs; it wins over the header.
    const Error both
        = TokenTray::stsError(HttpResponse {403, headers, errorXml("AccessDenied", "no")}, kNow);
    QCOMPARE(both.requestId, QStringLiteral("4b6a2f3e-9c1d-11e0-8154-cbc7ccf896c7"));
    const Error none = TokenTray::stsError(HttpResponse {503, {}, {}}, kNow);
    QVERIFY(none.requestId.isEmpty());
}

// Credentials already expired when asked for (Expiration 2001-01-01), or valid for longer than
// STS ever grants, are a server error and never handed out.
void tst_StsResponse::expirationIsSane_data()
{
    QTest::addColumn<QByteArray>("expiration");
    QTest::addColumn<bool>("ok");
    // kNow is 2030-01-02T03:04:05Z.
    QTest::newRow("2001") << QByteArray("2001-01-01T00:00:00Z") << false;
    QTest::newRow("a second before the request") << QByteArray("2030-01-02T03:04:04Z") << false;
    QTest::newRow("at the request") << QByteArray("2030-01-02T03:04:05Z") << false;
    QTest::newRow("a second after") << QByteArray("2030-01-02T03:04:06Z") << true;
    QTest::newRow("15 minutes") << QByteArray("2030-01-02T03:19:05Z") << true;
    QTest::newRow("12 hours") << QByteArray("2030-01-02T15:04:05Z") << true;
    QTest::newRow("36 hours") << QByteArray("2030-01-03T15:04:05Z") << true;
    QTest::newRow("36 hours and a second") << QByteArray("2030-01-03T15:04:06Z") << false;
    QTest::newRow("year 9999") << QByteArray("9999-12-31T23:59:59Z") << false;
}

void tst_StsResponse::expirationIsSane()
{
    QFETCH(QByteArray, expiration);
    QFETCH(bool, ok);
    const QByteArray body = assumeRoleXml(credentialsXml(expiration));
    QVERIFY(parseAssumeRoleResponse(body)); // the document itself is fine
    const auto r = parseAssumeRoleResponse(body, kNow);
    QCOMPARE(bool(r), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Parse);
        QVERIFY2(r.error().detail.contains(QLatin1String("Expiration")),
                 qPrintable(r.error().detail));
        QVERIFY(!r.error().detail.contains(QString::fromLatin1(kSecret)));
    }
}

QTEST_GUILESS_MAIN(tst_StsResponse)
#include "tst_stsresponse.moc"
