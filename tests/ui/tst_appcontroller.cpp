// The tray app's copy flow: protected confirmation, the clipboard guard, the activity log, and
// a failure when no token can be had.
#include "core/delivery/credentialserver.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/workspace/workspace.h"
#include "tests/support/memorysecretbackend.h"
#include "ui/activitylog.h"
#include "ui/appcontroller.h"
#include "ui/clipboardguard.h"
#include "ui/settings.h"
#include "ui/traycontroller.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace TokenTray;

namespace {

struct App
{
    QTemporaryDir dir;
    ManualClock clock {QDateTime(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC)};
    QNetworkAccessManager nam;
    MemorySecretBackend keychain;
    SecretStore secrets {&keychain, QStringLiteral("tokentray-test-app")};
    DiscoveryCache discovery;
    std::unique_ptr<TokenEngine> engine;
    std::unique_ptr<ProfileStore> store;
    std::unique_ptr<Workspace> workspace;
    std::unique_ptr<AppSettings> settings;
    std::unique_ptr<TrayController> tray;
    std::unique_ptr<ClipboardGuard> clipboard;
    std::unique_ptr<ActivityLog> activity;
    std::unique_ptr<AppController> controller;
    int confirmations = 0;
    bool answer = true;

    App()
    {
        engine = std::make_unique<TokenEngine>(
            FetchServices {&nam, &secrets, &discovery, &clock, 2000});
        TokenEngine::Options options = engine->options();
        options.cacheWriteDelayMs = 3600 * 1000;
        options.maxAttempts = 1;
        options.askTimeoutMs = 5000;
        engine->setOptions(options);
        store = std::make_unique<ProfileStore>(dir.path());
        Config config;
        Profile p;
        p.id = QStringLiteral("id-api");
        p.name = QStringLiteral("api");
        p.grant = Grant::ClientCredentials;
        for (const char *name : {"QA", "PROD", "DEV"}) {
            Environment env;
            env.name = QLatin1String(name);
            env.tokenUrl
                = QUrl(QStringLiteral("http://127.0.0.1:9/token")); // nothing listens there
            env.clientId = QStringLiteral("c");
            env.isProtected = env.name == QLatin1String("PROD");
            p.environments << env;
        }
        p.activeEnvironment = QStringLiteral("QA");
        Profile keys;
        keys.id = QStringLiteral("id-keys");
        keys.name = QStringLiteral("keys");
        keys.kind = ProfileKind::AwsAccessKey;
        Environment keysEnv;
        keysEnv.name = QStringLiteral("QA");
        keysEnv.region = QStringLiteral("eu-west-1");
        keys.environments = {keysEnv};
        keys.activeEnvironment = keysEnv.name;
        Profile role;
        role.id = QStringLiteral("id-role");
        role.name = QStringLiteral("role");
        role.kind = ProfileKind::AwsAssumeRole;
        Environment roleEnv;
        roleEnv.name = QStringLiteral("QA");
        roleEnv.roleArn = QStringLiteral("arn:aws:iam::123456789012:role/Deploy");
        roleEnv.sourceProfile = keys.name;
        roleEnv.mfaSerial = QStringLiteral("arn:aws:iam::123456789012:mfa/alice");
        role.environments = {roleEnv};
        role.activeEnvironment = roleEnv.name;
        config.profiles = {p, keys, role};
        config.currentProfileId = p.id;
        (void)store->save(config);
        workspace = std::make_unique<Workspace>(store.get(), engine.get(), &clock);
        (void)workspace->load();
        settings = std::make_unique<AppSettings>(dir.path(), workspace.get());
        settings->setClipboardClearSeconds(30);
        tray = std::make_unique<TrayController>(workspace.get());
        clipboard = std::make_unique<ClipboardGuard>();
        activity = std::make_unique<ActivityLog>(&clock);
        controller = std::make_unique<AppController>(
            AppController::Parts {workspace.get(),
                                  engine.get(),
                                  settings.get(),
                                  tray.get(),
                                  clipboard.get(),
                                  activity.get(),
                                  {&nam, &secrets, &discovery, &clock}});
        controller->setConfirm([this](const QString &, const QString &) {
            ++confirmations;
            return answer;
        });
    }

    void giveToken(const QString &env, const QByteArray &token)
    {
        Credential c;
        c.accessToken = Secret(token);
        c.issuedAt = clock.nowUtc();
        c.expiresAt = clock.nowUtc().addSecs(3600);
        engine->adopt(QStringLiteral("id-api"), env, c);
    }
};

} // namespace

