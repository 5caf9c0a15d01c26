// tokentray-cli export, exec, credential-process and serve end to end: the real binary with the
// test session's Secret Service, tokentray-test-authority (OAuth2) and tokentray-test-sts (AWS
// STS), and the real consumers: /usr/bin/aws reading credential_process, boto3 reading the
// loopback container endpoint, /bin/sh evaluating the exports.
#include "tests/support/clitest.h"
#include "tests/support/testenv.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using TestEnv::describe;
using TestEnv::ProcessResult;
using TestEnv::words;

namespace {

const QString kEnv = QStringLiteral("DEV");
const QByteArray kClientSecret = "demo-secret"; // what tokentray-test-authority accepts
const QByteArray kKeyId = "AKIATOKENTRAYTEST01";
const QByteArray kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY+TokenTray";
const QString kRoleArn = QStringLiteral("arn:aws:iam::123456789012:role/Deliver");
const QString kAws = QStringLiteral("/usr/bin/aws");
const QString kPython = QStringLiteral("/usr/bin/python3");
const QRegularExpression kAccessToken(QStringLiteral("^at-\\d+-\\d+$"));

// `export NAME='value'` lines (values without quotes inside) as a map.
QMap<QString, QString> exportedVariables(const QByteArray &text)
{
    QMap<QString, QString> out;
    static const QRegularExpression line(QStringLiteral("^export ([A-Za-z_0-9]+)='([^']*)'$"));
    for (const QByteArray &l : text.split('\n')) {
        const auto m = line.match(QString::fromUtf8(l));
        if (m.hasMatch())
            out.insert(m.captured(1), m.captured(2));
    }
    return out;
}

// The process environment with nothing AWS-related of this machine's user in it.
QProcessEnvironment cleanAwsEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(QLatin1String("AWS_")))
            env.remove(key);
    }
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("AWS_CONFIG_FILE"), home + QStringLiteral("/aws-config"));
    env.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"),
               home + QStringLiteral("/aws-credentials"));
    env.insert(QStringLiteral("AWS_EC2_METADATA_DISABLED"), QStringLiteral("true"));
    env.insert(QStringLiteral("AWS_PAGER"), QString());
    return env;
}

bool hasBoto3()
{
    if (!QFileInfo(kPython).isExecutable())
        return false;
    return TestEnv::run(kPython, {QStringLiteral("-c"), QStringLiteral("import boto3")}).exitCode
        == 0;
}

} // namespace

class TestCliDelivery final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void exportFormats_data();
    void exportFormats();
    void exportStaticTokenQuoting();
    void exportAwsKeys();
    void shortLivedTokenReusedThenRenewed();
    void execPassesExitCodes_data();
    void execPassesExitCodes();
    void execChildEnvironment();
    void execCommandErrors();
    void execReleasesTheLock();
    void credentialProcessAwsKeys();
    void credentialProcessRefusesOtherKinds();
    void rotatedKeysAreServedAtOnce();
    void credentialProcessRole();
    void awsCliReadsCredentialProcess();
    void boto3ReadsServe();
    void boto3ReadsServedRole();
    void serveBearer();
    void secretsNeverOnStderr();

private:
    bool startAuthority(const QStringList &args = {});
    bool startSts(const QStringList &args);
    static void stop(std::unique_ptr<QProcess> &process);
    int tokenRequests();
    int stsAssumeRoleCalls();
    QJsonObject getJson(const QUrl &url);
    ProcessResult cli(const QStringList &args, const QByteArray &input = {},
                      const QProcessEnvironment &env = {}, int timeoutMs = 30000);
    bool ok(const ProcessResult &r) const;
    bool addOAuthProfile(const QString &name, const QStringList &extra = {});
    bool addStaticProfile(const QString &name, const QByteArray &token);
    bool addAccessKeyProfile(const QString &name, const QString &region = QString());
    bool addRoleProfile(const QString &name, const QString &source, int durationSeconds);
    // `serve` in the background until it printed its variables.
    QMap<QString, QString> startServe(const QStringList &args, const QProcessEnvironment &env = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_authority;
    std::unique_ptr<QProcess> m_sts;
    std::unique_ptr<QProcess> m_serve;
    QString m_issuer;
    QString m_stsUrl;
    QNetworkAccessManager m_nam;
};

// ---- helpers -------------------------------------------------------------------------------

bool TestCliDelivery::startAuthority(const QStringList &args)
{
    m_authority = TestEnv::startServer(QStringLiteral("tokentray-test-authority"), args, &m_issuer);
    return m_authority != nullptr;
}

