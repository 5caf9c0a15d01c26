// The dialogs: sign-in (against an in-process FakeAuthority and the test session's keyring),
// token inspector, activity log and settings. Set TOKENTRAY_SCREENSHOT_DIR to have the X
// screen captured (ImageMagick's import) at the interesting moments.
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/refresh/signinjob.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/workspace/workspace.h"
#include "tests/support/fakeauthority.h"
#include "tests/support/filesizelimit.h"
#include "tests/support/memorysecretbackend.h"
#include "tests/support/secretjobs.h"
#include "tests/support/testenv.h"
#include "ui/activitylog.h"
#include "ui/activitylogview.h"
#include "ui/mfadialog.h"
#include "ui/settings.h"
#include "ui/settingsdialog.h"
#include "ui/signindialog.h"
#include "ui/tokeninspector.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFontDatabase>
#include <QGroupBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUuid>

#include <memory>

using namespace TokenTray;

namespace {

const QString kService = QStringLiteral("tokentray-test-dialogs");
const QString kEnv = QStringLiteral("DEV");
constexpr double kFastPolls = 0.02; // the authority's 1 s interval -> 20 ms

QByteArray base64url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray makeJwt(const QJsonObject &claims)
{
    const QJsonObject header {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "test-key-1"}};
    return base64url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + base64url(QJsonDocument(claims).toJson(QJsonDocument::Compact)) + '.'
        + base64url("not-a-real-signature");
}

// The X screen as a PNG in $TOKENTRAY_SCREENSHOT_DIR, when set.
void screenshot(const QString &name)
{
    const QString dir = qEnvironmentVariable("TOKENTRAY_SCREENSHOT_DIR");
    if (dir.isEmpty() || QGuiApplication::platformName() != QLatin1String("xcb"))
        return;
    QTest::qWait(400); // painted, and the window manager's frame too
    const auto r = TestEnv::run(QStringLiteral("import"),
                                {QStringLiteral("-window"), QStringLiteral("root"),
                                 QDir(dir).filePath(name + QStringLiteral(".png"))});
    if (r.exitCode != 0)
        qWarning() << "import failed:" << r.err;
}

// A copy of an INI file at a path this process never opened, for QSettings to read back: Qt
// caches each INI file per process, and a rewrite of the same size within the file system's
// timestamp granularity would be served stale.
QString readBackPath(const QString &path)
{
    static int serial = 0;
    const QString copy = path + QStringLiteral(".readback%1").arg(++serial);
    if (!QFile::copy(path, copy))
        return {};
    return copy;
}

} // namespace

class tst_Dialogs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void signInShowsCodeAndSucceeds();
    void signInShowsPollingStatus();
    void signInDenied();
    void signInCancelStopsPolling();

    void inspectorShowsUnverifiedClaims();
    void inspectorOpaqueToken();
    void inspectorRevealsOnlyOnClick();
    void inspectorVerify();

    void mfaDialogTakesSixDigits();
    void mfaDialogCancelDeclines();
    void mfaPrompterOneDialogAtATime();

    void activityLogRedacts_data();
    void activityLogRedacts();
    void activityLogIsBounded();
    void activityLogWatchesTheEngine();

    void settingsDefaults();
    void settingsRoundTrip();
    void settingsIgnoreNonsense();
    void settingsSurviveFullDisk();
    void settingsMaxConcurrencyLivesInProfilesJson();
    void autostartFile();
    void settingsDialogEdits();

private:
    FetchServices services();
    Profile makeProfile(Grant grant = Grant::DeviceCode);
    Environment environment() const;
    SignInJob *newSignInJob();

    std::unique_ptr<FakeAuthority> m_authority;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<MemorySecretBackend> m_keychain;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<DiscoveryCache> m_discovery;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<QTemporaryDir> m_dir;
    Profile m_profile;
    QStringList m_ids;
};

void tst_Dialogs::initTestCase()
{
    // Autostart entries go to ~/.qttest/config, never to the real session's autostart.
    QStandardPaths::setTestModeEnabled(true);
    QFile::remove(AppSettings::autostartFilePath());
}

void tst_Dialogs::init()
{
    m_authority = std::make_unique<FakeAuthority>(FakeAuthority::Options());
    QVERIFY(m_authority->listen());
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_keychain = std::make_unique<MemorySecretBackend>();
    m_secrets = std::make_unique<SecretStore>(m_keychain.get(), kService);
    m_discovery = std::make_unique<DiscoveryCache>();
    m_clock = std::make_unique<ManualClock>(
        QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch(), Qt::UTC));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_profile = makeProfile();
}

void tst_Dialogs::cleanup()
{
    for (const QString &id : std::as_const(m_ids)) {
        for (const char *name : {"refresh_token", "client_secret", "token_cache"})
            QVERIFY(
                TestEnv::removeSecret(m_secrets.get(), secretKey(id, kEnv, QLatin1String(name))));
    }
    m_ids.clear();
    QFile::remove(AppSettings::autostartFilePath());
    m_secrets.reset();
    m_keychain.reset();
    m_nam.reset();
    m_authority.reset();
    m_dir.reset();
}