class tst_AppController : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void copiesTheTokenWithTheGuard();
    void protectedCopyAsksFirst();
    void confirmationCanBeTurnedOff();
    void failureIsReportedNotCopied();
    void switchesAreLogged();
    void awsCopiesShellVariables();
    void endpointServesTheProfile();
    void warnsBeforeMfaCredentialsExpire();
};

void tst_AppController::warnsBeforeMfaCredentialsExpire()
{
    App app;
    QSignalSpy shown(app.tray.get(), &TrayController::messageShown);
    auto adopt = [&app](const QString &id, qint64 secondsLeft) {
        Credential c;
        c.accessKeyId = QStringLiteral("ASIAEXAMPLE000000003");
        c.secretAccessKey = Secret("s");
        c.sessionToken = Secret("t");
        c.expiresAt = app.clock.nowUtc().addSecs(secondsLeft);
        c.issuedAt = c.expiresAt.addSecs(-3600);
        app.engine->adopt(id, QStringLiteral("QA"), c);
    };
    auto warnings = [&shown] {
        int n = 0;
        for (const QList<QVariant> &args : shown)
            n += args.at(1).toString().contains(u"MFA code") ? 1 : 0;
        return n;
    };
    // A token that renews by itself: no warning however close its expiry.
    app.giveToken(QStringLiteral("QA"), "qa-token");
    adopt(QStringLiteral("id-keys"), 300);
    QCOMPARE(warnings(), 0);
    // A role that needs the person's MFA code: warned once when its refresh window opens.
    adopt(QStringLiteral("id-role"), 10 * 60); // advisory: min(15 min, L/4) before expiry
    QTRY_COMPARE(warnings(), 1);
    QVERIFY(shown.last().at(0).toString().contains(u"in 10 min"));
    adopt(QStringLiteral("id-role"), 5 * 60);
    QCOMPARE(warnings(), 1); // once per expiry
    adopt(QStringLiteral("id-role"), 3600); // renewed
    adopt(QStringLiteral("id-role"), 10 * 60);
    QTRY_COMPARE(warnings(), 2);
}

void tst_AppController::endpointServesTheProfile()
{
    App app;
    Credential c;
    c.accessKeyId = QStringLiteral("ASIAEXAMPLE000000002");
    c.secretAccessKey = Secret("endpoint-secret");
    c.sessionToken = Secret("endpoint-session");
    c.issuedAt = app.clock.nowUtc();
    c.expiresAt = app.clock.nowUtc().addSecs(3600);
    app.engine->adopt(QStringLiteral("id-keys"), QStringLiteral("QA"), c);
    app.controller->copyEndpointVariables(QStringLiteral("id-keys"), QStringLiteral("QA"));
    QVERIFY(app.controller->endpoint());
    const QString text = QGuiApplication::clipboard()->text();
    const QRegularExpression uri(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI='(http://127\\.0\\.0\\.1:\\d+/[^']*)'");
    const QRegularExpression token("AWS_CONTAINER_AUTHORIZATION_TOKEN='([^']+)'");
    const auto uriMatch = uri.match(text);
    const auto tokenMatch = token.match(text);
    QVERIFY2(uriMatch.hasMatch() && tokenMatch.hasMatch(), qPrintable(text));

    // What an SDK does with the two variables.
    QNetworkRequest request(QUrl(uriMatch.captured(1)));
    request.setRawHeader("Authorization", tokenMatch.captured(1).toLatin1());
    QNetworkReply *reply = app.nam.get(request);
    QSignalSpy done(reply, &QNetworkReply::finished);
    QVERIFY(done.wait(5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    QCOMPARE(o.value("AccessKeyId").toString(), QStringLiteral("ASIAEXAMPLE000000002"));
    QCOMPARE(o.value("Token").toString(), QStringLiteral("endpoint-session"));
    reply->deleteLater();

    // The same scope again keeps the server; the clipboard is refilled.
    const quint16 port = app.controller->endpoint()->port();
    app.controller->copyEndpointVariables(QStringLiteral("id-keys"), QStringLiteral("QA"));
    QCOMPARE(app.controller->endpoint()->port(), port);
    app.clipboard->clearNow();
}

void tst_AppController::awsCopiesShellVariables()
{
    App app;
    Credential c;
    c.accessKeyId = QStringLiteral("ASIAEXAMPLE000000001");
    c.secretAccessKey = Secret("secret/with'quote");
    c.sessionToken = Secret("session-token");
    c.issuedAt = app.clock.nowUtc();
    c.expiresAt = app.clock.nowUtc().addSecs(3600);
    app.engine->adopt(QStringLiteral("id-keys"), QStringLiteral("QA"), c);
    QSignalSpy copied(app.controller.get(), &AppController::tokenCopied);
    app.controller->copyToken(QStringLiteral("id-keys"), QStringLiteral("QA"));
    QVERIFY(copied.wait(5000));
    const QString text = QGuiApplication::clipboard()->text();
    QVERIFY2(text.contains(u"export AWS_ACCESS_KEY_ID='ASIAEXAMPLE000000001'"), qPrintable(text));
    QVERIFY2(text.contains(u"export AWS_SECRET_ACCESS_KEY='secret/with'\\''quote'"),
             qPrintable(text));
    QVERIFY(text.contains(u"export AWS_SESSION_TOKEN='session-token'"));
    QVERIFY(text.contains(u"export AWS_REGION='eu-west-1'"));
    QVERIFY(app.clipboard->isGuarding());
    app.clipboard->clearNow();
}

void tst_AppController::switchesAreLogged()
{
    App app;
    std::optional<Result<void>> done;
    auto remember = [&done](const Result<void> &r) {
        done = r;
    };
    app.workspace->switchTo(QStringLiteral("api"), QStringLiteral("DEV"), app.workspace.get(),
                            remember);
    QTRY_VERIFY_WITH_TIMEOUT(done.has_value(), 10000);
    QVERIFY(done->has_value());
    QCOMPARE(app.activity->entries().size(), 1);
    QCOMPARE(app.activity->entries().first().kind, ActivityLog::Kind::Switched);
    QCOMPARE(app.activity->entries().first().environment, QStringLiteral("DEV"));
    done.reset();
    app.workspace->switchTo(QStringLiteral("nope"), QString(), app.workspace.get(), remember);
    QTRY_VERIFY_WITH_TIMEOUT(done.has_value(), 10000);
    QVERIFY(!done->has_value());
    QCOMPARE(app.activity->entries().size(), 1); // a failed switch is not an event
}

void tst_AppController::copiesTheTokenWithTheGuard()
{
    App app;
    app.giveToken(QStringLiteral("QA"), "qa-token");
    QSignalSpy copied(app.controller.get(), &AppController::tokenCopied);
    app.controller->copyToken(QStringLiteral("id-api"), QStringLiteral("QA"));
    QVERIFY(copied.wait(5000));
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("qa-token"));
    QVERIFY(app.clipboard->isGuarding());
    QVERIFY(app.clipboard->secondsUntilClear() > 25);
    QCOMPARE(app.confirmations, 0); // QA is not protected
    QCOMPARE(app.activity->entries().size(), 1);
    QCOMPARE(app.activity->entries().first().kind, ActivityLog::Kind::Copied);
    app.clipboard->clearNow();
    QVERIFY(QGuiApplication::clipboard()->text().isEmpty());
}

