// The exporters (core/delivery/exporters): the variables of each kind, sh / fish / json
// formatting with their quoting (checked by running the real shells), the AWS JSON documents,
// RFC 3339 times, and the freshness rule credential-process and the loopback server share.
#include "core/delivery/exporters.h"
#include "core/delivery/freshcredentialjob.h"
#include "core/model/validation.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace TokenTray;

namespace {

const QDateTime kNow(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);

Credential awsKeys(bool temporary)
{
    Credential c;
    c.accessKeyId = QStringLiteral("AKIAEXAMPLE");
    c.secretAccessKey = Secret("wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY");
    if (temporary) {
        c.sessionToken = Secret("FwoGZXIvYXdzE//session+token==");
        c.issuedAt = kNow;
        c.expiresAt = kNow.addSecs(3600).addMSecs(250);
    }
    return c;
}

Credential bearer(bool expires)
{
    Credential c;
    c.accessToken = Secret("eyJhbGciOi.payload.sig");
    c.tokenType = QStringLiteral("Bearer");
    if (expires) {
        c.issuedAt = kNow;
        c.expiresAt = kNow.addSecs(600);
    }
    return c;
}

QStringList names(const EnvExport &e)
{
    QStringList out;
    for (const EnvVariable &v : e.set)
        out << v.name;
    return out;
}

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qWarning() << "not a JSON object:" << json;
    return doc.object();
}

// What a shell makes of `script` followed by printing $NAME.
QByteArray shellValue(const QString &shell, const QByteArray &script, const QByteArray &name)
{
    QProcess p;
    if (shell.endsWith(QLatin1String("fish")))
        p.start(shell,
                {QStringLiteral("--no-config"), QStringLiteral("-c"),
                 QString::fromUtf8(script + "\nprintf %s \"$" + name + "\"")});
    else
        p.start(
            shell,
            {QStringLiteral("-c"), QString::fromUtf8(script + "\nprintf %s \"$" + name + "\"")});
    if (!p.waitForFinished(10000) || p.exitCode() != 0)
        qWarning() << shell << "failed:" << p.readAllStandardError();
    return p.readAllStandardOutput();
}

} // namespace

class tst_Exporters : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void formatNames();
    void awsLongTermKeys();
    void awsTemporaryKeys();
    void bearerVariables_data();
    void bearerVariables();
    void shFormat();
    void fishFormat();
    void jsonFormat();
    void quoting_data();
    void quoting();
    void rfc3339_data();
    void rfc3339();
    void credentialProcessJson();
    void credentialProcessJsonLongTerm();
    void awsContainerJson();
    void awsContainerJsonLongTerm();
    void bearerTokenJson();
    void requiredSeconds_data();
    void requiredSeconds();
    void variableNames_data();
    void variableNames();
};

void tst_Exporters::formatNames()
{
    QCOMPARE(exportFormatFromName(QStringLiteral("sh")), ExportFormat::Sh);
    QCOMPARE(exportFormatFromName(QStringLiteral("fish")), ExportFormat::Fish);
    QCOMPARE(exportFormatFromName(QStringLiteral("json")), ExportFormat::Json);
    QVERIFY(!exportFormatFromName(QStringLiteral("bash")));
    QVERIFY(!exportFormatFromName(QString()));
    QCOMPARE(exportFormatNames(), QStringList({"sh", "fish", "json"}));
}

void tst_Exporters::awsLongTermKeys()
{
    Environment env;
    env.region = QStringLiteral("eu-west-1");
    const EnvExport e = credentialVariables(ProfileKind::AwsAccessKey, env, awsKeys(false));
    QCOMPARE(names(e),
             QStringList({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION",
                          "AWS_DEFAULT_REGION"}));
    QCOMPARE(e.value("AWS_ACCESS_KEY_ID"), "AKIAEXAMPLE");
    QCOMPARE(e.value("AWS_SECRET_ACCESS_KEY"), "wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY");
    QCOMPARE(e.value("AWS_REGION"), "eu-west-1");
    QCOMPARE(e.value("AWS_DEFAULT_REGION"), "eu-west-1");
    // A stale session token or expiry from an earlier export would spoil long-term keys.
    QCOMPARE(e.unset,
             QStringList({"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION"}));
    QVERIFY(!names(e).contains("TOKENTRAY_TOKEN"));
}