FetchServices tst_Dialogs::services()
{
    FetchServices s;
    s.nam = m_nam.get();
    s.secrets = m_secrets.get();
    s.discovery = m_discovery.get();
    s.clock = m_clock.get();
    s.httpTimeoutMs = 5000;
    return s;
}

Environment tst_Dialogs::environment() const
{
    Environment env;
    env.name = kEnv;
    env.issuer = m_authority->issuer();
    env.clientId = QStringLiteral("demo-client");
    env.scopes = {QStringLiteral("openid"), QStringLiteral("offline_access")};
    return env;
}

Profile tst_Dialogs::makeProfile(Grant grant)
{
    Profile p;
    p.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    p.name = QStringLiteral("sso");
    p.kind = ProfileKind::OAuth2;
    p.grant = grant;
    p.environments = {environment()};
    p.activeEnvironment = kEnv;
    m_ids << p.id;
    return p;
}

SignInJob *tst_Dialogs::newSignInJob()
{
    auto *job = new SignInJob(services(), m_profile, environment());
    job->setIntervalScale(kFastPolls);
    return job;
}

// ---- sign-in -------------------------------------------------------------------------------

void tst_Dialogs::signInShowsCodeAndSucceeds()
{
    // Wired as the tray does: the workspace indexes the refresh token before it is written, the
    // engine adopts the credential.
    ProfileStore store(m_dir->path());
    TokenEngine engine(services());
    Workspace workspace(&store, &engine, m_clock.get());
    QVERIFY(workspace.load());
    const auto added = workspace.update([this](Config &config) -> Result<void> {
        config.profiles.append(m_profile);
        return {};
    });
    QVERIFY2(added, qPrintable(added ? QString() : added.error().detail));

    SignInJob *job = newSignInJob();
    job->setBeforeStore([&workspace, job](bool storesRefreshToken) {
        return workspace.update([job, storesRefreshToken](Config &config) -> Result<void> {
            if (auto r = job->recordInConfig(config, storesRefreshToken); !r)
                return r.error();
            return {};
        });
    });
    connect(job, &SignInJob::finished, &engine, [job, &engine] {
        if (job->result())
            engine.adopt(job->profileId(), job->environmentName(), job->result()->credential);
    });

    SignInDialog dialog(job);
    QCOMPARE(dialog.job()->parent(), &dialog);
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    // Before the authority answered.
    QVERIFY(dialog.userCode().isEmpty());
    QVERIFY(!dialog.openBrowserButton()->isEnabled());
    QVERIFY(!dialog.copyCodeButton()->isEnabled());
    QVERIFY2(dialog.statusText().contains(QLatin1String("Contacting")),
             qPrintable(dialog.statusText()));
    QVERIFY(dialog.windowTitle().contains(QLatin1String("sso/DEV")));

    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.userCode().isEmpty(), 10000);
    const QString code = dialog.userCode();
    QVERIFY2(code.startsWith(QLatin1String("WDJB-")), qPrintable(code));
    QCOMPARE(dialog.codeLabel()->text(), code);
    QVERIFY(dialog.codeLabel()->textInteractionFlags().testFlag(Qt::TextSelectableByMouse));
    // What the dialog asks for, not what fontconfig found on this machine: the desktop's fixed
    // font, hinted monospace, large.
    const QFont codeFont = dialog.codeLabel()->font();
    QCOMPARE(codeFont.family(), QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
    QCOMPARE(codeFont.styleHint(), QFont::Monospace);
    QVERIFY(codeFont.pointSizeF() > dialog.font().pointSizeF() * 1.5);
    QCOMPARE(dialog.urlLabel()->text(),
             m_authority->issuer().toString() + QStringLiteral("/verify"));
    QVERIFY(dialog.openBrowserButton()->isEnabled());
    QCOMPARE(dialog.browserUrl().query(), QStringLiteral("user_code=") + code); // the complete one
    QTRY_VERIFY2(dialog.statusText().contains(QLatin1String("Waiting for approval")),
                 qPrintable(dialog.statusText()));

    dialog.copyCodeButton()->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), code);
    screenshot(QStringLiteral("signin-code"));

    m_authority->approve(code);
    QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, 10000);
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(dialog.job()->result());
    QVERIFY(dialog.job()->result()->refreshTokenStored);
    QVERIFY(
        !m_keychain->value(kService, secretKey(m_profile.id, kEnv, QStringLiteral("refresh_token")))
             .isEmpty());
    QCOMPARE(workspace.config().profileById(m_profile.id)->secretIndex,
             QStringList {QStringLiteral("DEV/refresh_token")});
    QCOMPARE(engine.state(m_profile.id, kEnv), TokenState::Fresh);
    QCOMPARE(engine.credential(m_profile.id, kEnv)->accessToken.expose(),
             dialog.job()->result()->credential.accessToken.expose());
}

