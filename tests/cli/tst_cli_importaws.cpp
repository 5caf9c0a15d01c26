// `tokentray-cli import-aws`, the real binary against the real Secret Service of the test
// desktop session: what it adds, what it writes to the keychain, what it leaves alone (the AWS
// files, existing profiles), and that a locked keychain leaves no half-import behind.
#include "tests/support/clitest.h"
#include "tests/support/testenv.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

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
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QByteArray unique(const char *prefix)
{
    return prefix + QUuid::createUuid().toByteArray(QUuid::Id128);
}

// Every item of the service, values included (`secret-tool search --all`).
QByteArray keychainDump()
{
    return TestEnv::run(QStringLiteral("secret-tool"),
                        {QStringLiteral("search"), QStringLiteral("--all"),
                         QStringLiteral("server"), kService})
        .out;
}

QString itemKey(const QString &profileId, const char *name)
{
    return profileId + QStringLiteral("/default/") + QLatin1String(name);
}

// What a file looks like to someone checking it was not touched.
struct FileState
{
    QByteArray bytes;
    QDateTime modified;
    bool operator==(const FileState &other) const = default;
};

FileState stateOf(const QString &path)
{
    const QFileInfo info(path);
    return {readFile(path), info.lastModified()};
}

} // namespace

class TestCliImportAws final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void importsProfilesAndKeychainItems();
    void sampleFiles();
    void dryRunChangesNothing();
    void secondImportSkipsExistingProfiles();
    void environmentVariables();
    void defaultFilesInHome();
    void missingFiles_data();
    void missingFiles();
    void usageErrors_data();
    void usageErrors();
    void secretsNeverPrinted();
    void keychainLocked();

private:
    ProcessResult cli(const QStringList &args,
                      const QProcessEnvironment &extra = QProcessEnvironment()) const;
    QJsonDocument json(const QStringList &args) const;
    QString profileId(const QString &name) const;
    QStringList profileNames() const;
    // Writes config and credentials files with fresh secret values into m_aws.
    void writeAwsFiles();
    [[nodiscard]] QString configPath() const { return m_aws->filePath(QStringLiteral("config")); }
    [[nodiscard]] QString credentialsPath() const
    {
        return m_aws->filePath(QStringLiteral("credentials"));
    }
    [[nodiscard]] QStringList fileOptions() const
    {
        return {QStringLiteral("--config"), configPath(), QStringLiteral("--credentials"),
                credentialsPath()};
    }
    [[nodiscard]] QString profilesJson() const
    {
        return m_dir->filePath(QStringLiteral("profiles.json"));
    }
    [[nodiscard]] QList<QByteArray> allSecrets() const
    {
        return {m_defaultKeyId, m_defaultSecret, m_devKeyId, m_devSecret,
                m_tempKeyId,    m_tempSecret,    m_tempToken};
    }

    std::unique_ptr<QTemporaryDir> m_dir; // --config-dir
    std::unique_ptr<QTemporaryDir> m_home; // HOME of the CLI: no real ~/.aws is ever read
    std::unique_ptr<QTemporaryDir> m_aws;
    bool m_keyringLocked = false;
    QByteArray m_defaultKeyId, m_defaultSecret, m_devKeyId, m_devSecret;
    QByteArray m_tempKeyId, m_tempSecret, m_tempToken;
};

// ---- helpers -------------------------------------------------------------------------------

ProcessResult TestCliImportAws::cli(const QStringList &args, const QProcessEnvironment &extra) const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), m_home->path());
    env.insert(QStringLiteral("AWS_CONFIG_FILE"), QString());
    env.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"), QString());
    env.insert(extra);
    return TestEnv::run(TestEnv::binary(QStringLiteral("tokentray-cli")),
                        QStringList {QStringLiteral("--config-dir"), m_dir->path()} + args, {},
                        env);
}

QJsonDocument TestCliImportAws::json(const QStringList &args) const
{
    const ProcessResult r = cli(args + QStringList {QStringLiteral("--json")});
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
    if (r.exitCode != 0 || error.error != QJsonParseError::NoError)
        qWarning().noquote() << "no JSON:" << describe(r);
    return doc;
}

QString TestCliImportAws::profileId(const QString &name) const
{
    return json({QStringLiteral("profile"), QStringLiteral("show"), name})
        .object()
        .value(QLatin1String("id"))
        .toString();
}

