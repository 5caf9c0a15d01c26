// tokentray-agent: the headless agent (no display, no Qt Gui); the composition root only.
#include "core/agent/headlessagent.h"
#include "core/secrets/keychainbackend.h"
#include "core/util/processhardening.h"
#include "core/util/redact.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <csignal>
#include <cstdio>

int main(int argc, char *argv[])
{
    TokenTray::hardenProcess();
    std::signal(SIGXFSZ, SIG_IGN); // past a file-size limit a save fails cleanly, not the process
    TokenTray::installRedactingMessageHandler();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tokentray-agent"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TOKENTRAY_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Keeps API tokens and cloud credentials fresh for every tool on the desktop."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configDir(
        QStringLiteral("config-dir"),
        QCoreApplication::translate("main", "Configuration directory."), QStringLiteral("DIR"));
    const QCommandLineOption verbose(
        QStringLiteral("verbose"),
        QCoreApplication::translate("main", "Diagnostic log (secrets redacted)."));
    parser.addOptions({configDir, verbose});
    parser.process(app); // --help, --version; a wrong argument exits 1 with the reason
    if (parser.isSet(verbose))
        TokenTray::enableVerboseLogging();
    TokenTray::KeychainBackend keychain;
    return TokenTray::runHeadlessAgent(&keychain, parser.value(configDir));
}
