// Pure parsers and rules of the OAuth layer: token responses, JWTs, discovery, device
// authorization, form and Basic encoding, credentials built from responses, refresh windows.
#include "core/model/credential.h"
#include "core/net/httpjob.h"
#include "core/oauth/jwt.h"
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/oauth/tokenresponse.h"
#include "core/refresh/credentialfetch.h"
#include "core/refresh/tokenstate.h"

#include <QTest>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::ErrorCode)
Q_DECLARE_METATYPE(TokenTray::TokenState)

namespace {

using Fields = QList<std::pair<QString, QString>>;

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray makeJwt(const QByteArray &claims)
{
    return base64Url(R"({"alg":"RS256","typ":"JWT"})") + '.' + base64Url(claims) + ".c2lnbmF0dXJl";
}

const QDateTime kSentAt(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);

} // namespace

class tst_TokenResponse : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseTokenResponse_data();
    void parseTokenResponse();
    void oauthErrorCodeIsSanitised();
    void oauthErrorDescriptionHasNoControlCharacters_data();
    void oauthErrorDescriptionHasNoControlCharacters();
    void requestIdFromHeaders_data();
    void requestIdFromHeaders();
    void deviceUserCodeHasNoControlCharacters();
    void decodeJwt_data();
    void decodeJwt();
    void parseDiscovery_data();
    void parseDiscovery();
    void discoveryUrls_data();
    void discoveryUrls();
    void parseDeviceAuthorization_data();
    void parseDeviceAuthorization();
    void formEncode_data();
    void formEncode();
    void basicAuthorization_data();
    void basicAuthorization();
    void credentialFromResponse_data();
    void credentialFromResponse();
    void cacheBytesRoundTrip();
    void cacheBytesRejectsGarbage_data();
    void cacheBytesRejectsGarbage();
    void refreshLeads_data();
    void refreshLeads();
    void classifyAndNextTransition_data();
    void classifyAndNextTransition();
    void classifyWithoutExpiry();
};

// ---- parseTokenResponse --------------------------------------------------------------------