QStringList TestCliImportAws::profileNames() const
{
    QStringList names;
    const QJsonArray list = json({QStringLiteral("profile"), QStringLiteral("list")}).array();
    for (const QJsonValue &p : list)
        names << p.toObject().value(QLatin1String("name")).toString();
    return names;
}

void TestCliImportAws::writeAwsFiles()
{
    m_defaultKeyId = unique("AKIADEF");
    m_defaultSecret = unique("tt-aws-default-secret-");
    m_devKeyId = unique("AKIADEV");
    m_devSecret = unique("tt-aws-dev-secret-");
    m_tempKeyId = unique("ASIATMP");
    m_tempSecret = unique("tt-aws-temp-secret-");
    m_tempToken = unique("tt-aws-temp-token-");
    QVERIFY(writeFile(configPath(),
                      "# test config\n"
                      "[default]\n"
                      "region = eu-west-1\n"
                      "output = json\n"
                      "\n"
                      "[ profile  dev ]\n"
                      "region=eu-central-1 ; Frankfurt\n"
                      "\n"
                      "[profile prod]\n"
                      "role_arn = arn:aws:iam::123456789012:role/Admin\n"
                      "source_profile = dev\n"
                      "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
                      "external_id = ext-42\n"
                      "duration_seconds = 3600\n"
                      "role_session_name = alice\n"
                      "region = us-east-1\n"
                      "\n"
                      "[profile sso]\n"
                      "sso_session = corp\n"
                      "[sso-session corp]\n"
                      "sso_start_url = https://corp.awsapps.com/start\n"));
    QVERIFY(writeFile(credentialsPath(),
                      "[default]\n"
                      "aws_access_key_id = "
                          + m_defaultKeyId + "\naws_secret_access_key = " + m_defaultSecret
                          + "\n\n[dev]\naws_access_key_id=" + m_devKeyId
                          + "\naws_secret_access_key=" + m_devSecret
                          + "\n\n[temp]\naws_access_key_id = " + m_tempKeyId
                          + "\naws_secret_access_key = " + m_tempSecret
                          + "\naws_session_token = " + m_tempToken + "\n"));
}

// ---- fixture -------------------------------------------------------------------------------

void TestCliImportAws::initTestCase()
{
    const QString binary = TestEnv::binary(QStringLiteral("tokentray-cli"));
    QVERIFY2(QFileInfo(binary).isExecutable(),
             qPrintable(binary + QStringLiteral(" is not built")));
    if (TestEnv::hasTestKeyring())
        QVERIFY2(!TestEnv::isKeyringLocked(), "the test keyring must start unlocked");
}

void TestCliImportAws::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_home = std::make_unique<QTemporaryDir>();
    m_aws = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid() && m_home->isValid() && m_aws->isValid());
    writeAwsFiles();
}

void TestCliImportAws::cleanup()
{
    m_dir.reset();
    m_home.reset();
    m_aws.reset();
    if (m_keyringLocked || (TestEnv::hasTestKeyring() && TestEnv::isKeyringLocked())) {
        m_keyringLocked = false;
        QVERIFY2(TestEnv::unlockKeyring(), "could not unlock the test keyring again");
    }
}

// ---- tests ---------------------------------------------------------------------------------

