#include "core/model/validation.h"
#include "core/store/configcodec.h"
#include "core/store/profilestore.h"
#include "tests/support/testenv.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <sys/stat.h>
#include <unistd.h>

using namespace TokenTray;

namespace {

// How a corrupt-file row prepares profiles.json.
enum class Setup { File, Directory, Unreadable, DanglingSymlink };

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray("<unreadable: ") + f.errorString().toUtf8() + '>';
    return f.readAll();
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

int modeOf(const QString &path)
{
    struct stat st = {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return static_cast<int>(st.st_mode & 07777);
}

// Everything under `dir`: relative name -> kind, mode and content. Compared before and after
// an operation that must not touch anything.
QMap<QString, QByteArray> snapshot(const QString &dir)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info(path);
        const QString name = QDir(dir).relativeFilePath(path);
        const QByteArray mode = QByteArray::number(modeOf(path), 8);
        if (info.isSymLink())
            out.insert(name, "link " + QFile::encodeName(info.symLinkTarget()));
        else if (info.isDir())
            out.insert(name, "dir " + mode);
        else
            out.insert(name, "file " + mode + ' ' + readBytes(path));
    }
    return out;
}

QStringList entries(const QString &dir)
{
    return QDir(dir).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

QString detailOf(const Result<void> &r)
{
    return r ? QString() : r.error().detail;
}

// An environment with every field set.
Environment everyField(const QString &name, const QString &sourceProfile)
{
    Environment env;
    env.name = name;
    env.isProtected = true;
    env.issuer = QUrl(QStringLiteral("https://idp.example.com/realms/main"));
    env.tokenUrl = QUrl(QStringLiteral(
        "https://idp.example.com/realms/main/protocol/openid-connect/token?aud=a%20b&x=%C3%BC"));
    env.deviceUrl = QUrl(QStringLiteral("https://idp.example.com/realms/main/device"));
    env.revocationUrl = QUrl(QStringLiteral("https://idp.example.com:8443/revoke#frag"));
    env.clientId = QStringLiteral(u"tokentray-\u00fc \"quoted\" \\ back");
    env.clientAuth = QStringLiteral("post");
    env.scopes = {QStringLiteral("openid"), QStringLiteral("offline_access"),
                  QStringLiteral("api://default/.default")};
    env.audience = QStringLiteral("https://api.example.com");
    env.apiUrl = QUrl(QStringLiteral("http://[::1]:9443/v1/"));
    env.caFile = QStringLiteral("/etc/ssl/corp ca/\u00e9.pem");
    env.roleArn = QStringLiteral("arn:aws:iam::123456789012:role/team/Admin");
    env.sourceProfile = sourceProfile;
    env.region = QStringLiteral("eu-central-1");
    env.stsEndpoint = QUrl(QStringLiteral("https://sts.eu-central-1.amazonaws.com"));
    env.durationSeconds = 3600;
    env.externalId = QStringLiteral("ext-123");
    env.mfaSerial = QStringLiteral("arn:aws:iam::123456789012:mfa/alice");
    env.sessionName = QStringLiteral("alice@example.com");
    return env;
}

Profile makeProfile(const char *name, ProfileKind kind, Grant grant = Grant::None)
{
    Profile p;
    p.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    p.name = QLatin1String(name);
    p.kind = kind;
    p.grant = grant;
    return p;
}

// Several profiles of every kind and grant, environments with every field set.
Config fullConfig()
{
    Config config;

    Profile keys = makeProfile("aws-keys", ProfileKind::AwsAccessKey);
    Environment keysEnv;
    keysEnv.name = QStringLiteral("default");
    keysEnv.region = QStringLiteral("us-east-1");
    keysEnv.mfaSerial = QStringLiteral("arn:aws:iam::123456789012:mfa/alice");
    keys.environments << keysEnv;
    keys.secretIndex = {QStringLiteral("default/aws_access_key_id"),
                        QStringLiteral("default/aws_secret_access_key")};
    config.profiles << keys;

    Profile role = makeProfile("role", ProfileKind::AwsAssumeRole);
    role.refresh = RefreshPolicy::Eager;
    role.autostart = true;
    Environment roleQa;
    roleQa.name = QStringLiteral("QA");
    roleQa.roleArn = QStringLiteral("arn:aws:iam::210987654321:role/Dev");
    roleQa.sourceProfile = QStringLiteral("aws-keys");
    role.environments << everyField(QStringLiteral("PROD"), QStringLiteral("aws-keys")) << roleQa;
    role.activeEnvironment = QStringLiteral("QA");
    config.profiles << role;

    Profile chained = makeProfile("chained", ProfileKind::AwsAssumeRole);
    Environment chainedEnv;
    chainedEnv.name = QStringLiteral("DEV");
    chainedEnv.roleArn = QStringLiteral("arn:aws-cn:iam::123456789012:role/ReadOnly");
    chainedEnv.sourceProfile = QStringLiteral("role");
    chainedEnv.durationSeconds = 900;
    chained.environments << chainedEnv;
    config.profiles << chained;

    Profile api = makeProfile("api", ProfileKind::OAuth2, Grant::ClientCredentials);
    Environment dev;
    dev.name = QStringLiteral("DEV");
    dev.tokenUrl = QUrl(QStringLiteral("http://127.0.0.1:8080/token"));
    dev.scopes = {QStringLiteral("read")};
    Environment qa;
    qa.name = QStringLiteral("QA");
    qa.issuer = QUrl(QStringLiteral("http://localhost:9000/"));
    api.environments << everyField(QStringLiteral("PROD"), QStringLiteral("chained")) << qa << dev;
    api.activeEnvironment = QStringLiteral("PROD");
    api.secretIndex = {QStringLiteral("PROD/client_secret"), QStringLiteral("QA/client_secret")};
    config.profiles << api;

    Profile refresh = makeProfile("refresh.user", ProfileKind::OAuth2, Grant::RefreshToken);
    Environment refreshEnv;
    refreshEnv.name = QStringLiteral("prod_eu-1");
    refreshEnv.tokenUrl = QUrl(QStringLiteral("https://login.example.com/oauth2/v2.0/token"));
    refreshEnv.clientAuth = QStringLiteral("basic");
    refresh.environments << refreshEnv;
    config.profiles << refresh;

    Profile device = makeProfile("Device_2", ProfileKind::OAuth2, Grant::DeviceCode);
    device.refresh = RefreshPolicy::Eager;
    Environment deviceEnv;
    deviceEnv.name = QStringLiteral("PROD");
    deviceEnv.deviceUrl = QUrl(QStringLiteral("https://github.com/login/device/code"));
    deviceEnv.tokenUrl = QUrl(QStringLiteral("https://github.com/login/oauth/access_token"));
    device.environments << deviceEnv;
    config.profiles << device;

    Profile pat = makeProfile("github", ProfileKind::StaticToken);
    pat.secretIndex = {QStringLiteral("default/token")};
    Environment patEnv;
    patEnv.name = QStringLiteral("default");
    patEnv.apiUrl = QUrl(QStringLiteral("https://api.github.com"));
    pat.environments << patEnv;
    config.profiles << pat;

    Profile bare = makeProfile("0bare", ProfileKind::StaticToken); // no environments at all
    config.profiles << bare;

    config.currentProfileId = api.id;
    config.settings.maxConcurrency = 3;
    return config;
}

const QByteArray kValidProfile
    = R"({"id": "p1", "name": "api", "kind": "oauth2", "grant": "client_credentials", )"
      R"("environments": [{"name": "PROD", "tokenUrl": "https://login.example.com/token"}]})";

// A schema 1 document with `profiles` spliced in.
QByteArray v1(const QByteArray &profiles, const QByteArray &extra = QByteArray())
{
    return "{\"schemaVersion\": 1, " + extra + (extra.isEmpty() ? "" : ", ") + "\"profiles\": ["
        + profiles + "]}";
}

// A schema 1 document whose only profile has one environment with `envFields` added.
QByteArray v1Env(const QByteArray &envFields)
{
    return v1(R"({"id": "p1", "name": "api", "kind": "oauth2", "grant": "client_credentials", )"
              R"("environments": [{"name": "PROD", )"
              + envFields + "}]}");
}

// One raw literal per line: moc 6.4 loses track of raw strings that span lines.
// clang-format off
const QByteArray kSchema0 =
        R"({)" "\n"
        R"(    "current": "work",)" "\n"
        R"(    "settings": {"maxConcurrency": 4},)" "\n"
        R"(    "profiles": {)" "\n"
        R"(        "work": {)" "\n"
        R"(            "kind": "oauth2",)" "\n"
        R"(            "grant": "client_credentials",)" "\n"
        R"(            "activeEnvironment": "PROD",)" "\n"
        R"(            "environments": [)" "\n"
        R"(                {"name": "PROD", "tokenUrl": "https://login.example.com/token", "clientId": "abc",)" "\n"
        R"(                 "protected": true, "scopes": ["openid", "api"]},)" "\n"
        R"(                {"name": "DEV", "tokenUrl": "http://127.0.0.1:8080/token"})" "\n"
        R"(            ])" "\n"
        R"(        },)" "\n"
        R"(        "aws": {"kind": "aws-access-key", "environments": [{"name": "default", "region": "eu-west-1"}]},)" "\n"
        R"(        "deploy": {"kind": "aws-assume-role", "environments": [)" "\n"
        R"(            {"name": "PROD", "roleArn": "arn:aws:iam::123456789012:role/Deploy", "sourceProfile": "aws"}]})" "\n"
        R"(    })" "\n"
        R"(})" "\n";
// clang-format on

} // namespace