void tst_AppController::protectedCopyAsksFirst()
{
    App app;
    app.giveToken(QStringLiteral("PROD"), "prod-token");
    QSignalSpy copied(app.controller.get(), &AppController::tokenCopied);
    app.answer = false;
    app.controller->copyToken(QStringLiteral("id-api"), QStringLiteral("PROD"));
    QCOMPARE(app.confirmations, 1);
    QVERIFY(!copied.wait(300)); // declined: nothing happens
    QVERIFY(QGuiApplication::clipboard()->text() != QStringLiteral("prod-token"));
    app.answer = true;
    app.controller->copyToken(QStringLiteral("id-api"), QStringLiteral("PROD"));
    QCOMPARE(app.confirmations, 2);
    QVERIFY(copied.wait(5000));
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("prod-token"));
    app.clipboard->clearNow();
}

void tst_AppController::confirmationCanBeTurnedOff()
{
    App app;
    app.settings->setConfirmProtectedCopy(false);
    app.giveToken(QStringLiteral("PROD"), "prod-token");
    QSignalSpy copied(app.controller.get(), &AppController::tokenCopied);
    app.controller->copyToken(QStringLiteral("id-api"), QStringLiteral("PROD"));
    QVERIFY(copied.wait(5000));
    QCOMPARE(app.confirmations, 0);
    app.clipboard->clearNow();
}

void tst_AppController::failureIsReportedNotCopied()
{
    App app; // DEV has no token and its endpoint refuses connections
    QGuiApplication::clipboard()->setText(QStringLiteral("user text"));
    QSignalSpy failed(app.controller.get(), &AppController::copyFailed);
    app.controller->copyToken(QStringLiteral("id-api"), QStringLiteral("DEV"));
    QVERIFY(failed.wait(10000));
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("user text"));
    QVERIFY(!app.clipboard->isGuarding());
    QCOMPARE(app.activity->entries().last().kind, ActivityLog::Kind::Failed);
}

QTEST_MAIN(tst_AppController)
#include "tst_appcontroller.moc"
