#include "core/model/validation.h"

#include <QTest>

#include <functional>

using namespace TokenTray;

namespace {

using Mutation = std::function<void(Config &)>;

// A config that passes validation: every kind, an AWS chain, several environments.
Config validConfig()
{
    Config config;

    Profile keys;
    keys.id = QStringLiteral("id-keys");
    keys.name = QStringLiteral("aws-keys");
    keys.kind = ProfileKind::AwsAccessKey;
    Environment keysEnv;
    keysEnv.name = QStringLiteral("default");
    keysEnv.region = QStringLiteral("eu-west-1");
    keys.environments << keysEnv;
    config.profiles << keys;

    Profile role;
    role.id = QStringLiteral("id-role");
    role.name = QStringLiteral("role");
    role.kind = ProfileKind::AwsAssumeRole;
    Environment roleEnv;
    roleEnv.name = QStringLiteral("PROD");
    roleEnv.roleArn = QStringLiteral("arn:aws:iam::123456789012:role/Admin");
    roleEnv.sourceProfile = QStringLiteral("aws-keys");
    roleEnv.durationSeconds = 3600;
    roleEnv.sessionName = QStringLiteral("tokentray");
    role.environments << roleEnv;
    role.activeEnvironment = QStringLiteral("PROD");
    config.profiles << role;

    Profile chained;
    chained.id = QStringLiteral("id-chained");
    chained.name = QStringLiteral("chained");
    chained.kind = ProfileKind::AwsAssumeRole;
    Environment chainedEnv;
    chainedEnv.name = QStringLiteral("PROD");
    chainedEnv.roleArn = QStringLiteral("arn:aws:iam::210987654321:role/ReadOnly");
    chainedEnv.sourceProfile = QStringLiteral("role");
    chained.environments << chainedEnv;
    config.profiles << chained;

    Profile oauth;
    oauth.id = QStringLiteral("id-oauth");
    oauth.name = QStringLiteral("api");
    oauth.kind = ProfileKind::OAuth2;
    oauth.grant = Grant::ClientCredentials;
    Environment prod;
    prod.name = QStringLiteral("PROD");
    prod.isProtected = true;
    prod.tokenUrl = QUrl(QStringLiteral("https://login.example.com/token"));
    prod.clientAuth = QStringLiteral("post");
    Environment dev;
    dev.name = QStringLiteral("DEV");
    dev.tokenUrl = QUrl(QStringLiteral("http://127.0.0.1:8080/token"));
    oauth.environments << prod << dev;
    oauth.activeEnvironment = QStringLiteral("DEV");
    config.profiles << oauth;

    Profile pat;
    pat.id = QStringLiteral("id-pat");
    pat.name = QStringLiteral("github");
    pat.kind = ProfileKind::StaticToken;
    config.profiles << pat;

    config.currentProfileId = QStringLiteral("id-oauth");
    return config;
}

Environment &envOf(Config &config, const char *profile, int index = 0)
{
    return config.profileByName(QLatin1String(profile))->environments[index];
}

} // namespace

Q_DECLARE_METATYPE(Mutation)

class tst_Validation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void name_data();
    void name();
    void endpointUrl_data();
    void endpointUrl();
    void roleArn_data();
    void roleArn();
    void sessionName_data();
    void sessionName();
    void durationSeconds_data();
    void durationSeconds();
    void region_data();
    void region();
    void validConfigPasses();
    void configRejected_data();
    void configRejected();
};

void tst_Validation::name_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("ok");

    QTest::newRow("single letter") << "a" << true;
    QTest::newRow("single digit") << "7" << true;
    QTest::newRow("upper case env") << "PROD" << true;
    QTest::newRow("all allowed punctuation") << "a.b_c-d" << true;
    QTest::newRow("64 chars") << QString(64, QLatin1Char('x')) << true;
    QTest::newRow("65 chars") << QString(65, QLatin1Char('x')) << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("leading dash") << "-x" << false;
    QTest::newRow("leading dot") << ".hidden" << false;
    QTest::newRow("leading underscore") << "_x" << false;
    QTest::newRow("space") << "my profile" << false;
    QTest::newRow("slash") << "a/b" << false;
    QTest::newRow("dotdot path") << "../etc" << false;
    QTest::newRow("shell metachar") << "a;rm" << false;
    QTest::newRow("dollar") << "$HOME" << false;
    QTest::newRow("non ascii letter") << QStringLiteral(u"caf\u00e9") << false;
    QTest::newRow("trailing newline") << "abc\n" << false;
    QTest::newRow("embedded newline") << "abc\ndef" << false;
    QTest::newRow("trailing space") << "abc " << false;
}

void tst_Validation::name()
{
    QFETCH(QString, name);
    QFETCH(bool, ok);
    const Result<void> r = validateName(QStringLiteral("profile"), name);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Invalid);
        QVERIFY2(r.error().detail.startsWith(QLatin1String("profile name")),
                 qPrintable(r.error().detail));
    }
}

