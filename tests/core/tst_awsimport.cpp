// Planning an import of ~/.aws/config and ~/.aws/credentials: what becomes which TokenTray
// profile, which keychain items are written, and why anything is skipped.
#include "core/aws/awsimport.h"
#include "core/model/validation.h"
#include "tests/support/testenv.h"

#include <QFile>
#include <QTest>

using namespace TokenTray;
using Status = AwsImportItem::Status;

namespace {

AwsImportPlan plan(const QByteArray &config, const QByteArray &credentials,
                   const Config &existing = Config())
{
    return planAwsImport(parseAwsIni(config, "config"), parseAwsIni(credentials, "credentials"),
                         existing);
}

QByteArray readData(const char *name)
{
    QFile f(TestEnv::sourceDir() + "/tests/data/aws/" + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read tests/data/aws/%s", name);
    return f.readAll();
}

QStringList names(const AwsImportPlan &p)
{
    QStringList out;
    for (const Profile &profile : p.profiles)
        out << profile.name;
    return out;
}

// The first report line with this status about this profile.
const AwsImportItem *find(const AwsImportPlan &p, Status status, const QString &profile)
{
    for (const AwsImportItem &item : p.report) {
        if (item.status == status && item.profile == profile)
            return &item;
    }
    return nullptr;
}

QString reasonSkipped(const AwsImportPlan &p, const QString &profile)
{
    const AwsImportItem *item = find(p, Status::Skipped, profile);
    return item ? item->message : QStringLiteral("<not skipped>");
}

QStringList skippedNames(const AwsImportPlan &p)
{
    QStringList out;
    for (const AwsImportItem &item : p.report) {
        if (item.status == Status::Skipped)
            out << item.profile;
    }
    return out;
}

QString secret(const AwsImportPlan &p, const QString &profile, const QString &name)
{
    for (const AwsImportSecret &s : p.secrets) {
        if (s.profile == profile && s.name == name)
            return s.value.exposeUtf8();
    }
    return {};
}

const Environment &envOf(const AwsImportPlan &p, const QString &profile)
{
    static const Environment none;
    const Profile *found = p.profile(profile);
    return found && !found->environments.isEmpty() ? found->environments.first() : none;
}

Profile existingProfile(const QString &name, ProfileKind kind)
{
    Profile p;
    p.id = "id-" + name;
    p.name = name;
    p.kind = kind;
    Environment env;
    env.name = "default";
    if (kind == ProfileKind::OAuth2) {
        p.grant = Grant::ClientCredentials;
        env.tokenUrl = QUrl("https://login.example.com/token");
        env.clientId = "c";
    }
    p.environments = {env};
    p.activeEnvironment = "default";
    return p;
}

// Checks what every plan must satisfy: applied to `existing`, the config is valid, every
// planned secret is indexed, and no report line carries a secret value.
void checkApplies(const AwsImportPlan &p, const Config &existing = Config())
{
    Config config = existing;
    auto ids = addImportedProfiles(config, p);
    QVERIFY2(ids, ids ? "" : qPrintable(ids.error().detail));
    auto valid = validateConfig(config);
    QVERIFY2(valid, valid ? "" : qPrintable(valid.error().detail));
    QCOMPARE(config.profiles.size(), existing.profiles.size() + p.profiles.size());
    for (const AwsImportSecret &s : p.secrets) {
        const Profile *profile = config.profileByName(s.profile);
        QVERIFY(profile);
        QVERIFY(profile->secretIndex.contains(s.environment + "/" + s.name));
        QCOMPARE(profile->id, ids->value(s.profile));
        QVERIFY(secretNamesFor(profile->kind).contains(s.name));
        for (const AwsImportItem &item : p.report) {
            QVERIFY2(!item.message.contains(s.value.exposeUtf8()), qPrintable(item.message));
            QVERIFY2(!item.location.contains(s.value.exposeUtf8()), qPrintable(item.location));
        }
    }
}

const QByteArray kKeys = "aws_access_key_id = AKIAEXAMPLEKEYID0001\n"
                         "aws_secret_access_key = secretExampleExampleExampleExample00001\n";

} // namespace

class tst_AwsImport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sampleFiles();
    void accessKeysFromCredentials();
    void configAndCredentialsMerge();
    void keysInTheConfigFile();
    void everyRoleKey();
    void sessionToken_data();
    void sessionToken();
    void chainedRolesComeAfterTheirSource();
    void selfReference();
    void keysAndRoleWithAnotherSource();
    void keysProfileNameTaken();
    void loops();
    void unknownSource();
    void unsupported_data();
    void unsupported();
    void roleWhoseSourceIsSkipped();
    void nameClash();
    void sourceAlreadyInTokenTray();
    void sourceInTokenTrayOfAnotherKind();
    void nothingToImport();
    void invalidNames_data();
    void invalidNames();
    void invalidValues_data();
    void invalidValues();
    void invalidRegionIsAWarning();
    void incompleteKeys_data();
    void incompleteKeys();
    void ambiguousDefinitions_data();
    void ambiguousDefinitions();
    void sectionsThatAreNotProfiles();
    void ignoredSettingsNote();
    void inlineCommentNote();
    void brokenFile();
    void firstImportedBecomesCurrent();
};

