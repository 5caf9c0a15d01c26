// The real tokentray-cli binary, driven through QProcess with a fresh config dir per test and
// the real Secret Service of the test desktop session (scripts/desktop-session).
#include "core/cli/cli.h"
#include "core/cli/commandline.h"
#include "core/secrets/keychainbackend.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "tests/support/clitest.h"
#include "tests/support/keyringlocker.h"
#include "tests/support/testenv.h"

#include <QBuffer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <sys/stat.h>
#include <unistd.h>

#include <memory>

using TestEnv::describe;
using TestEnv::ProcessResult;
using TestEnv::words;

namespace {

const QString kService = QStringLiteral("tokentray");

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray();
    return f.readAll();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

mode_t modeOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return st.st_mode & 07777;
}

// A value no other test or tool would produce; the hex part is what must never leak.
QByteArray newSecret()
{
    return "tt-secret-" + QUuid::createUuid().toByteArray(QUuid::Id128);
}

QJsonObject environmentOf(const QJsonObject &profile, const QString &env)
{
    const QJsonArray envs = profile.value(QLatin1String("environments")).toArray();
    for (const QJsonValue &e : envs) {
        if (e.toObject().value(QLatin1String("name")).toString() == env)
            return e.toObject();
    }
    return {};
}

// "present", "missing", "locked"... from `status --json`.
QString secretState(const QJsonObject &status, const QString &profile, const QString &env,
                    const QString &name)
{
    for (const QJsonValue &p : status.value(QLatin1String("profiles")).toArray()) {
        if (p.toObject().value(QLatin1String("name")).toString() == profile)
            return environmentOf(p.toObject(), env)
                .value(QLatin1String("secrets"))
                .toObject()
                .value(name)
                .toString();
    }
    return {};
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void version_data();
    void version();
    void help_data();
    void help();
    void profileAddListShowRemove();
    void environmentAddSetRemove();
    void switchProfile();
    void configDirFromEnvironment();
    void usageErrors_data();
    void usageErrors();
    void notFound_data();
    void notFound();

    // keychain
    void secretSetStoresOnlyInTheKeychain();
    void secretDeleteOfNeverSetSecret();
    void secretNeverPrinted_data();
    void secretNeverPrinted();
    void profileRemoveDeletesEveryKeychainItem();
    void environmentRemoveDeletesItsKeychainItems();
    void keychainLocked_data();
    void keychainLocked();
    void keychainLockedHalfWayThroughRemoval();
    void noSecretService_data();
    void noSecretService();

    // config file errors
    void corruptConfig_data();
    void corruptConfig();
    void unreadableConfig_data();
    void unreadableConfig();
    void fullDiskKeepsConfig();
    void specialFileAtConfig_data();
    void specialFileAtConfig();

private:
    ProcessResult cli(const QStringList &args, const QByteArray &input = {},
                      const QProcessEnvironment &env = {}) const;
    ProcessResult cliJson(const QStringList &args, QJsonDocument *doc) const;
    [[nodiscard]] QString configFile() const
    {
        return m_dir->filePath(QStringLiteral("profiles.json"));
    }
    // Setup steps; on failure they log the process output and return false.
    bool ok(const ProcessResult &r) const;
    bool addProfile(const QString &name, const QString &kind = QStringLiteral("oauth2"));
    bool addOAuth2Environment(const QString &profile, const QString &env);
    bool setSecret(const QString &profile, const QString &env, const QString &name,
                   const QByteArray &value);
    QString profileId(const QString &name) const;
    QJsonObject status() const;
    QStringList filesContaining(const QByteArray &needle) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_bus;
    bool m_keyringLocked = false;
};

// ---- helpers -------------------------------------------------------------------------------

ProcessResult TestCli::cli(const QStringList &args, const QByteArray &input,
                           const QProcessEnvironment &env) const
{
    return TestEnv::run(TestEnv::binary(QStringLiteral("tokentray-cli")),
                        QStringList {QStringLiteral("--config-dir"), m_dir->path()} + args, input,
                        env);
}