void TestCliImportAws::importsProfilesAndKeychainItems()
{
    REQUIRE_TEST_KEYRING();
    const FileState config = stateOf(configPath());
    const FileState credentials = stateOf(credentialsPath());

    const ProcessResult r = cli(QStringList {QStringLiteral("import-aws")} + fileOptions());
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Imported 4 profile(s) with 7 keychain item(s); skipped 2"),
             qPrintable(describe(r)));
    QVERIFY2(r.out.contains("temporary keys"), qPrintable(describe(r))); // temp's warning
    QVERIFY2(r.out.contains("IAM Identity Center"), qPrintable(describe(r)));
    QCOMPARE(r.err, QByteArray());

    // The AWS files: same bytes, same modification time.
    QVERIFY(stateOf(configPath()) == config);
    QVERIFY(stateOf(credentialsPath()) == credentials);

    // The profiles, sources before the roles using them.
    QCOMPARE(profileNames(),
             (QStringList {QStringLiteral("default"), QStringLiteral("dev"), QStringLiteral("prod"),
                           QStringLiteral("temp")}));
    const QJsonObject prod
        = json({QStringLiteral("profile"), QStringLiteral("show"), QStringLiteral("prod")})
              .object();
    QCOMPARE(prod.value(QLatin1String("kind")).toString(), QStringLiteral("aws-assume-role"));
    QCOMPARE(prod.value(QLatin1String("activeEnvironment")).toString(), QStringLiteral("default"));
    const QJsonObject env = prod.value(QLatin1String("environments")).toArray().at(0).toObject();
    QCOMPARE(env.value(QLatin1String("name")).toString(), QStringLiteral("default"));
    QCOMPARE(env.value(QLatin1String("roleArn")).toString(),
             QStringLiteral("arn:aws:iam::123456789012:role/Admin"));
    QCOMPARE(env.value(QLatin1String("sourceProfile")).toString(), QStringLiteral("dev"));
    QCOMPARE(env.value(QLatin1String("mfaSerial")).toString(),
             QStringLiteral("arn:aws:iam::123456789012:mfa/alice"));
    QCOMPARE(env.value(QLatin1String("externalId")).toString(), QStringLiteral("ext-42"));
    QCOMPARE(env.value(QLatin1String("durationSeconds")).toInt(), 3600);
    QCOMPARE(env.value(QLatin1String("sessionName")).toString(), QStringLiteral("alice"));
    QCOMPARE(env.value(QLatin1String("region")).toString(), QStringLiteral("us-east-1"));

    const QJsonObject dev
        = json({QStringLiteral("profile"), QStringLiteral("show"), QStringLiteral("dev")}).object();
    QCOMPARE(dev.value(QLatin1String("kind")).toString(), QStringLiteral("aws-access-key"));
    QCOMPARE(dev.value(QLatin1String("environments"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QLatin1String("region"))
                 .toString(),
             QStringLiteral("eu-central-1"));
    QCOMPARE(dev.value(QLatin1String("secrets")).toArray().toVariantList(),
             (QVariantList {QStringLiteral("default/aws_access_key_id"),
                            QStringLiteral("default/aws_secret_access_key")}));
    const ProcessResult shown
        = cli({QStringLiteral("profile"), QStringLiteral("show"), QStringLiteral("temp")});
    QVERIFY2(shown.out.contains("aws_access_key_id, aws_secret_access_key, aws_session_token"),
             qPrintable(describe(shown)));

    // The keychain holds what the files held.
    const QString devId = profileId(QStringLiteral("dev"));
    const QString tempId = profileId(QStringLiteral("temp"));
    QVERIFY(!devId.isEmpty() && !tempId.isEmpty());
    QCOMPARE(TestEnv::secretToolLookup(kService, itemKey(devId, "aws_access_key_id")), m_devKeyId);
    QCOMPARE(TestEnv::secretToolLookup(kService, itemKey(devId, "aws_secret_access_key")),
             m_devSecret);
    QCOMPARE(TestEnv::secretToolLookup(kService, itemKey(tempId, "aws_session_token")),
             m_tempToken);
    QCOMPARE(TestEnv::secretToolLookup(
                 kService, itemKey(profileId(QStringLiteral("default")), "aws_secret_access_key")),
             m_defaultSecret);

    // Nothing secret in profiles.json (or anywhere in the config dir).
    QDirIterator it(m_dir->path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QByteArray bytes = readFile(it.next());
        for (const QByteArray &secret : allSecrets())
            QVERIFY2(!bytes.contains(secret), qPrintable(it.filePath()));
    }

    // Removing an imported profile removes every item it indexed, the session token too.
    QCOMPARE_EXIT(
        cli({QStringLiteral("profile"), QStringLiteral("remove"), QStringLiteral("temp")}), 0);
    QCOMPARE(TestEnv::secretToolLookup(kService, itemKey(tempId, "aws_session_token")),
             QByteArray());
    QCOMPARE(TestEnv::secretToolLookup(kService, itemKey(tempId, "aws_access_key_id")),
             QByteArray());
}