Q_DECLARE_METATYPE(Setup)
Q_DECLARE_METATYPE(TokenTray::ErrorCode)
Q_DECLARE_METATYPE(TokenTray::Config)

class tst_ProfileStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void roundTrip();
    void roundTripEmptyConfig();
    void savedFileIsDeterministicSchema1();
    void fileFormatNamesEveryField();
    void missingFileIsEmptyConfig();
    void permissions();
    void saveTightensExistingFileMode();
    void filePath_data();
    void filePath();
    void resolveConfigDir_data();
    void resolveConfigDir();

    void corruptFile_data();
    void corruptFile();
    void readOnlyUntilFixed();

    void migratesSchema0();
    void secondMigrationKeepsFirstBackup();

    void saveRefusesInvalid_data();
    void saveRefusesInvalid();

    void lockForUpdate();
    void refreshLockIsNotTheConfigLock();
    void lockTakesOverStaleLock_data();
    void lockTakesOverStaleLock();
    void lockInUnwritableDirectory();

private:
    QByteArray m_savedEnv;
    bool m_hadEnv = false;
};

void tst_ProfileStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_hadEnv = qEnvironmentVariableIsSet("TOKENTRAY_CONFIG_DIR");
    m_savedEnv = qgetenv("TOKENTRAY_CONFIG_DIR");
}

void tst_ProfileStore::cleanup()
{
    if (m_hadEnv)
        qputenv("TOKENTRAY_CONFIG_DIR", m_savedEnv);
    else
        qunsetenv("TOKENTRAY_CONFIG_DIR");
}

void tst_ProfileStore::roundTrip()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const Config config = fullConfig();
    QVERIFY2(validateConfig(config), qPrintable(detailOf(validateConfig(config))));

    ProfileStore writer(tmp.path());
    const Result<void> saved = writer.save(config);
    QVERIFY2(saved, qPrintable(detailOf(saved)));

    ProfileStore reader(tmp.path());
    const Result<Config> loaded = reader.load();
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().detail));
    QVERIFY(!reader.isReadOnly());
    // Field by field first, so a failure names what was lost.
    QCOMPARE(loaded->profiles.size(), config.profiles.size());
    for (qsizetype i = 0; i < config.profiles.size(); ++i) {
        const Profile &want = config.profiles.at(i);
        const Profile &got = loaded->profiles.at(i);
        QCOMPARE(got.environments.size(), want.environments.size());
        for (qsizetype e = 0; e < want.environments.size(); ++e) {
            const Environment &we = want.environments.at(e);
            const Environment &ge = got.environments.at(e);
            QCOMPARE(ge.issuer, we.issuer);
            QCOMPARE(ge.tokenUrl, we.tokenUrl);
            QCOMPARE(ge.revocationUrl, we.revocationUrl);
            QCOMPARE(ge.apiUrl, we.apiUrl);
            QCOMPARE(ge.clientId, we.clientId);
            QCOMPARE(ge.caFile, we.caFile);
            QCOMPARE(ge.scopes, we.scopes);
            QVERIFY2(ge == we, qPrintable(got.name + QLatin1Char('/') + we.name));
        }
        QCOMPARE(got.secretIndex, want.secretIndex);
        QVERIFY2(got == want, qPrintable(want.name));
    }
    QCOMPARE(loaded->currentProfileId, config.currentProfileId);
    QVERIFY(loaded->settings == config.settings);
    QVERIFY(*loaded == config);
    // The store stays writable after a good load.
    QVERIFY(reader.save(*loaded));
}

