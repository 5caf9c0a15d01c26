// tokentray-cli token, login, logout and status end to end: the real binary against a real
// tokentray-test-authority process (tests/support/fakeauthority), the real Secret Service of the
// test desktop session (scripts/desktop-session) and a fresh config dir per test.
#include "tests/support/clitest.h"
#include "tests/support/testenv.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <algorithm>
#include <memory>
#include <vector>

using TestEnv::describe;
using TestEnv::ProcessResult;
using TestEnv::words;

namespace {

const QString kService = QStringLiteral("tokentray");
const QString kEnv = QStringLiteral("DEV");
const QByteArray kClientSecret = "demo-secret"; // what tokentray-test-authority accepts
const QRegularExpression kAccessToken(QStringLiteral("^at-\\d+-\\d+$"));

// The access token `token` printed: exactly one line, nothing else.
QByteArray printedToken(const ProcessResult &r)
{
    if (!r.out.endsWith('\n') || r.out.count('\n') != 1)
        return QByteArray();
    return r.out.chopped(1);
}

} // namespace

class TestCliTokens final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void clientCredentials_data();
    void clientCredentials();
    void restartReusesCachedToken();
    void minValidForcesRefresh();
    void concurrentProcessesShareOneRequest();
    void wrongClientSecret();
    void missingClientSecret();
    void authorityDown();
    void deviceLogin();
    void deviceLoginDenied();
    void loginWaitDoesNotBlockOtherCommands();
    void refreshTokenRotation();
    void logoutRevokes();
    void logoutClientCredentials();
    void status();
    void secretsNeverPrinted();
    void keychainLocked();

private:
    // The authority: started per test, killed in cleanup().
    bool startAuthority(const QStringList &args = {});
    void stopAuthority();
    QJsonObject get(const QString &pathAndQuery);
    int tokenRequests()
    {
        return get(QStringLiteral("/stats")).value(QLatin1String("token_requests")).toInt(-1);
    }
    // RFC 7662 at the authority, as the client: is this token still good?
    bool isActive(const QByteArray &token);

    ProcessResult cli(const QStringList &args, const QByteArray &input = {},
                      const QProcessEnvironment &env = {}, int timeoutMs = 30000);
    bool ok(const ProcessResult &r) const;
    bool addClientCredentialsProfile(const QString &name, bool viaIssuer, const QString &auth,
                                     const QByteArray &secret = kClientSecret);
    bool addDeviceProfile(const QString &name, bool withSecret = false);
    bool login(const QString &name, ProcessResult *result = nullptr);
    // `login NAME` in the background, until it shows the user code ("" if it never does).
    QString startLogin(QProcess *process, const QString &name, QByteArray *err);
    ProcessResult finishLogin(QProcess *process, const QByteArray &errSoFar);
    QString profileId(const QString &name);
    QJsonObject profileJson(const QString &name);
    QJsonObject statusOf(const QString &name, ProcessResult *result = nullptr);
    QByteArray keychainItem(const QString &profile, const char *name);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_authority;
    QString m_issuer;
    QNetworkAccessManager m_nam;
    bool m_keyringLocked = false;
    QMap<QString, QList<qint64>> m_timings; // command -> elapsed ms of each run
};

// ---- helpers -------------------------------------------------------------------------------

bool TestCliTokens::startAuthority(const QStringList &args)
{
    // The authority asks for a 0.1 s device-code poll interval (RFC 8628 allows any), so a
    // login takes a fraction of a second without anything in the CLI made for tests.
    m_authority = TestEnv::startServer(
        QStringLiteral("tokentray-test-authority"),
        QStringList {QStringLiteral("--interval"), QStringLiteral("0.1")} + args, &m_issuer);
    return m_authority != nullptr;
}

void TestCliTokens::stopAuthority()
{
    TestEnv::stopServer(m_authority);
}

QJsonObject TestCliTokens::get(const QString &pathAndQuery)
{
    QNetworkReply *reply = m_nam.get(QNetworkRequest(QUrl(m_issuer + pathAndQuery)));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(5000))
        qWarning().noquote() << "no answer from" << pathAndQuery;
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return o;
}