void tst_AwsImport::sampleFiles()
{
    const AwsImportPlan p = plan(readData("config"), readData("credentials"));
    QCOMPARE(names(p),
             (QStringList {"default", "dev", "prod", "audit", "self-keys", "self", "temp", "ci"}));
    QCOMPARE(p.secrets.size(), 11);
    QCOMPARE(p.count(Status::Imported), 8);
    // Sections that are not profiles come first, with the files' own problems.
    QCOMPARE(skippedNames(p),
             (QStringList {"sso-session corp", "sso-user", "ec2", "process", "web", "loop-a",
                           "loop-b", "orphan", "via-sso", "regional"}));
    QCOMPARE(p.count(Status::Error), 0);
    QCOMPARE(envOf(p, "dev").region, "eu-central-1");
    QCOMPARE(envOf(p, "prod").sourceProfile, "dev");
    QCOMPARE(envOf(p, "audit").sourceProfile, "prod");
    QCOMPARE(envOf(p, "self").sourceProfile, "self-keys");
    QCOMPARE(secret(p, "ci", "aws_access_key_id"), "AKIACIEXAMPLEEXAMPLE");
    QCOMPARE(secret(p, "temp", "aws_session_token"),
             "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQExample=");
    QVERIFY(find(p, Status::Warning, "temp"));
    QVERIFY(find(p, Status::Note, QString())); // [plugins]
    checkApplies(p);
}

void tst_AwsImport::accessKeysFromCredentials()
{
    const AwsImportPlan p = plan("", "[default]\n" + kKeys);
    QCOMPARE(names(p), QStringList {"default"});
    const Profile &profile = p.profiles.first();
    QCOMPARE(profile.kind, ProfileKind::AwsAccessKey);
    QCOMPARE(profile.grant, Grant::None);
    QCOMPARE(profile.activeEnvironment, "default");
    QCOMPARE(profile.environments.size(), 1);
    QCOMPARE(profile.environments.first().name, "default");
    QVERIFY(profile.id.isEmpty());
    QVERIFY(profile.secretIndex.isEmpty());
    QCOMPARE(p.secretNames("default"),
             (QStringList {"aws_access_key_id", "aws_secret_access_key"}));
    QCOMPARE(secret(p, "default", "aws_access_key_id"), "AKIAEXAMPLEKEYID0001");
    QCOMPARE(secret(p, "default", "aws_secret_access_key"),
             "secretExampleExampleExampleExample00001");
    for (const AwsImportSecret &s : p.secrets)
        QCOMPARE(s.environment, "default");
    const AwsImportItem *imported = find(p, Status::Imported, "default");
    QVERIFY(imported);
    QCOMPARE(imported->location, "credentials:2");
    QCOMPARE(imported->awsProfile, "default");
    QVERIFY(imported->message.contains("aws-access-key"));
    checkApplies(p);
}

