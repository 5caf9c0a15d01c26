// `status` without a keychain or a process: buildStatus() over given keychain answers, and its
// text and JSON renderings.
#include "core/cli/statusreport.h"
#include "core/model/config.h"
#include "core/model/credential.h"
#include "core/model/profile.h"

#include <QJsonArray>
#include <QTest>
#include <QTimeZone>

using namespace TokenTray;

namespace {

const QDateTime kNow = QDateTime(QDate(2026, 3, 1), QTime(12, 0), QTimeZone::utc());

Config oneProfile()
{
    Profile p;
    p.id = QStringLiteral("id-ci");
    p.name = QStringLiteral("ci");
    p.kind = ProfileKind::StaticToken;
    p.activeEnvironment = QStringLiteral("dev");
    p.secretIndex = {QStringLiteral("dev/extra")};
    Environment dev;
    dev.name = QStringLiteral("dev");
    dev.isProtected = true;
    Environment test;
    test.name = QStringLiteral("test");
    p.environments = {dev, test};
    Config config;
    config.profiles = {p};
    config.currentProfileId = p.id;
    return config;
}

Result<Secret> cacheExpiringIn(qint64 seconds)
{
    Credential c;
    c.accessToken = Secret::fromUtf8(QStringLiteral("at"));
    c.tokenType = QStringLiteral("Bearer");
    c.issuedAt = kNow.addSecs(-3600);
    c.expiresAt = kNow.addSecs(seconds);
    return Secret(c.toCacheBytes());
}

// Every read present, except as `answer` says for (environment, secret name).
QList<Result<Secret>>
answers(const QList<StatusSecretRead> &reads,
        const std::function<std::optional<Result<Secret>>(const StatusSecretRead &)> &answer)
{
    QList<Result<Secret>> results;
    for (const StatusSecretRead &read : reads) {
        const auto special = answer(read);
        results << (special ? *special : Result<Secret>(Secret::fromUtf8(QStringLiteral("s"))));
    }
    return results;
}

Result<Secret> failure(ErrorCode code)
{
    return Result<Secret>(Error {code});
}

} // namespace

class TestStatusReport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsRequiredIndexedAndCache();
    void reportsSecretsAndCachedToken();
    void rendersTextAndJson();
    void lockedKeychainIsReported();
    void liveTokenOverridesTheCache();
    void emptyConfig();
};

void TestStatusReport::readsRequiredIndexedAndCache()
{
    const QList<StatusSecretRead> reads = statusSecretReads(oneProfile());
    QStringList seen;
    for (const StatusSecretRead &r : reads) {
        QCOMPARE(r.profileId, QStringLiteral("id-ci"));
        seen << r.environment + QLatin1Char('/') + r.secretName;
    }
    QCOMPARE(seen,
             (QStringList {QStringLiteral("dev/token"), QStringLiteral("dev/extra"),
                           QStringLiteral("dev/token_cache"), QStringLiteral("test/token"),
                           QStringLiteral("test/token_cache")}));
}

void TestStatusReport::reportsSecretsAndCachedToken()
{
    const Config config = oneProfile();
    const auto reads = statusSecretReads(config);
    const auto results
        = answers(reads, [](const StatusSecretRead &r) -> std::optional<Result<Secret>> {
              if (r.secretName == QLatin1String("extra"))
                  return failure(ErrorCode::SecretNotFound);
              if (r.secretName == QLatin1String("token_cache"))
                  return r.environment == QLatin1String("dev") ? cacheExpiringIn(3 * 3600)
                                                               : failure(ErrorCode::SecretNotFound);
              return std::nullopt;
          });
    const StatusReport report = buildStatus(config, reads, results, kNow);
    QVERIFY(!report.keychainError);
    QCOMPARE(report.keychain(), QStringLiteral("available"));
    QCOMPARE(report.profiles.size(), 1);
    const StatusProfile &p = report.profiles.first();
    QVERIFY(p.current);
    QCOMPARE(p.environments.size(), 2);
    const StatusEnvironment &dev = p.environments.at(0);
    QVERIFY(dev.active);
    QVERIFY(dev.isProtected);
    QCOMPARE(dev.state, TokenState::Fresh);
    QCOMPARE(dev.expiresAt, kNow.addSecs(3 * 3600));
    QCOMPARE(dev.secrets.size(), 2);
    QCOMPARE(dev.secrets.at(0).state, QStringLiteral("present"));
    QCOMPARE(dev.secrets.at(1).name, QStringLiteral("extra"));
    QCOMPARE(dev.secrets.at(1).state, QStringLiteral("missing"));
    const StatusEnvironment &test = p.environments.at(1);
    QVERIFY(!test.active);
    QCOMPARE(test.state, TokenState::None);
    QVERIFY(!test.expiresAt.isValid());
}