bool TestCliTokens::isActive(const QByteArray &token)
{
    QNetworkRequest request(QUrl(m_issuer + QStringLiteral("/introspect")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded");
    request.setRawHeader("Authorization",
                         "Basic " + QByteArray("demo-client:" + kClientSecret).toBase64());
    QNetworkReply *reply
        = m_nam.post(request, "token=" + QUrl::toPercentEncoding(QString::fromUtf8(token)));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(5000))
        qWarning() << "no answer from /introspect";
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return o.value(QLatin1String("active")).toBool();
}

ProcessResult TestCliTokens::cli(const QStringList &args, const QByteArray &input,
                                 const QProcessEnvironment &env, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    const ProcessResult r = TestEnv::run(
        TestEnv::binary(QStringLiteral("tokentray-cli")),
        QStringList {QStringLiteral("--config-dir"), m_dir->path()} + args, input, env, timeoutMs);
    // "token", "status", "profile show"...: two words for the command groups.
    QStringList command = args.mid(0, 1);
    if (QStringList {QStringLiteral("profile"), QStringLiteral("environment"),
                     QStringLiteral("secret")}
            .contains(args.value(0)))
        command << args.value(1);
    m_timings[command.join(QLatin1Char(' '))] << timer.elapsed();
    return r;
}

bool TestCliTokens::ok(const ProcessResult &r) const
{
    if (!r.crashed && r.exitCode == 0)
        return true;
    qWarning().noquote() << describe(r);
    return false;
}

bool TestCliTokens::addClientCredentialsProfile(const QString &name, bool viaIssuer,
                                                const QString &auth, const QByteArray &secret)
{
    if (!ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                 QStringLiteral("oauth2")})))
        return false;
    const QStringList endpoint = viaIssuer
        ? QStringList {QStringLiteral("--issuer"), m_issuer}
        : QStringList {QStringLiteral("--token-url"), m_issuer + QStringLiteral("/token")};
    if (!ok(cli(QStringList {QStringLiteral("environment"), QStringLiteral("add"), name, kEnv}
                + endpoint
                + QStringList {QStringLiteral("--client-id"), QStringLiteral("demo-client"),
                               QStringLiteral("--auth"), auth, QStringLiteral("--scope"),
                               QStringLiteral("read write")})))
        return false;
    if (secret.isEmpty())
        return true;
    return ok(cli({QStringLiteral("secret"), QStringLiteral("set"), name, kEnv,
                   QStringLiteral("client_secret")},
                  secret + '\n'));
}

bool TestCliTokens::addDeviceProfile(const QString &name, bool withSecret)
{
    if (!ok(cli({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--kind"),
                 QStringLiteral("oauth2"), QStringLiteral("--grant"),
                 QStringLiteral("device_code")})))
        return false;
    if (!ok(cli({QStringLiteral("environment"), QStringLiteral("add"), name, kEnv,
                 QStringLiteral("--issuer"), m_issuer, QStringLiteral("--client-id"),
                 QStringLiteral("demo-client")})))
        return false;
    return !withSecret
        || ok(cli({QStringLiteral("secret"), QStringLiteral("set"), name, kEnv,
                   QStringLiteral("client_secret")},
                  kClientSecret + '\n'));
}

bool TestCliTokens::login(const QString &name, ProcessResult *result)
{
    const ProcessResult r = cli({QStringLiteral("login"), name});
    if (result)
        *result = r;
    return ok(r);
}

QString TestCliTokens::startLogin(QProcess *process, const QString &name, QByteArray *err)
{
    process->start(TestEnv::binary(QStringLiteral("tokentray-cli")),
                   {QStringLiteral("--config-dir"), m_dir->path(), QStringLiteral("login"), name});
    process->setReadChannel(QProcess::StandardError);
    static const QRegularExpression codePattern(QStringLiteral("enter the code (\\S+)\n"));
    QString userCode;
    while (userCode.isEmpty()) {
        if (!process->waitForReadyRead(10000)) { // also false once it has exited
            qWarning().noquote() << "login showed no user code:" << *err;
            return QString();
        }
        *err += process->readAllStandardError();
        userCode = codePattern.match(QString::fromUtf8(*err)).captured(1);
    }
    return userCode;
}

