// The per-kind rules shared by the CLI and the manager's forms.
#include "core/model/kindrules.h"
#include "core/model/profile.h"

#include <QTemporaryFile>
#include <QTest>

#include <functional>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::ProfileKind)
Q_DECLARE_METATYPE(TokenTray::Grant)
Q_DECLARE_METATYPE(TokenTray::EnvField)
Q_DECLARE_METATYPE(TokenTray::Requirement)
Q_DECLARE_METATYPE(QList<TokenTray::Requirement>)

using EnvMutation = std::function<void(Environment &)>;
Q_DECLARE_METATYPE(EnvMutation)

class tst_KindRules : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fieldsPerKind_data();
    void fieldsPerKind();
    void everyKindHasCommonFields();
    void validateField_data();
    void validateField();
    void requirements_data();
    void requirements();
    void requiredFieldsMatchRequirements();
    void grants();
    void enterableSecrets_data();
    void enterableSecrets();
    void entriesToRemove();
};

void tst_KindRules::fieldsPerKind_data()
{
    QTest::addColumn<ProfileKind>("kind");
    QTest::addColumn<EnvField>("field");
    QTest::addColumn<bool>("applies");
    QTest::newRow("oauth2 client id") << ProfileKind::OAuth2 << EnvField::ClientId << true;
    QTest::newRow("oauth2 issuer") << ProfileKind::OAuth2 << EnvField::Issuer << true;
    QTest::newRow("oauth2 region") << ProfileKind::OAuth2 << EnvField::Region << false;
    QTest::newRow("oauth2 role") << ProfileKind::OAuth2 << EnvField::RoleArn << false;
    QTest::newRow("role arn") << ProfileKind::AwsAssumeRole << EnvField::RoleArn << true;
    QTest::newRow("role duration") << ProfileKind::AwsAssumeRole << EnvField::Duration << true;
    QTest::newRow("role client id") << ProfileKind::AwsAssumeRole << EnvField::ClientId << false;
    QTest::newRow("keys region") << ProfileKind::AwsAccessKey << EnvField::Region << true;
    QTest::newRow("keys mfa") << ProfileKind::AwsAccessKey << EnvField::MfaSerial << false;
    QTest::newRow("role mfa process") << ProfileKind::AwsAssumeRole << EnvField::MfaProcess << true;
    QTest::newRow("keys role") << ProfileKind::AwsAccessKey << EnvField::RoleArn << false;
    QTest::newRow("keys source") << ProfileKind::AwsAccessKey << EnvField::SourceProfile << false;
    QTest::newRow("static scopes") << ProfileKind::StaticToken << EnvField::Scopes << false;
    QTest::newRow("static api url") << ProfileKind::StaticToken << EnvField::ApiUrl << true;
}

void tst_KindRules::fieldsPerKind()
{
    QFETCH(ProfileKind, kind);
    QFETCH(EnvField, field);
    QFETCH(bool, applies);
    QCOMPARE(fieldAppliesTo(field, kind), applies);
    QCOMPARE(environmentFields(kind).contains(field), applies);
}

void tst_KindRules::everyKindHasCommonFields()
{
    for (ProfileKind kind : {ProfileKind::OAuth2, ProfileKind::AwsAssumeRole,
                             ProfileKind::AwsAccessKey, ProfileKind::StaticToken}) {
        const QList<EnvField> fields = environmentFields(kind);
        QVERIFY(fields.contains(EnvField::Protected));
        QVERIFY(fields.contains(EnvField::ApiUrl));
        QVERIFY(fields.contains(EnvField::CaFile));
        QCOMPARE(QSet<EnvField>(fields.begin(), fields.end()).size(),
                 fields.size()); // no duplicates
    }
}