void tst_AwsImport::configAndCredentialsMerge()
{
    const AwsImportPlan p = plan("[profile dev]\nregion = eu-west-1\nmfa_serial = GAHT12345678\n"
                                 "aws_access_key_id = AKIAFROMCONFIG000001\n",
                                 "[dev]\n" + kKeys);
    QCOMPARE(names(p), QStringList {"dev"});
    QCOMPARE(envOf(p, "dev").region, "eu-west-1");
    // An MFA device only matters to a role (AssumeRole's SerialNumber): not kept on keys.
    QCOMPARE(envOf(p, "dev").mfaSerial, QString());
    // The credentials file wins over the config file, as botocore's provider chain has it.
    QCOMPARE(secret(p, "dev", "aws_access_key_id"), "AKIAEXAMPLEKEYID0001");
    QCOMPARE(find(p, Status::Imported, "dev")->location, "credentials:2");
    checkApplies(p);
}

void tst_AwsImport::keysInTheConfigFile()
{
    const AwsImportPlan p = plan("[profile cfg]\n" + kKeys, "");
    QCOMPARE(names(p), QStringList {"cfg"});
    QCOMPARE(p.secrets.size(), 2);
    checkApplies(p);

    // botocore reads [profile "NAME"] as NAME (shlex).
    const AwsImportPlan quoted = plan("[profile \"q\"]\n" + kKeys + "[profile 'r']\n" + kKeys, "");
    QCOMPARE(names(quoted), (QStringList {"q", "r"}));
}

void tst_AwsImport::everyRoleKey()
{
    const AwsImportPlan p = plan("[profile role]\n"
                                 "role_arn = arn:aws:iam::123456789012:role/Admin\n"
                                 "source_profile = base\n"
                                 "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
                                 "external_id = ext-42\n"
                                 "duration_seconds = 7200\n"
                                 "role_session_name = alice@example.com\n"
                                 "region = us-west-2\n",
                                 "[base]\n" + kKeys);
    QCOMPARE(names(p), (QStringList {"base", "role"}));
    const Profile *role = p.profile("role");
    QCOMPARE(role->kind, ProfileKind::AwsAssumeRole);
    const Environment &env = envOf(p, "role");
    QCOMPARE(env.name, "default");
    QCOMPARE(env.roleArn, "arn:aws:iam::123456789012:role/Admin");
    QCOMPARE(env.sourceProfile, "base");
    QCOMPARE(env.mfaSerial, "arn:aws:iam::123456789012:mfa/alice");
    QCOMPARE(env.externalId, "ext-42");
    QCOMPARE(env.durationSeconds, 7200);
    QCOMPARE(env.sessionName, "alice@example.com");
    QCOMPARE(env.region, "us-west-2");
    QVERIFY(p.secretNames("role").isEmpty());
    QCOMPARE(find(p, Status::Imported, "role")->location, "config:2");
    QVERIFY(!find(p, Status::Note, "role")); // every key was used
    checkApplies(p);
}

void tst_AwsImport::sessionToken_data()
{
    QTest::addColumn<QByteArray>("tokenLine");
    QTest::addColumn<QString>("keyInWarning");
    QTest::newRow("aws_session_token")
        << QByteArray("aws_session_token = TOKENexample0001==") << "aws_session_token";
    QTest::newRow("aws_security_token (botocore's older name)")
        << QByteArray("aws_security_token = TOKENexample0001==") << "aws_security_token";
}

void tst_AwsImport::sessionToken()
{
    QFETCH(QByteArray, tokenLine);
    QFETCH(QString, keyInWarning);
    const AwsImportPlan p = plan("", "[temp]\n" + kKeys + tokenLine + "\n");
    QCOMPARE(names(p), QStringList {"temp"});
    QCOMPARE(p.profile("temp")->kind, ProfileKind::AwsAccessKey);
    QCOMPARE(p.secretNames("temp"),
             (QStringList {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}));
    QCOMPARE(secret(p, "temp", "aws_session_token"), "TOKENexample0001==");
    const AwsImportItem *warning = find(p, Status::Warning, "temp");
    QVERIFY(warning);
    QVERIFY(warning->message.contains(keyInWarning));
    QVERIFY(warning->message.contains("expire"));
    QCOMPARE(warning->location, "credentials:4");
    checkApplies(p);
}