void tst_TokenResponse::parseTokenResponse_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    // success
    QTest::addColumn<QByteArray>("accessToken");
    QTest::addColumn<QString>("tokenType");
    QTest::addColumn<qint64>("expiresIn"); // -1: none
    QTest::addColumn<QByteArray>("refreshToken");
    QTest::addColumn<QStringList>("scopes");
    // failure
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("transient");

    const ErrorCode none = ErrorCode::Internal;
    QTest::newRow("200 full")
        << 200
        << QByteArray(R"({"access_token":"at1","token_type":"Bearer","expires_in":3600,)"
                      R"("refresh_token":"rt1","scope":"read write"})")
        << true << QByteArray("at1") << "Bearer" << qint64(3600) << QByteArray("rt1")
        << QStringList {"read", "write"} << none << QString() << false;
    QTest::newRow("200 without expires_in")
        << 200 << QByteArray(R"({"access_token":"at2","token_type":"Bearer"})") << true
        << QByteArray("at2") << "Bearer" << qint64(-1) << QByteArray() << QStringList() << none
        << QString() << false;
    QTest::newRow("200 expires_in null")
        << 200 << QByteArray(R"({"access_token":"at2","token_type":"Bearer","expires_in":null})")
        << true << QByteArray("at2") << "Bearer" << qint64(-1) << QByteArray() << QStringList()
        << none << QString() << false;
    QTest::newRow("200 quoted expires_in")
        << 200 << QByteArray(R"({"access_token":"at3","token_type":"Bearer","expires_in":"1800"})")
        << true << QByteArray("at3") << "Bearer" << qint64(1800) << QByteArray() << QStringList()
        << none << QString() << false;
    QTest::newRow("200 fractional expires_in is truncated")
        << 200 << QByteArray(R"({"access_token":"at3","expires_in":59.9})") << true
        << QByteArray("at3") << "Bearer" << qint64(59) << QByteArray() << QStringList() << none
        << QString() << false;
    QTest::newRow("200 expires_in zero")
        << 200 << QByteArray(R"({"access_token":"at3","expires_in":0})") << true
        << QByteArray("at3") << "Bearer" << qint64(0) << QByteArray() << QStringList() << none
        << QString() << false;
    QTest::newRow("200 missing token_type is Bearer")
        << 200 << QByteArray(R"({"access_token":"at4","expires_in":60})") << true
        << QByteArray("at4") << "Bearer" << qint64(60) << QByteArray() << QStringList() << none
        << QString() << false;
    QTest::newRow("200 other token_type kept")
        << 200 << QByteArray(R"({"access_token":"at5","token_type":"DPoP"})") << true
        << QByteArray("at5") << "DPoP" << qint64(-1) << QByteArray() << QStringList() << none
        << QString() << false;
    QTest::newRow("200 scope split on any whitespace")
        << 200 << QByteArray(R"({"access_token":"at6","scope":"  read\t write\nadmin  "})") << true
        << QByteArray("at6") << "Bearer" << qint64(-1) << QByteArray()
        << QStringList {"read", "write", "admin"} << none << QString() << false;
    QTest::newRow("200 every b64token character")
        << 200
        << QByteArray(
               R"({"access_token":"AZaz09-._~+/==","refresh_token":"r!#$%&'()*+,:;<>?@[]^`{|}",)"
               R"("token_type":"N_A-me.1"})")
        << true << QByteArray("AZaz09-._~+/==") << "N_A-me.1" << qint64(-1)
        << QByteArray("r!#$%&'()*+,:;<>?@[]^`{|}") << QStringList() << none << QString() << false;
    QTest::newRow("200 visible ASCII access token (a Salesforce session id)")
        << 200 << QByteArray(R"({"access_token":"00D5e000000ABcd!AQ0AQ'$(x)\"=pad"})") << true
        << QByteArray("00D5e000000ABcd!AQ0AQ'$(x)\"=pad") << "Bearer" << qint64(-1) << QByteArray()
        << QStringList() << none << QString() << false;
    QTest::newRow("200 scopes with control characters dropped")
        << 200 << QByteArray(R"({"access_token":"at7","scope":"read \u001b[2Jwipe write"})") << true
        << QByteArray("at7") << "Bearer" << qint64(-1) << QByteArray()
        << QStringList {"read", "write"} << none << QString() << false;

    auto bad = [](const char *name, int status, const QByteArray &body, ErrorCode code,
                  const QString &reason, bool transient) {
        QTest::newRow(name) << status << body << false << QByteArray() << QString() << qint64(-1)
                            << QByteArray() << QStringList() << code << reason << transient;
    };
    // A garbled 200 may be a proxy's hiccup: Parse is transient (retries are bounded).
    bad("200 not JSON", 200, "<html>gateway</html>", ErrorCode::Parse, {}, true);
    bad("200 empty body", 200, "", ErrorCode::Parse, {}, true);
    bad("200 JSON array", 200, R"([{"access_token":"x"}])", ErrorCode::Parse, {}, true);
    bad("200 JSON string", 200, R"("access_token")", ErrorCode::Parse, {}, true);
    bad("200 missing access_token", 200, R"({"token_type":"Bearer","expires_in":3600})",
        ErrorCode::Parse, {}, true);
    bad("200 access_token number", 200, R"({"access_token":12345})", ErrorCode::Parse, {}, true);
    bad("200 access_token empty", 200, R"({"access_token":""})", ErrorCode::Parse, {}, true);
    bad("200 access_token null", 200, R"({"access_token":null})", ErrorCode::Parse, {}, true);
    bad("200 token_type number", 200, R"({"access_token":"a","token_type":7})", ErrorCode::Parse,
        {}, true);
    bad("200 expires_in negative", 200, R"({"access_token":"a","expires_in":-1})", ErrorCode::Parse,
        {}, true);
    bad("200 expires_in huge", 200, R"({"access_token":"a","expires_in":1e300})", ErrorCode::Parse,
        {}, true);
    bad("200 expires_in beyond ten years", 200, R"({"access_token":"a","expires_in":315360001})",
        ErrorCode::Parse, {}, true);
    bad("200 expires_in string garbage", 200, R"({"access_token":"a","expires_in":"soon"})",
        ErrorCode::Parse, {}, true);
    bad("200 expires_in quoted negative", 200, R"({"access_token":"a","expires_in":"-5"})",
        ErrorCode::Parse, {}, true);
    bad("200 expires_in object", 200, R"({"access_token":"a","expires_in":{"s":1}})",
        ErrorCode::Parse, {}, true);
    bad("200 refresh_token number", 200, R"({"access_token":"a","refresh_token":42})",
        ErrorCode::Parse, {}, true);
    bad("200 refresh_token array", 200, R"({"access_token":"a","refresh_token":["r"]})",
        ErrorCode::Parse, {}, true);
    // Hostile tokens (visible ASCII only, RFC 6749 §A.12 without the space): a terminal escape, a
    // header injection or a space would reach a terminal, an Authorization header or an export
    // line. Quotes and "$(" are visible ASCII: export quotes them (tst_exporters).
    bad("200 access_token with ESC", 200, R"({"access_token":"never-read\u001b[31m"})",
        ErrorCode::Parse, {}, true);
    bad("200 access_token with CRLF", 200, R"({"access_token":"never-read\r\nX-Injected: 1"})",
        ErrorCode::Parse, {}, true);
    bad("200 access_token with LF", 200, R"({"access_token":"never-read\n"})", ErrorCode::Parse, {},
        true);
    bad("200 access_token with NUL", 200, R"({"access_token":"never\u0000read"})", ErrorCode::Parse,
        {}, true);
    bad("200 access_token with C1 CSI", 200, R"({"access_token":"never-read\u009b31m"})",
        ErrorCode::Parse, {}, true);
    bad("200 access_token with space", 200, R"({"access_token":"never read"})", ErrorCode::Parse,
        {}, true);
    bad("200 access_token not ASCII", 200, R"({"access_token":"t\u00fck"})", ErrorCode::Parse, {},
        true);
    bad("200 refresh_token with CR", 200, R"({"access_token":"a","refresh_token":"never-read\r"})",
        ErrorCode::Parse, {}, true);
    bad("200 refresh_token with ESC", 200,
        R"({"access_token":"a","refresh_token":"\u001b]0;never-read\u0007"})", ErrorCode::Parse, {},
        true);
    bad("200 refresh_token with space", 200, R"({"access_token":"a","refresh_token":"never read"})",
        ErrorCode::Parse, {}, true);
    bad("200 id_token with LF", 200, R"({"access_token":"a","id_token":"never.read\n.x"})",
        ErrorCode::Parse, {}, true);
    bad("200 token_type with CRLF", 200,
        R"({"access_token":"a","token_type":"Bearer\r\nX-Injected: never-read"})", ErrorCode::Parse,
        {}, true);
    bad("200 token_type with space", 200, R"({"access_token":"a","token_type":"Be arer"})",
        ErrorCode::Parse, {}, true);
    bad("200 scope array", 200, R"({"access_token":"a","scope":["read"]})", ErrorCode::Parse, {},
        true);

    bad("400 invalid_grant", 400, R"({"error":"invalid_grant","error_description":"expired"})",
        ErrorCode::InvalidGrant, "invalid_grant", false);
    bad("400 invalid_client", 400, R"({"error":"invalid_client"})", ErrorCode::Rejected,
        "invalid_client", false);
    bad("401 invalid_client", 401, R"({"error":"invalid_client"})", ErrorCode::Rejected,
        "invalid_client", false);
    bad("403 unauthorized_client", 403, R"({"error":"unauthorized_client"})", ErrorCode::Rejected,
        "unauthorized_client", false);
    bad("400 invalid_scope", 400, R"({"error":"invalid_scope"})", ErrorCode::Rejected,
        "invalid_scope", false);
    bad("400 authorization_pending", 400, R"({"error":"authorization_pending"})", ErrorCode::OAuth,
        "authorization_pending", false);
    bad("400 slow_down", 400, R"({"error":"slow_down"})", ErrorCode::OAuth, "slow_down", false);
    bad("400 without JSON", 400, "Bad Request", ErrorCode::HttpStatus, {}, false);
    bad("400 JSON without error", 400, R"({"message":"nope"})", ErrorCode::HttpStatus, {}, false);
    bad("400 error not a string", 400, R"({"error":400})", ErrorCode::HttpStatus, {}, false);
    bad("401 empty", 401, "", ErrorCode::HttpStatus, {}, false);
    bad("301 redirect", 301, "", ErrorCode::HttpStatus, {}, false);
    bad("302 redirect", 302, R"({"access_token":"never-read"})", ErrorCode::HttpStatus, {}, false);
    bad("307 redirect", 307, "", ErrorCode::HttpStatus, {}, false);
    bad("404", 404, R"({"error":"not_found"})", ErrorCode::HttpStatus, {}, false);
    bad("429", 429, R"({"error":"slow down"})", ErrorCode::HttpStatus, {}, true);
    bad("500", 500, "", ErrorCode::HttpStatus, {}, true);
    bad("502", 502, "<html>bad gateway</html>", ErrorCode::HttpStatus, {}, true);
    bad("503", 503, R"({"error":"temporarily_unavailable"})", ErrorCode::HttpStatus, {}, true);
    bad("201 is not 200", 201, R"({"access_token":"a"})", ErrorCode::HttpStatus, {}, false);
}

void tst_TokenResponse::parseTokenResponse()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);

    const Result<TokenResponse> r = TokenTray::parseTokenResponse(status, body);
    QCOMPARE(r.has_value(), ok);
    if (ok) {
        QFETCH(QByteArray, accessToken);
        QFETCH(QString, tokenType);
        QFETCH(qint64, expiresIn);
        QFETCH(QByteArray, refreshToken);
        QFETCH(QStringList, scopes);
        QCOMPARE(r->accessToken.expose(), accessToken);
        QCOMPARE(r->tokenType, tokenType);
        QCOMPARE(r->expiresIn.has_value(), expiresIn >= 0);
        if (expiresIn >= 0)
            QCOMPARE(*r->expiresIn, expiresIn);
        QCOMPARE(r->refreshToken.expose(), refreshToken);
        QCOMPARE(r->scopes, scopes);
        return;
    }
    QFETCH(ErrorCode, code);
    QFETCH(QString, reason);
    QFETCH(bool, transient);
    QCOMPARE(errorCodeName(r.error().code), errorCodeName(code));
    QCOMPARE(r.error().reason, reason);
    QCOMPARE(r.error().transient(), transient);
    if (status != 200)
        QCOMPARE(r.error().httpStatus, status);
    QVERIFY(!r.error().detail.isEmpty());
    // The detail goes to logs: never the body's secrets.
    QVERIFY(!r.error().detail.contains(QLatin1String("never-read")));
}