void tst_Dialogs::signInShowsPollingStatus()
{
    // The authority first asks to slow down, then fails once, then keeps saying "pending".
    m_authority->server().enqueue("/token", ScriptedReply::json(400, R"({"error":"slow_down"})"));
    m_authority->server().enqueue(
        "/token", ScriptedReply::json(503, R"({"error":"temporarily_unavailable"})"));
    SignInDialog dialog(newSignInJob());
    QStringList texts; // what the dialog said after each status report
    connect(dialog.job(), &SignInJob::statusChanged, this,
            [&texts, &dialog](const QString &) { texts << dialog.statusText(); });
    dialog.show();
    QTRY_VERIFY_WITH_TIMEOUT(texts.size() >= 3, 10000);
    QVERIFY2(texts.at(0).contains(QLatin1String("less often")), qPrintable(texts.join('\n')));
    QVERIFY2(texts.at(1).contains(QLatin1String("trying again")), qPrintable(texts.join('\n')));
    QVERIFY2(texts.at(2).contains(QLatin1String("Waiting for approval")),
             qPrintable(texts.join('\n')));
    QVERIFY(dialog.isVisible());
    QVERIFY(!dialog.hasFailed());
}

void tst_Dialogs::signInDenied()
{
    SignInDialog dialog(newSignInJob());
    connect(dialog.job(), &SignInJob::userCodeReady, m_authority.get(),
            [this](const QString &userCode) { m_authority->deny(userCode); });
    QSignalSpy rejected(&dialog, &QDialog::rejected);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTRY_VERIFY_WITH_TIMEOUT(dialog.hasFailed(), 10000);
    QVERIFY2(dialog.statusText().contains(QLatin1String("denied")),
             qPrintable(dialog.statusText()));
    QVERIFY(dialog.isVisible()); // stays up to say why
    QVERIFY(!dialog.openBrowserButton()->isEnabled());
    QCOMPARE(dialog.cancelButton()->text(), QStringLiteral("Close"));
    QCOMPARE(dialog.job()->result().error().reason, QStringLiteral("access_denied"));
    QCOMPARE(
        m_keychain->value(kService, secretKey(m_profile.id, kEnv, QStringLiteral("refresh_token"))),
        QByteArray());
    screenshot(QStringLiteral("signin-denied"));
    dialog.cancelButton()->click();
    QCOMPARE(rejected.count(), 1);
    QVERIFY(!dialog.isVisible());
}

void tst_Dialogs::signInCancelStopsPolling()
{
    SignInDialog dialog(newSignInJob());
    QSignalSpy status(dialog.job(), &SignInJob::statusChanged);
    QSignalSpy jobFinished(dialog.job(), &SignInJob::finished);
    QSignalSpy rejected(&dialog, &QDialog::rejected);
    dialog.show();
    QTRY_VERIFY_WITH_TIMEOUT(status.count() >= 3, 10000); // polling, unapproved
    QVERIFY(m_authority->tokenRequests() >= 2);

    dialog.cancelButton()->click();
    QCOMPARE(rejected.count(), 1);
    QVERIFY(!dialog.isVisible());
    QCOMPARE(jobFinished.count(), 1);
    QCOMPARE(dialog.job()->result().error().code, ErrorCode::Cancelled);
    // The poller is gone with its timer and its request: nothing is left to poll again.
    QTRY_VERIFY_WITH_TIMEOUT(dialog.job()->findChildren<DeviceFlowJob *>().isEmpty(), 10000);
    QCOMPARE(rejected.count(), 1);
}

// ---- token inspector -----------------------------------------------------------------------

void tst_Dialogs::inspectorShowsUnverifiedClaims()
{
    const QDateTime now = m_clock->nowUtc();
    const QJsonObject claims {{"sub", "alice@example.com"},
                              {"iss", "https://login.example.com"},
                              {"aud", "api://tokentray-demo"},
                              {"scope", "read write"},
                              {"iat", now.addSecs(-300).toSecsSinceEpoch()},
                              {"exp", now.addSecs(7200).toSecsSinceEpoch()}};
    Credential c;
    c.accessToken = Secret(makeJwt(claims));
    c.tokenType = QStringLiteral("Bearer");
    c.scopes = {QStringLiteral("read"), QStringLiteral("write")};
    c.issuedAt = now.addSecs(-300);
    c.expiresAt = now.addSecs(7200);
    TokenInspector inspector(services(), makeProfile(Grant::ClientCredentials), environment(),
                             TokenState::Fresh, c);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));

    QCOMPARE(inspector.stateLabel()->text(), QStringLiteral("Fresh"));
    QCOMPARE(inspector.scopesLabel()->text(), QStringLiteral("read write"));
    QVERIFY2(inspector.expiresLabel()->text().endsWith(QLatin1String("(in 2 h)")),
             qPrintable(inspector.expiresLabel()->text()));
    QVERIFY2(inspector.findChild<QLabel *>(QStringLiteral("issued"))
                 ->text()
                 .endsWith(QLatin1String("(5 min ago)")),
             qPrintable(inspector.findChild<QLabel *>(QStringLiteral("issued"))->text()));
    QVERIFY(inspector.claimsBox()->title().contains(QLatin1String("not verified")));
    QVERIFY(inspector.findChild<QLabel *>(QStringLiteral("claimsNote"))
                ->text()
                .contains(QLatin1String("NOT VERIFIED")));

    const QJsonObject shown = QJsonDocument::fromJson(inspector.claimsText().toUtf8()).object();
    QCOMPARE(shown.value("claims").toObject(), claims);
    QCOMPARE(shown.value("header").toObject().value("kid").toString(),
             QStringLiteral("test-key-1"));
    QVERIFY(inspector.claimsText().contains(QLatin1String("\n    "))); // pretty-printed
    QVERIFY(inspector.findChild<QPlainTextEdit *>(QStringLiteral("claims"))->isReadOnly());
    screenshot(QStringLiteral("inspector-jwt"));
}

