// The manager's config edits: each keeps the config valid, or leaves it untouched with an error.
#include "core/model/configedits.h"
#include "core/model/validation.h"

#include <QTest>

using namespace TokenTray;

namespace {

Environment oauthEnv(const QString &name)
{
    Environment e;
    e.name = name;
    e.tokenUrl = QUrl("https://login.example.com/token");
    e.clientId = "client";
    return e;
}

// work (oauth2: QA, PROD), keys (aws-access-key: default), role (aws-assume-role from keys).
Config sample()
{
    Config c;
    Profile work;
    work.id = "id-work";
    work.name = "work";
    work.grant = Grant::ClientCredentials;
    work.environments = {oauthEnv("QA"), oauthEnv("PROD")};
    work.activeEnvironment = "QA";
    work.secretIndex = {"QA/client_secret"};
    Profile keys;
    keys.id = "id-keys";
    keys.name = "keys";
    keys.kind = ProfileKind::AwsAccessKey;
    Environment def;
    def.name = "default";
    keys.environments = {def};
    keys.activeEnvironment = "default";
    Profile role;
    role.id = "id-role";
    role.name = "role";
    role.kind = ProfileKind::AwsAssumeRole;
    Environment r;
    r.name = "PROD";
    r.roleArn = "arn:aws:iam::123456789012:role/Admin";
    r.sourceProfile = "keys";
    role.environments = {r};
    role.activeEnvironment = "PROD";
    c.profiles = {work, keys, role};
    c.currentProfileId = "id-work";
    return c;
}

} // namespace

class tst_ConfigEdits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sampleIsValid();
    void copyName_data();
    void copyName();
    void addProfile();
    void addProfileRefusals();
    void editProfileRenamesReferences();
    void editProfileRefusals();
    void duplicateProfile();
    void removeProfile();
    void environments();
    void environmentRefusals();
    void secretIndex();
};

void tst_ConfigEdits::sampleIsValid()
{
    const auto r = validateConfig(sample());
    QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
}

void tst_ConfigEdits::copyName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("taken");
    QTest::addColumn<QString>("copy");
    QTest::newRow("first") << "work" << QStringList {"work"} << "work-copy";
    QTest::newRow("second") << "work" << QStringList {"work", "work-copy"} << "work-copy2";
    QTest::newRow("third") << "work" << QStringList {"work-copy", "work-copy2"} << "work-copy3";
    const QString longName(64, QLatin1Char('a'));
    QTest::newRow("long") << longName << QStringList {longName}
                          << QString(59, QLatin1Char('a')) + "-copy";
}

void tst_ConfigEdits::copyName()
{
    QFETCH(QString, name);
    QFETCH(QStringList, taken);
    QFETCH(QString, copy);
    QCOMPARE(TokenTray::copyName(name, taken), copy);
    QVERIFY(validateName("profile", copy));
}

void tst_ConfigEdits::addProfile()
{
    Config c;
    Profile p;
    p.name = "api";
    auto id = TokenTray::addProfile(c, p);
    QVERIFY(id);
    QVERIFY(!id->isEmpty());
    QCOMPARE(c.profiles.size(), 1);
    QCOMPARE(c.currentProfileId, *id); // the first one becomes current
    QCOMPARE(c.profiles.first().grant, Grant::ClientCredentials);

    Profile token;
    token.name = "pat";
    token.kind = ProfileKind::StaticToken;
    token.grant = Grant::DeviceCode; // ignored: not oauth2
    auto second = TokenTray::addProfile(c, token);
    QVERIFY(second);
    QCOMPARE(c.currentProfileId, *id);
    QCOMPARE(c.profileById(*second)->grant, Grant::None);
    QVERIFY(validateConfig(c));
}