void tst_ProfileStore::roundTripEmptyConfig()
{
    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    QVERIFY(store.save(Config {}));
    QVERIFY(QFileInfo::exists(store.filePath()));
    const Result<Config> loaded = ProfileStore(tmp.path()).load();
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().detail));
    QVERIFY(*loaded == Config {});
}

void tst_ProfileStore::savedFileIsDeterministicSchema1()
{
    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    const Config config = fullConfig();
    QVERIFY(store.save(config));
    const QByteArray first = readBytes(store.filePath());
    QVERIFY(store.save(*store.load()));
    QCOMPARE(readBytes(store.filePath()), first);

    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(first, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.object().value(QLatin1String("schemaVersion")).toInt(-1),
             ConfigCodec::kSchemaVersion);
    // Only profiles.json: no temp file, backup or lock left behind by a plain save.
    QCOMPARE(entries(tmp.path()), QStringList {QStringLiteral("profiles.json")});
}

// The file format, written down independently of the code: a checked-in profiles.json with
// every environment key. It decodes to these values, member by member, and encodes back to the
// same JSON, so a key renamed in the field table breaks here rather than in users' files.
void tst_ProfileStore::fileFormatNamesEveryField()
{
    QFile file(TestEnv::sourceDir() + QStringLiteral("/tests/data/config/every-key.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(!json.isEmpty());
    const Result<Config> decoded = ConfigCodec::decode(json);
    QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error().detail));
    QCOMPARE(decoded->profiles.size(), 1);
    const Profile &p = decoded->profiles.first();
    QCOMPARE(p.kind, ProfileKind::OAuth2);
    QCOMPARE(p.grant, Grant::ClientCredentials);
    QCOMPARE(p.refresh, RefreshPolicy::Eager);
    QCOMPARE(p.secretIndex, QStringList {QStringLiteral("PROD/client_secret")});
    QCOMPARE(p.environments.size(), 1);
    const Environment &e = p.environments.first();

    Environment expected;
    expected.name = QStringLiteral("PROD");
    expected.isProtected = true;
    expected.issuer = QUrl(QStringLiteral("https://idp.example.com/realms/main"));
    expected.tokenUrl = QUrl(QStringLiteral("https://idp.example.com/realms/main/token?aud=a%20b"));
    expected.deviceUrl = QUrl(QStringLiteral("https://idp.example.com/realms/main/device"));
    expected.revocationUrl = QUrl(QStringLiteral("https://idp.example.com:8443/revoke"));
    expected.clientId = QStringLiteral(u"tokentray-\u00fc \"quoted\"");
    expected.clientAuth = QStringLiteral("post");
    expected.scopes = {QStringLiteral("openid"), QStringLiteral("offline_access")};
    expected.audience = QStringLiteral("https://api.example.com");
    expected.apiUrl = QUrl(QStringLiteral("http://[::1]:9443/v1/"));
    expected.caFile = QStringLiteral(u"/etc/ssl/corp ca/\u00e9.pem");
    expected.tokenVariable = QStringLiteral("GITHUB_TOKEN");
    expected.roleArn = QStringLiteral("arn:aws:iam::123456789012:role/team/Admin");
    expected.sourceProfile = QStringLiteral("keys");
    expected.region = QStringLiteral("eu-central-1");
    expected.stsEndpoint = QUrl(QStringLiteral("https://sts.eu-central-1.amazonaws.com"));
    expected.durationSeconds = 3600;
    expected.externalId = QStringLiteral("ext-123");
    expected.mfaSerial = QStringLiteral("arn:aws:iam::123456789012:mfa/alice");
    expected.sessionName = QStringLiteral("alice@example.com");
    expected.mfaProcess = QStringLiteral("oathtool --totp -b SECRETFILE");
    expected.sourceIdentity = QStringLiteral("alice");
    QCOMPARE(e.tokenUrl, expected.tokenUrl);
    QCOMPARE(e.mfaProcess, expected.mfaProcess);
    QVERIFY(e == expected);

    // Back to the same JSON, key for key.
    const QJsonObject written = ConfigCodec::encode(*decoded);
    const auto environment = [](const QJsonObject &config) {
        return config.value(QLatin1String("profiles"))
            .toArray()
            .first()
            .toObject()
            .value(QLatin1String("environments"))
            .toArray()
            .first()
            .toObject();
    };
    QCOMPARE(environment(written).keys(), environment(json).keys());
    QCOMPARE(environment(written), environment(json));
    QCOMPARE(written, json);
}

void tst_ProfileStore::missingFileIsEmptyConfig()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("not/yet"));
    ProfileStore store(dir);
    const Result<Config> loaded = store.load();
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().detail));
    QVERIFY(*loaded == Config {});
    QVERIFY(!store.isReadOnly());
    // Loading creates nothing.
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY(entries(tmp.path()).isEmpty());
}

void tst_ProfileStore::permissions()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("a/b/tokentray"));
    ProfileStore store(dir);
    const Result<void> saved = store.save(fullConfig());
    QVERIFY2(saved, qPrintable(detailOf(saved)));
    QCOMPARE(modeOf(dir), 0700);
    QCOMPARE(modeOf(store.filePath()), 0600);

    // An existing directory keeps the mode its owner gave it.
    QTemporaryDir existing;
    QVERIFY(QFile::setPermissions(existing.path(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                      | QFileDevice::ExeOwner | QFileDevice::ReadGroup
                                      | QFileDevice::ExeGroup));
    ProfileStore inExisting(existing.path());
    QVERIFY(inExisting.save(Config {}));
    QCOMPARE(modeOf(existing.path()), 0750);
    QCOMPARE(modeOf(inExisting.filePath()), 0600);

    // lockForUpdate creates the directory the same way.
    const QString lockDir = tmp.filePath(QStringLiteral("lockfirst"));
    ProfileStore locker(lockDir);
    {
        auto lock = locker.lockForUpdate(1000);
        QVERIFY(lock);
    }
    QCOMPARE(modeOf(lockDir), 0700);
}