ProcessResult TestCli::cliJson(const QStringList &args, QJsonDocument *doc) const
{
    const ProcessResult r = cli(args + QStringList {QStringLiteral("--json")});
    QJsonParseError error;
    *doc = QJsonDocument::fromJson(r.out, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning().noquote() << "not JSON:" << error.errorString() << describe(r);
    return r;
}

bool TestCli::ok(const ProcessResult &r) const
{
    if (!r.crashed && r.exitCode == 0)
        return true;
    qWarning().noquote() << describe(r);
    return false;
}

bool TestCli::addProfile(const QString &name, const QString &kind)
{
    return ok(cli(
        {QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"), kind}));
}

bool TestCli::addOAuth2Environment(const QString &profile, const QString &env)
{
    return ok(cli({QStringLiteral("environment"), QStringLiteral("add"), profile, env,
                   QStringLiteral("--token-url"),
                   QStringLiteral("https://auth.example.com/") + env + QStringLiteral("/token"),
                   QStringLiteral("--client-id"), QStringLiteral("client-") + env}));
}

bool TestCli::setSecret(const QString &profile, const QString &env, const QString &name,
                        const QByteArray &value)
{
    return ok(
        cli({QStringLiteral("secret"), QStringLiteral("set"), profile, env, name}, value + '\n'));
}

QString TestCli::profileId(const QString &name) const
{
    QJsonDocument doc;
    const ProcessResult r
        = cliJson({QStringLiteral("profile"), QStringLiteral("show"), name}, &doc);
    if (!ok(r))
        return {};
    return doc.object().value(QLatin1String("id")).toString();
}

QJsonObject TestCli::status() const
{
    QJsonDocument doc;
    const ProcessResult r = cliJson({QStringLiteral("status")}, &doc);
    return ok(r) ? doc.object() : QJsonObject();
}

QStringList TestCli::filesContaining(const QByteArray &needle) const
{
    QStringList hits;
    QDirIterator it(m_dir->path(), QDir::Files | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (readFile(path).contains(needle))
            hits << path;
    }
    return hits;
}

static QString key(const QString &profileId, const char *env, const char *name)
{
    return profileId + QLatin1Char('/') + QLatin1String(env) + QLatin1Char('/')
        + QLatin1String(name);
}

// ---- fixture -------------------------------------------------------------------------------

void TestCli::initTestCase()
{
    const QString binary = TestEnv::binary(QStringLiteral("tokentray-cli"));
    QVERIFY2(QFileInfo(binary).isExecutable(),
             qPrintable(binary + QStringLiteral(" is not built")));
    if (TestEnv::hasTestKeyring())
        QVERIFY2(!TestEnv::isKeyringLocked(), "the test keyring must start unlocked");
}

void TestCli::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestCli::cleanup()
{
    if (m_bus) {
        m_bus->kill();
        m_bus->waitForFinished(5000);
        m_bus.reset();
    }
    if (m_dir)
        QFile::setPermissions(configFile(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    m_dir.reset();
    // Even when a test failed half-way: the other tests need an unlocked keyring.
    if (m_keyringLocked || (TestEnv::hasTestKeyring() && TestEnv::isKeyringLocked())) {
        m_keyringLocked = false;
        QVERIFY2(TestEnv::unlockKeyring(), "could not unlock the test keyring again");
    }
}

// ---- every command, exit 0 and its effect --------------------------------------------------

void TestCli::version_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("version") << words("version");
    QTest::newRow("--version") << words("--version");
}

void TestCli::version()
{
    QFETCH(QStringList, args);
    const ProcessResult r = cli(args);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out, QByteArray("tokentray-cli " TOKENTRAY_VERSION "\n"));
    QCOMPARE(r.err, QByteArray());
}

void TestCli::help_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("everyCommand");
    QTest::addColumn<QStringList>("contains");
    QTest::addColumn<QStringList>("lacks");

    QTest::newRow("help") << words("help") << true << QStringList {QStringLiteral("Exit codes")}
                          << QStringList();
    QTest::newRow("--help") << words("--help") << true
                            << QStringList {QStringLiteral("--config-dir")} << QStringList();
    QTest::newRow("help GROUP") << words("help profile") << false
                                << QStringList {QStringLiteral("tokentray-cli profile add NAME"),
                                                QStringLiteral("tokentray-cli profile remove NAME")}
                                << QStringList {QStringLiteral("tokentray-cli secret")};
    QTest::newRow("help GROUP COMMAND")
        << words("help secret set") << false
        << QStringList {QStringLiteral("tokentray-cli secret set PROFILE ENV NAME")}
        << QStringList {QStringLiteral("secret delete")};
    QTest::newRow("COMMAND --help")
        << words("environment add --help") << false
        << QStringList {QStringLiteral("--token-url URL"), QStringLiteral("--protected")}
        << QStringList {QStringLiteral("--unprotected")};
}

void TestCli::help()
{
    QFETCH(QStringList, args);
    QFETCH(bool, everyCommand);
    QFETCH(QStringList, contains);
    QFETCH(QStringList, lacks);

    const ProcessResult r = cli(args);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.err, QByteArray());
    const QString text = QString::fromUtf8(r.out);
    if (everyCommand) {
        for (const TokenTray::CommandSpec &c : TokenTray::CommandLine::commands())
            QVERIFY2(text.contains(c.name), qPrintable(c.name));
    }
    for (const QString &s : std::as_const(contains))
        QVERIFY2(text.contains(s), qPrintable(s + QStringLiteral(" missing in:\n") + text));
    for (const QString &s : std::as_const(lacks))
        QVERIFY2(!text.contains(s), qPrintable(s + QStringLiteral(" unexpected in:\n") + text));
}

void TestCli::profileAddListShowRemove()
{
    ProcessResult r = cli(words("profile list"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("No profiles yet"), r.out.constData());
    QJsonDocument doc;
    r = cliJson(words("profile list"), &doc);
    QCOMPARE_EXIT(r, 0);
    QVERIFY(doc.isArray());
    QVERIFY(doc.array().isEmpty());

    r = cliJson(words("profile add work --kind oauth2"), &doc);
    QCOMPARE_EXIT(r, 0);
    const QJsonObject added = doc.object();
    QCOMPARE(added.value(QLatin1String("name")).toString(), QStringLiteral("work"));
    QCOMPARE(added.value(QLatin1String("kind")).toString(), QStringLiteral("oauth2"));
    QCOMPARE(added.value(QLatin1String("grant")).toString(), QStringLiteral("client_credentials"));
    const QString workId = added.value(QLatin1String("id")).toString();
    QVERIFY(!QUuid::fromString(workId).isNull());
    QCOMPARE(modeOf(configFile()), mode_t(0600));

    r = cli(words("profile add cloud --kind aws-assume-role --refresh eager"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Added profile cloud"), r.out.constData());
    r = cli(words("profile add dev --kind oauth2 --grant device_code"));
    QCOMPARE_EXIT(r, 0);

    r = cliJson(words("profile list"), &doc);
    QCOMPARE_EXIT(r, 0);
    const QJsonArray list = doc.array();
    QCOMPARE(list.size(), 3);
    QCOMPARE(list.at(0)[QLatin1String("name")].toString(), QStringLiteral("work"));
    QCOMPARE(list.at(0)[QLatin1String("id")].toString(), workId);
    QCOMPARE(list.at(0)[QLatin1String("current")].toBool(),
             true); // the first profile becomes current
    QCOMPARE(list.at(1)[QLatin1String("name")].toString(), QStringLiteral("cloud"));
    QCOMPARE(list.at(1)[QLatin1String("kind")].toString(), QStringLiteral("aws-assume-role"));
    QCOMPARE(list.at(1)[QLatin1String("refresh")].toString(), QStringLiteral("eager"));
    QCOMPARE(list.at(1)[QLatin1String("current")].toBool(), false);
    QCOMPARE(list.at(2)[QLatin1String("grant")].toString(), QStringLiteral("device_code"));

    r = cli(words("profile list"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("* work"), r.out.constData());
    QVERIFY2(r.out.contains("  cloud"), r.out.constData());

    r = cliJson(words("profile show work"), &doc);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(doc.object().value(QLatin1String("id")).toString(), workId);
    QCOMPARE(doc.object().value(QLatin1String("current")).toBool(), true);
    r = cli(words("profile show cloud"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Profile      cloud\n"), r.out.constData());
    QVERIFY2(r.out.contains("Kind         aws-assume-role"), r.out.constData());
    QVERIFY2(r.out.contains("Environments none"), r.out.constData());

    r = cli(words("profile remove cloud"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Removed profile cloud"), r.out.constData());
    r = cli(words("profile remove work"));
    QCOMPARE_EXIT(r, 0);
    r = cliJson(words("profile list"), &doc);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(doc.array().size(), 1);
    QCOMPARE(doc.array().at(0)[QLatin1String("name")].toString(), QStringLiteral("dev"));
    // Removing the current profile makes the next one current.
    QCOMPARE(doc.array().at(0)[QLatin1String("current")].toBool(), true);
    QCOMPARE(profileId(QStringLiteral("work")), QString());
}

void TestCli::environmentAddSetRemove()
{
    QVERIFY(addProfile(QStringLiteral("api")));
    ProcessResult r
        = cli({QStringLiteral("environment"), QStringLiteral("add"), QStringLiteral("api"),
               QStringLiteral("dev"), QStringLiteral("--token-url=https://auth.example.com/token"),
               QStringLiteral("--client-id"), QStringLiteral("cid"), QStringLiteral("--scope"),
               QStringLiteral("read write"), QStringLiteral("--auth"), QStringLiteral("post")});
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Added environment api/dev."), r.out.constData());
    QVERIFY2(r.out.contains("tokentray-cli secret set api dev client_secret"), r.out.constData());

    r = cli(words(
        "environment add api prod --issuer https://login.example.com --client-id pid --protected"));
    QCOMPARE_EXIT(r, 0);
    // Plain http is fine for a loopback host (RFC 8252).
    r = cli(
        words("environment add api local --token-url http://127.0.0.1:8080/token --client-id l"));
    QCOMPARE_EXIT(r, 0);

    QJsonDocument doc;
    r = cliJson(words("profile show api"), &doc);
    QCOMPARE_EXIT(r, 0);
    QJsonObject profile = doc.object();
    QCOMPARE(profile.value(QLatin1String("environments")).toArray().size(), 3);
    QCOMPARE(profile.value(QLatin1String("activeEnvironment")).toString(), QStringLiteral("dev"));
    QJsonObject dev = environmentOf(profile, QStringLiteral("dev"));
    QCOMPARE(dev.value(QLatin1String("tokenUrl")).toString(),
             QStringLiteral("https://auth.example.com/token"));
    QCOMPARE(dev.value(QLatin1String("clientId")).toString(), QStringLiteral("cid"));
    QCOMPARE(dev.value(QLatin1String("clientAuth")).toString(), QStringLiteral("post"));
    QCOMPARE(dev.value(QLatin1String("scopes")).toArray(),
             QJsonArray::fromStringList({QStringLiteral("read"), QStringLiteral("write")}));
    QJsonObject prod = environmentOf(profile, QStringLiteral("prod"));
    QCOMPARE(prod.value(QLatin1String("issuer")).toString(),
             QStringLiteral("https://login.example.com"));
    QCOMPARE(prod.value(QLatin1String("protected")).toBool(), true);
    QCOMPARE(
        environmentOf(profile, QStringLiteral("local")).value(QLatin1String("tokenUrl")).toString(),
        QStringLiteral("http://127.0.0.1:8080/token"));

    r = cli(words("environment set api prod --unprotected --client-id other"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Updated environment api/prod."), r.out.constData());
    r = cli(words("environment set api dev --scope="));
    QCOMPARE_EXIT(r, 0);
    r = cliJson(words("profile show api"), &doc);
    QCOMPARE_EXIT(r, 0);
    profile = doc.object();
    prod = environmentOf(profile, QStringLiteral("prod"));
    QCOMPARE(prod.value(QLatin1String("protected")).toBool(false), false);
    QCOMPARE(prod.value(QLatin1String("clientId")).toString(), QStringLiteral("other"));
    QCOMPARE(prod.value(QLatin1String("issuer")).toString(),
             QStringLiteral("https://login.example.com"));
    dev = environmentOf(profile, QStringLiteral("dev"));
    QVERIFY(!dev.contains(QLatin1String("scopes")));
    QCOMPARE(dev.value(QLatin1String("clientId")).toString(), QStringLiteral("cid")); // untouched

    r = cli(words("environment remove api dev"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Removed environment api/dev"), r.out.constData());
    r = cliJson(words("profile show api"), &doc);
    QCOMPARE_EXIT(r, 0);
    profile = doc.object();
    QVERIFY(environmentOf(profile, QStringLiteral("dev")).isEmpty());
    QCOMPARE(profile.value(QLatin1String("environments")).toArray().size(), 2);
    // The active environment moved to one that still exists.
    QCOMPARE(profile.value(QLatin1String("activeEnvironment")).toString(), QStringLiteral("prod"));
}

void TestCli::switchProfile()
{
    QVERIFY(addProfile(QStringLiteral("a")));
    QVERIFY(addOAuth2Environment(QStringLiteral("a"), QStringLiteral("dev")));
    QVERIFY(addOAuth2Environment(QStringLiteral("a"), QStringLiteral("prod")));
    QVERIFY(addProfile(QStringLiteral("b"), QStringLiteral("static-token")));
    QVERIFY(ok(cli(words("environment add b main"))));

    ProcessResult r = cli(words("switch b"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out, QByteArray("Current: b/main\n"));
    QJsonDocument doc;
    r = cliJson(words("profile list"), &doc);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(doc.array().at(0)[QLatin1String("current")].toBool(), false);
    QCOMPARE(doc.array().at(1)[QLatin1String("current")].toBool(), true);

    r = cliJson(words("switch a prod"), &doc);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(doc.object().value(QLatin1String("profile")).toString(), QStringLiteral("a"));
    QCOMPARE(doc.object().value(QLatin1String("environment")).toString(), QStringLiteral("prod"));
    r = cliJson(words("profile list"), &doc);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(doc.array().at(0)[QLatin1String("current")].toBool(), true);
    QCOMPARE(doc.array().at(0)[QLatin1String("activeEnvironment")].toString(),
             QStringLiteral("prod"));
    QCOMPARE(doc.array().at(1)[QLatin1String("current")].toBool(), false);
}

void TestCli::configDirFromEnvironment()
{
    const QString fromEnv = m_dir->filePath(QStringLiteral("from-env"));
    const QString fromOption = m_dir->filePath(QStringLiteral("from-option"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("TOKENTRAY_CONFIG_DIR"), fromEnv);
    const QString binary = TestEnv::binary(QStringLiteral("tokentray-cli"));

    ProcessResult r
        = TestEnv::run(binary, words("profile add viaenv --kind static-token"), {}, env);
    QCOMPARE_EXIT(r, 0);
    const QString file = fromEnv + QStringLiteral("/profiles.json");
    QVERIFY(QFile::exists(file));
    QVERIFY(readFile(file).contains("\"viaenv\""));
    QCOMPARE(modeOf(file), mode_t(0600));
    QCOMPARE(modeOf(fromEnv), mode_t(0700)); // created by the CLI, owner only

    r = TestEnv::run(binary, words("profile list --json"), {}, env);
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out).array().at(0)[QLatin1String("name")].toString(),
             QStringLiteral("viaenv"));

    // --config-dir wins over the variable.
    r = TestEnv::run(binary,
                     QStringList {QStringLiteral("--config-dir"), fromOption}
                         + words("profile add viaopt --kind static-token"),
                     {}, env);
    QCOMPARE_EXIT(r, 0);
    QVERIFY(readFile(fromOption + QStringLiteral("/profiles.json")).contains("\"viaopt\""));
    QVERIFY(!readFile(file).contains("\"viaopt\""));
}

// ---- exit 2: usage -------------------------------------------------------------------------

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("phrase");

    const QByteArray none;
    QTest::newRow("no command") << QStringList() << none
                                << "no command given (see tokentray-cli help)";
    QTest::newRow("unknown command")
        << words("frobnicate") << none << "unknown command \"frobnicate\"";
    QTest::newRow("missing positional")
        << words("profile show") << none << "profile show: missing NAME";
    QTest::newRow("option not for the command")
        << words("status --kind oauth2") << none << "status does not take --kind";
    QTest::newRow("missing --kind") << words("profile add x") << none << "profile add needs --kind";
    QTest::newRow("bad kind") << words("profile add x --kind kerberos") << none
                              << "unknown kind \"kerberos\"";
    QTest::newRow("bad grant") << words("profile add x --kind oauth2 --grant implicit") << none
                               << "unknown grant \"implicit\"";
    QTest::newRow("grant for a non-oauth2 kind")
        << words("profile add x --kind static-token --grant device_code") << none
        << "--grant applies to oauth2 profiles only";
    QTest::newRow("bad refresh policy") << words("profile add x --kind oauth2 --refresh sometimes")
                                        << none << "--refresh must be deferred or eager";
    QTest::newRow("bad profile name")
        << words("profile add a/b --kind oauth2") << none << "is not allowed";
    QTest::newRow("profile exists") << words("profile add api --kind static-token") << none
                                    << "a profile named \"api\" already exists";
    QTest::newRow("plain http URL")
        << words("environment add api qa --token-url http://example.com/token --client-id c")
        << none << "uses plain http: only https is allowed, except for loopback hosts";
    QTest::newRow("URL not https")
        << words("environment add api qa --token-url ftp://example.com/t --client-id c") << none
        << "must use https";
    QTest::newRow("relative URL") << words(
        "environment add api qa --token-url /token --client-id c")
                                  << none << "is not an absolute URL";
    QTest::newRow("missing --client-id")
        << words("environment add api qa --token-url https://example.com/t") << none
        << "an oauth2 environment needs --client-id";
    QTest::newRow("missing --token-url")
        << words("environment add api qa --client-id c") << none << "needs --token-url or --issuer";
    QTest::newRow("option not for the kind") << words(
        "environment add api qa --token-url https://e.com/t --client-id c --region eu-west-1")
                                             << none
                                             << "--region does not apply to oauth2 profiles";
    QTest::newRow("flag and its opposite")
        << words("environment set api dev --protected --unprotected") << none
        << "contradict each other";
    QTest::newRow("bad --auth") << words("environment set api dev --auth digest") << none
                                << "--auth must be \"basic\" or \"post\"";
    QTest::newRow("missing --ca-file")
        << words("environment set api dev --ca-file /nonexistent/ca.pem") << none
        << "is not a readable file";
    QTest::newRow("environment exists")
        << words("environment add api dev --token-url https://e.com/t --client-id c") << none
        << "already has an environment dev";
    QTest::newRow("secret name not for the kind")
        << words("secret set api dev token") << QByteArray("x\n")
        << "profiles keep client_secret, refresh_token, not \"token\"";
    QTest::newRow("empty stdin for secret set")
        << words("secret set api dev client_secret") << none << "no secret on standard input";
    QTest::newRow("only a newline on stdin") << words("secret set api dev client_secret")
                                             << QByteArray("\n") << "no secret on standard input";
    QTest::newRow("secret larger than 64 KiB")
        << words("secret set api dev client_secret") << QByteArray(64 * 1024 + 1, 'x')
        << "larger than 64 KiB";
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);
    QFETCH(QString, phrase);

    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    const QByteArray before = readFile(configFile());

    const ProcessResult r = cli(args, input);
    QCOMPARE_EXIT(r, 2);
    QVERIFY2(r.err.startsWith("tokentray-cli: "), qPrintable(describe(r)));
    QVERIFY2(QString::fromUtf8(r.err).contains(phrase), qPrintable(describe(r)));
    QCOMPARE(r.err.count('\n'), qsizetype(1)); // one sentence
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(readFile(configFile()), before);
}

// ---- exit 3: not found ---------------------------------------------------------------------

void TestCli::notFound_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("phrase");

    const QString noProfile
        = QStringLiteral("there is no profile named \"nope\" (see tokentray-cli profile list)");
    const QString noEnv = QStringLiteral("profile api has no environment \"nope\" (it has: dev)");
    QTest::newRow("profile show") << words("profile show nope") << noProfile;
    QTest::newRow("profile remove") << words("profile remove nope") << noProfile;
    QTest::newRow("environment add")
        << words("environment add nope dev --token-url https://e.com/t --client-id c") << noProfile;
    QTest::newRow("environment set") << words("environment set api nope --client-id c") << noEnv;
    QTest::newRow("environment remove") << words("environment remove api nope") << noEnv;
    QTest::newRow("secret set, profile") << words("secret set nope dev client_secret") << noProfile;
    QTest::newRow("secret set, environment") << words("secret set api nope client_secret") << noEnv;
    QTest::newRow("secret delete, environment")
        << words("secret delete api nope client_secret") << noEnv;
    QTest::newRow("switch, profile") << words("switch nope") << noProfile;
    QTest::newRow("switch, environment") << words("switch api nope") << noEnv;
}

void TestCli::notFound()
{
    QFETCH(QStringList, args);
    QFETCH(QString, phrase);

    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    const QByteArray before = readFile(configFile());

    const ProcessResult r = cli(args, "never-read\n");
    QCOMPARE_EXIT(r, 3);
    QVERIFY2(QString::fromUtf8(r.err).contains(phrase), qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(readFile(configFile()), before);
}

// ---- the keychain --------------------------------------------------------------------------

void TestCli::secretSetStoresOnlyInTheKeychain()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    const QString id = profileId(QStringLiteral("api"));
    QVERIFY(!id.isEmpty());
    QJsonObject st = status();
    QCOMPARE(st.value(QLatin1String("keychain")).toString(), QStringLiteral("available"));
    QCOMPARE(secretState(st, QStringLiteral("api"), QStringLiteral("dev"),
                         QStringLiteral("client_secret")),
             QStringLiteral("missing"));

    const QByteArray secret = newSecret();
    ProcessResult r = cli(words("secret set api dev client_secret"), secret + "\n");
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out, QByteArray("Stored client_secret for api/dev in the keychain.\n"));
    // In the keychain without the line break that ended the input...
    QCOMPARE(TestEnv::secretToolLookup(kService, key(id, "dev", "client_secret")), secret);
    // ...and nowhere in the config dir, which holds only its index.
    QCOMPARE(filesContaining(secret), QStringList());
    QCOMPARE(filesContaining(secret.mid(10)), QStringList());
    QCOMPARE(modeOf(configFile()), mode_t(0600));
    QJsonDocument doc;
    QCOMPARE_EXIT(cliJson(words("profile show api"), &doc), 0);
    QCOMPARE(doc.object().value(QLatin1String("secrets")).toArray(),
             QJsonArray {QStringLiteral("dev/client_secret")});

    st = status();
    QCOMPARE(secretState(st, QStringLiteral("api"), QStringLiteral("dev"),
                         QStringLiteral("client_secret")),
             QStringLiteral("present"));
    r = cli(words("status"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("client_secret: present"), r.out.constData());

    // Setting it again replaces the value.
    const QByteArray replacement = newSecret();
    QVERIFY(setSecret(QStringLiteral("api"), QStringLiteral("dev"), QStringLiteral("client_secret"),
                      replacement));
    QCOMPARE(TestEnv::secretToolLookup(kService, key(id, "dev", "client_secret")), replacement);

    r = cli(words("secret delete api dev client_secret"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out, QByteArray("Deleted client_secret of api/dev from the keychain.\n"));
    QCOMPARE(TestEnv::secretToolLookup(kService, key(id, "dev", "client_secret")), QByteArray());
    QCOMPARE_EXIT(cliJson(words("profile show api"), &doc), 0);
    QVERIFY(!doc.object().contains(QLatin1String("secrets")));
    QCOMPARE(secretState(status(), QStringLiteral("api"), QStringLiteral("dev"),
                         QStringLiteral("client_secret")),
             QStringLiteral("missing"));
}

void TestCli::secretDeleteOfNeverSetSecret()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    const QByteArray before = readFile(configFile());

    const ProcessResult r = cli(words("secret delete api dev refresh_token"));
    QCOMPARE_EXIT(r, 3);
    QVERIFY2(r.err.contains("there is no refresh_token for api/dev"), qPrintable(describe(r)));
    QCOMPARE(readFile(configFile()), before);
}

void TestCli::secretNeverPrinted_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("input");

    QTest::newRow("secret set") << words("-v secret set api dev client_secret") << true;
    QTest::newRow("status") << words("status -v") << false;
    QTest::newRow("status --json") << words("status --json -v") << false;
    QTest::newRow("profile show") << words("profile show api -v") << false;
    QTest::newRow("profile show --json") << words("-v --json profile show api") << false;
    QTest::newRow("profile list") << words("profile list -v") << false;
}

void TestCli::secretNeverPrinted()
{
    QFETCH(QStringList, args);
    QFETCH(bool, input);
    REQUIRE_TEST_KEYRING();

    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    const QByteArray secret = newSecret();
    QVERIFY(setSecret(QStringLiteral("api"), QStringLiteral("dev"), QStringLiteral("client_secret"),
                      secret));

    const ProcessResult r = cli(args, input ? secret + "\n" : QByteArray());
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.err.contains("tokentray."),
             qPrintable(QStringLiteral("no verbose log: ") + describe(r)));
    const QByteArray hex = secret.mid(10);
    QVERIFY2(!r.out.contains(hex), qPrintable(describe(r)));
    QVERIFY2(!r.err.contains(hex), qPrintable(describe(r)));
    QCOMPARE(TestEnv::secretToolLookup(
                 kService, key(profileId(QStringLiteral("api")), "dev", "client_secret")),
             secret);
}

void TestCli::profileRemoveDeletesEveryKeychainItem()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("prod")));
    QVERIFY(addProfile(QStringLiteral("other"), QStringLiteral("static-token")));
    QVERIFY(ok(cli(words("environment add other main"))));
    const QString id = profileId(QStringLiteral("api"));
    const QString otherId = profileId(QStringLiteral("other"));
    QVERIFY(!id.isEmpty() && !otherId.isEmpty());
    const QList<QString> keys = {key(id, "dev", "client_secret"), key(id, "dev", "refresh_token"),
                                 key(id, "prod", "client_secret")};
    QVERIFY(setSecret(QStringLiteral("api"), QStringLiteral("dev"), QStringLiteral("client_secret"),
                      newSecret()));
    QVERIFY(setSecret(QStringLiteral("api"), QStringLiteral("dev"), QStringLiteral("refresh_token"),
                      newSecret()));
    QVERIFY(setSecret(QStringLiteral("api"), QStringLiteral("prod"),
                      QStringLiteral("client_secret"), newSecret()));
    const QByteArray otherSecret = newSecret();
    QVERIFY(setSecret(QStringLiteral("other"), QStringLiteral("main"), QStringLiteral("token"),
                      otherSecret));
    for (const QString &k : keys)
        QVERIFY2(!TestEnv::secretToolLookup(kService, k).isEmpty(), qPrintable(k));

    const ProcessResult r = cli(words("profile remove api"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Removed profile api and its keychain items."), r.out.constData());
    for (const QString &k : keys)
        QVERIFY2(TestEnv::secretToolLookup(kService, k).isEmpty(),
                 qPrintable(k + QStringLiteral(" is left")));
    QCOMPARE(TestEnv::secretToolLookup(kService, key(otherId, "main", "token")), otherSecret);
    QJsonDocument doc;
    QCOMPARE_EXIT(cliJson(words("profile list"), &doc), 0);
    QCOMPARE(doc.array().size(), 1);
    QCOMPARE(doc.array().at(0)[QLatin1String("name")].toString(), QStringLiteral("other"));
}

void TestCli::environmentRemoveDeletesItsKeychainItems()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("prod")));
    const QString id = profileId(QStringLiteral("api"));
    QVERIFY(!id.isEmpty());
    QVERIFY(setSecret(QStringLiteral("api"), QStringLiteral("dev"), QStringLiteral("client_secret"),
                      newSecret()));
    const QByteArray prodSecret = newSecret();
    QVERIFY(setSecret(QStringLiteral("api"), QStringLiteral("prod"),
                      QStringLiteral("client_secret"), prodSecret));

    QCOMPARE_EXIT(cli(words("environment remove api dev")), 0);
    QCOMPARE(TestEnv::secretToolLookup(kService, key(id, "dev", "client_secret")), QByteArray());
    QCOMPARE(TestEnv::secretToolLookup(kService, key(id, "prod", "client_secret")), prodSecret);
    QJsonDocument doc;
    QCOMPARE_EXIT(cliJson(words("profile show api"), &doc), 0);
    QCOMPARE(doc.object().value(QLatin1String("secrets")).toArray(),
             QJsonArray {QStringLiteral("prod/client_secret")});
}

// ---- exit 6: keychain locked or missing ----------------------------------------------------

void TestCli::keychainLocked_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("stdoutPhrase");
    QTest::addColumn<int>("exitWhenUnlocked");

    QTest::newRow("secret set, replacing") << words("secret set api dev client_secret")
                                           << QByteArray("new-value\n") << QByteArray() << 0;
    QTest::newRow("secret set, new item") << words("secret set api dev refresh_token")
                                          << QByteArray("new-value\n") << QByteArray() << 0;
    QTest::newRow("secret delete")
        << words("secret delete api dev client_secret") << QByteArray() << QByteArray() << 0;
    // Locked is not "not found": the CLI cannot know yet.
    QTest::newRow("secret delete, never set")
        << words("secret delete api dev refresh_token") << QByteArray() << QByteArray() << 3;
    QTest::newRow("status") << words("status") << QByteArray()
                            << QByteArray("client_secret: locked") << 0;
    QTest::newRow("status --json")
        << words("status --json") << QByteArray() << QByteArray("\"keychain\": \"locked\"") << 0;
    QTest::newRow("environment remove")
        << words("environment remove api dev") << QByteArray() << QByteArray() << 0;
    QTest::newRow("profile remove")
        << words("profile remove api") << QByteArray() << QByteArray() << 0;
}

void TestCli::keychainLocked()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, stdoutPhrase);
    QFETCH(int, exitWhenUnlocked);
    REQUIRE_TEST_KEYRING();

    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    const QString id = profileId(QStringLiteral("api"));
    QVERIFY(!id.isEmpty());
    const QByteArray secret = newSecret();
    QVERIFY(setSecret(QStringLiteral("api"), QStringLiteral("dev"), QStringLiteral("client_secret"),
                      secret));
    const QByteArray before = readFile(configFile());

    m_keyringLocked = true;
    QVERIFY(TestEnv::lockKeyring());
    const ProcessResult r = cli(args, input);
    QCOMPARE_EXIT(r, 6);
    // Found out by asking, not by the keychain timeout (which would say it did not answer).
    QVERIFY2(r.err.contains("The keychain is locked")
                 && r.err.contains("Nothing was changed or deleted"),
             qPrintable(describe(r)));
    if (!stdoutPhrase.isEmpty())
        QVERIFY2(r.out.contains(stdoutPhrase), qPrintable(describe(r)));
    QCOMPARE(readFile(configFile()), before);

    QVERIFY(TestEnv::unlockKeyring());
    m_keyringLocked = false;
    QCOMPARE(TestEnv::secretToolLookup(kService, key(id, "dev", "client_secret")), secret);
    QCOMPARE(TestEnv::secretToolLookup(kService, key(id, "dev", "refresh_token")), QByteArray());
    // Unlocked again, the same command gets its ordinary answer.
    QCOMPARE_EXIT(cli(args, input), exitWhenUnlocked);
}

void TestCli::keychainLockedHalfWayThroughRemoval()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(addProfile(QStringLiteral("api")));
    QStringList stored;
    for (const char *env : {"dev", "qa", "prod"}) {
        QVERIFY(addOAuth2Environment(QStringLiteral("api"), QString::fromLatin1(env)));
        for (const char *name : {"client_secret", "refresh_token"}) {
            QVERIFY(setSecret(QStringLiteral("api"), QString::fromLatin1(env),
                              QString::fromLatin1(name), newSecret()));
            stored << QString::fromLatin1(env) + QLatin1Char('/') + QLatin1String(name);
        }
    }
    const QString id = profileId(QStringLiteral("api"));

    // In process, so the keyring can be locked between two removals.
    TokenTray::KeychainBackend keychain;
    TokenTray::SecretStore secrets(&keychain);
    QNetworkAccessManager nam;
    const TokenTray::SystemClock clock;
    QBuffer in;
    QBuffer out;
    QBuffer err;
    QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly)
            && err.open(QIODevice::WriteOnly));
    TestEnv::LockAfterFirstRemoval locker(&secrets);
    TokenTray::Cli inProcess({&in, &out, &err, false}, {&secrets, &nam, &clock});
    QSignalSpy finished(&inProcess, &TokenTray::Cli::finished);
    m_keyringLocked = true; // from the first removal on; cleanup() unlocks it in any case
    inProcess.run(QStringList {QStringLiteral("--config-dir"), m_dir->path()}
                  + words("profile remove api"));
    QVERIFY(finished.wait(60000));
    QVERIFY(locker.hasLocked());
    const QString text = QString::fromUtf8(err.data());
    QCOMPARE(finished.first().first().toInt(), 6);
    QVERIFY2(!text.contains(QLatin1String("Nothing was changed")), qPrintable(text));

    // The message names what went and what stayed, and the keychain agrees with it.
    static const QRegularExpression said(
        QStringLiteral("stopped half way\\. Removed from the keychain: ([^.]+)\\. Not removed, "
                       "or not confirmed: ([^.]+)\\. The profile was kept"));
    const QRegularExpressionMatch match = said.match(text);
    QVERIFY2(match.hasMatch(), qPrintable(text));
    const QStringList removed = match.captured(1).split(QStringLiteral(", "));
    const QStringList notRemoved = match.captured(2).split(QStringLiteral(", "));
    QVERIFY(TestEnv::unlockKeyring());
    m_keyringLocked = false;
    QStringList left;
    for (const QString &entry : std::as_const(stored)) {
        const bool present
            = !TestEnv::secretToolLookup(kService, id + QLatin1Char('/') + entry).isEmpty();
        // Said removed: gone. Still there: said not removed. (One in flight when the keychain
        // locked may be gone without the keychain having confirmed it.)
        QVERIFY2(!removed.contains(entry) || !present, qPrintable(entry + QLatin1Char(' ') + text));
        QVERIFY2(!present || notRemoved.contains(entry),
                 qPrintable(entry + QLatin1Char(' ') + text));
        QVERIFY2(removed.contains(entry) != notRemoved.contains(entry),
                 qPrintable(entry + QLatin1Char(' ') + text));
        if (present)
            left << entry;
    }
    for (const QString &entry : removed)
        QVERIFY2(stored.contains(entry), qPrintable(entry + QStringLiteral(" was never stored")));
    QVERIFY2(!left.isEmpty() && left.size() < stored.size(), qPrintable(text));

    // The profile is kept and lists what may be left; the same command removes the rest.
    const QJsonArray profiles = QJsonDocument::fromJson(readFile(configFile()))
                                    .object()
                                    .value(QLatin1String("profiles"))
                                    .toArray();
    QCOMPARE(profiles.size(), 1);
    QStringList indexed;
    for (const QJsonValue &v :
         profiles.first().toObject().value(QLatin1String("secrets")).toArray())
        indexed << v.toString();
    // Listed: every stored item not said removed (so a second run finds it), nothing else.
    QStringList listed;
    for (const QString &entry : std::as_const(stored)) {
        if (notRemoved.contains(entry))
            listed << entry;
    }
    indexed.sort();
    listed.sort();
    QCOMPARE(indexed, listed);
    QCOMPARE_EXIT(cli(words("profile remove api")), 0);
    for (const QString &entry : std::as_const(stored))
        QCOMPARE(TestEnv::secretToolLookup(kService, id + QLatin1Char('/') + entry), QByteArray());
}