void TestStatusReport::rendersTextAndJson()
{
    const Config config = oneProfile();
    const auto reads = statusSecretReads(config);
    const auto results
        = answers(reads, [](const StatusSecretRead &r) -> std::optional<Result<Secret>> {
              if (r.secretName == QLatin1String("token_cache"))
                  return r.environment == QLatin1String("dev") ? cacheExpiringIn(3 * 3600 + 300)
                                                               : cacheExpiringIn(-90);
              return std::nullopt;
          });
    const StatusReport report = buildStatus(config, reads, results, kNow);
    const QStringList lines = statusText(report).split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 4); // two environments, the legend, the empty rest after the last \n
    QVERIFY2(lines.at(0).startsWith(QStringLiteral("* ci/dev ")), qPrintable(lines.at(0)));
    QVERIFY(lines.at(0).contains(QStringLiteral("static-token")));
    QVERIFY(lines.at(0).contains(QStringLiteral("fresh, expires in 3 h 5 min")));
    QVERIFY(lines.at(0).contains(QStringLiteral("token: present, extra: present")));
    QVERIFY(lines.at(0).endsWith(QStringLiteral("  [protected]")));
    QVERIFY2(lines.at(1).startsWith(QStringLiteral("  ci/test ")), qPrintable(lines.at(1)));
    QVERIFY(lines.at(1).contains(QStringLiteral("expired, expired 90 s ago")));
    QCOMPARE(lines.at(2),
             QStringLiteral("(* current profile's active environment, + active environment)"));

    const QJsonObject json = statusJson(report);
    QCOMPARE(json.value(QStringLiteral("keychain")).toString(), QStringLiteral("available"));
    const QJsonObject p = json.value(QStringLiteral("profiles")).toArray().at(0).toObject();
    QCOMPARE(p.value(QStringLiteral("name")).toString(), QStringLiteral("ci"));
    QCOMPARE(p.value(QStringLiteral("kind")).toString(), QStringLiteral("static-token"));
    QCOMPARE(p.value(QStringLiteral("current")).toBool(), true);
    QCOMPARE(p.value(QStringLiteral("activeEnvironment")).toString(), QStringLiteral("dev"));
    const QJsonObject dev = p.value(QStringLiteral("environments")).toArray().at(0).toObject();
    QCOMPARE(dev.value(QStringLiteral("state")).toString(), QStringLiteral("fresh"));
    QCOMPARE(dev.value(QStringLiteral("protected")).toBool(), true);
    QCOMPARE(dev.value(QStringLiteral("expiresAt")).toString(),
             QStringLiteral("2026-03-01T15:05:00Z"));
    QCOMPARE(
        dev.value(QStringLiteral("secrets")).toObject().value(QStringLiteral("extra")).toString(),
        QStringLiteral("present"));
}

void TestStatusReport::lockedKeychainIsReported()
{
    const Config config = oneProfile();
    const auto reads = statusSecretReads(config);
    const auto results
        = answers(reads, [](const StatusSecretRead &) -> std::optional<Result<Secret>> {
              return failure(ErrorCode::KeychainLocked);
          });
    const StatusReport report = buildStatus(config, reads, results, kNow);
    QVERIFY(report.keychainError);
    QCOMPARE(report.keychainError->code, ErrorCode::KeychainLocked);
    QCOMPARE(report.keychain(), QStringLiteral("locked"));
    const StatusEnvironment &dev = report.profiles.first().environments.first();
    QCOMPARE(dev.state, TokenState::Locked);
    QCOMPARE(dev.secrets.first().state, QStringLiteral("locked"));
    QCOMPARE(statusJson(report).value(QStringLiteral("keychain")).toString(),
             QStringLiteral("locked"));
}

void TestStatusReport::liveTokenOverridesTheCache()
{
    const Config config = oneProfile();
    const auto reads = statusSecretReads(config);
    const auto results
        = answers(reads, [](const StatusSecretRead &r) -> std::optional<Result<Secret>> {
              if (r.secretName == QLatin1String("token_cache"))
                  return cacheExpiringIn(3 * 3600);
              return std::nullopt;
          });
    const LiveTokenLookup live
        = [](const QString &profileId, const QString &env) -> std::optional<LiveToken> {
        if (profileId == QLatin1String("id-ci") && env == QLatin1String("dev"))
            return LiveToken {TokenState::Refreshing, {}};
        return std::nullopt;
    };
    const StatusReport report = buildStatus(config, reads, results, kNow, live);
    const StatusEnvironment &dev = report.profiles.first().environments.at(0);
    QCOMPARE(dev.state, TokenState::Refreshing);
    QVERIFY(!dev.expiresAt.isValid());
    const StatusEnvironment &test = report.profiles.first().environments.at(1);
    QCOMPARE(test.state, TokenState::Fresh); // the engine holds nothing: the cache speaks
}

void TestStatusReport::emptyConfig()
{
    const StatusReport report = buildStatus(Config {}, {}, {}, kNow);
    QCOMPARE(statusText(report),
             QStringLiteral(
                 "No profiles yet. Add one with: tokentray-cli profile add NAME --kind oauth2\n"));
    const QJsonObject json = statusJson(report);
    QCOMPARE(json.value(QStringLiteral("keychain")).toString(), QStringLiteral("available"));
    QVERIFY(json.value(QStringLiteral("profiles")).toArray().isEmpty());
}

QTEST_GUILESS_MAIN(TestStatusReport)
#include "tst_statusreport.moc"