void tst_Dialogs::inspectorOpaqueToken()
{
    Credential c;
    c.accessToken = Secret("opaque-4711");
    c.tokenType = QStringLiteral("Bearer");
    c.issuedAt = m_clock->nowUtc();
    c.expiresAt = m_clock->nowUtc().addSecs(-90);
    TokenInspector inspector(services(), makeProfile(Grant::ClientCredentials), environment(),
                             TokenState::Expired, c);
    QCOMPARE(inspector.stateLabel()->text(), QStringLiteral("Expired"));
    QVERIFY2(inspector.expiresLabel()->text().endsWith(QLatin1String("(1 min ago)")),
             qPrintable(inspector.expiresLabel()->text()));
    QVERIFY(inspector.claimsText().isEmpty());
    QVERIFY(inspector.findChild<QLabel *>(QStringLiteral("claimsNote"))
                ->text()
                .contains(QLatin1String("not a JWT")));

    // No token at all: nothing to reveal, copy or verify.
    inspector.setToken(TokenState::None, std::nullopt);
    QCOMPARE(inspector.stateLabel()->text(), QStringLiteral("No token yet"));
    QVERIFY(!inspector.revealButton()->isEnabled());
    QVERIFY(!inspector.copyButton()->isEnabled());
    QVERIFY(!inspector.verifyButton()->isEnabled());
}

void tst_Dialogs::inspectorRevealsOnlyOnClick()
{
    const QByteArray token = makeJwt({{"sub", "bob"}});
    Credential c;
    c.accessToken = Secret(token);
    c.expiresAt = m_clock->nowUtc().addSecs(600);
    TokenInspector inspector(services(), makeProfile(Grant::ClientCredentials), environment(),
                             TokenState::Fresh, c);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    const QString tokenText = QString::fromUtf8(token);
    auto anyWidgetShows = [&inspector, &tokenText] {
        for (QLineEdit *e : inspector.findChildren<QLineEdit *>())
            if (e->text().contains(tokenText))
                return true;
        for (QLabel *l : inspector.findChildren<QLabel *>())
            if (l->text().contains(tokenText))
                return true;
        return inspector.claimsText().contains(tokenText);
    };
    QVERIFY(!inspector.isRevealed());
    QVERIFY(inspector.tokenField()->text().isEmpty());
    QVERIFY(!anyWidgetShows());

    QTest::mouseClick(inspector.revealButton(), Qt::LeftButton);
    QVERIFY(inspector.isRevealed());
    QCOMPARE(inspector.tokenField()->text(), tokenText);
    QCOMPARE(inspector.revealButton()->text(), QStringLiteral("Hide"));
    QTest::mouseClick(inspector.revealButton(), Qt::LeftButton);
    QVERIFY(inspector.tokenField()->text().isEmpty());

    // A refreshed token arrives hidden again.
    QTest::mouseClick(inspector.revealButton(), Qt::LeftButton);
    inspector.setToken(TokenState::Fresh, c);
    QVERIFY(!inspector.isRevealed());
    QVERIFY(inspector.tokenField()->text().isEmpty());

    // Copy asks; the clipboard is the tray's ClipboardGuard's business.
    QGuiApplication::clipboard()->setText(QStringLiteral("before"));
    QSignalSpy copy(&inspector, &TokenInspector::copyRequested);
    QTest::mouseClick(inspector.copyButton(), Qt::LeftButton);
    QCOMPARE(copy.count(), 1);
    QCOMPARE(copy.first().at(0).toString(), inspector.profileId());
    QCOMPARE(copy.first().at(1).toString(), kEnv);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("before"));
}

void tst_Dialogs::inspectorVerify()
{
    const Profile profile = makeProfile(Grant::ClientCredentials);
    // Introspection needs the confidential client's secret.
    QVERIFY(TestEnv::writeSecret(m_secrets.get(),
                                 secretKey(profile.id, kEnv, QStringLiteral("client_secret")),
                                 "demo-secret"));
    // A token the authority issued.
    TokenGrantJob grant(m_nam.get(), m_clock.get(),
                        QUrl(m_authority->issuer().toString() + QStringLiteral("/token")),
                        {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}},
                        {QStringLiteral("demo-client"), Secret("demo-secret"), ClientAuth::Basic},
                        HttpPolicy());
    QSignalSpy granted(&grant, &TokenGrantJob::finished);
    grant.start();
    QVERIFY(granted.wait(10000));
    QVERIFY(grant.result());
    const Credential issued = credentialFromResponse(*grant.result(), grant.sentAt(), {}, 3600);

    TokenInspector inspector(services(), profile, environment(), TokenState::Fresh, issued);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    QVERIFY(inspector.verifyButton()->isEnabled());
    QTest::mouseClick(inspector.verifyButton(), Qt::LeftButton);
    QVERIFY(!inspector.verifyButton()->isEnabled()); // one check at a time
    QTRY_VERIFY_WITH_TIMEOUT(inspector.verifyText().startsWith(QLatin1String("Active")), 10000);
    QVERIFY(inspector.verifyButton()->isEnabled());
    screenshot(QStringLiteral("inspector-verified"));

    Credential unknown = issued;
    unknown.accessToken = Secret("at-never-issued");
    inspector.setToken(TokenState::Fresh, unknown);
    QVERIFY(inspector.verifyText().isEmpty());
    QTest::mouseClick(inspector.verifyButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(inspector.verifyText().startsWith(QLatin1String("Inactive")), 10000);

    // No introspection endpoint: the reason, not a hang.
    Environment bare = environment();
    bare.issuer.clear();
    bare.tokenUrl = QUrl(m_authority->issuer().toString() + QStringLiteral("/token"));
    TokenInspector noEndpoint(services(), profile, bare, TokenState::Fresh, issued);
    QTest::mouseClick(noEndpoint.verifyButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        noEndpoint.verifyText().contains(QLatin1String("no introspection endpoint")), 10000);
}

