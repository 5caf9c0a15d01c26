// tokentray: the composition root of the tray application. No logic here.
#include "core/agent/agentservice.h"
#include "core/agent/headlessagent.h"
#include "core/aws/mfa.h"
#include "core/demo/demosetup.h"
#include "core/ipc/agentserver.h"
#include "core/ipc/singleinstance.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/sleepwatcher.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/keychainbackend.h"
#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/util/processhardening.h"
#include "core/util/redact.h"
#include "core/util/terminationwatcher.h"
#include "core/workspace/gracefulquit.h"
#include "core/workspace/workspace.h"
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

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>

namespace {

// The command line, parsed before any display is opened: --help, --version and a wrong
// argument need none, and --no-tray never does.
struct Options
{
    QString configDir;
    bool verbose = false;
    bool noTray = false;
    bool demo = false;
    bool parseAgain = false; // Qt's own options (-platform, -style…) need QApplication first
};

// Strict: a wrong argument ends the program. Otherwise a parse error is left for a second parse
// of what QApplication did not take for itself.
std::optional<Options> parseOptions(const QStringList &arguments, bool strict, int *exitCode)
{
    QCoreApplication::setApplicationName(QStringLiteral("tokentray"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TOKENTRAY_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Keeps API tokens and cloud credentials fresh for every tool on the desktop."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption configDir(
        QStringLiteral("config-dir"),
        QCoreApplication::translate("main", "Configuration directory."), QStringLiteral("DIR"));
    const QCommandLineOption verbose(
        QStringLiteral("verbose"),
        QCoreApplication::translate("main", "Diagnostic log (secrets redacted)."));
    const QCommandLineOption noTray(
        QStringLiteral("no-tray"),
        QCoreApplication::translate("main",
                                    "Run as a headless agent, without widgets or a display."));
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QCoreApplication::translate("main",
                                    "Start with a local demo authority and demo profiles "
                                    "in a throw-away configuration."));
    parser.addOptions({configDir, verbose, noTray, demo});
    if (!parser.parse(arguments) && !strict) {
        Options later;
        later.parseAgain = true;
        return later;
    }
    if (!parser.errorText().isEmpty()) {
        std::fprintf(stderr, "tokentray: %s\n%s", qPrintable(parser.errorText()),
                     qPrintable(parser.helpText()));
        *exitCode = 2;
        return std::nullopt;
    }
    if (parser.isSet(help) || parser.isSet(version)) {
        const QString text = parser.isSet(help) ? parser.helpText()
                                                : QCoreApplication::applicationName()
                + QLatin1Char(' ') + QCoreApplication::applicationVersion() + QLatin1Char('\n');
        std::fputs(qPrintable(text), stdout);
        *exitCode = 0;
        return std::nullopt;
    }
    if (parser.isSet(noTray) && parser.isSet(demo)) {
        std::fputs("tokentray: --demo needs the tray; it cannot be combined with --no-tray\n",
                   stderr);
        *exitCode = 2;
        return std::nullopt;
    }
    return Options {parser.value(configDir), parser.isSet(verbose), parser.isSet(noTray),
                    parser.isSet(demo)};
}

// Qt aborts when it cannot open the display; say what to do instead.
bool haveDisplay()
{
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    return !qEnvironmentVariableIsEmpty("DISPLAY")
        || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
#else
    return true;
#endif
}

} // namespace