void TestCliImportAws::sampleFiles()
{
    REQUIRE_TEST_KEYRING();
    const QString data = TestEnv::sourceDir() + QStringLiteral("/tests/data/aws/");
    QVERIFY(writeFile(configPath(), readFile(data + QStringLiteral("config"))));
    QVERIFY(writeFile(credentialsPath(), readFile(data + QStringLiteral("credentials"))));
    const FileState config = stateOf(configPath());
    const FileState credentials = stateOf(credentialsPath());

    const QJsonObject report
        = json(QStringList {QStringLiteral("import-aws")} + fileOptions()).object();
    QCOMPARE(report.value(QLatin1String("dryRun")).toBool(), false);
    QCOMPARE(report.value(QLatin1String("imported")).toArray().size(), 8);
    QCOMPARE(report.value(QLatin1String("skipped")).toArray().size(), 10);
    QVERIFY(stateOf(configPath()) == config);
    QVERIFY(stateOf(credentialsPath()) == credentials);
    QCOMPARE(profileNames().size(), 8);
    const QJsonObject self
        = json({QStringLiteral("profile"), QStringLiteral("show"), QStringLiteral("self")})
              .object();
    QCOMPARE(self.value(QLatin1String("environments"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QLatin1String("sourceProfile"))
                 .toString(),
             QStringLiteral("self-keys"));
    QCOMPARE(TestEnv::secretToolLookup(
                 kService, itemKey(profileId(QStringLiteral("ci")), "aws_access_key_id")),
             QByteArray("AKIACIEXAMPLEEXAMPLE"));
}

void TestCliImportAws::dryRunChangesNothing()
{
    REQUIRE_TEST_KEYRING();
    const FileState config = stateOf(configPath());
    const FileState credentials = stateOf(credentialsPath());

    const ProcessResult r = cli(
        QStringList {QStringLiteral("import-aws"), QStringLiteral("--dry-run")} + fileOptions());
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("would import prod"), qPrintable(describe(r)));
    QVERIFY2(r.out.contains("Would import 4 profile(s) with 7 keychain item(s); skipped 2. "
                            "Nothing was changed (--dry-run)."),
             qPrintable(describe(r)));

    const QJsonObject report
        = json(QStringList {QStringLiteral("import-aws"), QStringLiteral("--dry-run")}
               + fileOptions())
              .object();
    QCOMPARE(report.value(QLatin1String("dryRun")).toBool(), true);
    QStringList imported;
    for (const QJsonValue &v : report.value(QLatin1String("imported")).toArray())
        imported << v.toObject().value(QLatin1String("name")).toString();
    QCOMPARE(imported,
             (QStringList {QStringLiteral("default"), QStringLiteral("dev"), QStringLiteral("prod"),
                           QStringLiteral("temp")}));
    const QJsonObject prod = report.value(QLatin1String("imported")).toArray().at(2).toObject();
    QCOMPARE(prod.value(QLatin1String("sourceProfile")).toString(), QStringLiteral("dev"));
    QCOMPARE(report.value(QLatin1String("skipped")).toArray().size(), 2);

    QVERIFY(!QFileInfo::exists(profilesJson()));
    QVERIFY(QDir(m_dir->path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
    const QByteArray dump = keychainDump();
    for (const QByteArray &secret : allSecrets())
        QVERIFY2(!dump.contains(secret), secret.constData());
    QVERIFY(stateOf(configPath()) == config);
    QVERIFY(stateOf(credentialsPath()) == credentials);
}

void TestCliImportAws::secondImportSkipsExistingProfiles()
{
    REQUIRE_TEST_KEYRING();
    QCOMPARE_EXIT(cli(QStringList {QStringLiteral("import-aws")} + fileOptions()), 0);
    const QString devId = profileId(QStringLiteral("dev"));
    const QByteArray before = readFile(profilesJson());

    // New keys for dev in the file and a new role: dev stays as it is, the role is added and
    // uses the dev TokenTray already has.
    const QByteArray newSecret = unique("tt-aws-rotated-");
    QByteArray creds = readFile(credentialsPath());
    creds.replace(m_devSecret, newSecret);
    QVERIFY(writeFile(credentialsPath(), creds));
    QVERIFY(writeFile(configPath(),
                      readFile(configPath())
                          + "[profile audit]\nrole_arn = arn:aws:iam::123456789012:role/Audit\n"
                            "source_profile = dev\n"));

    const QJsonObject report
        = json(QStringList {QStringLiteral("import-aws")} + fileOptions()).object();
    QStringList imported;
    for (const QJsonValue &v : report.value(QLatin1String("imported")).toArray())
        imported << v.toObject().value(QLatin1String("name")).toString();
    QCOMPARE(imported, QStringList {QStringLiteral("audit")});
    QStringList skipped;
    for (const QJsonValue &v : report.value(QLatin1String("skipped")).toArray()) {
        const QJsonObject o = v.toObject();
        skipped << o.value(QLatin1String("name")).toString();
        if (o.value(QLatin1String("name")).toString() == QLatin1String("dev"))
            QVERIFY(o.value(QLatin1String("reason"))
                        .toString()
                        .contains(QStringLiteral("already has a profile named \"dev\"")));
    }
    QVERIFY2(skipped.contains(QStringLiteral("default")) && skipped.contains(QStringLiteral("dev"))
                 && skipped.contains(QStringLiteral("prod"))
                 && skipped.contains(QStringLiteral("temp")),
             qPrintable(skipped.join(QLatin1Char(' '))));

    QCOMPARE(profileId(QStringLiteral("dev")), devId);
    QCOMPARE(TestEnv::secretToolLookup(kService, itemKey(devId, "aws_secret_access_key")),
             m_devSecret); // never overwritten
    QVERIFY(!keychainDump().contains(newSecret));
    QCOMPARE(profileNames().size(), 5);
    QVERIFY(readFile(profilesJson()) != before);

    // A third time: nothing left to import, profiles.json untouched.
    const QByteArray after = readFile(profilesJson());
    const ProcessResult r = cli(QStringList {QStringLiteral("import-aws")} + fileOptions());
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Nothing to import; skipped 7"), qPrintable(describe(r)));
    QCOMPARE(readFile(profilesJson()), after);
}

void TestCliImportAws::environmentVariables()
{
    REQUIRE_TEST_KEYRING();
    QProcessEnvironment env;
    env.insert(QStringLiteral("AWS_CONFIG_FILE"), configPath());
    env.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"), credentialsPath());
    const ProcessResult r = cli({QStringLiteral("import-aws"), QStringLiteral("--dry-run")}, env);
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Would import 4 profile(s)"), qPrintable(describe(r)));
    QVERIFY2(r.out.contains(configPath().toUtf8()) && r.out.contains(credentialsPath().toUtf8()),
             qPrintable(describe(r)));

    // Options win over the variables.
    QProcessEnvironment wrong;
    wrong.insert(QStringLiteral("AWS_CONFIG_FILE"), QStringLiteral("/nonexistent/config"));
    wrong.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"),
                 QStringLiteral("/nonexistent/credentials"));
    QCOMPARE_EXIT(
        cli(QStringList {QStringLiteral("import-aws"), QStringLiteral("--dry-run")} + fileOptions(),
            wrong),
        0);

    // A variable naming a missing file is an error, not an empty import.
    QProcessEnvironment missing;
    missing.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"),
                   m_aws->filePath(QStringLiteral("absent")));
    const ProcessResult m = cli({QStringLiteral("import-aws")}, missing);
    QCOMPARE_EXIT(m, 3);
    QVERIFY2(m.err.contains("absent"), qPrintable(describe(m)));

    // The real import through the variables.
    QCOMPARE_EXIT(cli({QStringLiteral("import-aws")}, env), 0);
    QCOMPARE(profileNames().size(), 4);
}