void tst_AwsImport::chainedRolesComeAfterTheirSource()
{
    // Written top-down: the last role first, the keys last.
    const AwsImportPlan p = plan("[profile c]\nrole_arn = arn:aws:iam::123456789012:role/C\n"
                                 "source_profile = b\n"
                                 "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/B\n"
                                 "source_profile = a\n",
                                 "[a]\n" + kKeys);
    QCOMPARE(names(p), (QStringList {"a", "b", "c"}));
    QCOMPARE(envOf(p, "c").sourceProfile, "b");
    QCOMPARE(envOf(p, "b").sourceProfile, "a");
    // The report keeps file order.
    QStringList reported;
    for (const AwsImportItem &item : p.report) {
        if (item.status == Status::Imported)
            reported << item.profile;
    }
    QCOMPARE(reported, (QStringList {"c", "b", "a"}));
    checkApplies(p);
}

void tst_AwsImport::selfReference()
{
    const AwsImportPlan p = plan("[profile me]\nrole_arn = arn:aws:iam::123456789012:role/Me\n"
                                 "source_profile = me\nmfa_serial = GAHT0001\n"
                                 "region = eu-west-1\n",
                                 "[me]\n" + kKeys);
    QCOMPARE(names(p), (QStringList {"me-keys", "me"}));
    QCOMPARE(p.profile("me-keys")->kind, ProfileKind::AwsAccessKey);
    QCOMPARE(p.profile("me")->kind, ProfileKind::AwsAssumeRole);
    QCOMPARE(envOf(p, "me").sourceProfile, "me-keys");
    QCOMPARE(envOf(p, "me").mfaSerial, "GAHT0001");
    QCOMPARE(envOf(p, "me-keys").mfaSerial, QString()); // the MFA device belongs to the role
    QCOMPARE(envOf(p, "me-keys").region, "eu-west-1");
    QCOMPARE(p.secretNames("me-keys").size(), 2);
    QVERIFY(p.secretNames("me").isEmpty());
    const AwsImportItem *note = find(p, Status::Note, "me");
    QVERIFY(note);
    QVERIFY2(note->message.contains("itself") && note->message.contains("me-keys"),
             qPrintable(note->message));
    checkApplies(p);

    // Naming itself without keys of its own is a loop to botocore.
    const AwsImportPlan loop = plan("[profile me]\nrole_arn = arn:aws:iam::123456789012:role/Me\n"
                                    "source_profile = me\n",
                                    "");
    QVERIFY(loop.profiles.isEmpty());
    QVERIFY2(reasonSkipped(loop, "me").contains("loop"), qPrintable(reasonSkipped(loop, "me")));
}

void tst_AwsImport::keysAndRoleWithAnotherSource()
{
    // botocore: `a` used directly assumes its role with b's keys; a profile naming `a` as
    // its source gets a's own keys.
    const AwsImportPlan p = plan("[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\n"
                                 "source_profile = b\n"
                                 "[profile c]\nrole_arn = arn:aws:iam::123456789012:role/C\n"
                                 "source_profile = a\n",
                                 "[a]\n" + kKeys + "[b]\n" + kKeys);
    QCOMPARE(names(p), (QStringList {"a-keys", "b", "a", "c"}));
    QCOMPARE(envOf(p, "a").sourceProfile, "b");
    QCOMPARE(envOf(p, "c").sourceProfile, "a-keys");
    checkApplies(p);
}

void tst_AwsImport::keysProfileNameTaken()
{
    const AwsImportPlan p = plan("[profile me]\nrole_arn = arn:aws:iam::123456789012:role/Me\n"
                                 "source_profile = me\n",
                                 "[me]\n" + kKeys + "[me-keys]\n" + kKeys);
    QCOMPARE(names(p), QStringList {"me-keys"}); // the AWS profile of that name
    QVERIFY(reasonSkipped(p, "me-keys").contains("another AWS profile"));
    QVERIFY2(reasonSkipped(p, "me").contains("not imported"), qPrintable(reasonSkipped(p, "me")));
    checkApplies(p);
}