bool TestCliDelivery::startSts(const QStringList &args)
{
    m_sts = TestEnv::startServer(QStringLiteral("tokentray-test-sts"), args, &m_stsUrl);
    return m_sts != nullptr;
}

void TestCliDelivery::stop(std::unique_ptr<QProcess> &process)
{
    TestEnv::stopServer(process);
}

QJsonObject TestCliDelivery::getJson(const QUrl &url)
{
    return TestEnv::getJson(m_nam, url);
}

int TestCliDelivery::tokenRequests()
{
    return TestEnv::authorityTokenRequests(m_nam, m_issuer);
}

int TestCliDelivery::stsAssumeRoleCalls()
{
    return TestEnv::stsAssumeRoleCalls(m_nam, m_stsUrl);
}

ProcessResult TestCliDelivery::cli(const QStringList &args, const QByteArray &input,
                                   const QProcessEnvironment &env, int timeoutMs)
{
    return TestEnv::run(TestEnv::binary(QStringLiteral("tokentray-cli")),
                        QStringList {QStringLiteral("--config-dir"), m_dir->path()} + args, input,
                        env, timeoutMs);
}

bool TestCliDelivery::ok(const ProcessResult &r) const
{
    if (!r.crashed && r.exitCode == 0)
        return true;
    qWarning().noquote() << describe(r);
    return false;
}

bool TestCliDelivery::addOAuthProfile(const QString &name, const QStringList &extra)
{
    return ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                   QStringLiteral("oauth2")}))
        && ok(cli(QStringList {QStringLiteral("environment"), QStringLiteral("add"), name, kEnv,
                               QStringLiteral("--token-url"), m_issuer + QStringLiteral("/token"),
                               QStringLiteral("--client-id"), QStringLiteral("demo-client")}
                  + extra))
        && ok(cli({QStringLiteral("secret"), QStringLiteral("set"), name, kEnv,
                   QStringLiteral("client_secret")},
                  kClientSecret + '\n'));
}

bool TestCliDelivery::addStaticProfile(const QString &name, const QByteArray &token)
{
    return ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                   QStringLiteral("static-token")}))
        && ok(cli({QStringLiteral("environment"), QStringLiteral("add"), name, kEnv}))
        && ok(cli(
            {QStringLiteral("secret"), QStringLiteral("set"), name, kEnv, QStringLiteral("token")},
            token));
}

bool TestCliDelivery::addAccessKeyProfile(const QString &name, const QString &region)
{
    QStringList env {QStringLiteral("environment"), QStringLiteral("add"), name, kEnv};
    if (!region.isEmpty())
        env << QStringLiteral("--region") << region;
    if (!m_stsUrl.isEmpty())
        env << QStringLiteral("--sts-endpoint") << m_stsUrl;
    return ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                   QStringLiteral("aws-access-key")}))
        && ok(cli(env))
        && ok(cli({QStringLiteral("secret"), QStringLiteral("set"), name, kEnv,
                   QStringLiteral("aws_access_key_id")},
                  kKeyId))
        && ok(cli({QStringLiteral("secret"), QStringLiteral("set"), name, kEnv,
                   QStringLiteral("aws_secret_access_key")},
                  kSecretKey));
}

bool TestCliDelivery::addRoleProfile(const QString &name, const QString &source,
                                     int durationSeconds)
{
    return ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                   QStringLiteral("aws-assume-role")}))
        && ok(cli({QStringLiteral("environment"), QStringLiteral("add"), name, kEnv,
                   QStringLiteral("--role-arn"), kRoleArn, QStringLiteral("--source-profile"),
                   source, QStringLiteral("--region"), QStringLiteral("us-east-1"),
                   QStringLiteral("--sts-endpoint"), m_stsUrl, QStringLiteral("--duration"),
                   QString::number(durationSeconds)}));
}

QMap<QString, QString> TestCliDelivery::startServe(const QStringList &args,
                                                   const QProcessEnvironment &env)
{
    m_serve = std::make_unique<QProcess>();
    QProcessEnvironment full = QProcessEnvironment::systemEnvironment();
    full.insert(env);
    m_serve->setProcessEnvironment(full);
    m_serve->start(
        TestEnv::binary(QStringLiteral("tokentray-cli")),
        QStringList {QStringLiteral("--config-dir"), m_dir->path(), QStringLiteral("serve")}
            + args);
    QByteArray out;
    const QDeadlineTimer deadline(15000);
    QMap<QString, QString> variables;
    while (!deadline.hasExpired()) {
        out += m_serve->readAllStandardOutput();
        variables = exportedVariables(out);
        if (out.endsWith('\n') && variables.size() >= 2)
            return variables;
        if (!m_serve->waitForReadyRead(500) && m_serve->state() == QProcess::NotRunning)
            break;
    }
    qWarning().noquote() << "serve printed no variables:" << out << m_serve->readAllStandardError();
    return {};
}