void tst_ProfileStore::saveTightensExistingFileMode()
{
    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    QVERIFY(writeBytes(store.filePath(), v1(kValidProfile)));
    QVERIFY(QFile::setPermissions(store.filePath(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                      | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    QCOMPARE(modeOf(store.filePath()), 0644);
    const Result<Config> loaded = store.load();
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().detail));
    QVERIFY(store.save(*loaded));
    QCOMPARE(modeOf(store.filePath()), 0600);
}

void tst_ProfileStore::filePath_data()
{
    QTest::addColumn<QString>("dir");
    QTest::addColumn<QString>("directory");
    QTest::addColumn<QString>("file");

    QTest::newRow("plain") << "/tmp/tt"
                           << "/tmp/tt"
                           << "/tmp/tt/profiles.json";
    QTest::newRow("trailing slash") << "/tmp/tt/"
                                    << "/tmp/tt"
                                    << "/tmp/tt/profiles.json";
    QTest::newRow("dot dot and doubled slashes") << "/tmp//x/../tt"
                                                 << "/tmp/tt"
                                                 << "/tmp/tt/profiles.json";
    QTest::newRow("spaces") << "/tmp/my config"
                            << "/tmp/my config"
                            << "/tmp/my config/profiles.json";
}

void tst_ProfileStore::filePath()
{
    QFETCH(QString, dir);
    QFETCH(QString, directory);
    QFETCH(QString, file);
    const ProfileStore store(dir);
    QCOMPARE(store.directory(), directory);
    QCOMPARE(store.filePath(), file);
}

void tst_ProfileStore::resolveConfigDir_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<bool>("envSet");
    QTest::addColumn<QString>("env");
    // "<default>" stands for the platform default; relative paths are against the cwd.
    QTest::addColumn<QString>("expected");

    QTest::newRow("option beats env") << "/tmp/from-option" << true << "/tmp/from-env"
                                      << "/tmp/from-option";
    QTest::newRow("option alone") << "/tmp/from-option" << false << ""
                                  << "/tmp/from-option";
    QTest::newRow("option relative") << "rel/dir" << true << "/tmp/from-env"
                                     << "rel/dir";
    QTest::newRow("option cleaned") << "/tmp/a/../from-option/" << false << ""
                                    << "/tmp/from-option";
    QTest::newRow("env beats default") << "" << true << "/tmp/from-env"
                                       << "/tmp/from-env";
    QTest::newRow("env relative") << "" << true << "env-rel"
                                  << "env-rel";
    QTest::newRow("env cleaned") << "" << true << "/tmp/x/./from-env//"
                                 << "/tmp/x/from-env";
    QTest::newRow("env empty counts as unset") << "" << true << ""
                                               << "<default>";
    QTest::newRow("default") << "" << false << ""
                             << "<default>";
}

void tst_ProfileStore::resolveConfigDir()
{
    QFETCH(QString, option);
    QFETCH(bool, envSet);
    QFETCH(QString, env);
    QFETCH(QString, expected);

    if (envSet)
        qputenv("TOKENTRAY_CONFIG_DIR", env.toUtf8());
    else
        qunsetenv("TOKENTRAY_CONFIG_DIR");

    const QString resolved = ProfileStore::resolveConfigDir(option);
    QVERIFY2(QDir::isAbsolutePath(resolved), qPrintable(resolved));
    if (expected == QLatin1String("<default>")) {
        const QString base
            = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
        QVERIFY(!base.isEmpty());
        QCOMPARE(resolved, QDir(base).filePath(QStringLiteral("tokentray")));
        // Test mode: never the user's real configuration.
        QVERIFY2(resolved.contains(QLatin1String("/.qttest/")), qPrintable(resolved));
    } else if (QDir::isRelativePath(expected)) {
        QCOMPARE(resolved, QDir::cleanPath(QDir::current().absoluteFilePath(expected)));
    } else {
        QCOMPARE(resolved, expected);
    }
}