void tst_TokenResponse::oauthErrorCodeIsSanitised()
{
    const auto r = TokenTray::parseTokenResponse(400, R"({"error":"bad\"code\u0001<script>"})");
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Rejected);
    QCOMPARE(r.error().reason, QStringLiteral("(unreadable)"));
    QVERIFY(!r.error().detail.contains(QLatin1String("<script>")));

    const auto described = TokenTray::parseOAuthError(
        R"({"error":"invalid_grant","error_description":")" + QByteArray(1000, 'x') + R"("})");
    QVERIFY(described);
    QCOMPARE(described->description.size(), 300);
}

void tst_TokenResponse::oauthErrorDescriptionHasNoControlCharacters_data()
{
    QTest::addColumn<QByteArray>("description"); // JSON string contents
    QTest::addColumn<QString>("shown");
    QTest::newRow("terminal escape")
        << QByteArray(R"(bad\u001b[2J\u001b[31mclient)") << QStringLiteral("bad [2J [31mclient");
    QTest::newRow("fake second line") << QByteArray(R"(no\r\ntokentray-cli: all good)")
                                      << QStringLiteral("no tokentray-cli: all good");
    QTest::newRow("NUL and BEL") << QByteArray(R"(a\u0000b\u0007c)") << QStringLiteral("a b c");
    QTest::newRow("C1 CSI") << QByteArray(R"(x\u009b2Jy)") << QStringLiteral("x 2Jy");
    QTest::newRow("bidi override") << QByteArray(R"(abc\u202edcba)") << QStringLiteral("abc dcba");
    QTest::newRow("tab") << QByteArray(R"(a\tb)") << QStringLiteral("a b");
    QTest::newRow("ordinary text kept")
        << QByteArray(R"(Client authentication failed (unknown client, or the secret is wrong).)")
        << QStringLiteral("Client authentication failed (unknown client, or the secret is wrong).");
    QTest::newRow("unicode text kept")
        << QByteArray(R"(Zugriff verweigert \u2013 \u00fcberpr\u00fcfen)")
        << QStringLiteral("Zugriff verweigert \u2013 \u00fcberpr\u00fcfen");
}

void tst_TokenResponse::oauthErrorDescriptionHasNoControlCharacters()
{
    QFETCH(QByteArray, description);
    QFETCH(QString, shown);
    const QByteArray body
        = R"({"error":"invalid_client","error_description":")" + description + R"("})";
    const auto oauth = TokenTray::parseOAuthError(body);
    QVERIFY(oauth);
    QCOMPARE(oauth->description, shown);
    const auto r = TokenTray::parseTokenResponse(401, body);
    QVERIFY(!r);
    QCOMPARE(r.error().reason, QStringLiteral("invalid_client"));
    QVERIFY2(r.error().detail.endsWith(QStringLiteral("(") + shown + QLatin1Char(')')),
             qPrintable(r.error().detail));
    for (QChar c : r.error().detail)
        QVERIFY2(c.category() != QChar::Other_Control && c.category() != QChar::Other_Format,
                 qPrintable(r.error().detail));
}

void tst_TokenResponse::requestIdFromHeaders_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("requestId");
    QTest::newRow("x-request-id") << QByteArray("X-Request-Id") << QByteArray("req-7f3a9c")
                                  << QStringLiteral("req-7f3a9c");
    QTest::newRow("request-id") << QByteArray("request-id") << QByteArray(" a1b2 ")
                                << QStringLiteral("a1b2");
    QTest::newRow("aws") << QByteArray("x-amzn-RequestId")
                         << QByteArray("0d2f5a9e-1c0b-4f7e-8a53-2b6c9d1e7f40")
                         << QStringLiteral("0d2f5a9e-1c0b-4f7e-8a53-2b6c9d1e7f40");
    QTest::newRow("azure") << QByteArray("x-ms-request-id") << QByteArray("9b1c/2+3=")
                           << QStringLiteral("9b1c/2+3=");
    QTest::newRow("none") << QByteArray("x-other") << QByteArray("abc") << QString();
    QTest::newRow("escape refused")
        << QByteArray("x-request-id") << QByteArray("id\x1b[31m") << QString();
    QTest::newRow("space refused")
        << QByteArray("x-request-id") << QByteArray("an id") << QString();
    QTest::newRow("too long refused")
        << QByteArray("x-request-id") << QByteArray(200, 'a') << QString();
}