void tst_AwsImport::loops()
{
    const AwsImportPlan p = plan("[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\n"
                                 "source_profile = b\n"
                                 "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/B\n"
                                 "source_profile = c\n"
                                 "[profile c]\nrole_arn = arn:aws:iam::123456789012:role/C\n"
                                 "source_profile = b\n"
                                 "[profile d]\nrole_arn = arn:aws:iam::123456789012:role/D\n"
                                 "source_profile = a\n",
                                 "");
    QVERIFY(p.profiles.isEmpty());
    QCOMPARE(reasonSkipped(p, "b"), "source_profile loop: b -> c -> b");
    QCOMPARE(reasonSkipped(p, "c"), "source_profile loop: b -> c -> b");
    QVERIFY2(reasonSkipped(p, "a").contains("its source profile b is not imported"),
             qPrintable(reasonSkipped(p, "a")));
    QVERIFY2(reasonSkipped(p, "d").contains("its source profile a is not imported"),
             qPrintable(reasonSkipped(p, "d")));
}

void tst_AwsImport::unknownSource()
{
    const AwsImportPlan p = plan("[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
                                 "source_profile = nowhere\n",
                                 "");
    QVERIFY(p.profiles.isEmpty());
    QCOMPARE(reasonSkipped(p, "r"), "source_profile \"nowhere\" is not a profile in either file");
    QCOMPARE(find(p, Status::Skipped, "r")->location, "config:2");
}

void tst_AwsImport::unsupported_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QString>("phrase");

    QTest::newRow("sso_start_url") << QByteArray("sso_start_url = https://x.awsapps.com/start\n"
                                                 "sso_account_id = 123456789012\n")
                                   << "IAM Identity Center";
    QTest::newRow("sso_session") << QByteArray("sso_session = corp\n") << "sso_session";
    QTest::newRow("credential_source") << QByteArray("role_arn = arn:aws:iam::123456789012:role/R\n"
                                                     "credential_source = Environment\n")
                                       << "credential_source";
    QTest::newRow("credential_process")
        << QByteArray("credential_process = /bin/creds\n") << "credential_process";
    QTest::newRow("web identity") << QByteArray("role_arn = arn:aws:iam::123456789012:role/R\n"
                                                "web_identity_token_file = /t\n")
                                  << "web_identity_token_file";
    // Keys do not rescue a profile the AWS tools would use another way.
    QTest::newRow("keys and credential_process")
        << QByteArray("credential_process = /bin/creds\n" + kKeys) << "credential_process";
    QTest::newRow("keys and SSO") << QByteArray("sso_session = corp\n" + kKeys) << "sso_session";
}

void tst_AwsImport::unsupported()
{
    QFETCH(QByteArray, config);
    QFETCH(QString, phrase);
    const AwsImportPlan p = plan("[profile x]\n" + config, "");
    QVERIFY(p.profiles.isEmpty());
    QVERIFY(p.secrets.isEmpty());
    QVERIFY2(reasonSkipped(p, "x").contains(phrase), qPrintable(reasonSkipped(p, "x")));
    QCOMPARE(p.count(Status::Skipped), 1);
}

void tst_AwsImport::roleWhoseSourceIsSkipped()
{
    const AwsImportPlan p = plan("[profile sso]\nsso_session = corp\n"
                                 "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
                                 "source_profile = sso\n"
                                 "[sso-session corp]\nsso_region = eu-west-1\n",
                                 "");
    QVERIFY(p.profiles.isEmpty());
    QCOMPARE(reasonSkipped(p, "r"), "its source profile sso is not imported");
    QVERIFY(reasonSkipped(p, "sso-session corp").contains("SSO"));
}