void tst_ProfileStore::corruptFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<Setup>("setup");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("phrase");

    const auto corrupt = ErrorCode::ConfigCorrupt;
    const auto file = Setup::File;

    // Not JSON at all: the position of the problem.
    QTest::newRow("empty file") << QByteArray() << file << corrupt << "line 1, column 1";
    QTest::newRow("only whitespace") << QByteArray("\n\n   \n") << file << corrupt << "line 4";
    QTest::newRow("truncated JSON")
        << QByteArray("{\n  \"schemaVersion\": 1,\n  \"profiles\": [\n    {\"id\": \"p1\", \"na")
        << file << corrupt << "line 4";
    QTest::newRow("missing comma") << QByteArray("{\n  \"schemaVersion\": 1\n  \"profiles\": []\n}")
                                   << file << corrupt << "line 3";
    QTest::newRow("trailing garbage")
        << QByteArray("{\"schemaVersion\": 1, \"profiles\": []}\n\ngarbage") << file << corrupt
        << "line 3";
    QTest::newRow("two objects") << QByteArray("{}{}") << file << corrupt << "line 1, column 3";
    QTest::newRow("invalid UTF-8")
        << QByteArray("{\"schemaVersion\": 1, \"currentProfile\": \"\xff\xfe\"}") << file << corrupt
        << "line 1";
    QTest::newRow("deeply nested")
        << QByteArray("{\"x\": ") + QByteArray(5000, '[') << file << corrupt << "line 1";

    // JSON, but not a document we wrote.
    QTest::newRow("top level array")
        << QByteArray("[]") << file << corrupt << "top level must be a JSON object";
    QTest::newRow("top level number") << QByteArray("42") << file << corrupt << "line 1";
    QTest::newRow("top level string") << QByteArray("\"profiles\"") << file << corrupt << "line 1";
    QTest::newRow("top level null") << QByteArray("null") << file << corrupt << "line 1";

    // Wrong types, named by JSON path.
    QTest::newRow("profiles not an array")
        << QByteArray(R"({"schemaVersion": 1, "profiles": {"api": {}}})") << file << corrupt
        << "profiles: expected an array";
    QTest::newRow("profile not an object")
        << v1(kValidProfile + ", 7") << file << corrupt << "profiles[1]: expected an object";
    QTest::newRow("profile name a number")
        << v1(R"({"id": "p1", "name": 5, "kind": "static-token"})") << file << corrupt
        << "profiles[0].name: expected a string";
    QTest::newRow("profile id missing") << v1(R"({"name": "api", "kind": "static-token"})") << file
                                        << corrupt << "profiles[0].id: is missing";
    QTest::newRow("kind missing") << v1(R"({"id": "p1", "name": "api"})") << file << corrupt
                                  << "profiles[0].kind: is missing";
    QTest::newRow("autostart not bool")
        << v1(R"({"id": "p1", "name": "api", "kind": "static-token", "autostart": 1})") << file
        << corrupt << "profiles[0].autostart: expected true or false";
    QTest::newRow("environments not an array")
        << v1(R"({"id": "p1", "name": "api", "kind": "static-token", "environments": {}})") << file
        << corrupt << "profiles[0].environments: expected an array";
    QTest::newRow("environment not an object")
        << v1(R"({"id": "p1", "name": "api", "kind": "static-token", "environments": ["PROD"]})")
        << file << corrupt << "profiles[0].environments[0]: expected an object";
    QTest::newRow("environment name missing")
        << v1(R"({"id": "p1", "name": "api", "kind": "static-token", "environments": [{}]})")
        << file << corrupt << "profiles[0].environments[0].name: is missing";
    QTest::newRow("scopes a string")
        << v1Env(R"("scopes": "openid profile")") << file << corrupt
        << "profiles[0].environments[0].scopes: expected an array of strings";
    QTest::newRow("scopes not all strings")
        << v1Env(R"("scopes": ["openid", 3])") << file << corrupt
        << "profiles[0].environments[0].scopes: expected an array of strings";
    QTest::newRow("protected not bool")
        << v1Env(R"("protected": "yes")") << file << corrupt
        << "profiles[0].environments[0].protected: expected true or false";
    QTest::newRow("durationSeconds fractional")
        << v1Env(R"("durationSeconds": 900.5)") << file << corrupt
        << "profiles[0].environments[0].durationSeconds: expected a whole number";
    QTest::newRow("durationSeconds a string")
        << v1Env(R"("durationSeconds": "900")") << file << corrupt
        << "profiles[0].environments[0].durationSeconds: expected a whole number";
    QTest::newRow("durationSeconds beyond int")
        << v1Env(R"("durationSeconds": 1e12)") << file << corrupt
        << "profiles[0].environments[0].durationSeconds: expected a whole number";
    QTest::newRow("durationSeconds 2^31")
        << v1Env(R"("durationSeconds": 2147483648)") << file << corrupt
        << "profiles[0].environments[0].durationSeconds: expected a whole number";
    QTest::newRow("URL not a string")
        << v1Env(R"("tokenUrl": {"href": "https://x"})") << file << corrupt
        << "profiles[0].environments[0].tokenUrl: expected a string";
    QTest::newRow("URL malformed")
        << v1Env(R"("tokenUrl": "https://exa mple.com/token")") << file << corrupt
        << "profiles[0].environments[0].tokenUrl: is not a valid URL";
    QTest::newRow("secrets not strings")
        << v1(R"({"id": "p1", "name": "api", "kind": "static-token", "secrets": [null]})") << file
        << corrupt << "profiles[0].secrets: expected an array of strings";
    QTest::newRow("settings not an object")
        << QByteArray(R"({"schemaVersion": 1, "settings": [8], "profiles": []})") << file << corrupt
        << "settings: expected an object";
    QTest::newRow("maxConcurrency a string")
        << QByteArray(R"({"schemaVersion": 1, "settings": {"maxConcurrency": "8"}})") << file
        << corrupt << "settings.maxConcurrency: expected a whole number";
    QTest::newRow("currentProfile a number") << v1(kValidProfile, R"("currentProfile": 1)") << file
                                             << corrupt << "currentProfile: expected a string";

    // Names that must come from a fixed set.
    QTest::newRow("unknown kind") << v1(
        R"({"id": "p1", "name": "api", "kind": "gcp-service-account"})")
                                  << file << corrupt
                                  << "profiles[0].kind: unknown kind \"gcp-service-account\"";
    QTest::newRow("unknown grant")
        << v1(R"({"id": "p1", "name": "api", "kind": "oauth2", "grant": "password"})") << file
        << corrupt << "profiles[0].grant: unknown grant \"password\"";
    QTest::newRow("unknown refresh policy")
        << v1(R"({"id": "p1", "name": "api", "kind": "static-token", "refresh": "sometimes"})")
        << file << corrupt << "profiles[0].refresh: expected \"deferred\" or \"eager\"";

    // Well-typed but inconsistent.
    QTest::newRow("duplicate profile names")
        << v1(kValidProfile + R"(, {"id": "p2", "name": "api", "kind": "static-token"})") << file
        << corrupt << "profile name \"api\" is used twice";
    QTest::newRow("duplicate ids")
        << v1(kValidProfile + R"(, {"id": "p1", "name": "other", "kind": "static-token"})") << file
        << corrupt << "profile id \"p1\" is used twice";
    QTest::newRow("active environment missing")
        << v1(R"({"id": "p1", "name": "api", "kind": "static-token", "activeEnvironment": "QA", )"
              R"("environments": [{"name": "PROD"}]})")
        << file << corrupt << "active environment \"QA\", which does not exist";
    QTest::newRow("currentProfile names no profile")
        << v1(kValidProfile, R"("currentProfile": "p9")") << file << corrupt
        << "current profile id \"p9\" names no profile";
    QTest::newRow("currentProfile by name not id")
        << v1(kValidProfile, R"("currentProfile": "api")") << file << corrupt << "names no profile";
    QTest::newRow("http non-loopback URL")
        << v1Env(R"("tokenUrl": "http://login.example.com/token")") << file << corrupt
        << "api/PROD: token URL \"http://login.example.com/token\" uses plain http";
    QTest::newRow("source profile missing")
        << v1(R"({"id": "p1", "name": "role", "kind": "aws-assume-role", )"
              R"("environments": [{"name": "PROD", "sourceProfile": "keys"}]})")
        << file << corrupt << "source profile \"keys\" does not exist";
    QTest::newRow("bad profile name")
        << v1(R"({"id": "p1", "name": "../etc", "kind": "static-token"})") << file << corrupt
        << "profile name \"../etc\" is not allowed";

    // Schema versions.
    QTest::newRow("schemaVersion from the future")
        << QByteArray(R"({"schemaVersion": 99, "profiles": "whatever a later version wants"})")
        << file << ErrorCode::ConfigTooNew << "newer TokenTray (schema 99";
    QTest::newRow("schemaVersion a string")
        << QByteArray(R"({"schemaVersion": "1", "profiles": []})") << file << corrupt
        << "schemaVersion: expected a whole number";
    QTest::newRow("schemaVersion fractional")
        << QByteArray(R"({"schemaVersion": 1.5, "profiles": []})") << file << corrupt
        << "schemaVersion: expected a whole number";
    QTest::newRow("schemaVersion negative")
        << QByteArray(R"({"schemaVersion": -1, "profiles": []})") << file << corrupt
        << "schemaVersion: expected a whole number";
    QTest::newRow("schemaVersion null")
        << QByteArray(R"({"schemaVersion": null, "profiles": []})") << file << corrupt
        << "schemaVersion: expected a whole number";
    // Schema 0 that cannot be migrated: nothing is rewritten and no backup appears.
    QTest::newRow("schema 0 with array profiles")
        << QByteArray(R"({"profiles": [{"id": "p1", "name": "a", "kind": "static-token"}]})")
        << file << corrupt << "profiles: expected an object in a schema 0 file";
    QTest::newRow("schema 0 profile not an object")
        << QByteArray(R"({"profiles": {"api": true}})") << file << corrupt
        << "profiles.api: expected an object";
    QTest::newRow("schema 0 invalid after migration")
        << QByteArray(R"({"profiles": {"my api": {"kind": "static-token"}}})") << file << corrupt
        << "profile name \"my api\" is not allowed";

    // Not a readable regular file.
    QByteArray huge = v1(kValidProfile);
    huge.append(QByteArray(17 * 1024 * 1024, ' '));
    QTest::newRow("17 MiB file") << huge << file << corrupt << "larger than 16 MiB";
    QTest::newRow("directory in place of profiles.json")
        << QByteArray() << Setup::Directory << ErrorCode::ConfigIo << "is a directory";
    QTest::newRow("dangling symlink")
        << QByteArray() << Setup::DanglingSymlink << ErrorCode::ConfigIo << "cannot be read";
    QTest::newRow("unreadable permissions")
        << v1(kValidProfile) << Setup::Unreadable << ErrorCode::ConfigIo << "cannot be read";
}

void tst_ProfileStore::corruptFile()
{
    QFETCH(QByteArray, content);
    QFETCH(Setup, setup);
    QFETCH(ErrorCode, code);
    QFETCH(QString, phrase);

    if (setup == Setup::Unreadable && ::geteuid() == 0)
        QSKIP("root reads a mode 000 file anyway; tst_cli covers this as an unprivileged user "
              "(setpriv)");

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    ProfileStore store(tmp.path());
    const QString path = store.filePath();

    // Neighbours that must survive untouched.
    QVERIFY(writeBytes(tmp.filePath(QStringLiteral("ui.ini")), "[General]\ntheme=dark\n"));
    QVERIFY(writeBytes(tmp.filePath(QStringLiteral("profiles.json.v0.bak")), "{\"old\": true}"));
    QVERIFY(writeBytes(tmp.filePath(QStringLiteral(".hidden")), "x"));

    switch (setup) {
    case Setup::File:
        QVERIFY(writeBytes(path, content));
        break;
    case Setup::Unreadable:
        QVERIFY(writeBytes(path, content));
        QVERIFY(QFile::setPermissions(path, QFileDevice::Permissions()));
        break;
    case Setup::Directory:
        QVERIFY(QDir().mkpath(path));
        QVERIFY(writeBytes(QDir(path).filePath(QStringLiteral("inside.txt")), "inner"));
        break;
    case Setup::DanglingSymlink:
        QVERIFY(QFile::link(tmp.filePath(QStringLiteral("gone.json")), path));
        break;
    }
    const QMap<QString, QByteArray> before = snapshot(tmp.path());
    QVERIFY(before.contains(QStringLiteral("profiles.json")));

    const Result<Config> loaded = store.load();
    QVERIFY2(!loaded, "a broken profiles.json loaded");
    QCOMPARE(errorCodeName(loaded.error().code), errorCodeName(code));
    QVERIFY(loaded.error().isConfigError());
    const QString detail = loaded.error().detail;
    QVERIFY2(detail.contains(path), qPrintable(detail));
    QVERIFY2(detail.contains(phrase), qPrintable(detail));
    if (code == ErrorCode::ConfigTooNew)
        QVERIFY2(detail.contains(QLatin1String("newer")), qPrintable(detail));
    QVERIFY(store.isReadOnly());
    QVERIFY(snapshot(tmp.path()) == before);

    // Read-only until a load succeeds: even a perfectly valid config is not written.
    const Result<void> saved = store.save(fullConfig());
    QVERIFY2(!saved, "saved over a broken profiles.json");
    QCOMPARE(errorCodeName(saved.error().code), errorCodeName(ErrorCode::ConfigReadOnly));
    QVERIFY2(saved.error().detail.contains(path), qPrintable(saved.error().detail));
    QVERIFY(snapshot(tmp.path()) == before);

    // A second load fails the same way and still touches nothing.
    const Result<Config> again = store.load();
    QVERIFY(!again);
    QCOMPARE(again.error().detail, detail);
    QVERIFY(snapshot(tmp.path()) == before);

    if (setup == Setup::Unreadable) {
        QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QCOMPARE(readBytes(path), content);
    }
}

void tst_ProfileStore::readOnlyUntilFixed()
{
    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    QVERIFY(writeBytes(store.filePath(), "{\"schemaVersion\": 1, \"profiles\": ["));
    QVERIFY(!store.load());
    QVERIFY(store.isReadOnly());
    QVERIFY(!store.save(Config {}));

    QVERIFY(writeBytes(store.filePath(), v1(kValidProfile)));
    const Result<Config> loaded = store.load();
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().detail));
    QVERIFY(!store.isReadOnly());
    QCOMPARE(loaded->profiles.size(), 1);
    Config changed = *loaded;
    changed.settings.maxConcurrency = 2;
    QVERIFY(store.save(changed));
    QCOMPARE(ProfileStore(tmp.path()).load()->settings.maxConcurrency, 2);
}