void tst_Validation::endpointUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("phrase"); // in the message when rejected

    QTest::newRow("https") << "https://login.example.com/oauth2/token" << true << "";
    QTest::newRow("https with port and query")
        << "https://idp.example.com:8443/t?x=1" << true << "";
    QTest::newRow("https upper-case scheme") << "HTTPS://example.com/" << true << "";
    QTest::newRow("http 127.0.0.1") << "http://127.0.0.1:8080/token" << true << "";
    QTest::newRow("http 127.5.6.7") << "http://127.5.6.7/token" << true << "";
    QTest::newRow("http [::1]") << "http://[::1]:9000/token" << true << "";
    QTest::newRow("http localhost") << "http://localhost:1234/" << true << "";
    QTest::newRow("http LOCALHOST") << "http://LOCALHOST/" << true << "";
    QTest::newRow("http example.com") << "http://example.com/token" << false << "plain http";
    QTest::newRow("http 10.0.0.1") << "http://10.0.0.1/token" << false << "plain http";
    QTest::newRow("http 0.0.0.0") << "http://0.0.0.0:8080/" << false << "plain http";
    QTest::newRow("http 128.0.0.1") << "http://128.0.0.1/" << false << "plain http";
    QTest::newRow("http [::2]") << "http://[::2]/" << false << "plain http";
    QTest::newRow("http localhost suffix")
        << "http://localhost.evil.example/" << false << "plain http";
    QTest::newRow("http loopback-looking name")
        << "http://127.0.0.1.nip.io/" << false << "plain http";
    QTest::newRow("ftp") << "ftp://example.com/file" << false << "must use https";
    QTest::newRow("file") << "file:///etc/passwd" << false << "not an absolute URL";
    QTest::newRow("relative path") << "/token" << false << "not an absolute URL";
    QTest::newRow("no scheme") << "example.com/token" << false << "not an absolute URL";
    QTest::newRow("empty host") << "https:///token" << false << "not an absolute URL";
    QTest::newRow("empty") << "" << false << "not an absolute URL";
    QTest::newRow("user and password")
        << "https://user:pass@example.com/" << false << "user name or password";
    QTest::newRow("user only") << "https://user@example.com/" << false << "user name or password";
    QTest::newRow("userinfo hiding host")
        << "http://127.0.0.1@example.com/" << false << "user name or password";
}

void tst_Validation::endpointUrl()
{
    QFETCH(QString, url);
    QFETCH(bool, ok);
    QFETCH(QString, phrase);
    const Result<void> r = validateEndpointUrl(QStringLiteral("token URL"), QUrl(url));
    QVERIFY2(r.has_value() == ok, ok ? qPrintable(r.error().detail) : "accepted");
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Invalid);
        QVERIFY2(r.error().detail.startsWith(QLatin1String("token URL")),
                 qPrintable(r.error().detail));
        QVERIFY2(r.error().detail.contains(phrase), qPrintable(r.error().detail));
    }
}

void tst_Validation::roleArn_data()
{
    QTest::addColumn<QString>("arn");
    QTest::addColumn<bool>("ok");

    QTest::newRow("plain") << "arn:aws:iam::123456789012:role/Admin" << true;
    QTest::newRow("path") << "arn:aws:iam::123456789012:role/team/ops/Admin" << true;
    QTest::newRow("china partition") << "arn:aws-cn:iam::123456789012:role/Admin" << true;
    QTest::newRow("govcloud partition") << "arn:aws-us-gov:iam::123456789012:role/Admin" << true;
    QTest::newRow("allowed punctuation")
        << "arn:aws:iam::123456789012:role/a+b=c,d.e@f_g-h" << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("11 digit account") << "arn:aws:iam::12345678901:role/Admin" << false;
    QTest::newRow("13 digit account") << "arn:aws:iam::1234567890123:role/Admin" << false;
    QTest::newRow("user not role") << "arn:aws:iam::123456789012:user/alice" << false;
    QTest::newRow("sts assumed role") << "arn:aws:sts::123456789012:assumed-role/Admin/s" << false;
    QTest::newRow("no role name") << "arn:aws:iam::123456789012:role/" << false;
    QTest::newRow("space in name") << "arn:aws:iam::123456789012:role/Ad min" << false;
    QTest::newRow("other partition word") << "arn:gcp:iam::123456789012:role/Admin" << false;
    QTest::newRow("trailing newline") << "arn:aws:iam::123456789012:role/Admin\n" << false;
    QTest::newRow("name too long")
        << QStringLiteral("arn:aws:iam::123456789012:role/") + QString(513, QLatin1Char('r'))
        << false;
}