void TestCli::noSecretService_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");

    QTest::newRow("secret set") << words("secret set api dev client_secret")
                                << QByteArray("value\n");
    QTest::newRow("secret delete") << words("secret delete api dev client_secret") << QByteArray();
    QTest::newRow("status") << words("status") << QByteArray();
}

void TestCli::noSecretService()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);

    const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    if (daemon.isEmpty())
        QSKIP("dbus-daemon is not installed: cannot start a session bus without a Secret Service");
    QVERIFY(addProfile(QStringLiteral("api")));
    QVERIFY(addOAuth2Environment(QStringLiteral("api"), QStringLiteral("dev")));
    const QByteArray before = readFile(configFile());

    // A session bus with no service directories: nothing can be activated on it, so there is
    // no org.freedesktop.secrets now or later.
    const QString busDir = m_dir->filePath(QStringLiteral("bus"));
    QVERIFY(QDir().mkpath(busDir));
    const QString busConfig = busDir + QStringLiteral("/session.conf");
    QVERIFY(writeFile(
        busConfig,
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
        " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
        "<busconfig>\n"
        "  <type>session</type>\n"
        "  <listen>unix:dir="
            + QFile::encodeName(busDir)
            + "</listen>\n"
              "  <auth>EXTERNAL</auth>\n"
              "  <policy context=\"default\">\n"
              "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
              "    <allow eavesdrop=\"true\"/>\n"
              "    <allow own=\"*\"/>\n"
              "  </policy>\n"
              "</busconfig>\n"));
    m_bus = std::make_unique<QProcess>();
    m_bus->setProcessChannelMode(QProcess::SeparateChannels);
    m_bus->start(daemon,
                 {QStringLiteral("--config-file=") + busConfig, QStringLiteral("--print-address=1"),
                  QStringLiteral("--nofork")});
    QVERIFY2(m_bus->waitForStarted(10000), qPrintable(m_bus->errorString()));
    while (!m_bus->canReadLine())
        QVERIFY2(m_bus->waitForReadyRead(10000),
                 qPrintable(QString::fromUtf8(m_bus->readAllStandardError())));
    const QString address = QString::fromUtf8(m_bus->readLine().trimmed());
    QVERIFY2(address.startsWith(QLatin1String("unix:")), qPrintable(address));

    QProcessEnvironment env;
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), address);
    const ProcessResult r = cli(args, input, env);
    QCOMPARE_EXIT(r, 6);
    // Found out by asking the bus, not by waiting for the 10 s keychain timeout (which would
    // say the keychain did not answer).
    QVERIFY2(r.err.contains("No keychain is available"), qPrintable(describe(r)));
    QCOMPARE(readFile(configFile()), before);
}