void tst_Exporters::awsTemporaryKeys()
{
    const EnvExport e
        = credentialVariables(ProfileKind::AwsAssumeRole, Environment(), awsKeys(true));
    QCOMPARE(names(e),
             QStringList({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                          "AWS_CREDENTIAL_EXPIRATION"}));
    QCOMPARE(e.value("AWS_SESSION_TOKEN"), "FwoGZXIvYXdzE//session+token==");
    QCOMPARE(e.value("AWS_CREDENTIAL_EXPIRATION"), "2030-01-02T04:04:05Z");
    QCOMPARE(e.unset, QStringList({"AWS_SECURITY_TOKEN"}));
}

void tst_Exporters::bearerVariables_data()
{
    QTest::addColumn<ProfileKind>("kind");
    QTest::addColumn<QString>("tokenVariable");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("oauth2") << ProfileKind::OAuth2 << QString() << QStringList {"TOKENTRAY_TOKEN"};
    QTest::newRow("oauth2 + own name")
        << ProfileKind::OAuth2 << "GITLAB_TOKEN" << QStringList {"TOKENTRAY_TOKEN", "GITLAB_TOKEN"};
    QTest::newRow("static") << ProfileKind::StaticToken << QString()
                            << QStringList {"TOKENTRAY_TOKEN"};
    QTest::newRow("static + own name")
        << ProfileKind::StaticToken << "API_KEY" << QStringList {"TOKENTRAY_TOKEN", "API_KEY"};
    QTest::newRow("own name is the default")
        << ProfileKind::OAuth2 << "TOKENTRAY_TOKEN" << QStringList {"TOKENTRAY_TOKEN"};
}

void tst_Exporters::bearerVariables()
{
    QFETCH(ProfileKind, kind);
    QFETCH(QString, tokenVariable);
    QFETCH(QStringList, expected);
    Environment env;
    env.tokenVariable = tokenVariable;
    env.region = QStringLiteral("eu-west-1"); // not an AWS kind: no AWS_REGION
    const EnvExport e = credentialVariables(kind, env, bearer(true));
    QCOMPARE(names(e), expected);
    for (const EnvVariable &v : e.set)
        QCOMPARE(v.value.expose(), "eyJhbGciOi.payload.sig");
    QVERIFY(e.unset.isEmpty());
}

void tst_Exporters::shFormat()
{
    const EnvExport e
        = credentialVariables(ProfileKind::AwsAssumeRole, Environment(), awsKeys(true));
    QCOMPARE(formatVariables(e, ExportFormat::Sh),
             "unset AWS_SECURITY_TOKEN\n"
             "export AWS_ACCESS_KEY_ID='AKIAEXAMPLE'\n"
             "export AWS_SECRET_ACCESS_KEY='wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY'\n"
             "export AWS_SESSION_TOKEN='FwoGZXIvYXdzE//session+token=='\n"
             "export AWS_CREDENTIAL_EXPIRATION='2030-01-02T04:04:05Z'\n");
}

void tst_Exporters::fishFormat()
{
    const EnvExport e
        = credentialVariables(ProfileKind::AwsAccessKey, Environment(), awsKeys(false));
    QCOMPARE(formatVariables(e, ExportFormat::Fish),
             "set -e AWS_SESSION_TOKEN\n"
             "set -e AWS_SECURITY_TOKEN\n"
             "set -e AWS_CREDENTIAL_EXPIRATION\n"
             "set -gx AWS_ACCESS_KEY_ID 'AKIAEXAMPLE'\n"
             "set -gx AWS_SECRET_ACCESS_KEY 'wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY'\n");
}

void tst_Exporters::jsonFormat()
{
    Environment env;
    env.tokenVariable = QStringLiteral("API_TOKEN");
    Credential c = bearer(false);
    c.accessToken = Secret("quote\" backslash\\ newline\n");
    const QJsonObject o = parse(
        formatVariables(credentialVariables(ProfileKind::OAuth2, env, c), ExportFormat::Json));
    QCOMPARE(o.size(), 2);
    QCOMPARE(o.value("TOKENTRAY_TOKEN").toString(), "quote\" backslash\\ newline\n");
    QCOMPARE(o.value("API_TOKEN").toString(), "quote\" backslash\\ newline\n");
}