// ---- activity log --------------------------------------------------------------------------

void tst_Dialogs::activityLogRedacts_data()
{
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("secret");
    QTest::newRow("bearer") << "HTTP 401 for Authorization: Bearer abcDEF123secret"
                            << "abcDEF123secret";
    QTest::newRow("form") << "POST grant_type=refresh_token&refresh_token=rt-99-secret"
                          << "rt-99-secret";
    QTest::newRow("json") << R"(body {"access_token":"at-77-secret","token_type":"Bearer"})"
                          << "at-77-secret";
    QTest::newRow("jwt") << "got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl back"
                         << "eyJzdWIiOiJ4In0";
    QTest::newRow("client secret") << "client_secret=demo-secret rejected"
                                   << "demo-secret";
}

void tst_Dialogs::activityLogRedacts()
{
    QFETCH(QString, detail);
    QFETCH(QString, secret);
    ActivityLog log(m_clock.get());
    QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    log.record(ActivityLog::Kind::Failed, QStringLiteral("api"), kEnv, detail);
    log.record(ActivityLog::Kind::Copied, QStringLiteral("api token=leak-") + secret, kEnv);
    QCOMPARE(log.rowCount(), 2);
    for (int row = 0; row < log.rowCount(); ++row) {
        for (int column = 0; column < log.columnCount(); ++column) {
            for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)}) {
                const QString text = log.index(row, column).data(role).toString();
                QVERIFY2(!text.contains(secret), qPrintable(text));
            }
        }
    }
    QVERIFY(log.index(0, ActivityLog::DetailColumn)
                .data()
                .toString()
                .contains(QLatin1String("<redacted>")));
    QCOMPARE(log.index(0, ActivityLog::EventColumn).data().toString(),
             QStringLiteral("Refresh failed"));
    QCOMPARE(log.index(0, ActivityLog::ScopeColumn).data().toString(), QStringLiteral("api/DEV"));
    QCOMPARE(log.index(0, 0).data(ActivityLog::TimestampRole).toDateTime(), m_clock->nowUtc());
    QCOMPARE(log.index(1, 0).data(ActivityLog::KindRole).value<ActivityLog::Kind>(),
             ActivityLog::Kind::Copied);
}

void tst_Dialogs::activityLogIsBounded()
{
    ActivityLog log(m_clock.get());
    QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(log.capacity(), 500);
    for (int i = 0; i < 520; ++i) {
        m_clock->advance(1000);
        log.record(ActivityLog::Kind::Refreshed, QStringLiteral("api"), kEnv,
                   QStringLiteral("#%1").arg(i));
    }
    QCOMPARE(log.rowCount(), 500);
    QCOMPARE(log.index(0, ActivityLog::DetailColumn).data().toString(), QStringLiteral("#20"));
    QCOMPARE(log.index(499, ActivityLog::DetailColumn).data().toString(), QStringLiteral("#519"));
    log.setCapacity(10);
    QCOMPARE(log.rowCount(), 10);
    QCOMPARE(log.index(0, ActivityLog::DetailColumn).data().toString(), QStringLiteral("#510"));

    ActivityLogView view(&log);
    QCOMPARE(view.view()->model(), &log);
    log.clear();
    QCOMPARE(log.rowCount(), 0);
}

void tst_Dialogs::activityLogWatchesTheEngine()
{
    ProfileStore store(m_dir->path());
    TokenEngine engine(services());
    Workspace workspace(&store, &engine, m_clock.get());
    QVERIFY(workspace.load());
    Profile api;
    api.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    api.name = QStringLiteral("api");
    api.kind = ProfileKind::StaticToken;
    Environment env;
    env.name = kEnv;
    api.environments = {env};
    api.activeEnvironment = kEnv;
    const auto added = workspace.update([&api](Config &config) -> Result<void> {
        config.profiles.append(api);
        return {};
    });
    QVERIFY2(added, qPrintable(added ? QString() : added.error().detail));

    ActivityLog log(m_clock.get());
    log.watch(&workspace);
    Q_EMIT engine.tokenRefreshed(api.id, kEnv);
    Q_EMIT engine.refreshFailed(
        api.id, kEnv,
        Error {ErrorCode::HttpStatus, QStringLiteral("HTTP 503 from token endpoint"), 503});
    Q_EMIT engine.signInRequired(
        api.id, kEnv,
        Error {ErrorCode::InvalidGrant, QStringLiteral("refresh_token=rt-1 refused")});
    Q_EMIT engine.stateChanged(api.id, kEnv, TokenState::Fresh); // not an event of its own
    QCOMPARE(log.rowCount(), 3);
    QCOMPARE(log.entries().at(0).kind, ActivityLog::Kind::Refreshed);
    QCOMPARE(log.entries().at(0).profile, QStringLiteral("api"));
    QCOMPARE(log.entries().at(1).kind, ActivityLog::Kind::Failed);
    QCOMPARE(log.entries().at(1).detail, QStringLiteral("HTTP 503 from token endpoint"));
    QCOMPARE(log.entries().at(2).kind, ActivityLog::Kind::SignInRequired);
    QVERIFY(!log.entries().at(2).detail.contains(QLatin1String("rt-1")));
}