ProcessResult TestCliTokens::finishLogin(QProcess *process, const QByteArray &errSoFar)
{
    ProcessResult r;
    r.crashed = !process->waitForFinished(15000);
    if (r.crashed) {
        process->kill();
        process->waitForFinished(5000);
    }
    r.exitCode = process->exitCode();
    r.crashed = r.crashed || process->exitStatus() == QProcess::CrashExit;
    r.out = process->readAllStandardOutput();
    r.err = errSoFar + process->readAllStandardError();
    return r;
}

QJsonObject TestCliTokens::profileJson(const QString &name)
{
    const ProcessResult r
        = cli({QStringLiteral("profile"), QStringLiteral("show"), name, QStringLiteral("--json")});
    return ok(r) ? QJsonDocument::fromJson(r.out).object() : QJsonObject();
}

QString TestCliTokens::profileId(const QString &name)
{
    return profileJson(name).value(QLatin1String("id")).toString();
}

// The DEV environment's entry of `status --json` for one profile.
QJsonObject TestCliTokens::statusOf(const QString &name, ProcessResult *result)
{
    const ProcessResult r = cli({QStringLiteral("status"), QStringLiteral("--json")});
    if (result)
        *result = r;
    if (!ok(r))
        return {};
    for (const QJsonValue &p :
         QJsonDocument::fromJson(r.out).object().value(QLatin1String("profiles")).toArray()) {
        if (p[QLatin1String("name")].toString() != name)
            continue;
        for (const QJsonValue &e : p[QLatin1String("environments")].toArray()) {
            if (e[QLatin1String("name")].toString() == kEnv)
                return e.toObject();
        }
    }
    return {};
}

QByteArray TestCliTokens::keychainItem(const QString &profile, const char *name)
{
    const QString id = profileId(profile);
    if (id.isEmpty())
        return QByteArray();
    return TestEnv::secretToolLookup(
        kService, id + QLatin1Char('/') + kEnv + QLatin1Char('/') + QLatin1String(name));
}

// ---- fixture -------------------------------------------------------------------------------

void TestCliTokens::initTestCase()
{
    for (const char *name : {"tokentray-cli", "tokentray-test-authority"}) {
        const QString binary = TestEnv::binary(QLatin1String(name));
        QVERIFY2(QFileInfo(binary).isExecutable(),
                 qPrintable(binary + QStringLiteral(" is not built")));
    }
    if (TestEnv::hasTestKeyring())
        QVERIFY2(!TestEnv::isKeyringLocked(), "the test keyring must start unlocked");
}

void TestCliTokens::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestCliTokens::cleanup()
{
    stopAuthority();
    m_dir.reset();
    // Even when a test failed half-way: the other tests need an unlocked keyring.
    if (m_keyringLocked || (TestEnv::hasTestKeyring() && TestEnv::isKeyringLocked())) {
        m_keyringLocked = false;
        QVERIFY2(TestEnv::unlockKeyring(), "could not unlock the test keyring again");
    }
}

void TestCliTokens::cleanupTestCase()
{
    // Figures for whoever tunes the CLI; not asserted.
    for (auto it = m_timings.cbegin(); it != m_timings.cend(); ++it) {
        QList<qint64> ms = it.value();
        std::sort(ms.begin(), ms.end());
        qInfo().noquote() << QStringLiteral("%1: %2 runs, min %3 ms, median %4 ms, max %5 ms")
                                 .arg(it.key().leftJustified(16))
                                 .arg(ms.size())
                                 .arg(ms.first())
                                 .arg(ms.at(ms.size() / 2))
                                 .arg(ms.last());
    }
}

// ---- client_credentials --------------------------------------------------------------------

void TestCliTokens::clientCredentials_data()
{
    QTest::addColumn<bool>("viaIssuer");
    QTest::addColumn<QString>("auth");
    QTest::newRow("--issuer, basic") << true << QStringLiteral("basic");
    QTest::newRow("--issuer, post") << true << QStringLiteral("post");
    QTest::newRow("--token-url, basic") << false << QStringLiteral("basic");
    QTest::newRow("--token-url, post") << false << QStringLiteral("post");
}