void tst_KindRules::validateField_data()
{
    QTest::addColumn<EnvField>("field");
    QTest::addColumn<EnvMutation>("mutate");
    QTest::addColumn<QString>("message"); // empty: valid

    QTest::newRow("empty url") << EnvField::TokenUrl << EnvMutation([](Environment &) {})
                               << QString();
    QTest::newRow("https url") << EnvField::TokenUrl << EnvMutation([](Environment &e) {
        e.tokenUrl = QUrl("https://a.example/t");
    }) << QString();
    QTest::newRow("http loopback") << EnvField::Issuer << EnvMutation([](Environment &e) {
        e.issuer = QUrl("http://127.0.0.1:8080");
    }) << QString();
    QTest::newRow("http remote") << EnvField::TokenUrl << EnvMutation([](Environment &e) {
        e.tokenUrl = QUrl("http://a.example/t");
    }) << "token URL \"http://a.example/t\" uses plain http";
    QTest::newRow("relative url") << EnvField::ApiUrl
                                  << EnvMutation([](Environment &e) { e.apiUrl = QUrl("api/v1"); })
                                  << "API URL \"api/v1\" is not an absolute URL";
    QTest::newRow("sts ftp") << EnvField::StsEndpoint << EnvMutation([](Environment &e) {
        e.stsEndpoint = QUrl("ftp://sts.example");
    }) << "must use https";
    QTest::newRow("good arn") << EnvField::RoleArn << EnvMutation([](Environment &e) {
        e.roleArn = "arn:aws:iam::123456789012:role/A";
    }) << QString();
    QTest::newRow("bad arn") << EnvField::RoleArn << EnvMutation([](Environment &e) {
        e.roleArn = "arn:aws:iam::12:role/A";
    }) << "role ARN \"arn:aws:iam::12:role/A\" is not of the form";
    QTest::newRow("bad region") << EnvField::Region
                                << EnvMutation([](Environment &e) { e.region = "Frankfurt"; })
                                << "is not a region name";
    QTest::newRow("short duration")
        << EnvField::Duration << EnvMutation([](Environment &e) { e.durationSeconds = 60; })
        << "duration 60 s is outside 900-43200 s";
    QTest::newRow("default duration")
        << EnvField::Duration << EnvMutation([](Environment &e) { e.durationSeconds = 0; })
        << QString();
    QTest::newRow("bad session name")
        << EnvField::SessionName << EnvMutation([](Environment &e) { e.sessionName = "a b"; })
        << "session name \"a b\"";
    QTest::newRow("bad client auth")
        << EnvField::ClientAuth << EnvMutation([](Environment &e) { e.clientAuth = "jwt"; })
        << "client auth must be basic or post";
    QTest::newRow("missing ca file")
        << EnvField::CaFile << EnvMutation([](Environment &e) { e.caFile = "/nonexistent/ca.pem"; })
        << "CA file /nonexistent/ca.pem is not a readable file";
    QTest::newRow("ca file is a dir")
        << EnvField::CaFile << EnvMutation([](Environment &e) { e.caFile = "/tmp"; })
        << "is not a readable file";
}

void tst_KindRules::validateField()
{
    QFETCH(EnvField, field);
    QFETCH(EnvMutation, mutate);
    QFETCH(QString, message);
    Environment env;
    env.name = "QA";
    mutate(env);
    const auto r = TokenTray::validateField(field, env);
    if (message.isEmpty()) {
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
    } else {
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Invalid);
        QVERIFY2(r.error().detail.contains(message), qPrintable(r.error().detail));
    }
}

void tst_KindRules::requirements_data()
{
    QTest::addColumn<ProfileKind>("kind");
    QTest::addColumn<Grant>("grant");
    QTest::addColumn<EnvMutation>("mutate");
    QTest::addColumn<QList<Requirement>>("unmet");

    const EnvMutation none = [](Environment &) {
    };
    QTest::newRow("oauth2 empty") << ProfileKind::OAuth2 << Grant::ClientCredentials << none
                                  << QList<Requirement> {Requirement::TokenUrlOrIssuer,
                                                         Requirement::ClientId};
    QTest::newRow("oauth2 complete")
        << ProfileKind::OAuth2 << Grant::ClientCredentials << EnvMutation([](Environment &e) {
               e.tokenUrl = QUrl("https://a/t");
               e.clientId = "c";
           })
        << QList<Requirement> {};
    QTest::newRow("oauth2 issuer is enough")
        << ProfileKind::OAuth2 << Grant::ClientCredentials << EnvMutation([](Environment &e) {
               e.issuer = QUrl("https://a");
               e.clientId = "c";
           })
        << QList<Requirement> {};
    QTest::newRow("refresh grant needs no client id")
        << ProfileKind::OAuth2 << Grant::RefreshToken
        << EnvMutation([](Environment &e) { e.tokenUrl = QUrl("https://a/t"); })
        << QList<Requirement> {};
    QTest::newRow("device grant needs device url")
        << ProfileKind::OAuth2 << Grant::DeviceCode << EnvMutation([](Environment &e) {
               e.tokenUrl = QUrl("https://a/t");
               e.clientId = "c";
           })
        << QList<Requirement> {Requirement::DeviceUrlOrIssuer};
    QTest::newRow("device grant with issuer")
        << ProfileKind::OAuth2 << Grant::DeviceCode << EnvMutation([](Environment &e) {
               e.issuer = QUrl("https://a");
               e.clientId = "c";
           })
        << QList<Requirement> {};
    QTest::newRow("role empty") << ProfileKind::AwsAssumeRole << Grant::None << none
                                << QList<Requirement> {Requirement::RoleArn,
                                                       Requirement::SourceProfile};
    QTest::newRow("role without source")
        << ProfileKind::AwsAssumeRole << Grant::None
        << EnvMutation([](Environment &e) { e.roleArn = "arn:aws:iam::123456789012:role/A"; })
        << QList<Requirement> {Requirement::SourceProfile};
    QTest::newRow("access keys need nothing")
        << ProfileKind::AwsAccessKey << Grant::None << none << QList<Requirement> {};
    QTest::newRow("static token needs nothing")
        << ProfileKind::StaticToken << Grant::None << none << QList<Requirement> {};
}

