// The minimal tray shell: menu structure, icons from resources, tray vs. window fallback,
// translations. Runs twice: under the X test session (xcb + jwm's tray) and offscreen (no tray).
#include "core/model/config.h"
#include "ui/managerwindow.h"
#include "ui/traycontroller.h"
#include "ui/translations.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>
#include <QTranslator>
#include <QTreeWidget>

using namespace TokenTray;

class tst_Tray : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void menuOffersOpenAndQuit();
    void statusIconsRender();
    void trayOrWindow();
    void managerWindowShowsProfiles();
    void managerWindowShowsConfigError();
    void germanTranslationIsEmbedded();
};

static QAction *findAction(QMenu *menu, const QString &name)
{
    for (QAction *a : menu->actions()) {
        if (a->objectName() == name)
            return a;
    }
    return nullptr;
}

void tst_Tray::menuOffersOpenAndQuit()
{
    ManagerWindow window;
    TrayController tray(&window);
    QAction *quit = findAction(tray.menu(), QStringLiteral("quitAction"));
    QAction *open = findAction(tray.menu(), QStringLiteral("openManagerAction"));
    QVERIFY(quit);
    QVERIFY(open);
    QSignalSpy quitSpy(&tray, &TrayController::quitRequested);
    quit->trigger();
    QCOMPARE(quitSpy.count(), 1);
    QVERIFY(!window.isVisible());
    open->trigger();
    QVERIFY(window.isVisible());
    tray.setSummary(QStringLiteral("work · QA"));
    QCOMPARE(tray.menu()->actions().first()->text(), QStringLiteral("work · QA"));
    QVERIFY(tray.trayIcon()->toolTip().contains(QStringLiteral("work · QA")));
}

void tst_Tray::statusIconsRender()
{
    for (const char *name : {"grey", "green", "amber", "red"}) {
        const QIcon icon(QStringLiteral(":/icons/status-%1.svg").arg(QLatin1String(name)));
        const QImage image = icon.pixmap(22, 22).toImage();
        QVERIFY2(!image.isNull(), name); // null without the qsvg plugin
        // The centre of the shield is drawn, not transparent.
        QVERIFY2(qAlpha(image.pixel(5, 11)) > 0, name);
    }
}

void tst_Tray::trayOrWindow()
{
    ManagerWindow window;
    TrayController tray(&window);
    const bool xcbSession = QGuiApplication::platformName() == QLatin1String("xcb")
            && qEnvironmentVariable("TOKENTRAY_TEST_SESSION") == QLatin1String("1");
    if (xcbSession) {
        // The test desktop's jwm provides a system tray; the icon must dock there.
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 5000);
    }
    tray.show();
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        QVERIFY(tray.isTrayVisible());
        QVERIFY(!window.isVisible());
    } else {
        // No tray host: the manager window is the UI.
        QVERIFY(!tray.isTrayVisible());
        QVERIFY(window.isVisible());
    }
}

void tst_Tray::managerWindowShowsProfiles()
{
    Config config;
    Profile work;
    work.id = QStringLiteral("id-1");
    work.name = QStringLiteral("work");
    work.grant = Grant::ClientCredentials;
    Environment qa;
    qa.name = QStringLiteral("QA");
    Environment prod;
    prod.name = QStringLiteral("PROD");
    prod.isProtected = true;
    work.environments = {qa, prod};
    work.activeEnvironment = QStringLiteral("QA");
    config.profiles = {work};
    config.currentProfileId = work.id;

    ManagerWindow window;
    window.showConfig(config);
    QCOMPARE(window.tree()->topLevelItemCount(), 1);
    QTreeWidgetItem *item = window.tree()->topLevelItem(0);
    QCOMPARE(item->text(0), QStringLiteral("work"));
    QCOMPARE(item->text(1), QStringLiteral("oauth2"));
    QCOMPARE(item->childCount(), 2);
    QCOMPARE(item->child(0)->text(2), QStringLiteral("active"));
    QCOMPARE(item->child(1)->text(2), QStringLiteral("protected"));
}

void tst_Tray::managerWindowShowsConfigError()
{
    ManagerWindow window;
    window.showConfigError(QStringLiteral("/x/profiles.json: line 3, column 1: garbage"));
    auto *banner = window.findChild<QLabel *>(QStringLiteral("banner"));
    QVERIFY(banner);
    QVERIFY(banner->text().contains(QStringLiteral("line 3, column 1")));
    QVERIFY(banner->text().contains(QStringLiteral("read-only")));
    QCOMPARE(window.tree()->topLevelItemCount(), 0);
}

void tst_Tray::germanTranslationIsEmbedded()
{
    QVERIFY(installTranslations(qApp, QLocale(QLocale::German, QLocale::Germany)));
    ManagerWindow window;
    TrayController tray(&window);
    QAction *quit = nullptr;
    for (QAction *a : tray.menu()->actions()) {
        if (a->objectName() == QLatin1String("quitAction"))
            quit = a;
    }
    QVERIFY(quit);
    QCOMPARE(quit->text(), QStringLiteral("Beenden"));
    for (QTranslator *t : qApp->findChildren<QTranslator *>())
        QCoreApplication::removeTranslator(t);
}

QTEST_MAIN(tst_Tray)
#include "tst_tray.moc"