void tst_ConfigEdits::addProfileRefusals()
{
    Config c = sample();
    const Config before = c;
    Profile p;
    p.name = "work";
    auto r = TokenTray::addProfile(c, p);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::AlreadyExists);
    p.name = "bad name";
    r = TokenTray::addProfile(c, p);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Invalid);
    p.name = "";
    QVERIFY(!TokenTray::addProfile(c, p));
    QVERIFY(c == before);

    QVERIFY(checkProfileName(c, "work", "id-work")); // its own name
    QCOMPARE(checkProfileName(c, "work", "id-keys").error().code, ErrorCode::AlreadyExists);
}

void tst_ConfigEdits::editProfileRenamesReferences()
{
    Config c = sample();
    QVERIFY(editProfile(c, "id-keys", "aws-keys", ProfileKind::AwsAccessKey, Grant::None,
                        RefreshPolicy::Eager));
    QCOMPARE(c.profileById("id-keys")->name, QString("aws-keys"));
    QCOMPARE(c.profileById("id-keys")->refresh, RefreshPolicy::Eager);
    QCOMPARE(c.profileById("id-role")->environments.first().sourceProfile, QString("aws-keys"));
    QVERIFY(validateConfig(c));

    QVERIFY(editProfile(c, "id-work", "work", ProfileKind::OAuth2, Grant::RefreshToken,
                        RefreshPolicy::Deferred));
    QCOMPARE(c.profileById("id-work")->grant, Grant::RefreshToken);
}

void tst_ConfigEdits::editProfileRefusals()
{
    Config c = sample();
    const Config before = c;
    QCOMPARE(editProfile(c, "id-work", "keys", ProfileKind::OAuth2, Grant::ClientCredentials,
                         RefreshPolicy::Deferred)
                 .error()
                 .code,
             ErrorCode::AlreadyExists);
    QCOMPARE(editProfile(c, "id-work", "work", ProfileKind::StaticToken, Grant::None,
                         RefreshPolicy::Deferred)
                 .error()
                 .code,
             ErrorCode::Usage); // it has environments
    // device_code needs a device URL or issuer the environments lack.
    QCOMPARE(editProfile(c, "id-work", "work", ProfileKind::OAuth2, Grant::DeviceCode,
                         RefreshPolicy::Deferred)
                 .error()
                 .code,
             ErrorCode::Invalid);
    QCOMPARE(
        editProfile(c, "nope", "x", ProfileKind::OAuth2, Grant::DeviceCode, RefreshPolicy::Deferred)
            .error()
            .code,
        ErrorCode::NotFound);
    QVERIFY(c == before);

    // Without environments the kind may change.
    Profile empty;
    empty.name = "empty";
    auto id = TokenTray::addProfile(c, empty);
    QVERIFY(id);
    QVERIFY(editProfile(c, *id, "empty", ProfileKind::StaticToken, Grant::ClientCredentials,
                        RefreshPolicy::Deferred));
    QCOMPARE(c.profileById(*id)->grant, Grant::None);
}

void tst_ConfigEdits::duplicateProfile()
{
    Config c = sample();
    auto id = TokenTray::duplicateProfile(c, "id-work");
    QVERIFY(id);
    const Profile *copy = c.profileById(*id);
    QVERIFY(copy);
    QCOMPARE(copy->name, QString("work-copy"));
    QVERIFY(copy->id != "id-work");
    QCOMPARE(copy->environmentNames(), (QStringList {"QA", "PROD"}));
    QVERIFY(copy->secretIndex.isEmpty()); // secrets are not copied
    QCOMPARE(c.currentProfileId, QString("id-work"));
    QVERIFY(validateConfig(c));
    auto again = TokenTray::duplicateProfile(c, "id-work");
    QCOMPARE(c.profileById(*again)->name, QString("work-copy2"));
}

