// tokentray: the composition root of the tray application. No logic here.
#include "core/store/profilestore.h"
#include "core/util/redact.h"
#include "ui/managerwindow.h"
#include "ui/traycontroller.h"
#include "ui/translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLocale>

int main(int argc, char *argv[])
{
    TokenTray::installRedactingMessageHandler();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tokentray"));
    QApplication::setApplicationDisplayName(QStringLiteral("TokenTray"));
    QApplication::setApplicationVersion(QStringLiteral(TOKENTRAY_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.tokentray.TokenTray"));
    QApplication::setQuitOnLastWindowClosed(false);
    TokenTray::installTranslations(&app, QLocale());

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
            "main", "Keeps API tokens and cloud credentials fresh for every tool on the desktop."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configDir(QStringLiteral("config-dir"),
                                       QApplication::translate("main", "Configuration directory."),
                                       QStringLiteral("DIR"));
    const QCommandLineOption verbose({QStringLiteral("v"), QStringLiteral("verbose")},
                                     QApplication::translate("main", "Diagnostic log (secrets redacted)."));
    parser.addOption(configDir);
    parser.addOption(verbose);
    parser.process(app);
    if (parser.isSet(verbose))
        TokenTray::enableVerboseLogging();

    TokenTray::ProfileStore store(TokenTray::ProfileStore::resolveConfigDir(parser.value(configDir)));
    TokenTray::ManagerWindow window;
    TokenTray::TrayController tray(&window);
    QObject::connect(&tray, &TokenTray::TrayController::quitRequested, &app, &QApplication::quit);
    QObject::connect(&window, &TokenTray::ManagerWindow::quitRequested, &app, &QApplication::quit);

    const auto config = store.load();
    if (config) {
        window.showConfig(*config);
        const TokenTray::Profile *current = config->currentProfile();
        tray.setSummary(current ? current->name + QLatin1Char(' ') + QChar(0x00B7) + QLatin1Char(' ')
                                          + current->activeEnvironment
                                : QApplication::translate("main", "No profiles"));
    } else {
        window.showConfigError(config.error().detail);
        tray.setSummary(QApplication::translate("main", "Configuration error"));
    }
    tray.show();
    return QApplication::exec();
}