void TestCliImportAws::defaultFilesInHome()
{
    REQUIRE_TEST_KEYRING();
    const QString aws = m_home->filePath(QStringLiteral(".aws/"));
    QVERIFY(writeFile(aws + QStringLiteral("config"), readFile(configPath())));
    QVERIFY(writeFile(aws + QStringLiteral("credentials"), readFile(credentialsPath())));
    const ProcessResult r = cli({QStringLiteral("import-aws")});
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.out.contains("Imported 4 profile(s)"), qPrintable(describe(r)));
    QCOMPARE(TestEnv::secretToolLookup(
                 kService, itemKey(profileId(QStringLiteral("dev")), "aws_access_key_id")),
             m_devKeyId);
}

void TestCliImportAws::missingFiles_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("phrase");

    QTest::newRow("--config missing")
        << QStringList {QStringLiteral("--config"), QStringLiteral("/nonexistent/aws/config")} << 3
        << QByteArray("/nonexistent/aws/config does not exist");
    QTest::newRow("--credentials missing")
        << QStringList {QStringLiteral("--credentials"), QStringLiteral("/nonexistent/creds")} << 3
        << QByteArray("/nonexistent/creds");
    QTest::newRow("--config is a directory")
        << QStringList {QStringLiteral("--config"), QStringLiteral("/")} << 2
        << QByteArray("is not a file");
    // No ~/.aws at all: nothing to do, and that is fine.
    QTest::newRow("default files missing") << QStringList() << 0 << QByteArray();
}