void tst_Exporters::quoting_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("sh");
    QTest::addColumn<QByteArray>("fish");
    QTest::newRow("plain") << QByteArray("abc.DEF-123") << QByteArray("'abc.DEF-123'")
                           << QByteArray("'abc.DEF-123'");
    QTest::newRow("empty") << QByteArray() << QByteArray("''") << QByteArray("''");
    QTest::newRow("single quote") << QByteArray("it's") << QByteArray("'it'\\''s'")
                                  << QByteArray("'it\\'s'");
    QTest::newRow("only quotes") << QByteArray("''") << QByteArray("''\\'''\\'''")
                                 << QByteArray("'\\'\\''");
    QTest::newRow("backslash") << QByteArray("a\\b\\") << QByteArray("'a\\b\\'")
                               << QByteArray("'a\\\\b\\\\'");
    QTest::newRow("newline and tab")
        << QByteArray("line1\nline2\tx") << QByteArray("'line1\nline2\tx'")
        << QByteArray("'line1\nline2\tx'");
    QTest::newRow("expansions") << QByteArray("$HOME `id` $(id) ${X} !! *")
                                << QByteArray("'$HOME `id` $(id) ${X} !! *'")
                                << QByteArray("'$HOME `id` $(id) ${X} !! *'");
    QTest::newRow("double quote") << QByteArray("say \"hi\"") << QByteArray("'say \"hi\"'")
                                  << QByteArray("'say \"hi\"'");
    QTest::newRow("utf-8") << QByteArray("grüße ✓") << QByteArray("'grüße ✓'")
                           << QByteArray("'grüße ✓'");
}

void tst_Exporters::quoting()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, sh);
    QFETCH(QByteArray, fish);
    QCOMPARE(shellQuote(value), sh);
    QCOMPARE(fishQuote(value), fish);

    // What the shells make of it: exactly the value back.
    EnvExport e;
    e.set.append({QStringLiteral("TT_VALUE"), Secret(value)});
    QCOMPARE(
        shellValue(QStringLiteral("/bin/sh"), formatVariables(e, ExportFormat::Sh), "TT_VALUE"),
        value);
    const QString bash = QStandardPaths::findExecutable(QStringLiteral("bash"));
    if (!bash.isEmpty())
        QCOMPARE(shellValue(bash, formatVariables(e, ExportFormat::Sh), "TT_VALUE"), value);
    const QString fishShell = QStandardPaths::findExecutable(QStringLiteral("fish"));
    if (!fishShell.isEmpty())
        QCOMPARE(shellValue(fishShell, formatVariables(e, ExportFormat::Fish), "TT_VALUE"), value);
}

void tst_Exporters::rfc3339_data()
{
    QTest::addColumn<QDateTime>("time");
    QTest::addColumn<QString>("expected");
    QTest::newRow("utc") << kNow << "2030-01-02T03:04:05Z";
    QTest::newRow("milliseconds dropped") << kNow.addMSecs(999) << "2030-01-02T03:04:05Z";
    QTest::newRow("offset converted")
        << QDateTime(QDate(2030, 1, 2), QTime(5, 4, 5), Qt::OffsetFromUTC, 7200)
        << "2030-01-02T03:04:05Z";
    QTest::newRow("day boundary") << QDateTime(QDate(2030, 1, 1), QTime(23, 30, 0),
                                               Qt::OffsetFromUTC, -3600)
                                  << "2030-01-02T00:30:00Z";
}

void tst_Exporters::rfc3339()
{
    QFETCH(QDateTime, time);
    QFETCH(QString, expected);
    QCOMPARE(rfc3339Utc(time), expected);
}

void tst_Exporters::credentialProcessJson()
{
    const QJsonObject o = parse(TokenTray::credentialProcessJson(awsKeys(true)));
    QCOMPARE(
        o.keys(),
        QStringList({"AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken", "Version"}));
    QCOMPARE(o.value("Version").toInt(), 1);
    QVERIFY(o.value("Version").isDouble());
    QCOMPARE(o.value("AccessKeyId").toString(), "AKIAEXAMPLE");
    QCOMPARE(o.value("SecretAccessKey").toString(), "wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY");
    QCOMPARE(o.value("SessionToken").toString(), "FwoGZXIvYXdzE//session+token==");
    QCOMPARE(o.value("Expiration").toString(), "2030-01-02T04:04:05Z");
}

void tst_Exporters::credentialProcessJsonLongTerm()
{
    // Long-term keys never expire: no Expiration, so botocore never re-runs the process.
    const QJsonObject o = parse(TokenTray::credentialProcessJson(awsKeys(false)));
    QCOMPARE(o.keys(), QStringList({"AccessKeyId", "SecretAccessKey", "Version"}));
}