void tst_TokenResponse::requestIdFromHeaders()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    QFETCH(QString, requestId);
    HttpResponse response;
    response.status = 401;
    response.headers = {{"Content-Type", "application/json"}, {name, value}};
    QCOMPARE(requestIdOf(response), requestId);
}

// The user code is printed for the person to type: no terminal escapes in it.
void tst_TokenResponse::deviceUserCodeHasNoControlCharacters()
{
    for (const QByteArray &code : {QByteArray(R"(AB\u001b[2JCD)"), QByteArray(R"(AB\r\nCD)"),
                                   QByteArray(R"(AB\u009bCD)"), QByteArray(R"(AB\u202eCD)")}) {
        const auto r = TokenTray::parseDeviceAuthorization(
            200,
            R"({"device_code":"dc","user_code":")" + code
                + R"(","verification_uri":"https://e.com/d"})");
        QVERIFY2(!r, code.constData());
        QCOMPARE(r.error().code, ErrorCode::Parse);
    }
    const auto plain = TokenTray::parseDeviceAuthorization(
        200,
        R"({"device_code":"dc","user_code":"WDJB-MJHT","verification_uri":"https://e.com/d"})");
    QVERIFY(plain);
    QCOMPARE(plain->userCode, QStringLiteral("WDJB-MJHT"));
}

// ---- JWT -----------------------------------------------------------------------------------

void tst_TokenResponse::decodeJwt_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("exp"); // -1: none
    QTest::addColumn<qint64>("iat"); // -1: none

    // jwt.io's example claims with an exp added; encoded by hand (base64url, no padding).
    QTest::newRow("valid literal") << QByteArray(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyLCJleHAiOjE1MTYyNDI2MjJ9.sig")
                                   << true << qint64(1516242622) << qint64(1516239022);
    QTest::newRow("url alphabet") << QByteArray(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiLDvD8-In0.s")
                                  << true << qint64(-1) << qint64(-1);
    QTest::newRow("empty signature (alg none)")
        << makeJwt(R"({"exp":2000000000})").chopped(12) << true << qint64(2000000000) << qint64(-1);
    QTest::newRow("exp not a number")
        << makeJwt(R"({"exp":"soon"})") << true << qint64(-1) << qint64(-1);
    QTest::newRow("exp negative") << makeJwt(R"({"exp":-5})") << true << qint64(-1) << qint64(-1);
    QTest::newRow("exp beyond year 9999")
        << makeJwt(R"({"exp":1e15})") << true << qint64(-1) << qint64(-1);
    QTest::newRow("two parts") << QByteArray("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjF9")
                               << false << qint64(-1) << qint64(-1);
    QTest::newRow("four parts") << makeJwt("{}") + ".x" << false << qint64(-1) << qint64(-1);
    QTest::newRow("empty") << QByteArray() << false << qint64(-1) << qint64(-1);
    QTest::newRow("opaque token") << QByteArray("gho_16C7e42F292c6912E7710c838347Ae178B4a") << false
                                  << qint64(-1) << qint64(-1);
    QTest::newRow("bad base64") << QByteArray("eyJhbGciOiJIUzI1NiJ9.!!!notbase64!!!.sig") << false
                                << qint64(-1) << qint64(-1);
    QTest::newRow("empty claims") << QByteArray("eyJhbGciOiJIUzI1NiJ9..sig") << false << qint64(-1)
                                  << qint64(-1);
    QTest::newRow("claims not JSON") << base64Url("{}") + '.' + base64Url("not json") + ".s"
                                     << false << qint64(-1) << qint64(-1);
    QTest::newRow("claims an array")
        << QByteArray("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.WzEsMl0.sig") << false << qint64(-1)
        << qint64(-1);
    QTest::newRow("header an array")
        << base64Url("[]") + '.' + base64Url("{}") + ".s" << false << qint64(-1) << qint64(-1);
    QTest::newRow("huge") << makeJwt(R"({"pad":")" + QByteArray(70 * 1024, 'a')
                                     + R"(","exp":2000000000})")
                          << false << qint64(-1) << qint64(-1);
}

void tst_TokenResponse::decodeJwt()
{
    QFETCH(QByteArray, token);
    QFETCH(bool, ok);
    QFETCH(qint64, exp);
    QFETCH(qint64, iat);

    const auto r = decodeJwtUnverified(token);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Parse);
        return;
    }
    QCOMPARE(r->expiresAt().has_value(), exp >= 0);
    if (exp >= 0) {
        QCOMPARE(r->expiresAt()->toSecsSinceEpoch(), exp);
        QCOMPARE(r->expiresAt()->timeSpec(), Qt::UTC);
    }
    QCOMPARE(r->issuedAt().has_value(), iat >= 0);
    if (iat >= 0)
        QCOMPARE(r->issuedAt()->toSecsSinceEpoch(), iat);
}

// ---- discovery -----------------------------------------------------------------------------