// ---- fixture -------------------------------------------------------------------------------

void TestCliDelivery::initTestCase()
{
    for (const char *name : {"tokentray-cli", "tokentray-test-authority", "tokentray-test-sts"}) {
        const QString binary = TestEnv::binary(QLatin1String(name));
        QVERIFY2(QFileInfo(binary).isExecutable(),
                 qPrintable(binary + QStringLiteral(" is not built")));
    }
}

void TestCliDelivery::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_issuer.clear();
    m_stsUrl.clear();
}

void TestCliDelivery::cleanup()
{
    if (m_serve && m_serve->state() != QProcess::NotRunning) {
        m_serve->terminate(); // SIGTERM: a clean shutdown
        if (!m_serve->waitForFinished(5000))
            QFAIL("serve did not stop on SIGTERM");
        QCOMPARE(m_serve->exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_serve->exitCode(), 0);
    }
    m_serve.reset();
    stop(m_authority);
    stop(m_sts);
    m_dir.reset();
}

// ---- export --------------------------------------------------------------------------------

void TestCliDelivery::exportFormats_data()
{
    QTest::addColumn<QString>("format");
    QTest::newRow("sh (default)") << QString();
    QTest::newRow("sh") << QStringLiteral("sh");
    QTest::newRow("fish") << QStringLiteral("fish");
    QTest::newRow("json") << QStringLiteral("json");
    QTest::newRow("--json") << QStringLiteral("--json");
}

void TestCliDelivery::exportFormats()
{
    QFETCH(QString, format);
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addOAuthProfile(QStringLiteral("api"),
                            {QStringLiteral("--token-variable"), QStringLiteral("API_TOKEN")}));
    QStringList args = words("export api");
    if (format == QLatin1String("--json"))
        args << format;
    else if (!format.isEmpty())
        args << QStringLiteral("--format") << format;
    const ProcessResult r = cli(args);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.err, QByteArray());
    const ProcessResult token = cli(words("token api"));
    QCOMPARE_EXIT(token, 0);
    const QString expected = QString::fromUtf8(token.out.trimmed());
    QVERIFY(kAccessToken.match(expected).hasMatch());
    QCOMPARE(tokenRequests(), 1); // the second command reused the first one's token

    if (format.isEmpty() || format == QLatin1String("sh")) {
        QCOMPARE(r.out,
                 "export TOKENTRAY_TOKEN='" + expected.toUtf8() + "'\nexport API_TOKEN='"
                     + expected.toUtf8() + "'\n");
        // What a shell makes of it.
        const ProcessResult sh = TestEnv::run(
            QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"),
             QString::fromUtf8(r.out)
                 + QStringLiteral("printf '%s %s' \"$TOKENTRAY_TOKEN\" \"$API_TOKEN\"")});
        QCOMPARE(sh.out, (expected + QLatin1Char(' ') + expected).toUtf8());
    } else if (format == QLatin1String("fish")) {
        QCOMPARE(r.out,
                 "set -gx TOKENTRAY_TOKEN '" + expected.toUtf8() + "'\nset -gx API_TOKEN '"
                     + expected.toUtf8() + "'\n");
    } else {
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.keys(), QStringList({"API_TOKEN", "TOKENTRAY_TOKEN"}));
        QCOMPARE(o.value("TOKENTRAY_TOKEN").toString(), expected);
        QCOMPARE(o.value("API_TOKEN").toString(), expected);
    }
}

void TestCliDelivery::exportStaticTokenQuoting()
{
    REQUIRE_TEST_KEYRING();
    const QByteArray token = "it's \"quoted\" $HOME `id`\nsecond line\\";
    QVERIFY(addStaticProfile(QStringLiteral("pat"), token));
    const ProcessResult r = cli(words("export pat"));
    QCOMPARE_EXIT(r, 0);
    const ProcessResult sh = TestEnv::run(
        QStringLiteral("/bin/sh"),
        {QStringLiteral("-c"),
         QString::fromUtf8(r.out) + QStringLiteral("printf %s \"$TOKENTRAY_TOKEN\"")});
    QCOMPARE(sh.out, token);
    const ProcessResult json = cli(words("export pat --format json"));
    QCOMPARE(
        QJsonDocument::fromJson(json.out).object().value("TOKENTRAY_TOKEN").toString().toUtf8(),
        token);
    QCOMPARE_EXIT(cli(words("export pat --format csh")), 2);
}