// ---- settings ------------------------------------------------------------------------------

void tst_Dialogs::settingsDefaults()
{
    AppSettings settings(m_dir->path());
    QCOMPARE(settings.filePath(), QDir(m_dir->path()).filePath(QStringLiteral("settings.ini")));
    QCOMPARE(settings.clipboardClearSeconds(), 30);
    QCOMPARE(settings.confirmProtectedCopy(), true);
    QCOMPARE(settings.notificationsEnabled(), true);
    QCOMPARE(settings.defaultRefreshPolicy(), RefreshPolicy::Deferred);
    QCOMPARE(settings.maxConcurrency(), 8);
    QVERIFY(!settings.canSetMaxConcurrency());
    QCOMPARE(settings.autostart(), false);
    QCOMPARE(settings.language(), QString());
    // One table says it all.
    QCOMPARE(AppSettings::keys().size(), 7);
    QCOMPARE(AppSettings::spec(AppSettings::Key::ClipboardClearSeconds).defaultValue.toInt(), 30);
    QCOMPARE(AppSettings::spec(AppSettings::Key::MaxConcurrency).storage,
             AppSettings::Storage::ProfilesJson);
    QVERIFY(!QFile::exists(settings.filePath())); // reading writes nothing
}

void tst_Dialogs::settingsRoundTrip()
{
    {
        AppSettings settings(m_dir->path());
        QSignalSpy changed(&settings, &AppSettings::changed);
        settings.setClipboardClearSeconds(45);
        settings.setConfirmProtectedCopy(false);
        settings.setNotificationsEnabled(false);
        settings.setDefaultRefreshPolicy(RefreshPolicy::Eager);
        settings.setLanguage(QStringLiteral("de"));
        settings.setLanguage(QStringLiteral("xx")); // not offered: ignored
        QCOMPARE(changed.count(), 5);
        settings.setClipboardClearSeconds(45); // unchanged: no signal
        QCOMPARE(changed.count(), 5);
    }
    // In the INI file, under the table's names.
    QSettings ini(QDir(m_dir->path()).filePath(QStringLiteral("settings.ini")),
                  QSettings::IniFormat);
    QCOMPARE(ini.value(QStringLiteral("clipboard/clearAfterSeconds")).toInt(), 45);
    QCOMPARE(ini.value(QStringLiteral("profiles/defaultRefreshPolicy")).toString(),
             QStringLiteral("eager"));
    QCOMPARE(ini.value(QStringLiteral("ui/language")).toString(), QStringLiteral("de"));

    AppSettings again(m_dir->path());
    QCOMPARE(again.clipboardClearSeconds(), 45);
    QCOMPARE(again.confirmProtectedCopy(), false);
    QCOMPARE(again.notificationsEnabled(), false);
    QCOMPARE(again.defaultRefreshPolicy(), RefreshPolicy::Eager);
    QCOMPARE(again.language(), QStringLiteral("de"));
}

void tst_Dialogs::settingsIgnoreNonsense()
{
    {
        QSettings ini(QDir(m_dir->path()).filePath(QStringLiteral("settings.ini")),
                      QSettings::IniFormat);
        ini.setValue(QStringLiteral("clipboard/clearAfterSeconds"), QStringLiteral("soon"));
        ini.setValue(QStringLiteral("profiles/defaultRefreshPolicy"), QStringLiteral("sometimes"));
        ini.setValue(QStringLiteral("ui/language"), QStringLiteral("tlh"));
        ini.setValue(QStringLiteral("other/note"), QStringLiteral("a, \"quoted\" \\ note\n"));
        ini.setValue(QStringLiteral("other/list"), QStringList {"x", "y z"});
    }
    AppSettings settings(m_dir->path());
    QCOMPARE(settings.clipboardClearSeconds(), 30);
    QCOMPARE(settings.defaultRefreshPolicy(), RefreshPolicy::Deferred);
    QCOMPARE(settings.language(), QString());
    settings.setClipboardClearSeconds(99999);
    QCOMPARE(settings.clipboardClearSeconds(), AppSettings::kMaxClipboardClearSeconds);
    // Saving a setting keeps every other value of the file as it was.
    const QSettings ini(readBackPath(settings.filePath()), QSettings::IniFormat);
    QCOMPARE(ini.value(QStringLiteral("profiles/defaultRefreshPolicy")).toString(),
             QStringLiteral("sometimes"));
    QCOMPARE(ini.value(QStringLiteral("other/note")).toString(),
             QStringLiteral("a, \"quoted\" \\ note\n"));
    QCOMPARE(ini.value(QStringLiteral("other/list")).toStringList(), (QStringList {"x", "y z"}));
}