void tst_TokenResponse::parseDiscovery_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("issuer");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QUrl>("token");
    QTest::addColumn<QUrl>("device");

    const QByteArray full
        = R"({"issuer":"https://id.example.com","token_endpoint":"https://id.example.com/token",)"
          R"("device_authorization_endpoint":"https://id.example.com/device",)"
          R"("revocation_endpoint":"https://id.example.com/revoke",)"
          R"("token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"]})";
    const QUrl token("https://id.example.com/token");
    const QUrl device("https://id.example.com/device");
    QTest::newRow("match") << full << "https://id.example.com" << true << ErrorCode::Internal
                           << token << device;
    QTest::newRow("configured with trailing slash")
        << full << "https://id.example.com/" << true << ErrorCode::Internal << token << device;
    QTest::newRow("declared with trailing slash") << QByteArray(
        R"({"issuer":"https://id.example.com/","token_endpoint":"https://id.example.com/token"})")
                                                  << "https://id.example.com" << true
                                                  << ErrorCode::Internal << token << QUrl();
    QTest::newRow("tenant path") << QByteArray(
        R"({"issuer":"https://id.example.com/t/1",)"
        R"("token_endpoint":"https://id.example.com/t/1/token"})")
                                 << "https://id.example.com/t/1" << true << ErrorCode::Internal
                                 << QUrl("https://id.example.com/t/1/token") << QUrl();
    QTest::newRow("loopback http endpoint allowed") << QByteArray(
        R"({"issuer":"http://127.0.0.1:8080","token_endpoint":"http://127.0.0.1:8080/token"})")
                                                    << "http://127.0.0.1:8080" << true
                                                    << ErrorCode::Internal
                                                    << QUrl("http://127.0.0.1:8080/token")
                                                    << QUrl();
    QTest::newRow("issuer mismatch")
        << full << "https://evil.example.com" << false << ErrorCode::Rejected << QUrl() << QUrl();
    QTest::newRow("issuer differs by path") << full << "https://id.example.com/other" << false
                                            << ErrorCode::Rejected << QUrl() << QUrl();
    QTest::newRow("issuer missing")
        << QByteArray(R"({"token_endpoint":"https://id.example.com/token"})")
        << "https://id.example.com" << false << ErrorCode::Rejected << QUrl() << QUrl();
    QTest::newRow("http token endpoint on a public host") << QByteArray(
        R"({"issuer":"https://id.example.com","token_endpoint":"http://id.example.com/token"})")
                                                          << "https://id.example.com" << false
                                                          << ErrorCode::Parse << QUrl() << QUrl();
    QTest::newRow("http device endpoint on a public host") << QByteArray(
        R"({"issuer":"https://id.example.com","token_endpoint":"https://id.example.com/token",)"
        R"("device_authorization_endpoint":"http://id.example.com/device"})")
                                                           << "https://id.example.com" << false
                                                           << ErrorCode::Parse << QUrl() << QUrl();
    QTest::newRow("relative token endpoint")
        << QByteArray(R"({"issuer":"https://id.example.com","token_endpoint":"/token"})")
        << "https://id.example.com" << false << ErrorCode::Parse << QUrl() << QUrl();
    QTest::newRow("missing token_endpoint") << QByteArray(
        R"({"issuer":"https://id.example.com","device_authorization_endpoint":"https://id.example.com/d"})")
                                            << "https://id.example.com" << false << ErrorCode::Parse
                                            << QUrl() << QUrl();
    QTest::newRow("not JSON") << QByteArray("<html/>") << "https://id.example.com" << false
                              << ErrorCode::Parse << QUrl() << QUrl();
    QTest::newRow("array") << QByteArray("[]") << "https://id.example.com" << false
                           << ErrorCode::Parse << QUrl() << QUrl();
}

void tst_TokenResponse::parseDiscovery()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, issuer);
    QFETCH(bool, ok);

    const auto r = parseDiscoveryDocument(body, issuer);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QFETCH(ErrorCode, code);
        QCOMPARE(errorCodeName(r.error().code), errorCodeName(code));
        if (code == ErrorCode::Rejected)
            QCOMPARE(r.error().reason, QStringLiteral("issuer_mismatch"));
        return;
    }
    QFETCH(QUrl, token);
    QFETCH(QUrl, device);
    QCOMPARE(r->token, token);
    QCOMPARE(r->deviceAuthorization, device);
    if (QTest::currentDataTag() == QLatin1String("match")) {
        QCOMPARE(r->revocation, QUrl("https://id.example.com/revoke"));
        QCOMPARE(r->authMethods, (QStringList {"client_secret_basic", "client_secret_post"}));
    }
}

void tst_TokenResponse::discoveryUrls_data()
{
    QTest::addColumn<QUrl>("issuer");
    QTest::addColumn<QUrl>("oidc");
    QTest::addColumn<QUrl>("rfc8414");

    QTest::newRow("host only")
        << QUrl("https://id.example.com")
        << QUrl("https://id.example.com/.well-known/openid-configuration")
        << QUrl("https://id.example.com/.well-known/oauth-authorization-server");
    QTest::newRow("host with slash")
        << QUrl("https://id.example.com/")
        << QUrl("https://id.example.com/.well-known/openid-configuration")
        << QUrl("https://id.example.com/.well-known/oauth-authorization-server");
    // RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path.
    QTest::newRow("path")
        << QUrl("https://id.example.com/tenant1")
        << QUrl("https://id.example.com/tenant1/.well-known/openid-configuration")
        << QUrl("https://id.example.com/.well-known/oauth-authorization-server/tenant1");
    QTest::newRow("path with slash")
        << QUrl("https://id.example.com/realms/a/")
        << QUrl("https://id.example.com/realms/a/.well-known/openid-configuration")
        << QUrl("https://id.example.com/.well-known/oauth-authorization-server/realms/a");
    QTest::newRow("port") << QUrl("http://127.0.0.1:8080/x")
                          << QUrl("http://127.0.0.1:8080/x/.well-known/openid-configuration")
                          << QUrl("http://127.0.0.1:8080/.well-known/oauth-authorization-server/x");
}

void tst_TokenResponse::discoveryUrls()
{
    QFETCH(QUrl, issuer);
    QFETCH(QUrl, oidc);
    QFETCH(QUrl, rfc8414);
    const QList<QUrl> urls = TokenTray::discoveryUrls(issuer);
    QCOMPARE(urls.size(), 2);
    QCOMPARE(urls.at(0), oidc);
    QCOMPARE(urls.at(1), rfc8414);
}

// ---- device authorization ------------------------------------------------------------------

void tst_TokenResponse::parseDeviceAuthorization_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("userCode");
    QTest::addColumn<QUrl>("uri");
    QTest::addColumn<QUrl>("uriComplete");
    QTest::addColumn<qint64>("expiresIn");
    QTest::addColumn<int>("intervalMs");

    const ErrorCode none = ErrorCode::Internal;
    QTest::newRow("full")
        << 200
        << QByteArray(
               R"({"device_code":"dc","user_code":"WDJB-MJHT",)"
               R"("verification_uri":"https://example.com/device",)"
               R"("verification_uri_complete":"https://example.com/device?user_code=WDJB-MJHT",)"
               R"("expires_in":1800,"interval":7})")
        << true << none << "WDJB-MJHT" << QUrl("https://example.com/device")
        << QUrl("https://example.com/device?user_code=WDJB-MJHT") << qint64(1800) << 7000;
    QTest::newRow("defaults") << 200
                              << QByteArray(R"({"device_code":"dc","user_code":"ABCD",)"
                                            R"("verification_uri":"https://example.com/device"})")
                              << true << none << "ABCD" << QUrl("https://example.com/device")
                              << QUrl() << qint64(600) << 5000;
    QTest::newRow("nonsense interval and expiry")
        << 200
        << QByteArray(
               R"j({"device_code":"dc","user_code":"ABCD","verification_uri":"https://e.com/d",)j"
               R"("expires_in":-3,"interval":0})")
        << true << none << "ABCD" << QUrl("https://e.com/d") << QUrl() << qint64(600) << 5000;
    QTest::newRow("interval too long")
        << 200
        << QByteArray(
               R"j({"device_code":"dc","user_code":"ABCD","verification_uri":"https://e.com/d",)j"
               R"("expires_in":99999999,"interval":3600})")
        << true << none << "ABCD" << QUrl("https://e.com/d") << QUrl() << qint64(600) << 5000;
    // A fraction is kept (a local authority may poll fast), but not below 0.1 s.
    QTest::newRow("fractional interval")
        << 200
        << QByteArray(
               R"j({"device_code":"dc","user_code":"ABCD","verification_uri":"https://e.com/d",)j"
               R"("interval":0.25})")
        << true << none << "ABCD" << QUrl("https://e.com/d") << QUrl() << qint64(600) << 250;
    QTest::newRow("tiny interval floored")
        << 200
        << QByteArray(
               R"j({"device_code":"dc","user_code":"ABCD","verification_uri":"https://e.com/d",)j"
               R"("interval":0.0001})")
        << true << none << "ABCD" << QUrl("https://e.com/d") << QUrl() << qint64(600) << 100;
    QTest::newRow("interval not a number")
        << 200
        << QByteArray(
               R"j({"device_code":"dc","user_code":"ABCD","verification_uri":"https://e.com/d",)j"
               R"("interval":"fast"})")
        << true << none << "ABCD" << QUrl("https://e.com/d") << QUrl() << qint64(600) << 5000;
    QTest::newRow("complete uri of another scheme dropped")
        << 200
        << QByteArray(
               R"j({"device_code":"dc","user_code":"ABCD","verification_uri":"https://e.com/d",)j"
               R"j("verification_uri_complete":"javascript:alert(1)"})j")
        << true << none << "ABCD" << QUrl("https://e.com/d") << QUrl() << qint64(600) << 5000;
    QTest::newRow("long user code cut")
        << 200
        << QByteArray(R"({"device_code":"dc","user_code":")" + QByteArray(100, 'U')
                      + R"(","verification_uri":"https://e.com/d"})")
        << true << none << QString(64, QLatin1Char('U')) << QUrl("https://e.com/d") << QUrl()
        << qint64(600) << 5000;

    auto bad = [](const char *name, int status, const QByteArray &body, ErrorCode code) {
        QTest::newRow(name) << status << body << false << code << QString() << QUrl() << QUrl()
                            << qint64(0) << 0;
    };
    bad("missing device_code", 200, R"({"user_code":"A","verification_uri":"https://e.com/d"})",
        ErrorCode::Parse);
    bad("empty user_code", 200,
        R"({"device_code":"dc","user_code":"","verification_uri":"https://e.com/d"})",
        ErrorCode::Parse);
    bad("missing verification_uri", 200, R"({"device_code":"dc","user_code":"A"})",
        ErrorCode::Parse);
    bad("verification_uri not web", 200,
        R"j({"device_code":"dc","user_code":"A","verification_uri":"javascript:alert(1)"})j",
        ErrorCode::Parse);
    bad("device_code number", 200,
        R"({"device_code":5,"user_code":"A","verification_uri":"https://e.com/d"})",
        ErrorCode::Parse);
    bad("not JSON", 200, "<html/>", ErrorCode::Parse);
    bad("400 invalid_client", 400, R"({"error":"invalid_client"})", ErrorCode::Rejected);
    bad("401 unauthorized_client", 401, R"({"error":"unauthorized_client"})", ErrorCode::Rejected);
    bad("500 without JSON", 500, "oops", ErrorCode::HttpStatus);
}

void tst_TokenResponse::parseDeviceAuthorization()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);

    const auto r = TokenTray::parseDeviceAuthorization(status, body);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QFETCH(ErrorCode, code);
        QCOMPARE(errorCodeName(r.error().code), errorCodeName(code));
        if (code == ErrorCode::Rejected)
            QCOMPARE(r.error().reason,
                     QString::fromLatin1(QTest::currentDataTag()).section(QLatin1Char(' '), 1));
        return;
    }
    QFETCH(QString, userCode);
    QFETCH(QUrl, uri);
    QFETCH(QUrl, uriComplete);
    QFETCH(qint64, expiresIn);
    QFETCH(int, intervalMs);
    QCOMPARE(r->deviceCode.expose(), QByteArray("dc"));
    QCOMPARE(r->userCode, userCode);
    QCOMPARE(r->verificationUri, uri);
    QCOMPARE(r->verificationUriComplete, uriComplete);
    QCOMPARE(r->expiresIn, expiresIn);
    QCOMPARE(r->intervalMs, intervalMs);
}