void TestCliImportAws::missingFiles()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, phrase);
    const ProcessResult r = cli(QStringList {QStringLiteral("import-aws")} + args);
    QCOMPARE_EXIT(r, exitCode);
    if (exitCode == 0)
        QVERIFY2(r.out.contains("not found; nothing read from it")
                     && r.out.contains("Nothing to import"),
                 qPrintable(describe(r)));
    else
        QVERIFY2(r.err.contains(phrase), qPrintable(describe(r)));
    QVERIFY(!QFileInfo::exists(profilesJson()));
}

void TestCliImportAws::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("argument") << QStringList {QStringLiteral("import-aws"), QStringLiteral("x")};
    QTest::newRow("--dry-run=1") << QStringList {QStringLiteral("import-aws"),
                                                 QStringLiteral("--dry-run=1")};
    QTest::newRow("--config without a file")
        << QStringList {QStringLiteral("import-aws"), QStringLiteral("--config")};
    QTest::newRow("foreign option")
        << QStringList {QStringLiteral("import-aws"), QStringLiteral("--env"), QStringLiteral("x")};
}

void TestCliImportAws::usageErrors()
{
    QFETCH(QStringList, args);
    const ProcessResult r = cli(args);
    QCOMPARE_EXIT(r, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFileInfo::exists(profilesJson()));
}

void TestCliImportAws::secretsNeverPrinted()
{
    REQUIRE_TEST_KEYRING();
    // A secret pasted on a line of its own is a broken line: reported, never quoted.
    QVERIFY(writeFile(credentialsPath(),
                      readFile(credentialsPath()) + "[pasted]\n" + m_devSecret + "\n" + m_tempSecret
                          + "=\n"));
    for (const QStringList &extra :
         {QStringList {QStringLiteral("-v")}, QStringList {QStringLiteral("--json")},
          QStringList {QStringLiteral("-v"), QStringLiteral("--dry-run")}}) {
        const ProcessResult r
            = cli(QStringList {QStringLiteral("import-aws")} + fileOptions() + extra);
        QCOMPARE_EXIT(r, 0);
        for (const QByteArray &secret : allSecrets()) {
            QVERIFY2(!r.out.contains(secret), qPrintable(describe(r)));
            QVERIFY2(!r.err.contains(secret), qPrintable(describe(r)));
            // Keys are read case-insensitively, so look for the lower-cased form too.
            QVERIFY2(!r.out.contains(secret.toLower()), qPrintable(describe(r)));
        }
        QVERIFY2(r.out.contains("expected") || r.out.contains("already has"),
                 qPrintable(describe(r)));
    }
}

void TestCliImportAws::keychainLocked()
{
    REQUIRE_TEST_KEYRING();
    m_keyringLocked = true;
    QVERIFY(TestEnv::lockKeyring());
    const ProcessResult r = cli(QStringList {QStringLiteral("import-aws")} + fileOptions());
    QCOMPARE_EXIT(r, 6);
    QVERIFY2(r.err.contains("The keychain is locked"), qPrintable(describe(r)));
    // No profile whose items are not in the keychain.
    QVERIFY(!QFileInfo::exists(profilesJson()));
    QVERIFY(TestEnv::unlockKeyring());
    m_keyringLocked = false;
    const QByteArray dump = keychainDump();
    for (const QByteArray &secret : allSecrets())
        QVERIFY2(!dump.contains(secret), secret.constData());

    // Unlocked, the same import works.
    QCOMPARE_EXIT(cli(QStringList {QStringLiteral("import-aws")} + fileOptions()), 0);
    QCOMPARE(profileNames().size(), 4);
}

QTEST_GUILESS_MAIN(TestCliImportAws)
#include "tst_cli_importaws.moc"