void tst_AwsImport::nameClash()
{
    Config existing;
    existing.profiles = {existingProfile("dev", ProfileKind::OAuth2)};
    existing.currentProfileId = "id-dev";
    const AwsImportPlan p = plan("[profile dev]\nregion = eu-west-1\n",
                                 "[dev]\n" + kKeys + "[new]\n" + kKeys, existing);
    QCOMPARE(names(p), QStringList {"new"});
    QVERIFY2(reasonSkipped(p, "dev").contains("already has a profile named \"dev\""),
             qPrintable(reasonSkipped(p, "dev")));
    QCOMPARE(p.secretNames("dev"), QStringList());
    QVERIFY(!find(p, Status::Warning, "dev"));
    checkApplies(p, existing);
}

void tst_AwsImport::sourceAlreadyInTokenTray()
{
    // A second import: the keys came last time, the role is new.
    Config existing;
    existing.profiles = {existingProfile("base", ProfileKind::AwsAccessKey)};
    const AwsImportPlan p = plan("[profile role]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
                                 "source_profile = base\n",
                                 "[base]\n" + kKeys, existing);
    QCOMPARE(names(p), QStringList {"role"});
    QCOMPARE(envOf(p, "role").sourceProfile, "base");
    QVERIFY(reasonSkipped(p, "base").contains("already has"));
    const AwsImportItem *note = find(p, Status::Note, "role");
    QVERIFY(note);
    QVERIFY(note->message.contains("existing TokenTray profile base"));
    checkApplies(p, existing);
}

void tst_AwsImport::sourceInTokenTrayOfAnotherKind()
{
    Config existing;
    existing.profiles = {existingProfile("base", ProfileKind::StaticToken)};
    const AwsImportPlan p = plan("[profile role]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
                                 "source_profile = base\n",
                                 "[base]\n" + kKeys, existing);
    QVERIFY(p.profiles.isEmpty());
    QVERIFY2(reasonSkipped(p, "role").contains("different kind"),
             qPrintable(reasonSkipped(p, "role")));
}

void tst_AwsImport::nothingToImport()
{
    const AwsImportPlan p
        = plan("[profile regional]\nregion = eu-north-1\noutput = json\n[profile empty]\n", "");
    QVERIFY(p.profiles.isEmpty());
    QCOMPARE(reasonSkipped(p, "regional"),
             "nothing to import: no keys and no role_arn, only region, output");
    QCOMPARE(reasonSkipped(p, "empty"), "nothing to import: the profile has no settings");
}

void tst_AwsImport::invalidNames_data()
{
    QTest::addColumn<QByteArray>("credentials");
    QTest::addColumn<QString>("name");
    QTest::newRow("space") << QByteArray("[my keys]\n") << "my keys";
    QTest::newRow("slash") << QByteArray("[team/dev]\n") << "team/dev";
    QTest::newRow("leading dot") << QByteArray("[.hidden]\n") << ".hidden";
    QTest::newRow("too long") << QByteArray("[" + QByteArray(65, 'a') + "]\n") << QString(65, 'a');
}

void tst_AwsImport::invalidNames()
{
    QFETCH(QByteArray, credentials);
    QFETCH(QString, name);
    const AwsImportPlan p = plan("", credentials + kKeys);
    QVERIFY(p.profiles.isEmpty());
    QVERIFY(p.secrets.isEmpty());
    QVERIFY2(reasonSkipped(p, name).contains("is not allowed"), qPrintable(reasonSkipped(p, name)));
}

void tst_AwsImport::invalidValues_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("role ARN") << QByteArray("role_arn = arn:aws:s3:::bucket") << "role ARN";
    QTest::newRow("duration not a number")
        << QByteArray("duration_seconds = 1h") << "duration_seconds";
    QTest::newRow("duration too short") << QByteArray("duration_seconds = 60") << "900-43200";
    QTest::newRow("session name") << QByteArray("role_session_name = a") << "session name";
    QTest::newRow("space in a value") << QByteArray("external_id = two words") << "spaces";
    QTest::newRow("continued value")
        << QByteArray("mfa_serial = arn:aws:iam::1:mfa/\n  x") << "continues";
}