// ---- encodings -----------------------------------------------------------------------------

void tst_TokenResponse::formEncode_data()
{
    QTest::addColumn<Fields>("fields");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << Fields {{"grant_type", "client_credentials"}}
                           << QByteArray("grant_type=client_credentials");
    QTest::newRow("two fields") << Fields {{"a", "1"}, {"b", "2"}} << QByteArray("a=1&b=2");
    QTest::newRow("plus") << Fields {{"s", "a+b"}} << QByteArray("s=a%2Bb");
    QTest::newRow("ampersand") << Fields {{"s", "a&b"}} << QByteArray("s=a%26b");
    QTest::newRow("equals") << Fields {{"s", "a=b"}} << QByteArray("s=a%3Db");
    QTest::newRow("space") << Fields {{"scope", "read write"}} << QByteArray("scope=read%20write");
    QTest::newRow("utf-8") << Fields {{"n", QString::fromUtf8("\xc3\xbc\xe2\x82\xac")}}
                           << QByteArray("n=%C3%BC%E2%82%AC");
    QTest::newRow("reserved") << Fields {{"u", "https://x/?a#b%"}}
                              << QByteArray("u=https%3A%2F%2Fx%2F%3Fa%23b%25");
    QTest::newRow("unreserved kept") << Fields {{"k", "AZaz09-._~"}} << QByteArray("k=AZaz09-._~");
    QTest::newRow("key encoded too") << Fields {{"a b+c", "v"}} << QByteArray("a%20b%2Bc=v");
    QTest::newRow("empty value") << Fields {{"a", ""}, {"b", "x"}} << QByteArray("a=&b=x");
    QTest::newRow("none") << Fields {} << QByteArray();
}