void TestCliTokens::clientCredentials()
{
    QFETCH(bool, viaIssuer);
    QFETCH(QString, auth);
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority(words("--lifetime 600")));
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), viaIssuer, auth));
    const QJsonArray environments
        = profileJson(QStringLiteral("api")).value(QLatin1String("environments")).toArray();
    QCOMPARE(environments.at(0).toObject().value(QLatin1String("clientAuth")).toString(), auth);
    QCOMPARE(tokenRequests(), 0);

    const QDateTime before = QDateTime::currentDateTimeUtc();
    ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray token = printedToken(r);
    QVERIFY2(kAccessToken.match(QString::fromUtf8(token)).hasMatch(), qPrintable(describe(r)));
    QCOMPARE(r.err, QByteArray());
    QCOMPARE(tokenRequests(), 1);

    r = cli(words("token --json"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.err, QByteArray());
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(r.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(describe(r)));
    QCOMPARE(o.value(QLatin1String("access_token")).toString().toUtf8(), token);
    QCOMPARE(o.value(QLatin1String("token_type")).toString(), QStringLiteral("Bearer"));
    QCOMPARE(o.value(QLatin1String("profile")).toString(), QStringLiteral("api"));
    QCOMPARE(o.value(QLatin1String("environment")).toString(), kEnv);
    QCOMPARE(o.value(QLatin1String("scopes")).toArray(),
             QJsonArray::fromStringList({QStringLiteral("read"), QStringLiteral("write")}));
    const QDateTime expiresAt
        = QDateTime::fromString(o.value(QLatin1String("expires_at")).toString(), Qt::ISODate);
    QVERIFY2(expiresAt.isValid(), qPrintable(describe(r)));
    // Send time + expires_in: between "before the first call + 600 s" and "now + 600 s".
    QVERIFY2(expiresAt >= before.addSecs(600 - 1)
                 && expiresAt <= QDateTime::currentDateTimeUtc().addSecs(600 + 1),
             qPrintable(expiresAt.toString(Qt::ISODate)));
    QCOMPARE(tokenRequests(), 1); // the second process reused the cached token
}

void TestCliTokens::restartReusesCachedToken()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("basic")));
    QCOMPARE(keychainItem(QStringLiteral("api"), "token_cache"), QByteArray());

    const ProcessResult first = cli(words("token"));
    QCOMPARE_EXIT(first, 0);
    QVERIFY(!printedToken(first).isEmpty());
    QCOMPARE(tokenRequests(), 1);
    // The token reached the keychain before the first process exited.
    QVERIFY(!keychainItem(QStringLiteral("api"), "token_cache").isEmpty());

    const ProcessResult second = cli(words("token api"));
    QCOMPARE_EXIT(second, 0);
    QCOMPARE(printedToken(second), printedToken(first));
    QCOMPARE(tokenRequests(), 1);
}

