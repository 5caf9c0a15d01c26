// The tray: menu structure and one-click switching, state → icon and tooltip, the tray-or-window
// fallback, translations. Runs twice: under the X test session (xcb + jwm's tray) and offscreen.
#include "core/model/envfields.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/workspace/workspace.h"
#include "tests/support/memorysecretbackend.h"
#include "ui/translations.h"
#include "ui/traycontroller.h"
#include "ui/trayicons.h"

#include <QAction>
#include <QApplication>
#include <QLockFile>
#include <QMenu>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

#include <memory>

using namespace TokenTray;

namespace {

QAction *findAction(QMenu *menu, const QString &name)
{
    for (QAction *a : menu->actions()) {
        if (a->objectName() == name)
            return a;
        if (a->menu()) {
            if (QAction *inner = findAction(a->menu(), name))
                return inner;
        }
    }
    return nullptr;
}

Config sampleConfig()
{
    Config config;
    Profile work;
    work.id = QStringLiteral("id-work");
    work.name = QStringLiteral("work");
    work.grant = Grant::ClientCredentials;
    Environment qa;
    qa.name = QStringLiteral("QA");
    qa.tokenUrl = QUrl(QStringLiteral("http://127.0.0.1:9/token"));
    qa.clientId = QStringLiteral("c");
    Environment prod = qa;
    prod.name = QStringLiteral("PROD");
    prod.isProtected = true;
    work.environments = {qa, prod};
    work.activeEnvironment = QStringLiteral("QA");
    Profile other;
    other.id = QStringLiteral("id-other");
    other.name = QStringLiteral("other");
    other.kind = ProfileKind::StaticToken;
    Environment dev;
    dev.name = QStringLiteral("DEV");
    other.environments = {dev};
    other.activeEnvironment = QStringLiteral("DEV");
    config.profiles = {work, other};
    config.currentProfileId = work.id;
    return config;
}

// A workspace on a temporary config dir, with a real engine and a settable clock.
struct Fixture
{
    QTemporaryDir dir;
    ManualClock clock {QDateTime(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC)};
    QNetworkAccessManager nam;
    MemorySecretBackend keychain;
    SecretStore secrets {&keychain, QStringLiteral("tokentray-test-tray")};
    DiscoveryCache discovery;
    std::unique_ptr<TokenEngine> engine;
    std::unique_ptr<ProfileStore> store;
    std::unique_ptr<Workspace> workspace;

    explicit Fixture(const Config &config)
    {
        engine = std::make_unique<TokenEngine>(FetchServices {&nam, &secrets, &discovery, &clock});
        TokenEngine::Options options = engine->options();
        options.cacheWriteDelayMs = 3600 * 1000; // nothing to persist in these tests
        engine->setOptions(options);
        store = std::make_unique<ProfileStore>(dir.path());
        if (!config.profiles.isEmpty())
            (void)store->save(config);
        workspace = std::make_unique<Workspace>(store.get(), engine.get(), &clock);
        (void)workspace->load();
    }
    ~Fixture() { engine->forget(QStringLiteral("id-work"), QStringLiteral("QA")); }

    void giveToken(const QString &profileId, const QString &env, qint64 lifetimeSeconds)
    {
        Credential c;
        c.accessToken = Secret(QByteArrayLiteral("tok"));
        c.issuedAt = clock.nowUtc();
        c.expiresAt = clock.nowUtc().addSecs(lifetimeSeconds);
        engine->adopt(profileId, env, c);
    }
};

} // namespace

class tst_Tray : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void severityMapping_data();
    void severityMapping();
    void menuStructure();
    void oneClickSwitching();
    void busyConfigIsReported();
    void iconFollowsState();
    void protectedEnvironmentIsMarked();
    void actionsAskForTheirProfile();
    void readOnlyConfigDisablesSwitching();
    void trayOrWindow();
    void statusIconsRender();
    void germanTranslationIsEmbedded();
    void everyFieldTextIsTranslated();
};

void tst_Tray::severityMapping_data()
{
    QTest::addColumn<TokenState>("state");
    QTest::addColumn<Severity>("severity");
    QTest::addColumn<QString>("icon");
    QTest::newRow("none") << TokenState::None << Severity::None << "grey";
    QTest::newRow("fresh") << TokenState::Fresh << Severity::Good << "green";
    QTest::newRow("advisory") << TokenState::Advisory << Severity::Warning << "amber";
    QTest::newRow("mandatory") << TokenState::Mandatory << Severity::Warning << "amber";
    QTest::newRow("refreshing") << TokenState::Refreshing << Severity::Warning << "amber";
    QTest::newRow("expired") << TokenState::Expired << Severity::Critical << "red";
    QTest::newRow("error") << TokenState::Error << Severity::Critical << "red";
    QTest::newRow("sign-in") << TokenState::SignInRequired << Severity::Critical << "red";
    QTest::newRow("locked") << TokenState::Locked << Severity::Locked << "grey";
}

void tst_Tray::severityMapping()
{
    QFETCH(TokenState, state);
    QFETCH(Severity, severity);
    QFETCH(QString, icon);
    QCOMPARE(severityOf(state), severity);
    QCOMPARE(statusIconName(severityOf(state)), icon);
}