void TestCliDelivery::exportAwsKeys()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys"), QStringLiteral("eu-central-1")));
    const ProcessResult r = cli(words("export keys"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out,
             "unset AWS_SESSION_TOKEN\n"
             "unset AWS_SECURITY_TOKEN\n"
             "unset AWS_CREDENTIAL_EXPIRATION\n"
             "export AWS_ACCESS_KEY_ID='"
                 + kKeyId + "'\nexport AWS_SECRET_ACCESS_KEY='" + kSecretKey
                 + "'\nexport AWS_REGION='eu-central-1'\n"
                   "export AWS_DEFAULT_REGION='eu-central-1'\n");
    const QJsonObject json
        = QJsonDocument::fromJson(cli(words("export keys --format json")).out).object();
    QCOMPARE(json.keys(),
             QStringList({"AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
                          "AWS_SECRET_ACCESS_KEY"}));
}

void TestCliDelivery::shortLivedTokenReusedThenRenewed()
{
    REQUIRE_TEST_KEYRING();
    // A 4 s token: a caching consumer wants min(15 min, half its life) = 2 s left.
    QVERIFY(startAuthority(words("--lifetime 4")));
    QVERIFY(addOAuthProfile(QStringLiteral("short")));
    const QByteArray first = exportedVariables(cli(words("export short")).out)
                                 .value(QStringLiteral("TOKENTRAY_TOKEN"))
                                 .toUtf8();
    QVERIFY(!first.isEmpty());
    QCOMPARE(exportedVariables(cli(words("export short")).out).value("TOKENTRAY_TOKEN").toUtf8(),
             first);
    QCOMPARE(tokenRequests(), 1); // reused, not fetched on every call
    // Asked again and again until the token is renewed (about 2 s on): every export before
    // that reused the first token, so exactly one more was fetched.
    QByteArray renewed = first;
    QTRY_VERIFY_WITH_TIMEOUT((renewed = exportedVariables(cli(words("export short")).out)
                                            .value(QStringLiteral("TOKENTRAY_TOKEN"))
                                            .toUtf8())
                                 != first,
                             30000);
    QVERIFY(!renewed.isEmpty());
    QCOMPARE(tokenRequests(), 2);
}

// ---- exec ----------------------------------------------------------------------------------

void TestCliDelivery::execPassesExitCodes_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("code");
    QTest::newRow("0") << QStringLiteral("exit 0") << 0;
    QTest::newRow("7") << QStringLiteral("exit 7") << 7;
    QTest::newRow("255") << QStringLiteral("exit 255") << 255;
    QTest::newRow("false") << QStringLiteral("false") << 1;
}

void TestCliDelivery::execPassesExitCodes()
{
    QFETCH(QString, script);
    QFETCH(int, code);
    REQUIRE_TEST_KEYRING();
    QVERIFY(addStaticProfile(QStringLiteral("pat"), "secret-pat"));
    const ProcessResult r = cli({QStringLiteral("exec"), QStringLiteral("--"), QStringLiteral("sh"),
                                 QStringLiteral("-c"), script});
    QCOMPARE_EXIT(r, code);
    QCOMPARE(r.err, QByteArray());
}