// ---- exit 7: the config file ---------------------------------------------------------------

void TestCli::corruptConfig_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("phrase");

    const QByteArray truncated = "{\n"
                                 "    \"schemaVersion\": 1,\n"
                                 "    \"profiles\": [\n"
                                 "        {\n"
                                 "            \"id\": \"8a1f5c3e-0000-4000-8000-000000000001\",\n"
                                 "            \"name\": \"work\",\n"
                                 "            \"kind\": \"oau";
    QTest::newRow("truncated, profile list")
        << truncated << words("profile list") << "line 7, column";
    QTest::newRow("truncated, profile show")
        << truncated << words("profile show work") << "line 7, column";
    QTest::newRow("truncated, status") << truncated << words("status --json") << "line 7, column";
    QTest::newRow("truncated, profile add")
        << truncated << words("profile add b --kind static-token") << "line 7, column";
    QTest::newRow("truncated, secret set")
        << truncated << words("secret set work dev client_secret") << "line 7, column";
    QTest::newRow("truncated, switch") << truncated << words("switch work") << "line 7, column";
    QTest::newRow("truncated, profile remove")
        << truncated << words("profile remove work") << "line 7, column";
    QTest::newRow("empty file") << QByteArray() << words("profile list") << "line 1, column 1";
    QTest::newRow("not an object")
        << QByteArray("[1, 2]\n") << words("profile add b --kind static-token")
        << "the top level must be a JSON object";
    QTest::newRow("newer schema") << QByteArray("{\"schemaVersion\": 99, \"profiles\": []}\n")
                                  << words("profile add b --kind static-token")
                                  << "written by a newer TokenTray";
}