void tst_Tray::menuStructure()
{
    Fixture f(sampleConfig());
    TrayController tray(f.workspace.get());
    QMenu *menu = tray.menu();
    QAction *qa = findAction(menu, QStringLiteral("env:work/QA"));
    QAction *prod = findAction(menu, QStringLiteral("env:work/PROD"));
    QVERIFY(qa && prod);
    QVERIFY(qa->isCheckable() && qa->isChecked());
    QVERIFY(!prod->isChecked());
    QVERIFY(prod->text().contains(QStringLiteral("protected")));
    QVERIFY(findAction(menu, QStringLiteral("copy:work")));
    QVERIFY(findAction(menu, QStringLiteral("refresh:work")));
    // Another profile lives in a submenu with its own environments.
    QAction *otherMenu = nullptr;
    for (QAction *a : menu->actions()) {
        if (a->menu() && a->menu()->objectName() == QLatin1String("profileMenu:other"))
            otherMenu = a;
    }
    QVERIFY(otherMenu);
    QVERIFY(findAction(otherMenu->menu(), QStringLiteral("env:other/DEV")));
    // The current profile comes first; the fixed actions come last.
    const QList<QAction *> actions = menu->actions();
    QVERIFY(actions.first()->isSeparator()); // the section header of the current profile
    QCOMPARE(actions.first()->text(), QStringLiteral("work"));
    QCOMPARE(actions.last()->objectName(), QStringLiteral("quitAction"));
    QVERIFY(findAction(menu, QStringLiteral("openManagerAction")));
}

void tst_Tray::oneClickSwitching()
{
    Fixture f(sampleConfig());
    TrayController tray(f.workspace.get());
    QSignalSpy changed(f.workspace.get(), &Workspace::configChanged);
    findAction(tray.menu(), QStringLiteral("env:work/PROD"))->trigger();
    QTRY_VERIFY(changed.count() >= 1); // saved on the next turn of the event loop
    auto onDisk = ProfileStore(f.dir.path()).load();
    QVERIFY(onDisk.has_value());
    QCOMPARE(onDisk->profileByName(QStringLiteral("work"))->activeEnvironment,
             QStringLiteral("PROD"));
    // The menu is rebuilt from the change: PROD is now the checked one.
    QTRY_VERIFY(findAction(tray.menu(), QStringLiteral("env:work/PROD"))
                && findAction(tray.menu(), QStringLiteral("env:work/PROD"))->isChecked());

    // A click on another profile's environment makes that profile current.
    findAction(tray.menu(), QStringLiteral("env:other/DEV"))->trigger();
    QTRY_COMPARE(ProfileStore(f.dir.path()).load()->currentProfileId, QStringLiteral("id-other"));
    QTRY_COMPARE(tray.menu()->actions().first()->text(), QStringLiteral("other"));
}