void TestCliTokens::minValidForcesRefresh()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority(words("--lifetime 600")));
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), false, QStringLiteral("basic")));

    ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray first = printedToken(r);
    QCOMPARE(tokenRequests(), 1);

    // Within the lifetime: the cached token does.
    r = cli(words("token --min-valid 300"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(printedToken(r), first);
    QCOMPARE(tokenRequests(), 1);

    // More than the token has left: a new one.
    r = cli(words("token --min-valid 900"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray second = printedToken(r);
    QVERIFY2(kAccessToken.match(QString::fromUtf8(second)).hasMatch(), qPrintable(describe(r)));
    QVERIFY(second != first);
    QCOMPARE(tokenRequests(), 2);

    // The new token replaced the old one in the cache.
    r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(printedToken(r), second);
    QCOMPARE(tokenRequests(), 2);

    QCOMPARE_EXIT(cli(words("token --min-valid -5")), 2);
    QCOMPARE_EXIT(cli(words("token --min-valid soon")), 2);
}

void TestCliTokens::concurrentProcessesShareOneRequest()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("basic")));

    constexpr int kProcesses = 8;
    QElapsedTimer timer;
    timer.start();
    std::vector<std::unique_ptr<QProcess>> processes;
    for (int i = 0; i < kProcesses; ++i) {
        auto p = std::make_unique<QProcess>();
        p->start(TestEnv::binary(QStringLiteral("tokentray-cli")),
                 {QStringLiteral("--config-dir"), m_dir->path(), QStringLiteral("token")});
        processes.push_back(std::move(p));
    }
    QSet<QByteArray> tokens;
    for (const auto &p : processes) {
        QVERIFY2(p->waitForFinished(60000), "a tokentray-cli token did not finish within 60 s");
        ProcessResult r;
        r.exitCode = p->exitCode();
        r.crashed = p->exitStatus() == QProcess::CrashExit;
        r.out = p->readAllStandardOutput();
        r.err = p->readAllStandardError();
        QCOMPARE_EXIT(r, 0);
        QVERIFY2(!printedToken(r).isEmpty(), qPrintable(describe(r)));
        tokens.insert(printedToken(r));
    }
    m_timings[QStringLiteral("8 x token")] << timer.elapsed();
    QCOMPARE(tokens.size(), 1);
    QCOMPARE(tokenRequests(), 1);
}

// ---- failures ------------------------------------------------------------------------------

void TestCliTokens::wrongClientSecret()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    const QByteArray wrong
        = "wrong-secret-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    QVERIFY(
        addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("post"), wrong));

    const ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 4);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.contains("invalid_client"), qPrintable(describe(r)));
    QVERIFY2(!r.err.contains(wrong), qPrintable(describe(r)));
    QCOMPARE(tokenRequests(), 1); // rejected: no retries
    QCOMPARE(keychainItem(QStringLiteral("api"), "token_cache"), QByteArray());
}

void TestCliTokens::missingClientSecret()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("basic"),
                                        QByteArray()));

    const ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 3);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.contains("client_secret"), qPrintable(describe(r)));
    QCOMPARE(tokenRequests(), 0);
}

void TestCliTokens::authorityDown()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority(words("--lifetime 600")));
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), false, QStringLiteral("basic")));
    ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray cached = printedToken(r);
    stopAuthority(); // connection refused from now on

    // A still-valid cached token needs no authority.
    r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(printedToken(r), cached);

    // A new one cannot be had: exit 5 once the CLI's short retries (0.5 s, then 1 s) are spent.
    r = cli(words("token --min-valid 900"), {}, {}, 40000);
    QCOMPARE_EXIT(r, 5);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(!r.err.isEmpty() && r.err.count('\n') == 1, qPrintable(describe(r)));
}

// ---- device flow and refresh tokens --------------------------------------------------------