void tst_TokenResponse::formEncode()
{
    QFETCH(Fields, fields);
    QFETCH(QByteArray, expected);
    QCOMPARE(TokenTray::formEncode(fields), expected);
}

void tst_TokenResponse::basicAuthorization_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("expected");

    // base64("abc:def")
    QTest::newRow("plain") << "abc" << QByteArray("def") << QByteArray("Basic YWJjOmRlZg==");
    // base64("my%3Aclient%2B1:p%C3%A4%20ss%3A%2B%2F%3D"): each half form-encoded, then joined
    QTest::newRow("colon plus non-ascii")
        << "my:client+1" << QByteArray("p\xc3\xa4 ss:+/=")
        << QByteArray("Basic bXklM0FjbGllbnQlMkIxOnAlQzMlQTQlMjBzcyUzQSUyQiUyRiUzRA==");
    // base64("client%20id:s%C3%A9cr%C3%A8t")
    QTest::newRow("space and accents")
        << "client id"
        << QByteArray("s\xc3\xa9"
                      "cr\xc3\xa8t")
        << QByteArray("Basic Y2xpZW50JTIwaWQ6cyVDMyVBOWNyJUMzJUE4dA==");
}

void tst_TokenResponse::basicAuthorization()
{
    QFETCH(QString, id);
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, expected);
    QCOMPARE(TokenTray::basicAuthorization(id, Secret(secret)), expected);
}

// ---- credentials -----------------------------------------------------------------------------

void tst_TokenResponse::credentialFromResponse_data()
{
    QTest::addColumn<QByteArray>("accessToken");
    QTest::addColumn<qint64>("expiresIn"); // -1: none
    QTest::addColumn<QStringList>("grantedScopes");
    QTest::addColumn<QDateTime>("issuedAt");
    QTest::addColumn<QDateTime>("expiresAt");
    QTest::addColumn<QStringList>("scopes");

    const QStringList requested {"api.read"};
    const qint64 exp = kSentAt.toSecsSinceEpoch() + 7200;
    const qint64 iat = kSentAt.toSecsSinceEpoch() - 60;
    const QByteArray jwt = makeJwt(R"({"exp":)" + QByteArray::number(exp) + R"(,"iat":)"
                                   + QByteArray::number(iat) + "}");
    const QByteArray jwtNoIat = makeJwt(R"({"exp":)" + QByteArray::number(exp) + "}");
    const QByteArray jwtIatAfterExp = makeJwt(R"({"exp":)" + QByteArray::number(exp) + R"(,"iat":)"
                                              + QByteArray::number(exp + 10) + "}");

    QTest::newRow("expires_in counts from the send time")
        << QByteArray("opaque") << qint64(3600) << QStringList() << kSentAt << kSentAt.addSecs(3600)
        << requested;
    QTest::newRow("expires_in wins over the JWT exp")
        << jwt << qint64(300) << QStringList() << kSentAt << kSentAt.addSecs(300) << requested;
    QTest::newRow("JWT exp and iat")
        << jwt << qint64(-1) << QStringList() << QDateTime::fromSecsSinceEpoch(iat, Qt::UTC)
        << QDateTime::fromSecsSinceEpoch(exp, Qt::UTC) << requested;
    QTest::newRow("JWT exp without iat")
        << jwtNoIat << qint64(-1) << QStringList() << kSentAt
        << QDateTime::fromSecsSinceEpoch(exp, Qt::UTC) << requested;
    QTest::newRow("JWT iat after exp ignored")
        << jwtIatAfterExp << qint64(-1) << QStringList() << kSentAt
        << QDateTime::fromSecsSinceEpoch(exp, Qt::UTC) << requested;
    QTest::newRow("default lifetime") << QByteArray("opaque") << qint64(-1) << QStringList()
                                      << kSentAt << kSentAt.addSecs(1234) << requested;
    QTest::newRow("granted scopes win")
        << QByteArray("opaque") << qint64(60) << QStringList {"a", "b"} << kSentAt
        << kSentAt.addSecs(60) << QStringList {"a", "b"};
}

void tst_TokenResponse::credentialFromResponse()
{
    QFETCH(QByteArray, accessToken);
    QFETCH(qint64, expiresIn);
    QFETCH(QStringList, grantedScopes);
    QFETCH(QDateTime, issuedAt);
    QFETCH(QDateTime, expiresAt);
    QFETCH(QStringList, scopes);

    TokenResponse response;
    response.accessToken = Secret(accessToken);
    response.tokenType = QStringLiteral("Bearer");
    if (expiresIn >= 0)
        response.expiresIn = expiresIn;
    response.scopes = grantedScopes;

    const Credential c = TokenTray::credentialFromResponse(response, kSentAt, {"api.read"}, 1234);
    QCOMPARE(c.accessToken.expose(), accessToken);
    QCOMPARE(c.tokenType, QStringLiteral("Bearer"));
    QCOMPARE(c.issuedAt, issuedAt);
    QCOMPARE(c.expiresAt, expiresAt);
    QCOMPARE(c.scopes, scopes);
    QVERIFY(c.expires());
}

void tst_TokenResponse::cacheBytesRoundTrip()
{
    Credential c;
    c.accessToken = Secret(QByteArrayLiteral("at-\xc3\xbc-1"));
    c.tokenType = QStringLiteral("Bearer");
    c.scopes = {QStringLiteral("read"), QStringLiteral("write")};
    c.issuedAt = kSentAt.addMSecs(123);
    c.expiresAt = kSentAt.addSecs(3600).addMSecs(456);
    c.accessKeyId = QStringLiteral("ASIAEXAMPLE");
    c.secretAccessKey = Secret(QByteArrayLiteral("wJalrXUtnFEMI/K7MDENG"));
    c.sessionToken = Secret(QByteArrayLiteral("FwoGZXIvYXdzE"));

    const QByteArray bytes = c.toCacheBytes();
    const auto back = Credential::fromCacheBytes(bytes);
    QVERIFY(back);
    QCOMPARE(back->accessToken.expose(), c.accessToken.expose());
    QCOMPARE(back->tokenType, c.tokenType);
    QCOMPARE(back->scopes, c.scopes);
    QCOMPARE(back->issuedAt, c.issuedAt);
    QCOMPARE(back->expiresAt, c.expiresAt);
    QCOMPARE(back->accessKeyId, c.accessKeyId);
    QCOMPARE(back->secretAccessKey.expose(), c.secretAccessKey.expose());
    QCOMPARE(back->sessionToken.expose(), c.sessionToken.expose());
    QCOMPARE(back->toCacheBytes(), bytes);

    Credential permanent; // a static token never expires, and stays so across the cache
    permanent.accessToken = Secret(QByteArrayLiteral("pat"));
    const auto permanentBack = Credential::fromCacheBytes(permanent.toCacheBytes());
    QVERIFY(permanentBack);
    QVERIFY(!permanentBack->expires());
    QVERIFY(!permanentBack->isExpired(kSentAt.addYears(100)));
}