void tst_Dialogs::settingsSurviveFullDisk()
{
    AppSettings settings(m_dir->path());
    settings.setClipboardClearSeconds(45);
    settings.setLanguage(QStringLiteral("de"));
    QFile file(settings.filePath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();
    QVERIFY(before.size() > 32);

    // A write past 16 bytes fails as on a full disk: the file stays, and so do the values.
    QSignalSpy changed(&settings, &AppSettings::changed);
    {
        TestEnv::FileSizeLimit limit(16);
        QVERIFY(limit.isActive());
        settings.setClipboardClearSeconds(50);
        settings.setNotificationsEnabled(false);
    }
    QCOMPARE(changed.count(), 0);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
    file.close();
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden),
             QStringList {QStringLiteral("settings.ini")});
    QCOMPARE(settings.clipboardClearSeconds(), 45);
    QCOMPARE(AppSettings(m_dir->path()).notificationsEnabled(), true);

    // Room again: saved, and read back the same by QSettings.
    settings.setClipboardClearSeconds(50);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(settings.clipboardClearSeconds(), 50);
    const QSettings ini(readBackPath(settings.filePath()), QSettings::IniFormat);
    QCOMPARE(ini.value(QStringLiteral("clipboard/clearAfterSeconds")).toInt(), 50);
    QCOMPARE(ini.value(QStringLiteral("ui/language")).toString(), QStringLiteral("de"));
}

void tst_Dialogs::settingsMaxConcurrencyLivesInProfilesJson()
{
    ProfileStore store(m_dir->path());
    TokenEngine engine(services());
    Workspace workspace(&store, &engine, m_clock.get());
    QVERIFY(workspace.load());
    AppSettings settings(m_dir->path(), &workspace);
    QVERIFY(settings.canSetMaxConcurrency());
    QCOMPARE(settings.maxConcurrency(), 8);
    QVERIFY(settings.setMaxConcurrency(3));
    QCOMPARE(workspace.config().settings.maxConcurrency, 3);
    QCOMPARE(engine.options().maxConcurrency, 3);
    QFile json(store.filePath());
    QVERIFY(json.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(json.readAll())
                 .object()
                 .value("settings")
                 .toObject()
                 .value("maxConcurrency")
                 .toInt(),
             3);
    QVERIFY(!QSettings(settings.filePath(), QSettings::IniFormat)
                 .contains(QStringLiteral("maxConcurrency")));
    // Validation is the workspace's: out of range is refused and nothing changes.
    QVERIFY(!settings.setMaxConcurrency(0));
    QCOMPARE(settings.maxConcurrency(), 3);
}

void tst_Dialogs::autostartFile()
{
    const QString path = AppSettings::autostartFilePath();
    QVERIFY2(path.contains(QLatin1String(".qttest")),
             qPrintable(path)); // test mode: never the real one
    QVERIFY(path.endsWith(QLatin1String("/autostart/org.tokentray.TokenTray.desktop")));
    AppSettings settings(m_dir->path());
    settings.setAutostartCommand(QStringLiteral("/opt/Token Tray/bin/tokentray"));
    QVERIFY(!settings.autostart());
    QVERIFY(settings.setAutostart(true));
    QVERIFY(settings.autostart());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString entry = QString::fromUtf8(file.readAll());
    QVERIFY2(entry.startsWith(QLatin1String("[Desktop Entry]\n")), qPrintable(entry));
    QVERIFY2(entry.contains(QLatin1String("\nType=Application\n")), qPrintable(entry));
    QVERIFY2(entry.contains(QLatin1String("\nExec=\"/opt/Token Tray/bin/tokentray\"\n")),
             qPrintable(entry));
    file.close();
    QVERIFY(settings.setAutostart(false));
    QVERIFY(!QFile::exists(path));
    QVERIFY(!settings.autostart());
    QVERIFY(settings.setAutostart(false)); // already off: fine
}