int main(int argc, char *argv[])
{
    TokenTray::hardenProcess();
    std::signal(SIGXFSZ, SIG_IGN); // past a file-size limit a save fails cleanly, not the process
    TokenTray::installRedactingMessageHandler();
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    // Without a display (or for the agent) every argument must be ours: report errors now,
    // before anything would try to open a display.
    const bool strict = !haveDisplay() || arguments.contains(QLatin1String("--no-tray"));
    int exitCode = 0;
    std::optional<Options> options = parseOptions(arguments, strict, &exitCode);
    if (!options)
        return exitCode;
    if (options->verbose)
        TokenTray::enableVerboseLogging();
    if (options->noTray) { // an alias of tokentray-agent
        QCoreApplication app(argc, argv);
        TokenTray::KeychainBackend keychain;
        return TokenTray::runHeadlessAgent(&keychain, options->configDir);
    }
    if (!haveDisplay()) {
        std::fputs("tokentray: no display to show the tray on (DISPLAY is not set); run "
                   "`tokentray --no-tray` for the agent without one\n",
                   stderr);
        return 1;
    }
    QApplication app(argc, argv);
    if (options->parseAgain) {
        options = parseOptions(QApplication::arguments(), true, &exitCode);
        if (!options)
            return exitCode;
        if (options->verbose)
            TokenTray::enableVerboseLogging();
    }
    QApplication::setApplicationDisplayName(QStringLiteral("TokenTray"));
    QApplication::setDesktopFileName(QStringLiteral("org.tokentray.TokenTray"));
    QApplication::setQuitOnLastWindowClosed(false);

    const TokenTray::SystemClock clock;
    QNetworkAccessManager nam;
    // The demo keeps everything apart: its own config directory and keychain service.
    std::unique_ptr<QTemporaryDir> demoDir;
    if (options->demo && options->configDir.isEmpty())
        demoDir = std::make_unique<QTemporaryDir>();
    TokenTray::KeychainBackend keychain;
    TokenTray::SecretStore secrets(
        &keychain, options->demo ? QStringLiteral("tokentray-demo") : QStringLiteral("tokentray"));
    TokenTray::DiscoveryCache discovery;
    // A role that needs an MFA code asks the person, also during a background refresh; a code a
    // CLI client passed with --mfa-code is used first.
    TokenTray::DialogMfaPrompter dialogMfa;
    TokenTray::OfferedCodePrompter mfa(&dialogMfa);
    TokenTray::FetchServices fetch {&nam, &secrets, &discovery, &clock};
    fetch.mfa = &mfa;
    TokenTray::TokenEngine engine(fetch);
    TokenTray::ProfileStore store(
        TokenTray::ProfileStore::resolveConfigDir(demoDir ? demoDir->path() : options->configDir));

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
    const auto agent = TokenTray::listenForClients(&agentService, store.directory());
    TokenTray::AppSettings settings(store.directory(), &workspace);
    TokenTray::installTranslations(
        &app, settings.language().isEmpty() ? QLocale() : QLocale(settings.language()));
    TokenTray::SleepWatcher sleep;
    QObject::connect(&sleep, &TokenTray::SleepWatcher::resumed, &engine,
                     &TokenTray::TokenEngine::reevaluate);

    TokenTray::ManagerWindow window(&workspace, &secrets);
    TokenTray::TrayController tray(&workspace);
    // Quit, SIGTERM, SIGINT, SIGHUP: write what is pending to the keychain, then quit.
    TokenTray::GracefulQuit quit(&engine, &secrets);
    TokenTray::TerminationWatcher termination;
    QObject::connect(&termination, &TokenTray::TerminationWatcher::terminationRequested, &quit,
                     &TokenTray::GracefulQuit::request);
    QObject::connect(&tray, &TokenTray::TrayController::quitRequested, &quit,
                     &TokenTray::GracefulQuit::request);
    QObject::connect(&tray, &TokenTray::TrayController::openManagerRequested, &window,
                     &TokenTray::ManagerWindow::showAndRaise);
    QObject::connect(&instance, &TokenTray::SingleInstance::raiseRequested, &window,
                     &TokenTray::ManagerWindow::showAndRaise);
    QObject::connect(&window, &TokenTray::ManagerWindow::quitRequested, &quit,
                     &TokenTray::GracefulQuit::request);
    // The desktop session is ending: start writing now, it may not wait for a quit.
    QObject::connect(&app, &QGuiApplication::commitDataRequest, &engine,
                     &TokenTray::TokenEngine::flushCacheWrites);
    QObject::connect(&app, &QGuiApplication::commitDataRequest, &secrets,
                     &TokenTray::SecretStore::flushUnsaved);

    TokenTray::ClipboardGuard clipboard;
    TokenTray::ActivityLog activity(&clock);
    activity.watch(&workspace);
    TokenTray::AppController controller(
        {&workspace, &engine, &settings, &tray, &clipboard, &activity, fetch});
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &clipboard,
                     &TokenTray::ClipboardGuard::clearNow);

    tray.show();
    std::unique_ptr<TokenTray::DemoSetup> demoSetup;
    if (options->demo) {
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
    if (agent)
        TokenTray::announceAgent(store, *agent);
    return QApplication::exec();
}