void tst_ProfileStore::migratesSchema0()
{
    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    QVERIFY(writeBytes(store.filePath(), kSchema0));
    const QString backup = store.filePath() + QStringLiteral(".v0.bak");

    const Result<Config> loaded = store.load();
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().detail));
    QVERIFY(!store.isReadOnly());

    // The config: ids generated, current resolved, everything else carried over.
    const Config &config = *loaded;
    QCOMPARE(config.profiles.size(), 3);
    QSet<QString> ids;
    for (const Profile &p : config.profiles) {
        QVERIFY2(!QUuid::fromString(p.id).isNull(), qPrintable(p.id));
        ids.insert(p.id);
    }
    QCOMPARE(ids.size(), 3);
    const Profile *work = config.profileByName(QStringLiteral("work"));
    QVERIFY(work);
    QVERIFY(config.currentProfile());
    QCOMPARE(config.currentProfile()->name, QStringLiteral("work"));
    QCOMPARE(work->kind, ProfileKind::OAuth2);
    QCOMPARE(work->grant, Grant::ClientCredentials);
    QCOMPARE(work->activeEnvironment, QStringLiteral("PROD"));
    QCOMPARE(work->environments.size(), 2);
    QVERIFY(work->environments.at(0).isProtected);
    QCOMPARE(work->environments.at(0).scopes,
             (QStringList {QStringLiteral("openid"), QStringLiteral("api")}));
    QCOMPARE(work->environments.at(1).tokenUrl,
             QUrl(QStringLiteral("http://127.0.0.1:8080/token")));
    const Profile *deploy = config.profileByName(QStringLiteral("deploy"));
    QVERIFY(deploy);
    QCOMPARE(deploy->kind, ProfileKind::AwsAssumeRole);
    QCOMPARE(deploy->environments.at(0).sourceProfile, QStringLiteral("aws"));
    QVERIFY(config.profileByName(QStringLiteral("aws")));
    QCOMPARE(config.settings.maxConcurrency, 4);

    // The file is rewritten at the current schema and reloads to the same config (ids stick).
    const QByteArray rewritten = readBytes(store.filePath());
    const QJsonObject json = QJsonDocument::fromJson(rewritten).object();
    QCOMPARE(json.value(QLatin1String("schemaVersion")).toInt(-1), ConfigCodec::kSchemaVersion);
    QVERIFY(!json.contains(QLatin1String("current")));
    QVERIFY(json.value(QLatin1String("profiles")).isArray());
    QCOMPARE(modeOf(store.filePath()), 0600);

    // The backup holds the original bytes, owner-only.
    QVERIFY(QFileInfo::exists(backup));
    QCOMPARE(readBytes(backup), kSchema0);
    QCOMPARE(modeOf(backup), 0600);

    // Loading again (same store and a fresh one) migrates nothing and backs up nothing.
    const QStringList afterFirst = entries(tmp.path());
    QCOMPARE(
        afterFirst,
        (QStringList {QStringLiteral("profiles.json"), QStringLiteral("profiles.json.v0.bak")}));
    const Result<Config> again = store.load();
    QVERIFY(again);
    QVERIFY(*again == config);
    const Result<Config> fresh = ProfileStore(tmp.path()).load();
    QVERIFY(fresh);
    QVERIFY(*fresh == config);
    QCOMPARE(entries(tmp.path()), afterFirst);
    QCOMPARE(readBytes(store.filePath()), rewritten);

    // A later ordinary save does not write another backup either.
    QVERIFY(store.save(config));
    QCOMPARE(entries(tmp.path()), afterFirst);
    QCOMPARE(readBytes(backup), kSchema0);
}