void tst_AwsImport::invalidValues()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, phrase);
    QByteArray config = "[profile r]\n";
    if (!line.startsWith("role_arn"))
        config += "role_arn = arn:aws:iam::123456789012:role/R\n";
    config += "source_profile = base\n" + line + "\n";
    const AwsImportPlan p = plan(config, "[base]\n" + kKeys);
    QCOMPARE(names(p), QStringList {"base"});
    QVERIFY2(reasonSkipped(p, "r").contains(phrase), qPrintable(reasonSkipped(p, "r")));
    QVERIFY(find(p, Status::Skipped, "r")->location.startsWith("config:"));
}

void tst_AwsImport::invalidRegionIsAWarning()
{
    const AwsImportPlan p = plan("[profile k]\nregion = Europe\n", "[k]\n" + kKeys);
    QCOMPARE(names(p), QStringList {"k"});
    QCOMPARE(envOf(p, "k").region, QString());
    const AwsImportItem *warning = find(p, Status::Warning, "k");
    QVERIFY(warning);
    QVERIFY(warning->message.contains("without a region"));
    QCOMPARE(warning->location, "config:2");
}

void tst_AwsImport::incompleteKeys_data()
{
    QTest::addColumn<QByteArray>("credentials");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no secret") << QByteArray("aws_access_key_id = AKIAEXAMPLE\n")
                               << "it has aws_access_key_id but no aws_secret_access_key";
    QTest::newRow("no id") << QByteArray("aws_secret_access_key = s3cr3tEXAMPLE\n")
                           << "it has aws_secret_access_key but no aws_access_key_id";
    QTest::newRow("empty secret") << QByteArray("aws_access_key_id = AKIAEXAMPLE\n"
                                                "aws_secret_access_key =\n")
                                  << "it has aws_access_key_id but no aws_secret_access_key";
    QTest::newRow("both empty") << QByteArray("aws_access_key_id =\naws_secret_access_key =\n")
                                << "its aws_access_key_id and aws_secret_access_key are empty";
}

void tst_AwsImport::incompleteKeys()
{
    QFETCH(QByteArray, credentials);
    QFETCH(QString, reason);
    const AwsImportPlan p = plan("", "[k]\n" + credentials);
    QVERIFY(p.profiles.isEmpty());
    QCOMPARE(reasonSkipped(p, "k"), reason);
}

void tst_AwsImport::ambiguousDefinitions_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QByteArray>("credentials");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("section twice") << QByteArray() << "[k]\n" + kKeys + "[k]\nregion = x\n"
                                   << "k"
                                   << "more than once in credentials (lines 1, 4)";
    QTest::newRow("[default] and [profile default]")
        << QByteArray("[default]\nregion = eu-west-1\n[profile default]\nregion = eu-west-2\n")
        << "[default]\n" + kKeys << "default"
        << "more than once in config (lines 1, 3)";
    QTest::newRow("key twice") << QByteArray()
                               << "[k]\n" + kKeys + "aws_access_key_id = AKIAOTHER\n"
                               << "k"
                               << "key aws_access_key_id is set more than once";
}

void tst_AwsImport::ambiguousDefinitions()
{
    QFETCH(QByteArray, config);
    QFETCH(QByteArray, credentials);
    QFETCH(QString, name);
    QFETCH(QString, phrase);
    const AwsImportPlan p = plan(config, credentials);
    QVERIFY(p.profiles.isEmpty());
    QVERIFY2(reasonSkipped(p, name).contains(phrase), qPrintable(reasonSkipped(p, name)));
    // The reader reports a repeated section or key itself; [default] and [profile default]
    // are two sections to it.
    QCOMPARE(p.count(Status::Warning),
             QTest::currentDataTag() == QLatin1String("[default] and [profile default]") ? 0 : 1);
}

