#include "core/util/redact.h"
#include "core/util/secret.h"

#include <QTest>

using namespace TokenTray;

class tst_Redact : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void redacts_data();
    void redacts();
    void keepsHarmlessText_data();
    void keepsHarmlessText();
    void secretDebugOutputHidesBytes();
    void secretComparesInConstantTime();
    void messageHandlerRedactsEveryLine();
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

QTEST_GUILESS_MAIN(tst_Redact)
#include "tst_redact.moc"