void TestCli::corruptConfig()
{
    QFETCH(QByteArray, content);
    QFETCH(QStringList, args);
    QFETCH(QString, phrase);

    QVERIFY(writeFile(configFile(), content));
    const ProcessResult r = cli(args, "value\n");
    QCOMPARE_EXIT(r, 7);
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.contains(configFile()), qPrintable(describe(r)));
    QVERIFY2(err.contains(phrase), qPrintable(describe(r)));
    QVERIFY2(err.contains(QLatin1String("The file was left as it is.")), qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(readFile(configFile()), content);
    // Nothing written beside it either (no backup, no stale lock).
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden),
             QStringList {QStringLiteral("profiles.json")});
}

void TestCli::unreadableConfig_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("profile list") << words("profile list");
    QTest::newRow("status") << words("status");
    QTest::newRow("profile add") << words("profile add b --kind static-token");
}

void TestCli::unreadableConfig()
{
    QFETCH(QStringList, args);

    QVERIFY(addProfile(QStringLiteral("api")));
    const QByteArray before = readFile(configFile());
    QVERIFY(!before.isEmpty());
    QVERIFY(QFile::setPermissions(configFile(), QFileDevice::Permissions()));

    QString program = TestEnv::binary(QStringLiteral("tokentray-cli"));
    QStringList prefix;
    if (::geteuid() == 0) {
        // Root reads any file; drop the capabilities that let it, for the CLI only.
        const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
        if (setpriv.isEmpty())
            QSKIP("running as root without setpriv: cannot make a file unreadable for the CLI");
        const QStringList drop = {QStringLiteral("--inh-caps=-dac_override,-dac_read_search"),
                                  QStringLiteral("--bounding-set=-dac_override,-dac_read_search"),
                                  QStringLiteral("--")};
        const ProcessResult probe
            = TestEnv::run(setpriv, drop + QStringList {QStringLiteral("cat"), configFile()});
        if (probe.exitCode == 0 || !probe.err.contains("Permission denied"))
            QSKIP(qPrintable(
                QStringLiteral("setpriv did not drop CAP_DAC_OVERRIDE, root can still read a "
                               "mode 000 file: ")
                + describe(probe)));
        prefix = drop + QStringList {program};
        program = setpriv;
    }
    const ProcessResult r = TestEnv::run(
        program, prefix + QStringList {QStringLiteral("--config-dir"), m_dir->path()} + args);
    QCOMPARE_EXIT(r, 7);
    QVERIFY2(r.err.contains("cannot be read"), qPrintable(describe(r)));
    QVERIFY2(r.err.contains(QFile::encodeName(configFile())), qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray());

    QCOMPARE(modeOf(configFile()), mode_t(0));
    QVERIFY(QFile::setPermissions(configFile(), QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QCOMPARE(readFile(configFile()), before);
}

void TestCli::fullDiskKeepsConfig()
{
    // prlimit's file-size limit makes write() fail as a full disk does (the CLI ignores
    // SIGXFSZ, so it gets EFBIG instead of being killed): profiles.json is not rewritten whole.
    const QString prlimit = QStandardPaths::findExecutable(QStringLiteral("prlimit"));
    if (prlimit.isEmpty())
        QSKIP("needs prlimit (util-linux)");
    for (const char *name : {"api", "build", "deploy", "docs", "metrics", "search"})
        QVERIFY(addProfile(QString::fromLatin1(name), QStringLiteral("static-token")));
    const QByteArray before = readFile(configFile());
    QVERIFY(before.size() > 600);

    const ProcessResult r
        = TestEnv::run(prlimit,
                       QStringList {QStringLiteral("--fsize=512"), QStringLiteral("--"),
                                    TestEnv::binary(QStringLiteral("tokentray-cli")),
                                    QStringLiteral("--config-dir"), m_dir->path()}
                           + words("profile add more --kind static-token"));
    QCOMPARE_EXIT(r, 7);
    QVERIFY2(!r.out.contains("Added"), qPrintable(describe(r)));
    QVERIFY2(r.err.contains(QFile::encodeName(configFile())) && r.err.contains("cannot be written"),
             qPrintable(describe(r)));
    QCOMPARE(readFile(configFile()), before);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden),
             QStringList {QStringLiteral("profiles.json")});
    // Still readable, and the same command succeeds without the limit.
    QCOMPARE_EXIT(cli(words("profile add more --kind static-token")), 0);
    QVERIFY(readFile(configFile()).contains("\"more\""));
}