void tst_TokenResponse::cacheBytesRejectsGarbage_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not JSON") << QByteArray("access_token=x");
    QTest::newRow("no version") << QByteArray(R"({"access_token":"x"})");
    QTest::newRow("future version") << QByteArray(R"({"v":2,"access_token":"x"})");
    QTest::newRow("no token") << QByteArray(R"({"v":1,"token_type":"Bearer"})");
    QTest::newRow("array") << QByteArray("[1]");
}

void tst_TokenResponse::cacheBytesRejectsGarbage()
{
    QFETCH(QByteArray, bytes);
    const auto r = Credential::fromCacheBytes(bytes);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Parse);
}

// ---- refresh windows -------------------------------------------------------------------------

void tst_TokenResponse::refreshLeads_data()
{
    QTest::addColumn<qint64>("lifetimeMs");
    QTest::addColumn<qint64>("advisoryMs");
    QTest::addColumn<qint64>("mandatoryMs");

    QTest::newRow("1 h") << qint64(3600000) << qint64(15 * 60000) << qint64(10 * 60000);
    QTest::newRow("60 s") << qint64(60000) << qint64(15000) << qint64(10000);
    QTest::newRow("12 h capped") << qint64(12 * 3600000) << qint64(15 * 60000)
                                 << qint64(10 * 60000);
    QTest::newRow("zero") << qint64(0) << qint64(0) << qint64(0);
}

void tst_TokenResponse::refreshLeads()
{
    QFETCH(qint64, lifetimeMs);
    QFETCH(qint64, advisoryMs);
    QFETCH(qint64, mandatoryMs);
    Credential c;
    c.accessToken = Secret(QByteArrayLiteral("t"));
    c.issuedAt = kSentAt;
    c.expiresAt = kSentAt.addMSecs(lifetimeMs);
    const RefreshLeads leads = TokenTray::refreshLeads(c);
    QCOMPARE(leads.advisoryMs, advisoryMs);
    QCOMPARE(leads.mandatoryMs, mandatoryMs);
}

void tst_TokenResponse::classifyAndNextTransition_data()
{
    QTest::addColumn<qint64>("lifetimeMs");
    QTest::addColumn<qint64>("atMs"); // since issuedAt
    QTest::addColumn<TokenState>("state");
    QTest::addColumn<qint64>("nextMs"); // since issuedAt; -1: none

    const qint64 hour = 3600000;
    const qint64 min = 60000;
    QTest::newRow("1h fresh at issue") << hour << qint64(0) << TokenState::Fresh << 45 * min;
    QTest::newRow("1h fresh just before A")
        << hour << 45 * min - 1 << TokenState::Fresh << 45 * min;
    QTest::newRow("1h advisory at A") << hour << 45 * min << TokenState::Advisory << 50 * min;
    QTest::newRow("1h advisory inside") << hour << 47 * min << TokenState::Advisory << 50 * min;
    QTest::newRow("1h mandatory at M") << hour << 50 * min << TokenState::Mandatory << hour;
    QTest::newRow("1h mandatory last ms") << hour << hour - 1 << TokenState::Mandatory << hour;
    QTest::newRow("1h expired at expiry") << hour << hour << TokenState::Expired << qint64(-1);
    QTest::newRow("1h expired later") << hour << 2 * hour << TokenState::Expired << qint64(-1);

    const qint64 s = 1000;
    QTest::newRow("60s fresh") << 60 * s << qint64(0) << TokenState::Fresh << 45 * s;
    QTest::newRow("60s fresh before A") << 60 * s << 44 * s << TokenState::Fresh << 45 * s;
    QTest::newRow("60s advisory at A") << 60 * s << 45 * s << TokenState::Advisory << 50 * s;
    QTest::newRow("60s mandatory at M") << 60 * s << 50 * s << TokenState::Mandatory << 60 * s;
    QTest::newRow("60s mandatory late") << 60 * s << 59 * s << TokenState::Mandatory << 60 * s;
    QTest::newRow("60s expired") << 60 * s << 60 * s << TokenState::Expired << qint64(-1);
}

void tst_TokenResponse::classifyAndNextTransition()
{
    QFETCH(qint64, lifetimeMs);
    QFETCH(qint64, atMs);
    QFETCH(TokenState, state);
    QFETCH(qint64, nextMs);

    Credential c;
    c.accessToken = Secret(QByteArrayLiteral("t"));
    c.issuedAt = kSentAt;
    c.expiresAt = kSentAt.addMSecs(lifetimeMs);
    const QDateTime at = kSentAt.addMSecs(atMs);
    QCOMPARE(tokenStateName(classify(c, at)), tokenStateName(state));
    const QDateTime next = nextTransition(c, at);
    QCOMPARE(next.isValid(), nextMs >= 0);
    if (nextMs >= 0) {
        QCOMPARE(next, kSentAt.addMSecs(nextMs));
        // The answer really changes there, and not before.
        QVERIFY(classify(c, next) != classify(c, at));
        QCOMPARE(classify(c, next.addMSecs(-1)), classify(c, at));
    }
}

void tst_TokenResponse::classifyWithoutExpiry()
{
    QCOMPARE(classify(Credential(), kSentAt), TokenState::None);
    QVERIFY(!nextTransition(Credential(), kSentAt).isValid());
    Credential permanent;
    permanent.accessToken = Secret(QByteArrayLiteral("pat"));
    QCOMPARE(classify(permanent, kSentAt.addYears(50)), TokenState::Fresh);
    QVERIFY(!nextTransition(permanent, kSentAt).isValid());
}

QTEST_GUILESS_MAIN(tst_TokenResponse)
#include "tst_tokenresponse.moc"