void TestCliDelivery::execChildEnvironment()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addOAuthProfile(QStringLiteral("api"),
                            {QStringLiteral("--token-variable"), QStringLiteral("API_TOKEN")}));
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys"), QStringLiteral("eu-west-1")));

    // The bearer token under both names; stdin, stdout and stderr are the child's own.
    ProcessResult r = cli({QStringLiteral("exec"), QStringLiteral("api"), QStringLiteral("--"),
                           QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("echo \"$TOKENTRAY_TOKEN $API_TOKEN\"; cat; "
                                          "echo to-stderr >&2")},
                          "from stdin\n");
    QCOMPARE_EXIT(r, 0);
    const QList<QByteArray> lines = r.out.split('\n');
    const QList<QByteArray> tokens = lines.value(0).split(' ');
    QVERIFY2(kAccessToken.match(QString::fromUtf8(tokens.value(0))).hasMatch(), r.out.constData());
    QCOMPARE(tokens.value(1), tokens.value(0));
    QCOMPARE(lines.value(1), "from stdin");
    QCOMPARE(r.err, "to-stderr\n");

    // AWS: the keys and region; a stale session token of the caller is removed.
    QProcessEnvironment stale;
    stale.insert(QStringLiteral("AWS_SESSION_TOKEN"), QStringLiteral("stale-token"));
    stale.insert(QStringLiteral("AWS_SECURITY_TOKEN"), QStringLiteral("stale-token"));
    stale.insert(QStringLiteral("KEEP_ME"), QStringLiteral("kept"));
    r = cli({QStringLiteral("exec"), QStringLiteral("keys"), QStringLiteral("--"),
             QStringLiteral("sh"), QStringLiteral("-c"),
             QStringLiteral("echo \"$AWS_ACCESS_KEY_ID|$AWS_SECRET_ACCESS_KEY|$AWS_REGION|"
                            "$AWS_DEFAULT_REGION|${AWS_SESSION_TOKEN-unset}|"
                            "${AWS_SECURITY_TOKEN-unset}|$KEEP_ME\"")},
            {}, stale);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out, kKeyId + '|' + kSecretKey + "|eu-west-1|eu-west-1|unset|unset|kept\n");

    // No descriptor of tokentray-cli (keychain, D-Bus, lock file) reaches the child.
    const QString listFds
        = QStringLiteral("for f in /proc/$$/fd/*; do printf '%s ' \"${f##*/}\"; done");
    const ProcessResult plain
        = TestEnv::run(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), listFds});
    r = cli({QStringLiteral("exec"), QStringLiteral("keys"), QStringLiteral("--"),
             QStringLiteral("/bin/sh"), QStringLiteral("-c"), listFds});
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out, plain.out);
}

void TestCliDelivery::execCommandErrors()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addStaticProfile(QStringLiteral("pat"), "secret-pat"));
    ProcessResult r = cli(words("exec -- tokentray-no-such-command --flag"));
    QCOMPARE_EXIT(r, 127);
    QVERIFY2(r.err.contains("tokentray-no-such-command: command not found"), r.err.constData());
    QCOMPARE(r.out, QByteArray());

    QFile notExecutable(m_dir->filePath(QStringLiteral("script.sh")));
    QVERIFY(notExecutable.open(QIODevice::WriteOnly));
    notExecutable.write("#!/bin/sh\nexit 0\n");
    notExecutable.close();
    r = cli({QStringLiteral("exec"), QStringLiteral("--"), notExecutable.fileName()});
    QCOMPARE_EXIT(r, 126);
    QVERIFY2(r.err.contains("cannot run it"), r.err.constData());

    r = cli(words("exec pat"));
    QCOMPARE_EXIT(r, 2);
    QVERIFY2(r.err.contains("needs a command after --"), r.err.constData());
    QCOMPARE_EXIT(cli(words("exec nobody -- true")), 3);
}

void TestCliDelivery::execReleasesTheLock()
{
    REQUIRE_TEST_KEYRING();
    // The child runs a second tokentray-cli that needs the config lock: it must not wait for
    // the parent, which is gone (replaced by the child) and holds nothing. (Were the lock still
    // held, the child would give up after its 10 s lock timeout and fail.)
    QVERIFY(addStaticProfile(QStringLiteral("pat"), "secret-pat"));
    const ProcessResult r
        = cli({QStringLiteral("exec"), QStringLiteral("--"),
               TestEnv::binary(QStringLiteral("tokentray-cli")), QStringLiteral("--config-dir"),
               m_dir->path(), QStringLiteral("secret"), QStringLiteral("set"),
               QStringLiteral("pat"), kEnv, QStringLiteral("token")},
              "rotated-pat");
    QCOMPARE_EXIT(r, 0);
    const QString id = QJsonDocument::fromJson(cli(words("profile show pat --json")).out)
                           .object()
                           .value(QLatin1String("id"))
                           .toString();
    QCOMPARE(TestEnv::secretToolLookup(QStringLiteral("tokentray"),
                                       id + QLatin1Char('/') + kEnv + QStringLiteral("/token")),
             "rotated-pat");
}

// ---- credential-process --------------------------------------------------------------------