void tst_ProfileStore::secondMigrationKeepsFirstBackup()
{
    QTemporaryDir tmp;
    const QString path = QDir(tmp.path()).filePath(QStringLiteral("profiles.json"));
    const QString backup = path + QStringLiteral(".v0.bak");

    QVERIFY(writeBytes(path, kSchema0));
    QVERIFY(ProfileStore(tmp.path()).load());
    QCOMPARE(readBytes(backup), kSchema0);

    // Someone restores an old file by hand (or an old build writes one): migrate it again.
    const QByteArray second
        = R"({"current": "solo", "profiles": {"solo": {"kind": "static-token"}}})";
    QVERIFY(writeBytes(path, second));
    const Result<Config> loaded = ProfileStore(tmp.path()).load();
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().detail));
    QCOMPARE(loaded->profiles.size(), 1);
    QCOMPARE(loaded->currentProfile()->name, QStringLiteral("solo"));
    QCOMPARE(readBytes(backup), kSchema0);
    QCOMPARE(readBytes(backup + QStringLiteral(".1")), second);
    QCOMPARE(modeOf(backup + QStringLiteral(".1")), 0600);

    // And a third goes to .2.
    QVERIFY(writeBytes(path, second));
    QVERIFY(ProfileStore(tmp.path()).load());
    QCOMPARE(readBytes(backup + QStringLiteral(".2")), second);
    QCOMPARE(entries(tmp.path()),
             (QStringList {QStringLiteral("profiles.json"), QStringLiteral("profiles.json.v0.bak"),
                           QStringLiteral("profiles.json.v0.bak.1"),
                           QStringLiteral("profiles.json.v0.bak.2")}));
}

void tst_ProfileStore::saveRefusesInvalid_data()
{
    QTest::addColumn<Config>("config");
    QTest::addColumn<QString>("phrase");

    Config dupName = fullConfig();
    dupName.profiles[1].name = dupName.profiles[0].name;
    QTest::newRow("duplicate name") << dupName << "is used twice";

    Config dupId = fullConfig();
    dupId.profiles[2].id = dupId.profiles[0].id;
    QTest::newRow("duplicate id") << dupId << "is used twice";

    Config noId = fullConfig();
    noId.profiles[0].id.clear();
    QTest::newRow("missing id") << noId << "has no id";

    Config badName = fullConfig();
    badName.profiles[0].name = QStringLiteral("has space");
    QTest::newRow("bad name") << badName << "is not allowed";

    Config http = fullConfig();
    http.profiles[3].environments[0].tokenUrl = QUrl(QStringLiteral("http://login.example.com/t"));
    QTest::newRow("plain http") << http << "plain http";

    Config dangling = fullConfig();
    dangling.currentProfileId = QStringLiteral("no-such-id");
    QTest::newRow("dangling current") << dangling << "names no profile";

    Config source = fullConfig();
    source.profiles[1].environments[1].sourceProfile = QStringLiteral("github");
    QTest::newRow("source not AWS") << source << "is not an AWS profile";

    Config concurrency = fullConfig();
    concurrency.settings.maxConcurrency = 0;
    QTest::newRow("maxConcurrency 0") << concurrency << "maxConcurrency";
}

void tst_ProfileStore::saveRefusesInvalid()
{
    QFETCH(Config, config);
    QFETCH(QString, phrase);

    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    QVERIFY(store.save(fullConfig()));
    const QMap<QString, QByteArray> before = snapshot(tmp.path());

    const Result<void> saved = store.save(config);
    QVERIFY2(!saved, "an invalid config was saved");
    QCOMPARE(errorCodeName(saved.error().code), errorCodeName(ErrorCode::Invalid));
    QVERIFY2(saved.error().detail.contains(phrase), qPrintable(saved.error().detail));
    QVERIFY(snapshot(tmp.path()) == before);
    // A refused save is not a broken file: the store stays writable.
    QVERIFY(!store.isReadOnly());
    QVERIFY(store.load());

    // Into a directory that does not exist yet: refused before anything is created.
    const QString fresh = tmp.filePath(QStringLiteral("fresh"));
    QVERIFY(!ProfileStore(fresh).save(config));
    QVERIFY(!QFileInfo::exists(fresh));
}