void tst_ConfigEdits::removeProfile()
{
    Config c = sample();
    const Config before = c;
    auto r = TokenTray::removeProfile(c, "id-keys");
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Usage);
    QCOMPARE(r.error().detail,
             QString("profile \"keys\" is the source of role; change or remove those first"));
    QVERIFY(c == before);

    QVERIFY(TokenTray::removeProfile(c, "id-work"));
    QCOMPARE(c.currentProfileId,
             QString("id-keys")); // the current one went: the first one is current
    QVERIFY(TokenTray::removeProfile(c, "id-role"));
    QVERIFY(TokenTray::removeProfile(c, "id-keys"));
    QVERIFY(c.currentProfileId.isEmpty());
    QCOMPARE(TokenTray::removeProfile(c, "id-keys").error().code, ErrorCode::NotFound);
}

void tst_ConfigEdits::environments()
{
    Config c;
    Profile p;
    p.name = "api";
    const QString id = *TokenTray::addProfile(c, p);
    QVERIFY(addEnvironment(c, id, oauthEnv("DEV")));
    QCOMPARE(c.profileById(id)->activeEnvironment, QString("DEV")); // the first is active
    QVERIFY(addEnvironment(c, id, oauthEnv("QA")));
    QCOMPARE(c.profileById(id)->activeEnvironment, QString("DEV"));

    Environment qa = oauthEnv("QA");
    qa.isProtected = true;
    qa.scopes = {"read"};
    QVERIFY(editEnvironment(c, id, qa));
    QCOMPARE(*c.profileById(id)->environment("QA"), qa);

    auto copy = duplicateEnvironment(c, id, "QA");
    QVERIFY(copy);
    QCOMPARE(*copy, QString("QA-copy"));
    QCOMPARE(c.profileById(id)->environment("QA-copy")->scopes, QStringList {"read"});

    QVERIFY(removeEnvironment(c, id, "DEV"));
    QCOMPARE(c.profileById(id)->activeEnvironment, QString("QA")); // moved to the first left
    QVERIFY(validateConfig(c));
}

void tst_ConfigEdits::environmentRefusals()
{
    Config c = sample();
    const Config before = c;
    QCOMPARE(addEnvironment(c, "id-work", oauthEnv("QA")).error().code, ErrorCode::AlreadyExists);
    QCOMPARE(addEnvironment(c, "id-work", oauthEnv("bad name")).error().code, ErrorCode::Invalid);
    Environment incomplete;
    incomplete.name = "DEV";
    QCOMPARE(addEnvironment(c, "id-work", incomplete).error().code, ErrorCode::Invalid);
    Environment plainHttp = oauthEnv("DEV");
    plainHttp.tokenUrl = QUrl("http://login.example.com/token");
    QCOMPARE(addEnvironment(c, "id-work", plainHttp).error().code, ErrorCode::Invalid);
    Environment selfSourced;
    selfSourced.name = "QA";
    selfSourced.roleArn = "arn:aws:iam::123456789012:role/Admin";
    selfSourced.sourceProfile = "role";
    QCOMPARE(addEnvironment(c, "id-role", selfSourced).error().code, ErrorCode::Invalid);
    QCOMPARE(editEnvironment(c, "id-work", oauthEnv("DEV")).error().code, ErrorCode::NotFound);
    QCOMPARE(removeEnvironment(c, "id-work", "DEV").error().code, ErrorCode::NotFound);
    QCOMPARE(addEnvironment(c, "nope", oauthEnv("DEV")).error().code, ErrorCode::NotFound);
    QVERIFY(c == before);
}

void tst_ConfigEdits::secretIndex()
{
    Config c = sample();
    QVERIFY(indexSecrets(c, "id-work", {"QA/client_secret", "PROD/client_secret"}));
    QCOMPARE(c.profileById("id-work")->secretIndex,
             (QStringList {"QA/client_secret", "PROD/client_secret"}));
    unindexSecrets(c, "id-work", {"QA/client_secret", "QA/token_cache"});
    QCOMPARE(c.profileById("id-work")->secretIndex, QStringList {"PROD/client_secret"});
    QCOMPARE(indexSecrets(c, "nope", {"x/y"}).error().code, ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(tst_ConfigEdits)
#include "tst_configedits.moc"
