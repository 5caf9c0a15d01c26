// tokentray: the composition root of the tray application. No logic here.
#include "core/app/workspace.h"
#include "core/aws/mfa.h"
#include "core/demo/demosetup.h"
#include "core/ipc/agentserver.h"
#include "core/ipc/agentservice.h"
#include "core/ipc/singleinstance.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/sleepwatcher.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/util/redact.h"
#include "core/util/terminationwatcher.h"
#include "ui/activitylog.h"
#include "ui/appcontroller.h"
#include "ui/clipboardguard.h"
#include "ui/managerwindow.h"
#include "ui/mfadialog.h"
#include "ui/settings.h"
#include "ui/translations.h"
#include "ui/traycontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLocale>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QTemporaryDir>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

// Serves CLI clients (core/ipc): this process is the desktop's one refresher.
std::unique_ptr<TokenTray::AgentServer> startAgent(TokenTray::AgentService *service,
                                                   const QString &configDir)
{
    auto server
        = std::make_unique<TokenTray::AgentServer>(TokenTray::agentSocketPathFor(configDir));
    server->setHandler(
        [service](const QJsonObject &request, TokenTray::AgentServer::Responder respond) {
            service->handle(request, respond);
        });
    if (!server->listen()) {
        std::fprintf(stderr, "tokentray: cannot serve CLI clients: %s\n",
                     qPrintable(server->errorString()));
        return nullptr;
    }
    return server;
}

