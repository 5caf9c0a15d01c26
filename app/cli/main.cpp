// tokentray-cli: the composition root of the command line tool. No logic here.
#include "core/cli/cli.h"
#include "core/secrets/keychainbackend.h"
#include "core/secrets/secretstore.h"
#include "core/util/clock.h"
#include "core/util/processhardening.h"
#include "core/util/redact.h"
#include "core/util/terminal.h"

#include <QCoreApplication>
#include <QFile>
#include <QNetworkAccessManager>

#include <csignal>
#include <cstdio>

int main(int argc, char *argv[])
{
    TokenTray::hardenProcess();
    std::signal(SIGXFSZ, SIG_IGN); // past a file-size limit a save fails (exit 7), not the process
    TokenTray::installRedactingMessageHandler();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tokentray"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TOKENTRAY_VERSION));

    QFile in;
    QFile out;
    QFile err;
    in.open(stdin, QIODevice::ReadOnly);
    out.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered);
    err.open(stderr, QIODevice::WriteOnly | QIODevice::Unbuffered);

    TokenTray::KeychainBackend keychain;
    TokenTray::SecretStore secrets(&keychain);
    bool ok = false;
    const int timeoutSeconds = qEnvironmentVariableIntValue("TOKENTRAY_KEYCHAIN_TIMEOUT", &ok);
    if (ok && timeoutSeconds > 0)
        secrets.setTimeout(timeoutSeconds * 1000);

    QNetworkAccessManager nam;
    const TokenTray::SystemClock clock;
    TokenTray::Cli cli({&in, &out, &err, TokenTray::TerminalEchoOff::isTerminal(0)},
                       {&secrets, &nam, &clock});
    QObject::connect(&cli, &TokenTray::Cli::finished, &app, &QCoreApplication::exit,
                     Qt::QueuedConnection);
    QStringList arguments = QCoreApplication::arguments();
    arguments.removeFirst();
    cli.run(arguments);
    return QCoreApplication::exec();
}