void tst_Validation::roleArn()
{
    QFETCH(QString, arn);
    QFETCH(bool, ok);
    const Result<void> r = validateRoleArn(arn);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Invalid);
        QVERIFY2(r.error().detail.contains(QLatin1String("role ARN")),
                 qPrintable(r.error().detail));
    }
}

void tst_Validation::sessionName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("ok");

    QTest::newRow("two chars") << "ab" << true;
    QTest::newRow("email-like") << "alice@example.com" << true;
    QTest::newRow("all punctuation") << "a+b=c,d.e@f_g-h" << true;
    QTest::newRow("64 chars") << QString(64, QLatin1Char('s')) << true;
    QTest::newRow("one char") << "a" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("65 chars") << QString(65, QLatin1Char('s')) << false;
    QTest::newRow("space") << "my session" << false;
    QTest::newRow("slash") << "a/b" << false;
    QTest::newRow("colon") << "a:b" << false;
    QTest::newRow("trailing newline") << "session\n" << false;
}

void tst_Validation::sessionName()
{
    QFETCH(QString, name);
    QFETCH(bool, ok);
    const Result<void> r = validateSessionName(name);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Invalid);
        QVERIFY2(r.error().detail.contains(QLatin1String("2-64")), qPrintable(r.error().detail));
    }
}

void tst_Validation::durationSeconds_data()
{
    QTest::addColumn<int>("seconds");
    QTest::addColumn<bool>("ok");

    QTest::newRow("0 = service default") << 0 << true;
    QTest::newRow("900 minimum") << 900 << true;
    QTest::newRow("3600") << 3600 << true;
    QTest::newRow("43200 maximum") << 43200 << true;
    QTest::newRow("899") << 899 << false;
    QTest::newRow("1") << 1 << false;
    QTest::newRow("43201") << 43201 << false;
    QTest::newRow("negative") << -900 << false;
    QTest::newRow("int max") << std::numeric_limits<int>::max() << false;
}

void tst_Validation::durationSeconds()
{
    QFETCH(int, seconds);
    QFETCH(bool, ok);
    const Result<void> r = validateDurationSeconds(seconds);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Invalid);
        QVERIFY2(r.error().detail.contains(QString::number(seconds)), qPrintable(r.error().detail));
    }
}

void tst_Validation::region_data()
{
    QTest::addColumn<QString>("region");
    QTest::addColumn<bool>("ok");

    QTest::newRow("eu-west-1") << "eu-west-1" << true;
    QTest::newRow("us-east-1") << "us-east-1" << true;
    QTest::newRow("ap-southeast-2") << "ap-southeast-2" << true;
    QTest::newRow("us-gov-west-1") << "us-gov-west-1" << true;
    QTest::newRow("cn-north-1") << "cn-north-1" << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("upper case") << "EU-WEST-1" << false;
    QTest::newRow("no dashes") << "euwest1" << false;
    QTest::newRow("availability zone") << "us-east-1a" << false;
    QTest::newRow("no number") << "eu-west" << false;
    QTest::newRow("three-letter prefix") << "eur-west-1" << false;
    QTest::newRow("trailing newline") << "eu-west-1\n" << false;
    QTest::newRow("url injection") << "eu-west-1.evil.example/x" << false;
}

void tst_Validation::region()
{
    QFETCH(QString, region);
    QFETCH(bool, ok);
    const Result<void> r = validateRegion(region);
    QCOMPARE(r.has_value(), ok);
    if (!ok) {
        QCOMPARE(r.error().code, ErrorCode::Invalid);
        QVERIFY2(r.error().detail.contains(QLatin1String("region")), qPrintable(r.error().detail));
    }
}

void tst_Validation::validConfigPasses()
{
    const Result<void> r = validateConfig(validConfig());
    QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().detail));
    QVERIFY(validateConfig(Config {}).has_value());
}