// `tokentray --no-tray`: the same engine and agent without any widget, for servers, terminals
// and tests. Runs until SIGINT or SIGTERM.
int runHeadless(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tokentray"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TOKENTRAY_VERSION));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configDir(QStringLiteral("config-dir"),
                                       QStringLiteral("Configuration directory."),
                                       QStringLiteral("DIR"));
    const QCommandLineOption verbose(QStringLiteral("verbose"),
                                     QStringLiteral("Diagnostic log (secrets redacted)."));
    const QCommandLineOption noTray(QStringLiteral("no-tray"),
                                    QStringLiteral("Run as a headless agent, without widgets."));
    parser.addOption(configDir);
    parser.addOption(verbose);
    parser.addOption(noTray);
    parser.process(app);
    if (parser.isSet(verbose))
        TokenTray::enableVerboseLogging();

    const TokenTray::SystemClock clock;
    QNetworkAccessManager nam;
    TokenTray::SecretStore secrets;
    TokenTray::DiscoveryCache discovery;
    TokenTray::OfferedCodePrompter mfa; // only codes a client passes: nobody to ask here
    TokenTray::FetchServices fetch {&nam, &secrets, &discovery, &clock};
    fetch.mfa = &mfa;
    TokenTray::TokenEngine engine(fetch);
    TokenTray::ProfileStore store(
        TokenTray::ProfileStore::resolveConfigDir(parser.value(configDir)));
    TokenTray::Workspace workspace(&store, &engine, &clock);
    TokenTray::SleepWatcher sleep;
    QObject::connect(&sleep, &TokenTray::SleepWatcher::resumed, &engine,
                     &TokenTray::TokenEngine::reevaluate);
    TokenTray::AgentService service({&secrets, &nam, &clock, &engine, &workspace, store.directory(),
                                     30000, [&mfa](const TokenTray::Secret &code) {
                                         mfa.offer(code);
                                     }});
    const auto agent = startAgent(&service, store.directory());
    if (!agent)
        return 1;
    if (auto loaded = workspace.load(); !loaded)
        std::fprintf(stderr, "tokentray: %s\n", qPrintable(loaded.error().detail));
    TokenTray::TerminationWatcher termination;
    QObject::connect(&termination, &TokenTray::TerminationWatcher::terminationRequested, &app,
                     [] { QCoreApplication::quit(); });
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &engine,
                     &TokenTray::TokenEngine::flushCacheWrites);
    std::fprintf(stderr, "tokentray: agent for %s listening on %s\n", qPrintable(store.directory()),
                 qPrintable(agent->socketPath()));
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    TokenTray::installRedactingMessageHandler();
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--no-tray") == 0)
            return runHeadless(argc, argv);
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tokentray"));
    QApplication::setApplicationDisplayName(QStringLiteral("TokenTray"));
    QApplication::setApplicationVersion(QStringLiteral(TOKENTRAY_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.tokentray.TokenTray"));
    QApplication::setQuitOnLastWindowClosed(false);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "Keeps API tokens and cloud credentials fresh for every tool on the desktop."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configDir(QStringLiteral("config-dir"),
                                       QApplication::translate("main", "Configuration directory."),
                                       QStringLiteral("DIR"));
    const QCommandLineOption verbose(
        QStringLiteral("verbose"),
        QApplication::translate("main", "Diagnostic log (secrets redacted)."));
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QApplication::translate("main",
                                "Start with a local demo authority and demo profiles "
                                "in a throw-away configuration."));
    parser.addOption(configDir);
    parser.addOption(verbose);
    parser.addOption(demo);
    parser.process(app);
    if (parser.isSet(verbose))
        TokenTray::enableVerboseLogging();

    const TokenTray::SystemClock clock;
    QNetworkAccessManager nam;
    // The demo keeps everything apart: its own config directory and keychain service.
    std::unique_ptr<QTemporaryDir> demoDir;
    if (parser.isSet(demo) && !parser.isSet(configDir))
        demoDir = std::make_unique<QTemporaryDir>();
    TokenTray::SecretStore secrets(parser.isSet(demo) ? QStringLiteral("tokentray-demo")
                                                      : QStringLiteral("tokentray"));
    TokenTray::DiscoveryCache discovery;
    // A role that needs an MFA code asks the person, also during a background refresh; a code a
    // CLI client passed with --mfa-code is used first.
    TokenTray::DialogMfaPrompter dialogMfa;
    TokenTray::OfferedCodePrompter mfa(&dialogMfa);
    TokenTray::FetchServices fetch {&nam, &secrets, &discovery, &clock};
    fetch.mfa = &mfa;
    TokenTray::TokenEngine engine(fetch);
    TokenTray::ProfileStore store(TokenTray::ProfileStore::resolveConfigDir(
        demoDir ? demoDir->path() : parser.value(configDir)));

    // One instance per config directory: a second launch raises the first and exits.
    TokenTray::SingleInstance instance(store.directory());
    if (!instance.claim())
        return 0;

    TokenTray::Workspace workspace(&store, &engine, &clock);
    TokenTray::AgentService agentService({&secrets, &nam, &clock, &engine, &workspace,
                                          store.directory(), 30000,
                                          [&mfa](const TokenTray::Secret &code) {
                                              mfa.offer(code);
                                          }});
    const auto agent = startAgent(&agentService, store.directory());
    TokenTray::AppSettings settings(store.directory(), &workspace);
    TokenTray::installTranslations(
        &app, settings.language().isEmpty() ? QLocale() : QLocale(settings.language()));
    TokenTray::SleepWatcher sleep;
    QObject::connect(&sleep, &TokenTray::SleepWatcher::resumed, &engine,
                     &TokenTray::TokenEngine::reevaluate);

    TokenTray::ManagerWindow window(&workspace, &secrets);
    TokenTray::TrayController tray(&workspace);
    QObject::connect(&tray, &TokenTray::TrayController::quitRequested, &app, &QApplication::quit);
    QObject::connect(&tray, &TokenTray::TrayController::openManagerRequested, &window,
                     &TokenTray::ManagerWindow::showAndRaise);
    QObject::connect(&instance, &TokenTray::SingleInstance::raiseRequested, &window,
                     &TokenTray::ManagerWindow::showAndRaise);
    QObject::connect(&window, &TokenTray::ManagerWindow::quitRequested, &app, &QApplication::quit);

    TokenTray::ClipboardGuard clipboard;
    TokenTray::ActivityLog activity(&clock);
    activity.watch(&workspace);
    TokenTray::AppController controller(
        {&workspace, &engine, &settings, &tray, &clipboard, &activity, fetch});
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &clipboard,
                     &TokenTray::ClipboardGuard::clearNow);
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &engine,
                     &TokenTray::TokenEngine::flushCacheWrites);

    tray.show();
    std::unique_ptr<TokenTray::DemoSetup> demoSetup;
    if (parser.isSet(demo)) {
        demoSetup = std::make_unique<TokenTray::DemoSetup>(&store, &secrets);
        QObject::connect(demoSetup.get(), &TokenTray::DemoSetup::finished, &workspace, [&] {
            if (!demoSetup->result())
                QMessageBox::critical(
                    nullptr, QApplication::translate("main", "TokenTray demo"),
                    QApplication::translate("main", "The demo could not start: %1")
                        .arg(demoSetup->result().error().detail));
            (void)workspace.load();
        });
        demoSetup->start();
    } else {
        (void)workspace.load();
    }
    return QApplication::exec();
}