void TestCli::specialFileAtConfig_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("phrase");
    for (const char *kind : {"fifo", "device"}) {
        const QByteArray phrase = qstrcmp(kind, "fifo") == 0 ? "is a FIFO" : "is a device";
        QTest::addRow("%s, profile list", kind) << kind << words("profile list") << phrase;
        QTest::addRow("%s, profile add", kind)
            << kind << words("profile add b --kind static-token") << phrase;
        QTest::addRow("%s, status", kind) << kind << words("status") << phrase;
    }
}

void TestCli::specialFileAtConfig()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, args);
    QFETCH(QByteArray, phrase);
    // A FIFO blocked every command in open() until a writer came (this waited for the timeout).
    if (kind == QLatin1String("fifo"))
        QCOMPARE(::mkfifo(QFile::encodeName(configFile()).constData(), 0600), 0);
    else
        QVERIFY(QFile::link(QStringLiteral("/dev/null"), configFile()));
    const ProcessResult r = cli(args);
    QCOMPARE_EXIT(r, 7);
    QVERIFY2(r.err.contains(phrase) && r.err.contains(QFile::encodeName(configFile())),
             qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray());
    struct stat st = {};
    QCOMPARE(::lstat(QFile::encodeName(configFile()).constData(), &st), 0);
    QVERIFY(kind == QLatin1String("fifo") ? S_ISFIFO(st.st_mode) : S_ISLNK(st.st_mode));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