void TestCliTokens::deviceLogin()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority(words("--auto-approve-after 2")));
    QVERIFY(addDeviceProfile(QStringLiteral("sso")));
    QCOMPARE(keychainItem(QStringLiteral("sso"), "refresh_token"), QByteArray());

    // Not signed in yet.
    ProcessResult r = cli(words("token sso"));
    QCOMPARE_EXIT(r, 4);
    QVERIFY2(r.err.contains("not signed in"), qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(tokenRequests(), 0);

    QVERIFY(login(QStringLiteral("sso"), &r));
    QCOMPARE(r.out, QByteArray());
    const QRegularExpressionMatch code
        = QRegularExpression(QStringLiteral("open (\\S+) and enter the code (\\S+)\n"))
              .match(QString::fromUtf8(r.err));
    QVERIFY2(code.hasMatch(), qPrintable(describe(r)));
    QCOMPARE(code.captured(1), m_issuer + QStringLiteral("/verify"));
    QVERIFY2(code.captured(2).startsWith(QLatin1String("WDJB-")), qPrintable(describe(r)));
    QVERIFY2(r.err.contains("Signed in to sso/DEV."), qPrintable(describe(r)));
    const int afterLogin = tokenRequests();
    QVERIFY2(afterLogin == 3,
             qPrintable(QString::number(afterLogin))); // 2 pending polls, then approved

    const QByteArray refreshToken = keychainItem(QStringLiteral("sso"), "refresh_token");
    QVERIFY(!refreshToken.isEmpty());
    QVERIFY(isActive(refreshToken));
    const QJsonArray secrets
        = profileJson(QStringLiteral("sso")).value(QLatin1String("secrets")).toArray();
    QVERIFY2(secrets.contains(QStringLiteral("DEV/refresh_token")),
             QJsonDocument(secrets).toJson().constData());

    // The sign-in's access token was cached: no new request, no new sign-in.
    r = cli(words("token sso"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray token = printedToken(r);
    QVERIFY2(kAccessToken.match(QString::fromUtf8(token)).hasMatch(), qPrintable(describe(r)));
    QCOMPARE(tokenRequests(), afterLogin);

    // And a refresh needs no person either.
    r = cli(words("token sso --min-valid 999999"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY(printedToken(r) != token);
    QCOMPARE(tokenRequests(), afterLogin + 1);
}

void TestCliTokens::deviceLoginDenied()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority()); // approves nothing by itself
    QVERIFY(addDeviceProfile(QStringLiteral("sso")));

    QElapsedTimer timer;
    timer.start();
    QProcess login;
    QByteArray err;
    const QString userCode = startLogin(&login, QStringLiteral("sso"), &err);
    QVERIFY(!userCode.isEmpty());
    // The person says no.
    QCOMPARE(get(QStringLiteral("/approve?user_code=") + userCode + QStringLiteral("&deny=1"))
                 .value(QLatin1String("ok"))
                 .toBool(),
             true);
    const ProcessResult r = finishLogin(&login, err);
    m_timings[QStringLiteral("login (denied)")] << timer.elapsed();
    QCOMPARE_EXIT(r, 4);
    QVERIFY2(r.err.contains("denied"), qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(keychainItem(QStringLiteral("sso"), "refresh_token"), QByteArray());
    QCOMPARE(keychainItem(QStringLiteral("sso"), "token_cache"), QByteArray());
    QVERIFY(!profileJson(QStringLiteral("sso"))
                 .value(QLatin1String("secrets"))
                 .toArray()
                 .contains(QStringLiteral("DEV/refresh_token")));
}

void TestCliTokens::loginWaitDoesNotBlockOtherCommands()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addDeviceProfile(QStringLiteral("sso")));
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("basic")));

    QProcess login;
    QByteArray err;
    const QString userCode = startLogin(&login, QStringLiteral("sso"), &err);
    QVERIFY(!userCode.isEmpty());

    // While the person takes their time, scripts keep getting tokens and changing the config.
    // (Nobody approves the code, so the login is still waiting when both have finished.)
    ProcessResult r = cli(words("token api"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY(!printedToken(r).isEmpty());
    QCOMPARE_EXIT(cli(words("profile add other --kind static-token")), 0);
    QCOMPARE(login.state(), QProcess::Running);

    QCOMPARE(
        get(QStringLiteral("/approve?user_code=") + userCode).value(QLatin1String("ok")).toBool(),
        true);
    r = finishLogin(&login, err);
    QCOMPARE_EXIT(r, 0);
    // The sign-in was stored into the configuration as it is now, not as it was when it began.
    const QJsonObject sso = profileJson(QStringLiteral("sso"));
    QVERIFY(sso.value(QLatin1String("secrets"))
                .toArray()
                .contains(QStringLiteral("DEV/refresh_token")));
    QVERIFY(!profileId(QStringLiteral("other")).isEmpty());
    QVERIFY(!keychainItem(QStringLiteral("sso"), "refresh_token").isEmpty());
    QCOMPARE_EXIT(cli(words("token sso")), 0);
}

void TestCliTokens::refreshTokenRotation()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority(words("--auto-approve-after 0")));
    QVERIFY(addDeviceProfile(QStringLiteral("sso")));
    QVERIFY(login(QStringLiteral("sso")));
    const QByteArray first = keychainItem(QStringLiteral("sso"), "refresh_token");
    QVERIFY(!first.isEmpty());

    ProcessResult r = cli(words("token sso --min-valid 999999"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray second = keychainItem(QStringLiteral("sso"), "refresh_token");
    QVERIFY(!second.isEmpty());
    QVERIFY(second != first);
    QVERIFY(!isActive(first)); // used up at the authority
    QVERIFY(isActive(second));

    // Only works if the rotated token was persisted.
    r = cli(words("token sso --min-valid 999999"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray third = keychainItem(QStringLiteral("sso"), "refresh_token");
    QVERIFY(!third.isEmpty());
    QVERIFY(third != second);
    QVERIFY(!isActive(second));
    QVERIFY(isActive(third));
    QCOMPARE(get(QStringLiteral("/stats")).value(QLatin1String("refresh_tokens")).toInt(), 1);
}

void TestCliTokens::logoutRevokes()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority(words("--auto-approve-after 0")));
    QVERIFY(addDeviceProfile(QStringLiteral("sso")));
    QVERIFY(login(QStringLiteral("sso")));
    const QByteArray refreshToken = keychainItem(QStringLiteral("sso"), "refresh_token");
    QVERIFY(!refreshToken.isEmpty());
    QVERIFY(!keychainItem(QStringLiteral("sso"), "token_cache").isEmpty());
    QCOMPARE(get(QStringLiteral("/stats")).value(QLatin1String("refresh_tokens")).toInt(), 1);

    ProcessResult r = cli(words("logout sso"));
    QCOMPARE_EXIT(r, 0);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.contains("Signed out of sso/DEV"), qPrintable(describe(r)));
    QVERIFY2(!r.err.contains("warning"), qPrintable(describe(r))); // revoked, not only deleted
    QCOMPARE(get(QStringLiteral("/stats")).value(QLatin1String("refresh_tokens")).toInt(), 0);
    QVERIFY(!isActive(refreshToken));
    QCOMPARE(keychainItem(QStringLiteral("sso"), "refresh_token"), QByteArray());
    QCOMPARE(keychainItem(QStringLiteral("sso"), "token_cache"), QByteArray());
    QVERIFY(!profileJson(QStringLiteral("sso"))
                 .value(QLatin1String("secrets"))
                 .toArray()
                 .contains(QStringLiteral("DEV/refresh_token")));

    const int before = tokenRequests();
    r = cli(words("token sso --min-valid 999999"));
    QCOMPARE_EXIT(r, 4);
    QVERIFY2(r.err.contains("not signed in"), qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(tokenRequests(), before);

    // Signed out already: still fine.
    QCOMPARE_EXIT(cli(words("logout sso")), 0);
}

void TestCliTokens::logoutClientCredentials()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("basic")));
    ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    const QByteArray token = printedToken(r);
    QVERIFY(!keychainItem(QStringLiteral("api"), "token_cache").isEmpty());

    QCOMPARE_EXIT(cli(words("logout api")), 0);
    QCOMPARE(keychainItem(QStringLiteral("api"), "token_cache"), QByteArray());
    // The client's own credentials stay: they are configuration, not a sign-in.
    QCOMPARE(keychainItem(QStringLiteral("api"), "client_secret"), kClientSecret);
    r = cli(words("token"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY(printedToken(r) != token);
    QCOMPARE(tokenRequests(), 2);
}

// ---- status --------------------------------------------------------------------------------

void TestCliTokens::status()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority(words("--lifetime 600")));
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("basic")));

    QJsonObject env = statusOf(QStringLiteral("api"));
    QCOMPARE(env.value(QLatin1String("state")).toString(), QStringLiteral("none"));
    QVERIFY(!env.contains(QLatin1String("expiresAt")));
    QCOMPARE(env.value(QLatin1String("secrets"))[QLatin1String("client_secret")].toString(),
             QStringLiteral("present"));
    ProcessResult r = cli(words("status"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(QRegularExpression(QStringLiteral("\\* api/DEV +oauth2 +none "))
                 .match(QString::fromUtf8(r.out))
                 .hasMatch(),
             qPrintable(describe(r)));

    r = cli(words("token --json"));
    QCOMPARE_EXIT(r, 0);
    const QDateTime expiresAt = QDateTime::fromString(
        QJsonDocument::fromJson(r.out).object().value(QLatin1String("expires_at")).toString(),
        Qt::ISODate);
    QVERIFY(expiresAt.isValid());

    env = statusOf(QStringLiteral("api"));
    QCOMPARE(env.value(QLatin1String("state")).toString(), QStringLiteral("fresh"));
    QCOMPARE(QDateTime::fromString(env.value(QLatin1String("expiresAt")).toString(), Qt::ISODate),
             expiresAt);
    r = cli(words("status"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(
        QRegularExpression(QStringLiteral("\\* api/DEV +oauth2 +fresh, expires in (9|10) min "))
            .match(QString::fromUtf8(r.out))
            .hasMatch(),
        qPrintable(describe(r)));
    QCOMPARE(tokenRequests(), 1); // status only looks
}

// ---- secrets stay secret -------------------------------------------------------------------

void TestCliTokens::secretsNeverPrinted()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority(words("--auto-approve-after 1")));
    QVERIFY(addDeviceProfile(QStringLiteral("sso"), true));
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("post")));

    QList<ProcessResult> runs; // nothing secret anywhere
    QList<QByteArray> refreshTokens; // every refresh token the authority issued to us
    ProcessResult r = cli(words("login sso -v"));
    QCOMPARE_EXIT(r, 0);
    QVERIFY2(r.err.contains("tokentray."), qPrintable(describe(r))); // -v did log something
    runs << r;
    refreshTokens << keychainItem(QStringLiteral("sso"), "refresh_token");

    // A refresh sends the refresh token and receives a rotated one.
    r = cli(words("token sso -v --min-valid 999999"));
    QCOMPARE_EXIT(r, 0);
    QByteArray token = printedToken(r);
    QVERIFY(!token.isEmpty());
    QVERIFY2(!r.err.contains(token), qPrintable(describe(r))); // on stdout only
    runs << r;
    refreshTokens << keychainItem(QStringLiteral("sso"), "refresh_token");

    r = cli(words("token api -v"));
    QCOMPARE_EXIT(r, 0);
    token = printedToken(r);
    QVERIFY(!token.isEmpty());
    QVERIFY2(!r.err.contains(token), qPrintable(describe(r)));
    runs << r;

    r = cli(words("status -v"));
    QCOMPARE_EXIT(r, 0);
    runs << r;
    r = cli(words("status -v --json"));
    QCOMPARE_EXIT(r, 0);
    runs << r;
    r = cli(words("logout sso -v"));
    QCOMPARE_EXIT(r, 0);
    runs << r;

    QCOMPARE(refreshTokens.size(), 2);
    QVERIFY(refreshTokens.at(0) != refreshTokens.at(1));
    for (const ProcessResult &run : std::as_const(runs)) {
        QVERIFY2(!run.out.contains(kClientSecret) && !run.err.contains(kClientSecret),
                 qPrintable(describe(run)));
        for (const QByteArray &rt : std::as_const(refreshTokens)) {
            QVERIFY(!rt.isEmpty());
            QVERIFY2(!run.out.contains(rt) && !run.err.contains(rt), qPrintable(describe(run)));
        }
    }
}

// ---- exit 6 --------------------------------------------------------------------------------

void TestCliTokens::keychainLocked()
{
    REQUIRE_TEST_KEYRING();
    QVERIFY(startAuthority());
    QVERIFY(addClientCredentialsProfile(QStringLiteral("api"), true, QStringLiteral("basic")));

    m_keyringLocked = true;
    QVERIFY(TestEnv::lockKeyring());
    const ProcessResult r = cli(words("token"));
    QCOMPARE_EXIT(r, 6);
    QCOMPARE(r.out, QByteArray());
    // Found out by asking, not by the keychain timeout (which would say it did not answer).
    QVERIFY2(r.err.contains("The keychain is locked"), qPrintable(describe(r)));
    QCOMPARE(tokenRequests(), 0);

    QVERIFY(TestEnv::unlockKeyring());
    m_keyringLocked = false;
    QCOMPARE_EXIT(cli(words("token")), 0);
    QCOMPARE(tokenRequests(), 1);
}

QTEST_GUILESS_MAIN(TestCliTokens)
#include "tst_cli_tokens.moc"