void tst_KindRules::requirements()
{
    QFETCH(ProfileKind, kind);
    QFETCH(Grant, grant);
    QFETCH(EnvMutation, mutate);
    QFETCH(QList<Requirement>, unmet);
    Environment env;
    env.name = "QA";
    mutate(env);
    QCOMPARE(unmetRequirements(kind, grant, env), unmet);
    for (Requirement r : unmet)
        QVERIFY(fieldAppliesTo(requirementField(r), kind));
}

void tst_KindRules::requiredFieldsMatchRequirements()
{
    // A field marked required is one whose requirement an empty environment does not meet.
    for (ProfileKind kind : {ProfileKind::OAuth2, ProfileKind::AwsAssumeRole,
                             ProfileKind::AwsAccessKey, ProfileKind::StaticToken}) {
        for (Grant grant :
             {Grant::None, Grant::ClientCredentials, Grant::RefreshToken, Grant::DeviceCode}) {
            if (kindUsesGrant(kind) == (grant == Grant::None))
                continue;
            const QList<Requirement> unmet = unmetRequirements(kind, grant, Environment());
            for (EnvField field : environmentFields(kind)) {
                if (isRequiredField(field, kind, grant)) {
                    bool found = false;
                    for (Requirement r : unmet)
                        found = found || requirementField(r) == field;
                    QVERIFY(found);
                }
            }
        }
    }
}

void tst_KindRules::grants()
{
    QVERIFY(kindUsesGrant(ProfileKind::OAuth2));
    QVERIFY(!kindUsesGrant(ProfileKind::AwsAccessKey));
    QCOMPARE(defaultGrant(ProfileKind::OAuth2), Grant::ClientCredentials);
    QCOMPARE(defaultGrant(ProfileKind::StaticToken), Grant::None);
    QCOMPARE(defaultGrant(ProfileKind::AwsAssumeRole), Grant::None);
}

void tst_KindRules::enterableSecrets_data()
{
    QTest::addColumn<ProfileKind>("kind");
    QTest::addColumn<Grant>("grant");
    QTest::addColumn<QStringList>("names");
    QTest::newRow("client credentials")
        << ProfileKind::OAuth2 << Grant::ClientCredentials << QStringList {"client_secret"};
    QTest::newRow("refresh token") << ProfileKind::OAuth2 << Grant::RefreshToken
                                   << QStringList {"client_secret", "refresh_token"};
    QTest::newRow("device code") << ProfileKind::OAuth2 << Grant::DeviceCode
                                 << QStringList {"client_secret"};
    QTest::newRow("access keys") << ProfileKind::AwsAccessKey << Grant::None
                                 << QStringList {"aws_access_key_id", "aws_secret_access_key"};
    QTest::newRow("static") << ProfileKind::StaticToken << Grant::None << QStringList {"token"};
    QTest::newRow("assume role") << ProfileKind::AwsAssumeRole << Grant::None << QStringList {};
}

void tst_KindRules::enterableSecrets()
{
    QFETCH(ProfileKind, kind);
    QFETCH(Grant, grant);
    QFETCH(QStringList, names);
    QCOMPARE(enterableSecretNames(kind, grant), names);
    // Only names `secret set` accepts, and every required one can be typed in.
    for (const QString &name : names)
        QVERIFY(secretNamesFor(kind).contains(name));
    for (const QString &name : requiredSecretNames(kind, grant))
        QVERIFY(names.contains(name));
}

void tst_KindRules::entriesToRemove()
{
    Profile p;
    p.id = "id";
    p.name = "work";
    p.kind = ProfileKind::OAuth2;
    Environment qa;
    qa.name = "QA";
    Environment prod;
    prod.name = "PROD";
    p.environments = {qa, prod};
    // "OLD/..." belongs to an environment removed meanwhile; it still goes with the profile.
    p.secretIndex = {"QA/client_secret", "OLD/client_secret", "QA/extra"};

    QCOMPARE(secretEntriesToRemove(p),
             (QStringList {"QA/client_secret", "OLD/client_secret", "QA/extra", "QA/refresh_token",
                           "QA/token_cache", "PROD/client_secret", "PROD/refresh_token",
                           "PROD/token_cache"}));
    QCOMPARE(secretEntriesToRemove(p, "QA"),
             (QStringList {"QA/client_secret", "QA/extra", "QA/refresh_token", "QA/token_cache"}));
    QCOMPARE(secretEntriesToRemove(p, "PROD"),
             (QStringList {"PROD/client_secret", "PROD/refresh_token", "PROD/token_cache"}));
    // "QA2/…" is not QA's.
    p.secretIndex = {"QA2/token"};
    QVERIFY(!secretEntriesToRemove(p, "QA").contains("QA2/token"));
}

QTEST_GUILESS_MAIN(tst_KindRules)
#include "tst_kindrules.moc"