void TestCliDelivery::credentialProcessAwsKeys()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys")));
    const ProcessResult r = cli(words("credential-process keys"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.err, QByteArray());
    QJsonParseError error {};
    const QJsonObject o = QJsonDocument::fromJson(r.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError); // nothing but the JSON on stdout
    QCOMPARE(o.keys(), QStringList({"AccessKeyId", "SecretAccessKey", "Version"}));
    QCOMPARE(o.value("Version").toInt(), 1);
    QCOMPARE(o.value("AccessKeyId").toString().toUtf8(), kKeyId);
    QCOMPARE(o.value("SecretAccessKey").toString().toUtf8(), kSecretKey);
}

void TestCliDelivery::rotatedKeysAreServedAtOnce()
{
    // Keys never expire, so their cached copy must go when a new secret is stored.
    REQUIRE_TEST_KEYRING();
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys")));
    QCOMPARE_EXIT(cli(words("credential-process keys")), 0);
    QVERIFY(ok(cli(words("secret set keys DEV aws_secret_access_key"), "rotated/secret/key")));
    const ProcessResult r = cli(words("credential-process keys"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("SecretAccessKey").toString(),
             QStringLiteral("rotated/secret/key"));
    QVERIFY(addStaticProfile(QStringLiteral("pat"), "first-token"));
    QCOMPARE(cli(words("export pat --format json")).out.contains("first-token"), true);
    QVERIFY(ok(cli(words("secret set pat DEV token"), "second-token")));
    const ProcessResult e = cli(words("export pat --format json"));
    QVERIFY2(e.out.contains("second-token") && !e.out.contains("first-token"), e.out.constData());
}

void TestCliDelivery::credentialProcessRefusesOtherKinds()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addStaticProfile(QStringLiteral("pat"), "secret-pat"));
    ProcessResult r = cli(words("credential-process pat"));
    QCOMPARE_EXIT(r, 2);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.contains("AWS profiles only"), r.err.constData());
    QVERIFY(!r.err.contains("secret-pat"));
    r = cli(words("credential-process"));
    QCOMPARE_EXIT(r, 2);
    QCOMPARE_EXIT(cli(words("credential-process nobody")), 3);
}

void TestCliDelivery::credentialProcessRole()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startSts({QStringLiteral("--key"), QString::fromUtf8(kKeyId + ':' + kSecretKey),
                      QStringLiteral("--role"), kRoleArn}));
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys"), QStringLiteral("us-east-1")));
    // A 15-minute session, the shortest STS gives: shorter than the 15 min credential_process
    // consumers want, so half of it (7.5 min) is enough to be handed out again.
    QVERIFY(addRoleProfile(QStringLiteral("role"), QStringLiteral("keys"), 900));
    const QDateTime before = QDateTime::currentDateTimeUtc();
    ProcessResult r = cli(words("credential-process role"));
    QCOMPARE_EXIT(r, 0);
    const QJsonObject first = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(
        first.keys(),
        QStringList({"AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken", "Version"}));
    QVERIFY(first.value("AccessKeyId").toString().toUtf8() != kKeyId);
    QVERIFY(!first.value("SessionToken").toString().isEmpty());
    const QString expiration = first.value("Expiration").toString();
    QVERIFY2(expiration.endsWith(QLatin1Char('Z')), qPrintable(expiration));
    const qint64 lifetime = before.secsTo(QDateTime::fromString(expiration, Qt::ISODate));
    QVERIFY2(lifetime > 880 && lifetime <= 905, qPrintable(QString::number(lifetime)));
    // The next run reuses it instead of calling STS again (botocore runs the process on every
    // call while less than 15 min are left).
    r = cli(words("credential-process role"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("AccessKeyId"),
             first.value("AccessKeyId"));
    QCOMPARE(stsAssumeRoleCalls(), 1);

    // export of a role: the session token and its expiration.
    const auto vars = exportedVariables(cli(words("export role")).out);
    QCOMPARE(vars.value("AWS_SESSION_TOKEN"), first.value("SessionToken").toString());
    QCOMPARE(vars.value("AWS_CREDENTIAL_EXPIRATION"), expiration);
}

// ---- real consumers ------------------------------------------------------------------------