void tst_Exporters::awsContainerJson()
{
    const QJsonObject o = parse(TokenTray::awsContainerJson(awsKeys(true), kNow));
    QCOMPARE(o.keys(), QStringList({"AccessKeyId", "Expiration", "SecretAccessKey", "Token"}));
    QCOMPARE(o.value("AccessKeyId").toString(), "AKIAEXAMPLE");
    QCOMPARE(o.value("SecretAccessKey").toString(), "wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY");
    QCOMPARE(o.value("Token").toString(), "FwoGZXIvYXdzE//session+token==");
    QCOMPARE(o.value("Expiration").toString(), "2030-01-02T04:04:05Z");
}

void tst_Exporters::awsContainerJsonLongTerm()
{
    // SDKs require Token and Expiration: long-term keys are handed out for an hour at a time.
    const QJsonObject o = parse(TokenTray::awsContainerJson(awsKeys(false), kNow));
    QCOMPARE(o.keys(), QStringList({"AccessKeyId", "Expiration", "SecretAccessKey", "Token"}));
    QCOMPARE(o.value("Token").toString(), QString());
    QCOMPARE(o.value("Expiration").toString(), "2030-01-02T04:04:05Z");
    QCOMPARE(
        parse(TokenTray::awsContainerJson(awsKeys(false), kNow, 60)).value("Expiration").toString(),
        "2030-01-02T03:05:05Z");
}

void tst_Exporters::bearerTokenJson()
{
    QJsonObject o = parse(TokenTray::bearerTokenJson(bearer(true)));
    QCOMPARE(o.keys(), QStringList({"access_token", "expires_at", "token_type"}));
    QCOMPARE(o.value("access_token").toString(), "eyJhbGciOi.payload.sig");
    QCOMPARE(o.value("token_type").toString(), "Bearer");
    QCOMPARE(o.value("expires_at").toString(), "2030-01-02T03:14:05Z");

    Credential staticToken = bearer(false);
    staticToken.tokenType.clear();
    o = parse(TokenTray::bearerTokenJson(staticToken));
    QCOMPARE(o.keys(), QStringList({"access_token", "token_type"}));
    QCOMPARE(o.value("token_type").toString(), "Bearer");
}

void tst_Exporters::requiredSeconds_data()
{
    QTest::addColumn<qint64>("lifetime"); // -1: never expires; 0: unknown issue time
    QTest::addColumn<qint64>("expected");
    QTest::newRow("never expires") << qint64(-1) << qint64(0);
    QTest::newRow("one hour: 15 min") << qint64(3600) << qint64(900);
    QTest::newRow("12 h: 15 min") << qint64(43200) << qint64(900);
    QTest::newRow("30 min: 15 min") << qint64(1800) << qint64(900);
    QTest::newRow("900 s role session: half") << qint64(900) << qint64(450);
    QTest::newRow("5 min token: half") << qint64(300) << qint64(150);
    QTest::newRow("unknown lifetime: 15 min") << qint64(0) << qint64(900);
}

void tst_Exporters::requiredSeconds()
{
    QFETCH(qint64, lifetime);
    QFETCH(qint64, expected);
    Credential c = bearer(false);
    if (lifetime >= 0) {
        c.expiresAt = kNow.addSecs(qMax<qint64>(lifetime, 60));
        if (lifetime > 0)
            c.issuedAt = kNow;
    }
    QCOMPARE(FreshCredentialJob::requiredSeconds(c, 900), expected);
}

void tst_Exporters::variableNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("upper") << "API_TOKEN" << true;
    QTest::newRow("lower") << "gitlab_token" << true;
    QTest::newRow("leading underscore") << "_T1" << true;
    QTest::newRow("leading digit") << "1TOKEN" << false;
    QTest::newRow("dash") << "MY-TOKEN" << false;
    QTest::newRow("space") << "MY TOKEN" << false;
    QTest::newRow("equals") << "A=B" << false;
    QTest::newRow("non-ascii") << "TÖKEN" << false;
    QTest::newRow("too long") << QString(65, QLatin1Char('A')) << false;
    QTest::newRow("PATH") << "PATH" << false;
    QTest::newRow("path lower") << "path" << false;
    QTest::newRow("loader") << "LD_PRELOAD" << false;
    QTest::newRow("aws") << "AWS_SECRET_ACCESS_KEY" << false;
    QTest::newRow("ours") << "TOKENTRAY_TOKEN" << false;
}

void tst_Exporters::variableNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(bool(validateVariableName(name)), valid);
}

QTEST_GUILESS_MAIN(tst_Exporters)
#include "tst_exporters.moc"