void tst_Tray::busyConfigIsReported()
{
    Fixture f(sampleConfig());
    TrayController tray(f.workspace.get());
    f.workspace->setLockRetryDelays({10, 20});
    // Another process (here: another store) is changing profiles.json and keeps it locked.
    auto held = ProfileStore(f.dir.path()).lockForUpdate(1000);
    QVERIFY(held && held.value());
    QSignalSpy shown(&tray, &TrayController::messageShown);
    findAction(tray.menu(), QStringLiteral("env:work/PROD"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    QCOMPARE(shown.first().at(0).toString(), QStringLiteral("Not switched"));
    QVERIFY2(shown.first().at(1).toString().contains(QStringLiteral("busy")),
             qPrintable(shown.first().at(1).toString()));
    QCOMPARE(shown.first().at(2).toBool(), true);
    QCOMPARE(
        ProfileStore(f.dir.path()).load()->profileByName(QStringLiteral("work"))->activeEnvironment,
        QStringLiteral("QA"));
}

void tst_Tray::iconFollowsState()
{
    Fixture f(sampleConfig());
    TrayController tray(f.workspace.get());
    QCOMPARE(tray.iconSeverity(), Severity::None);
    f.giveToken(QStringLiteral("id-work"), QStringLiteral("QA"), 3600);
    QTRY_COMPARE(tray.iconSeverity(), Severity::Good);
    QVERIFY2(tray.toolTipText().contains(QStringLiteral("work · QA · expires in 60 min")),
             qPrintable(tray.toolTipText()));

    f.clock.advance(50 * 60 * 1000); // 10 min left: advisory (A = 15 min)
    f.engine->reevaluate();
    QTRY_COMPARE(tray.iconSeverity(), Severity::Warning);
    f.clock.advance(11 * 60 * 1000); // past expiry
    f.engine->reevaluate();
    QTRY_COMPARE(tray.iconSeverity(), Severity::Critical);
    QVERIFY(tray.toolTipText().contains(QStringLiteral("expired")));
}

void tst_Tray::protectedEnvironmentIsMarked()
{
    Config config = sampleConfig();
    config.profiles[0].activeEnvironment = QStringLiteral("PROD");
    Fixture f(config);
    TrayController tray(f.workspace.get());
    QVERIFY(tray.iconProtected());
    // The badge changes the pixels: the protected icon differs from the plain one.
    const QImage marked = statusIcon(Severity::Good, true).pixmap(22, 22).toImage();
    const QImage plain = statusIcon(Severity::Good, false).pixmap(22, 22).toImage();
    QVERIFY(!marked.isNull() && !plain.isNull());
    QVERIFY(marked != plain);
    findAction(tray.menu(), QStringLiteral("env:work/QA"))->trigger();
    QTRY_VERIFY(!tray.iconProtected());
}

void tst_Tray::actionsAskForTheirProfile()
{
    Fixture f(sampleConfig());
    TrayController tray(f.workspace.get());
    QSignalSpy copy(&tray, &TrayController::copyTokenRequested);
    QSignalSpy refresh(&tray, &TrayController::refreshRequested);
    QSignalSpy quit(&tray, &TrayController::quitRequested);
    findAction(tray.menu(), QStringLiteral("copy:work"))->trigger();
    findAction(tray.menu(), QStringLiteral("refresh:other"))->trigger();
    findAction(tray.menu(), QStringLiteral("quitAction"))->trigger();
    QCOMPARE(copy.count(), 1);
    QCOMPARE(copy.first(), (QVariantList {QStringLiteral("id-work"), QStringLiteral("QA")}));
    QCOMPARE(refresh.first(), (QVariantList {QStringLiteral("id-other"), QStringLiteral("DEV")}));
    QCOMPARE(quit.count(), 1);
}

void tst_Tray::readOnlyConfigDisablesSwitching()
{
    Fixture f(Config {});
    QFile file(f.store->filePath());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{ truncated");
    file.close();
    (void)f.workspace->load();
    QVERIFY(f.workspace->isReadOnly());
    TrayController tray(f.workspace.get());
    QVERIFY(tray.menu()->actions().first()->text().contains(QStringLiteral("Configuration error")));
    QVERIFY(tray.toolTipText().contains(QStringLiteral("cannot be read")));
}

void tst_Tray::trayOrWindow()
{
    Fixture f(sampleConfig());
    TrayController tray(f.workspace.get());
    QSignalSpy openManager(&tray, &TrayController::openManagerRequested);
    const bool xcbSession = QGuiApplication::platformName() == QLatin1String("xcb")
        && qEnvironmentVariable("TOKENTRAY_TEST_SESSION") == QLatin1String("1");
    if (xcbSession) // the test desktop's jwm provides a tray; the icon must dock there
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 5000);
    tray.show();
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        QVERIFY(tray.isTrayVisible());
        QCOMPARE(openManager.count(), 0);
    } else {
        QVERIFY(!tray.isTrayVisible()); // no tray host: the manager window is the UI
        QCOMPARE(openManager.count(), 1);
    }
}

void tst_Tray::statusIconsRender()
{
    for (const char *name : {"grey", "green", "amber", "red"}) {
        const QIcon icon(QStringLiteral(":/icons/status-%1.svg").arg(QLatin1String(name)));
        const QImage image = icon.pixmap(22, 22).toImage();
        QVERIFY2(!image.isNull(), name); // null without the qsvg plugin
        QVERIFY2(qAlpha(image.pixel(5, 11)) > 0, name);
    }
}

void tst_Tray::germanTranslationIsEmbedded()
{
    QVERIFY(installTranslations(qApp, QLocale(QLocale::German, QLocale::Germany)));
    Fixture f(sampleConfig());
    TrayController tray(f.workspace.get());
    QCOMPARE(findAction(tray.menu(), QStringLiteral("quitAction"))->text(),
             QStringLiteral("Beenden"));
    QCOMPARE(findAction(tray.menu(), QStringLiteral("copy:work"))->text(),
             QStringLiteral("Token kopieren"));
    for (QTranslator *t : qApp->findChildren<QTranslator *>())
        QCoreApplication::removeTranslator(t);
}

// The field table's texts carry their translation context by hand (QT_TRANSLATE_NOOP); one
// mistyped context would get an entry of its own and show English. Each text must be found in
// the German catalogue under the table's context.
void tst_Tray::everyFieldTextIsTranslated()
{
    QTranslator german;
    QVERIFY(german.load(QLocale(QLocale::German, QLocale::Germany), QStringLiteral("tokentray"),
                        QStringLiteral("_"), QStringLiteral(":/i18n")));
    int checked = 0;
    for (const EnvFieldSpec &spec : envFieldTable()) {
        QList<const char *> texts = spec.choiceLabels;
        texts << spec.label << spec.hint;
        for (const char *text : std::as_const(texts)) {
            if (!text)
                continue;
            ++checked;
            QVERIFY2(!german.translate(kEnvFieldsContext, text).isEmpty(),
                     qPrintable(spec.jsonKey + QStringLiteral(": ") + QLatin1String(text)));
        }
    }
    QVERIFY(checked >= envFieldTable().size()); // every row has a label at least
}

QTEST_MAIN(tst_Tray)
#include "tst_tray.moc"