void tst_Validation::configRejected_data()
{
    QTest::addColumn<Mutation>("mutate");
    QTest::addColumn<QString>("phrase");

    // References between profiles.
    QTest::newRow("source profile missing")
        << Mutation([](Config &c) { envOf(c, "role").sourceProfile = QStringLiteral("nope"); })
        << "role/PROD: source profile \"nope\" does not exist";
    QTest::newRow("source profile not AWS")
        << Mutation([](Config &c) { envOf(c, "role").sourceProfile = QStringLiteral("api"); })
        << "role/PROD: source profile \"api\" is not an AWS profile";
    QTest::newRow("source profile static token")
        << Mutation([](Config &c) { envOf(c, "chained").sourceProfile = QStringLiteral("github"); })
        << "source profile \"github\" is not an AWS profile";
    QTest::newRow("source profile is itself")
        << Mutation([](Config &c) { envOf(c, "role").sourceProfile = QStringLiteral("role"); })
        << "role/PROD: a profile cannot be its own source";
    QTest::newRow("source names by id, not name")
        << Mutation([](Config &c) { envOf(c, "role").sourceProfile = QStringLiteral("id-keys"); })
        << "source profile \"id-keys\" does not exist";
    QTest::newRow("current profile missing")
        << Mutation([](Config &c) { c.currentProfileId = QStringLiteral("id-gone"); })
        << "current profile id \"id-gone\" names no profile";
    QTest::newRow("current profile by name")
        << Mutation([](Config &c) { c.currentProfileId = QStringLiteral("api"); })
        << "names no profile";
    QTest::newRow("active environment missing") << Mutation([](Config &c) {
        c.profileByName(QStringLiteral("api"))->activeEnvironment = QStringLiteral("QA");
    }) << "active environment \"QA\", which does not exist";

    // Identity.
    QTest::newRow("empty id") << Mutation([](Config &c) { c.profiles[1].id.clear(); })
                              << "profile \"role\" has no id";
    QTest::newRow("duplicate id") << Mutation([](Config &c) {
        c.profiles[1].id = c.profiles[0].id;
    }) << "profile id \"id-keys\" is used twice";
    QTest::newRow("duplicate name")
        << Mutation([](Config &c) { c.profiles[4].name = QStringLiteral("api"); })
        << "profile name \"api\" is used twice";
    QTest::newRow("bad profile name")
        << Mutation([](Config &c) { c.profiles[4].name = QStringLiteral("git hub"); })
        << "profile name \"git hub\" is not allowed";
    QTest::newRow("duplicate environment")
        << Mutation([](Config &c) { envOf(c, "api", 1).name = QStringLiteral("PROD"); })
        << "two environments named \"PROD\"";
    QTest::newRow("bad environment name")
        << Mutation([](Config &c) { envOf(c, "api", 1).name = QStringLiteral("de v"); })
        << "environment name \"de v\" is not allowed";

    // Kind and grant.
    QTest::newRow("oauth2 without grant")
        << Mutation([](Config &c) { c.profileByName(QStringLiteral("api"))->grant = Grant::None; })
        << "is oauth2 but names no grant";
    QTest::newRow("grant on aws profile") << Mutation([](Config &c) {
        c.profileByName(QStringLiteral("role"))->grant = Grant::RefreshToken;
    }) << "has a grant but is not oauth2";

    // Field values, prefixed with profile/environment.
    QTest::newRow("http token URL") << Mutation([](Config &c) {
        envOf(c, "api").tokenUrl = QUrl(QStringLiteral("http://login.example.com/t"));
    }) << "api/PROD: token URL";
    QTest::newRow("http issuer") << Mutation([](Config &c) {
        envOf(c, "api").issuer = QUrl(QStringLiteral("http://idp.example.com"));
    }) << "api/PROD: issuer";
    QTest::newRow("ftp STS endpoint") << Mutation([](Config &c) {
        envOf(c, "role").stsEndpoint = QUrl(QStringLiteral("ftp://sts.example.com"));
    }) << "role/PROD: STS endpoint";
    QTest::newRow("bad client auth")
        << Mutation([](Config &c) { envOf(c, "api").clientAuth = QStringLiteral("jwt"); })
        << "client auth must be basic or post";
    QTest::newRow("bad role ARN") << Mutation([](Config &c) {
        envOf(c, "role").roleArn = QStringLiteral("arn:aws:iam::1:role/x");
    }) << "role/PROD: role ARN";
    QTest::newRow("bad session name")
        << Mutation([](Config &c) { envOf(c, "role").sessionName = QStringLiteral("x"); })
        << "role/PROD: session name";
    QTest::newRow("bad region") << Mutation([](Config &c) {
        envOf(c, "aws-keys").region = QStringLiteral("Europe");
    }) << "aws-keys/default: region";
    QTest::newRow("bad duration") << Mutation([](Config &c) {
        envOf(c, "role").durationSeconds = 60;
    }) << "role/PROD: duration 60 s";

    // Settings.
    QTest::newRow("maxConcurrency 0")
        << Mutation([](Config &c) { c.settings.maxConcurrency = 0; }) << "maxConcurrency";
    QTest::newRow("maxConcurrency 257")
        << Mutation([](Config &c) { c.settings.maxConcurrency = 257; }) << "maxConcurrency";
}

void tst_Validation::configRejected()
{
    QFETCH(Mutation, mutate);
    QFETCH(QString, phrase);
    Config config = validConfig();
    mutate(config);
    const Result<void> r = validateConfig(config);
    QVERIFY2(!r.has_value(), "accepted");
    QCOMPARE(r.error().code, ErrorCode::Invalid);
    QVERIFY2(r.error().detail.contains(phrase), qPrintable(r.error().detail));
}

QTEST_GUILESS_MAIN(tst_Validation)
#include "tst_validation.moc"