void tst_Dialogs::settingsDialogEdits()
{
    ProfileStore store(m_dir->path());
    TokenEngine engine(services());
    Workspace workspace(&store, &engine, m_clock.get());
    QVERIFY(workspace.load());
    AppSettings settings(m_dir->path(), &workspace);
    settings.setAutostartCommand(QStringLiteral("tokentray"));

    SettingsDialog dialog(&settings);
    QCOMPARE(dialog.clipboardClearSpin()->value(), 30);
    QVERIFY(dialog.confirmProtectedCheck()->isChecked());
    QVERIFY(dialog.notificationsCheck()->isChecked());
    QCOMPARE(dialog.maxConcurrencySpin()->value(), 8);
    QVERIFY(dialog.maxConcurrencySpin()->isEnabled());
    QVERIFY(!dialog.autostartCheck()->isChecked());
    QCOMPARE(dialog.languageCombo()->currentData().toString(), QString());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    screenshot(QStringLiteral("settings"));

    dialog.clipboardClearSpin()->setValue(0);
    dialog.confirmProtectedCheck()->setChecked(false);
    dialog.refreshPolicyCombo()->setCurrentIndex(1);
    dialog.maxConcurrencySpin()->setValue(12);
    dialog.autostartCheck()->setChecked(true);
    dialog.languageCombo()->setCurrentIndex(dialog.languageCombo()->findData(QStringLiteral("de")));
    QCOMPARE(dialog.clipboardClearSpin()->text(), QStringLiteral("Never"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(settings.clipboardClearSeconds(), 0);
    QCOMPARE(settings.confirmProtectedCopy(), false);
    QCOMPARE(settings.defaultRefreshPolicy(), RefreshPolicy::Eager);
    QCOMPARE(workspace.config().settings.maxConcurrency, 12);
    QVERIFY(settings.autostart());
    QCOMPARE(settings.language(), QStringLiteral("de"));
    QVERIFY(dialog.errorLabel()->isHidden());

    // profiles.json unreadable: the dialog says so and stays open; the rest is saved.
    QFile json(store.filePath());
    QVERIFY(json.open(QIODevice::WriteOnly | QIODevice::Truncate));
    json.write("{ not json");
    json.close();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("unterminated object")));
    QVERIFY(!workspace.load());
    SettingsDialog readOnly(&settings);
    QVERIFY(!readOnly.maxConcurrencySpin()->isEnabled());
    readOnly.notificationsCheck()->setChecked(false);
    readOnly.accept();
    QCOMPARE(readOnly.result(), int(QDialog::Accepted));
    QCOMPARE(settings.notificationsEnabled(), false);
}

// ---- MFA ----------------------------------------------------------------------------------------

namespace {

MfaChallenge challenge(const QString &env = QStringLiteral("PROD"))
{
    return {QStringLiteral("work"), env, QStringLiteral("arn:aws:iam::123456789012:mfa/alice"),
            QStringLiteral("arn:aws:iam::123456789012:role/Deploy")};
}

} // namespace

void tst_Dialogs::mfaDialogTakesSixDigits()
{
    auto *request = new MfaRequest(challenge(), this);
    QSignalSpy done(request, &MfaRequest::finished);
    auto *dialog = new MfaDialog(request);
    dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QVERIFY(dialog->windowTitle().contains(u"work/PROD"));
    QPushButton *ok = dialog->buttons()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(dialog->codeEdit(), QStringLiteral("12a3-45"));
    QCOMPARE(dialog->codeEdit()->text(), QStringLiteral("12345")); // digits only
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(dialog->codeEdit(), QStringLiteral("67"));
    QCOMPARE(dialog->codeEdit()->text(), QStringLiteral("123456")); // six at most
    QVERIFY(ok->isEnabled());
    screenshot(QStringLiteral("mfa-dialog"));
    ok->click();
    QVERIFY(done.wait());
    const Result<Secret> code = request->takeResult();
    QVERIFY(code);
    QCOMPARE(code->expose(), QByteArray("123456"));
    QVERIFY2(!request->takeResult(), "a code is handed over once");
    QTRY_VERIFY(!dialog->isVisible());
    delete request;
}

void tst_Dialogs::mfaDialogCancelDeclines()
{
    auto *request = new MfaRequest(challenge(), this);
    QSignalSpy done(request, &MfaRequest::finished);
    QPointer<MfaDialog> dialog = new MfaDialog(request);
    dialog->show();
    QTest::keyClicks(dialog->codeEdit(), QStringLiteral("123456"));
    dialog->buttons()->button(QDialogButtonBox::Cancel)->click();
    QVERIFY(done.wait());
    const Result<Secret> code = request->takeResult();
    QVERIFY(!code);
    QCOMPARE(code.error().code, ErrorCode::Cancelled);
    QTRY_VERIFY(!dialog); // deletes itself on close
    delete request;
}

void tst_Dialogs::mfaPrompterOneDialogAtATime()
{
    DialogMfaPrompter prompter;
    QSignalSpy shown(&prompter, &DialogMfaPrompter::dialogShown);
    auto *first = new MfaRequest(challenge(QStringLiteral("PROD")), this);
    auto *second = new MfaRequest(challenge(QStringLiteral("QA")), this);
    auto *third = new MfaRequest(challenge(QStringLiteral("DEV")), this);
    QSignalSpy secondDone(second, &MfaRequest::finished);
    prompter.ask(first);
    prompter.ask(second);
    prompter.ask(third);
    QVERIFY(shown.wait());
    QCOMPARE(shown.size(), 1);
    QPointer<MfaDialog> dialog = prompter.currentDialog();
    QCOMPARE(dialog->request(), first);

    // The refresh behind the first request gave up: its dialog closes, the next one shows.
    delete first;
    QTRY_VERIFY(!dialog);
    QTRY_COMPARE(shown.size(), 2);
    QCOMPARE(prompter.currentDialog()->request(), second);
    QTest::keyClicks(prompter.currentDialog()->codeEdit(), QStringLiteral("654321"));
    prompter.currentDialog()->accept();
    QVERIFY(secondDone.wait());
    QCOMPARE(second->takeResult()->expose(), QByteArray("654321"));
    QTRY_COMPARE(shown.size(), 3);
    QCOMPARE(prompter.currentDialog()->request(), third);
    delete second;
    delete third;
}

QTEST_MAIN(tst_Dialogs)
#include "tst_dialogs.moc"