void tst_AwsImport::sectionsThatAreNotProfiles()
{
    const AwsImportPlan p
        = plan("[dev]\n" + kKeys + "[plugins]\nx = y\n[services corp]\ns3 =\n  endpoint_url = x\n",
               "[profile ci]\n" + kKeys + "[ci]\n" + kKeys);
    QCOMPARE(names(p), QStringList {"ci"}); // only the credentials file's [ci]
    QStringList notes;
    for (const AwsImportItem &item : p.report) {
        if (item.status == Status::Note && item.profile.isEmpty())
            notes << item.location + " " + item.message;
    }
    QCOMPARE(notes.size(), 4);
    QVERIFY2(notes.at(0).startsWith("config:1 section [dev] is not a profile"),
             qPrintable(notes.at(0)));
    QVERIFY(notes.at(0).contains("[profile NAME]"));
    QVERIFY(notes.at(1).startsWith("config:4 section [plugins]"));
    QVERIFY(notes.at(2).startsWith("config:6 section [services corp]"));
    QVERIFY2(notes.at(3).startsWith("credentials:1 section [profile ci] is not read as profile ci"),
             qPrintable(notes.at(3)));
    QVERIFY(notes.at(3).contains("[ci]"));
}

void tst_AwsImport::ignoredSettingsNote()
{
    const AwsImportPlan p = plan("[profile k]\noutput = json\ncli_pager =\nregion = eu-west-1\n"
                                 "s3 =\n  addressing_style = path\n",
                                 "[k]\n" + kKeys);
    const AwsImportItem *note = find(p, Status::Note, "k");
    QVERIFY(note);
    QCOMPARE(note->message, "settings TokenTray does not use: output, cli_pager, s3 (nested)");
    QCOMPARE(note->location, "config:1");
}

void tst_AwsImport::inlineCommentNote()
{
    const AwsImportPlan p = plan("[profile k]\nregion = eu-west-1 # Ireland\n", "[k]\n" + kKeys);
    QCOMPARE(envOf(p, "k").region, "eu-west-1");
    const AwsImportItem *note = find(p, Status::Note, "k");
    QVERIFY(note);
    QVERIFY2(note->message.contains("comment") && note->message.contains("botocore"),
             qPrintable(note->message));
    QCOMPARE(note->location, "config:2");
}

void tst_AwsImport::brokenFile()
{
    const AwsImportPlan p = plan(readData("bad-config"), "");
    QVERIFY(p.profiles.isEmpty());
    QStringList errors;
    for (const AwsImportItem &item : p.report) {
        if (item.status == Status::Error)
            errors << item.location;
    }
    QCOMPARE(errors, (QStringList {"config:1", "config:3", "config:4", "config:9"}));
    QVERIFY(reasonSkipped(p, "default").contains("could not be read"));
    QCOMPARE(find(p, Status::Skipped, "default")->location, "config:3");
    QVERIFY(reasonSkipped(p, "ok").contains("could not be read"));
    QVERIFY(reasonSkipped(p, "twice").contains("lines 10, 12"));
    QVERIFY(reasonSkipped(p, "dupkey").contains("aws_access_key_id is set more than once"));
    QCOMPARE(p.report.first().status, Status::Error); // file problems come first
    for (const AwsImportItem &item : p.report)
        QVERIFY2(!item.message.contains("AKIA"), qPrintable(item.message));
}

void tst_AwsImport::firstImportedBecomesCurrent()
{
    const AwsImportPlan p = plan("", "[a]\n" + kKeys + "[b]\n" + kKeys);
    Config config;
    auto ids = addImportedProfiles(config, p);
    QVERIFY(ids);
    QCOMPARE(config.currentProfileId, ids->value("a"));
    QCOMPARE(config.profileByName("b")->secretIndex,
             (QStringList {"default/aws_access_key_id", "default/aws_secret_access_key"}));

    // Nothing changes when a name is taken meanwhile.
    Config taken;
    taken.profiles = {existingProfile("b", ProfileKind::AwsAccessKey)};
    const Config before = taken;
    QVERIFY(!addImportedProfiles(taken, p));
    QCOMPARE(taken, before);
}

QTEST_GUILESS_MAIN(tst_AwsImport)
#include "tst_awsimport.moc"