void tst_ProfileStore::lockForUpdate()
{
    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    ProfileStore other(tmp.path());

    auto first = store.lockForUpdate(1000);
    QVERIFY2(first, first ? "" : qPrintable(first.error().detail));
    QVERIFY(first.value());
    QVERIFY(first.value()->isLocked());
    QVERIFY(QFileInfo::exists(store.filePath() + QStringLiteral(".lock")));

    // Held: a second lock, from the same store or another one, times out with ConfigIo.
    const auto second = other.lockForUpdate(50);
    QVERIFY2(!second, "a second lock was granted while the first is held");
    QCOMPARE(errorCodeName(second.error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(second.error().detail.contains(store.filePath()), qPrintable(second.error().detail));
    QVERIFY2(second.error().detail.contains(QLatin1String("lock")),
             qPrintable(second.error().detail));
    QVERIFY(!store.lockForUpdate(0));

    // Released (the Lock owns the QLockFile): the next one succeeds at once.
    first.value().reset();
    auto third = other.lockForUpdate(50);
    QVERIFY2(third, third ? "" : qPrintable(third.error().detail));
    QVERIFY(third.value()->isLocked());

    // Holding the lock does not block loading or saving (they are what it serialises).
    QVERIFY(store.save(fullConfig()));
    QVERIFY(other.load());
    third.value().reset();
    QVERIFY(!QFileInfo::exists(store.filePath() + QStringLiteral(".lock")));
}

void tst_ProfileStore::refreshLockIsNotTheConfigLock()
{
    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    ProfileStore other(tmp.path());

    // A refresh under way leaves the config lock free, and the other way round.
    auto refreshing = store.lockForRefresh(1000);
    QVERIFY2(refreshing, refreshing ? "" : qPrintable(refreshing.error().detail));
    QVERIFY(QFileInfo::exists(tmp.filePath(QStringLiteral("credential-refresh.lock"))));
    auto editing = other.tryLockForUpdate();
    QVERIFY2(editing, editing ? "" : qPrintable(editing.error().detail));
    QVERIFY(editing.value());
    QVERIFY(editing.value()->isLocked());

    // Each is exclusive on its own.
    const auto secondRefresh = other.lockForRefresh(50);
    QVERIFY(!secondRefresh);
    QCOMPARE(errorCodeName(secondRefresh.error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(secondRefresh.error().detail.contains(QLatin1String("credential-refresh.lock")),
             qPrintable(secondRefresh.error().detail));
    // tryLockForUpdate() answers a held lock with an empty Lock, not an error.
    const auto busy = store.tryLockForUpdate();
    QVERIFY2(busy, busy ? "" : qPrintable(busy.error().detail));
    QVERIFY(!busy.value());

    refreshing.value().reset();
    editing.value().reset();
    QVERIFY(other.lockForRefresh(0));
    QVERIFY(!QFileInfo::exists(tmp.filePath(QStringLiteral("credential-refresh.lock"))));
    const auto free = store.tryLockForUpdate();
    QVERIFY(free && free.value());
}

void tst_ProfileStore::lockTakesOverStaleLock_data()
{
    QTest::addColumn<QByteArray>("content"); // "<dead>" / "<self>" / "<app>" are filled in
    QTest::addColumn<int>("ageMs");
    QTest::addColumn<bool>("taken");

    QTest::newRow("owner process is gone") << QByteArray("<dead>\ntokentray-cli\n\n") << 0 << true;
    QTest::newRow("owner process alive") << QByteArray("<self>\n<app>\n\n") << 5000 << false;
    // A process killed between creating the lock file and writing its pid into it.
    QTest::newRow("ownerless, left by a crash") << QByteArray() << 5000 << true;
    QTest::newRow("ownerless, being written right now") << QByteArray() << 0 << false;
    QTest::newRow("unparseable owner, old") << QByteArray("not a pid\n") << 5000 << true;
}

void tst_ProfileStore::lockTakesOverStaleLock()
{
    QFETCH(QByteArray, content);
    QFETCH(int, ageMs);
    QFETCH(bool, taken);

    if (content.contains("<dead>")) {
        QProcess gone;
        gone.start(QStringLiteral("true"), {});
        QVERIFY(gone.waitForStarted());
        const qint64 pid = gone.processId();
        QVERIFY(gone.waitForFinished());
        content.replace("<dead>", QByteArray::number(pid));
    }
    // As QLockFile writes it: pid, then the executable's name (a different name = pid reused).
    content.replace("<self>", QByteArray::number(QCoreApplication::applicationPid()));
    content.replace("<app>",
                    QFileInfo(QCoreApplication::applicationFilePath()).fileName().toUtf8());

    QTemporaryDir tmp;
    ProfileStore store(tmp.path());
    const QString lockPath = store.filePath() + QStringLiteral(".lock");
    {
        QFile f(lockPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(content), content.size());
        QVERIFY(f.flush()); // before setting the time, or closing the file would bump it
        QVERIFY(f.setFileTime(QDateTime::currentDateTime().addMSecs(-ageMs),
                              QFileDevice::FileModificationTime));
    }

    // Timeout 0: the decision must not depend on waiting.
    auto lock = store.lockForUpdate(0);
    QCOMPARE(lock.has_value(), taken);
    if (taken) {
        QVERIFY(lock.value()->isLocked());
        qint64 pid = 0;
        QVERIFY(lock.value()->getLockInfo(&pid, nullptr, nullptr));
        QCOMPARE(pid, QCoreApplication::applicationPid());
    } else {
        QCOMPARE(errorCodeName(lock.error().code), errorCodeName(ErrorCode::ConfigIo));
        QVERIFY2(lock.error().detail.contains(QLatin1String("holds the lock")),
                 qPrintable(lock.error().detail));
        QCOMPARE(readBytes(lockPath), content);
    }
}

void tst_ProfileStore::lockInUnwritableDirectory()
{
    if (::geteuid() == 0)
        QSKIP("root can write into a mode 0500 directory");
    QTemporaryDir tmp;
    QVERIFY(QFile::setPermissions(tmp.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    ProfileStore store(tmp.path());
    // No deadline: waiting for a lock that can never be created would hang, not return.
    const auto lock = store.lockForUpdate(-1);
    QVERIFY(!lock);
    QCOMPARE(errorCodeName(lock.error().code), errorCodeName(ErrorCode::ConfigIo));
    QVERIFY2(lock.error().detail.contains(QLatin1String("cannot create the lock file")),
             qPrintable(lock.error().detail));
    QVERIFY(QFile::setPermissions(
        tmp.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
}

QTEST_GUILESS_MAIN(tst_ProfileStore)
#include "tst_profilestore.moc"