void TestCliDelivery::awsCliReadsCredentialProcess()
{
    REQUIRE_TEST_KEYRING();
    if (!QFileInfo(kAws).isExecutable())
        QSKIP("/usr/bin/aws is not installed (Debian package awscli)");
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys")));
    const QString home = m_dir->filePath(QStringLiteral("home"));
    QVERIFY(QDir().mkpath(home));
    QFile config(home + QStringLiteral("/aws-config"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("[profile tt]\ncredential_process = "
                 + TestEnv::binary(QStringLiteral("tokentray-cli")).toUtf8() + " --config-dir "
                 + m_dir->path().toUtf8() + " credential-process keys\nregion = eu-west-1\n");
    config.close();
    QFile credentials(home + QStringLiteral("/aws-credentials"));
    QVERIFY(credentials.open(QIODevice::WriteOnly));
    credentials.close();

    const QProcessEnvironment env = cleanAwsEnvironment(home);
    ProcessResult r
        = TestEnv::run(kAws,
                       {QStringLiteral("configure"), QStringLiteral("export-credentials"),
                        QStringLiteral("--profile"), QStringLiteral("tt")},
                       {}, env, 60000);
    QCOMPARE_EXIT(r, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("Version").toInt(), 1);
    QCOMPARE(o.value("AccessKeyId").toString().toUtf8(), kKeyId);
    QCOMPARE(o.value("SecretAccessKey").toString().toUtf8(), kSecretKey);
    QVERIFY(!o.contains("SessionToken"));

    // A failing process is reported by the CLI, with TokenTray's message.
    QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
    config.write("[profile tt]\ncredential_process = "
                 + TestEnv::binary(QStringLiteral("tokentray-cli")).toUtf8() + " --config-dir "
                 + m_dir->path().toUtf8() + " credential-process nobody\n");
    config.close();
    r = TestEnv::run(kAws,
                     {QStringLiteral("configure"), QStringLiteral("export-credentials"),
                      QStringLiteral("--profile"), QStringLiteral("tt")},
                     {}, env, 60000);
    QVERIFY2(r.exitCode != 0, qPrintable(describe(r)));
    QVERIFY2(r.err.contains("there is no profile named"), r.err.constData());
}

void TestCliDelivery::boto3ReadsServe()
{
    REQUIRE_TEST_KEYRING();
    if (!hasBoto3())
        QSKIP("/usr/bin/python3 with boto3 is not installed (Debian package python3-boto3)");
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys"), QStringLiteral("eu-west-1")));
    const QMap<QString, QString> served = startServe(words("keys"));
    const QString uri = served.value(QStringLiteral("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    const QString token = served.value(QStringLiteral("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    QVERIFY2(uri.startsWith(QLatin1String("http://127.0.0.1:"))
                 && uri.endsWith(QLatin1String("/aws/credentials")),
             qPrintable(uri));
    QCOMPARE(token.size(), 43);
    QCOMPARE(served.value(QStringLiteral("AWS_REGION")), QStringLiteral("eu-west-1"));

    const QString home = m_dir->filePath(QStringLiteral("home"));
    QVERIFY(QDir().mkpath(home));
    QProcessEnvironment env = cleanAwsEnvironment(home);
    env.insert(QStringLiteral("AWS_CONTAINER_CREDENTIALS_FULL_URI"), uri);
    env.insert(QStringLiteral("AWS_CONTAINER_AUTHORIZATION_TOKEN"), token);
    const QStringList python {QStringLiteral("-c"),
                              QStringLiteral("import boto3\n"
                                             "s = boto3.Session()\n"
                                             "c = s.get_credentials()\n"
                                             "f = c.get_frozen_credentials()\n"
                                             "print(c.method)\n"
                                             "print(f.access_key)\n"
                                             "print(f.secret_key)\n"
                                             "print(repr(f.token))\n")};
    ProcessResult r = TestEnv::run(kPython, python, {}, env, 60000);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out, "container-role\n" + kKeyId + '\n' + kSecretKey + "\n''\n");

    // A wrong token gets nothing.
    env.insert(QStringLiteral("AWS_CONTAINER_AUTHORIZATION_TOKEN"), QString(43, QLatin1Char('x')));
    r = TestEnv::run(kPython, python, {}, env, 60000);
    QVERIFY2(r.exitCode != 0, qPrintable(describe(r)));
    QVERIFY2(r.err.contains("401"), r.err.constData());
    QVERIFY(!r.out.contains(kSecretKey));
    QVERIFY(!r.err.contains(kSecretKey));
}

void TestCliDelivery::boto3ReadsServedRole()
{
    REQUIRE_TEST_KEYRING();
    if (!hasBoto3())
        QSKIP("/usr/bin/python3 with boto3 is not installed (Debian package python3-boto3)");
    QVERIFY(startSts({QStringLiteral("--key"), QString::fromUtf8(kKeyId + ':' + kSecretKey),
                      QStringLiteral("--role"), kRoleArn}));
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys"), QStringLiteral("us-east-1")));
    QVERIFY(addRoleProfile(QStringLiteral("role"), QStringLiteral("keys"), 3600));
    const QMap<QString, QString> served = startServe(words("role"));
    const QString home = m_dir->filePath(QStringLiteral("home"));
    QVERIFY(QDir().mkpath(home));
    QProcessEnvironment env = cleanAwsEnvironment(home);
    for (auto it = served.cbegin(); it != served.cend(); ++it)
        env.insert(it.key(), it.value());
    // Temporary credentials with their session token and expiry, as botocore's container
    // provider reads them (it refreshes before the Expiration it was given).
    const ProcessResult r = TestEnv::run(
        kPython,
        {QStringLiteral("-c"),
         QStringLiteral("import boto3\n"
                        "c = boto3.Session().get_credentials()\n"
                        "f = c.get_frozen_credentials()\n"
                        "print(c.method, f.access_key, f.token, c._expiry_time.isoformat())\n")},
        {}, env, 60000);
    QCOMPARE_EXIT(r, 0);
    const QList<QByteArray> fields = r.out.trimmed().split(' ');
    QCOMPARE(fields.size(), 4);
    QCOMPARE(fields.at(0), "container-role");
    const QMap<QString, QString> exported = exportedVariables(cli(words("export role")).out);
    QCOMPARE(QString::fromUtf8(fields.at(1)), exported.value("AWS_ACCESS_KEY_ID"));
    QCOMPARE(QString::fromUtf8(fields.at(2)), exported.value("AWS_SESSION_TOKEN"));
    QCOMPARE(QDateTime::fromString(QString::fromUtf8(fields.at(3)), Qt::ISODate),
             QDateTime::fromString(exported.value("AWS_CREDENTIAL_EXPIRATION"), Qt::ISODate));
}

void TestCliDelivery::serveBearer()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addOAuthProfile(QStringLiteral("api")));
    QVERIFY(ok(cli(words("switch api"))));
    const QMap<QString, QString> served = startServe({}); // the current profile
    const QUrl url(served.value(QStringLiteral("TOKENTRAY_TOKEN_URL")));
    const QByteArray token = served.value(QStringLiteral("TOKENTRAY_AUTHORIZATION_TOKEN")).toUtf8();
    QVERIFY2(url.toString().endsWith(QLatin1String("/token")), qPrintable(url.toString()));

    auto fetch = [this, &url](const QByteArray &authorization, int *status) {
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", authorization);
        QNetworkReply *reply = m_nam.get(request);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished() && !finished.wait(15000))
            qWarning() << "no answer from serve";
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return o;
    };
    int status = 0;
    QJsonObject o = fetch("Bearer " + token, &status);
    QCOMPARE(status, 200);
    const QString first = o.value("access_token").toString();
    QVERIFY(kAccessToken.match(first).hasMatch());
    QCOMPARE(o.value("token_type").toString(), "Bearer");
    QVERIFY(o.value("expires_at").toString().endsWith(QLatin1Char('Z')));
    // Again: from the server's memory.
    QCOMPARE(fetch(token, &status).value("access_token").toString(), first);
    QCOMPARE(tokenRequests(), 1);
    o = fetch("Bearer wrong", &status);
    QCOMPARE(status, 401);
    // `token` in another process meanwhile is not blocked by the server.
    QCOMPARE_EXIT(cli(words("token api")), 0);
    // cleanup() stops it with SIGTERM and expects a clean exit 0.
}

void TestCliDelivery::secretsNeverOnStderr()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addAccessKeyProfile(QStringLiteral("keys")));
    QVERIFY(addStaticProfile(QStringLiteral("pat"), "secret-pat-value"));
    for (const QStringList &args :
         {words("-v export keys"), words("-v credential-process keys"),
          words("-v export pat --format fish"), words("-v exec pat -- true")}) {
        const ProcessResult r = cli(args);
        QCOMPARE_EXIT(r, 0);
        QVERIFY2(!r.err.contains(kSecretKey) && !r.err.contains("secret-pat-value"),
                 r.err.constData());
    }
    const QString served
        = startServe(words("-v keys")).value(QStringLiteral("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    QVERIFY(!served.isEmpty());
    m_serve->terminate();
    QVERIFY(m_serve->waitForFinished(5000));
    const QByteArray err = m_serve->readAllStandardError();
    QVERIFY2(!err.contains(kSecretKey) && !err.contains(served.toUtf8()), err.constData());
    QCOMPARE(m_serve->exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestCliDelivery)
#include "tst_cli_delivery.moc"
