#include "testenv.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QThread>

namespace TestEnv {

QString binary(const QString &name)
{
    return qEnvironmentVariable("TOKENTRAY_BIN_DIR") + QLatin1Char('/') + name;
}

QString sourceDir()
{
    return qEnvironmentVariable("TOKENTRAY_SOURCE_DIR");
}

bool hasTestKeyring()
{
    return qEnvironmentVariable("TOKENTRAY_TEST_SESSION") == QLatin1String("1")
        && qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS");
}

ProcessResult run(const QString &program, const QStringList &args, const QByteArray &input,
                  const QProcessEnvironment &extraEnv, int timeoutMs)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(extraEnv);
    process.setProcessEnvironment(env);
    process.start(program, args);
    ProcessResult result;
    if (!process.waitForStarted(10000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.crashed = true;
    }
    result.exitCode = process.exitCode();
    result.crashed = result.crashed || process.exitStatus() == QProcess::CrashExit;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QByteArray secretToolLookup(const QString &service, const QString &key)
{
    return run(QStringLiteral("secret-tool"),
               {QStringLiteral("lookup"), QStringLiteral("server"), service, QStringLiteral("user"),
                key})
        .out;
}

namespace {

const QString kLogin = QStringLiteral("/org/freedesktop/secrets/collection/login");

} // namespace

bool isKeyringLocked()
{
    const ProcessResult r
        = run(QStringLiteral("gdbus"),
              {QStringLiteral("call"), QStringLiteral("--session"), QStringLiteral("--dest"),
               QStringLiteral("org.freedesktop.secrets"), QStringLiteral("--object-path"), kLogin,
               QStringLiteral("--method"), QStringLiteral("org.freedesktop.DBus.Properties.Get"),
               QStringLiteral("org.freedesktop.Secret.Collection"), QStringLiteral("Locked")});
    return r.out.contains("true");
}

bool lockKeyring()
{
    // Not `secret-tool lock`: it crashes or never returns in libsecret 0.20.5.
    const ProcessResult r = run(
        QStringLiteral("gdbus"),
        {QStringLiteral("call"), QStringLiteral("--session"), QStringLiteral("--dest"),
         QStringLiteral("org.freedesktop.secrets"), QStringLiteral("--object-path"),
         QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("--method"),
         QStringLiteral("org.freedesktop.Secret.Service.Lock"),
         QLatin1Char('[') + QLatin1Char('\'') + kLogin + QLatin1Char('\'') + QLatin1Char(']')});
    return r.exitCode == 0 && isKeyringLocked();
}

bool unlockKeyring()
{
    // A second plain --unlock does not unlock a running daemon; --replace does.
    const QByteArray password
        = qEnvironmentVariable("KEYRING_PASSWORD", QStringLiteral("ci-keyring-pw")).toUtf8();
    const ProcessResult r = run(QStringLiteral("gnome-keyring-daemon"),
                                {QStringLiteral("--replace"), QStringLiteral("--unlock"),
                                 QStringLiteral("--components=secrets")},
                                password);
    if (r.exitCode != 0)
        return false;
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        const ProcessResult owner = run(
            QStringLiteral("gdbus"),
            {QStringLiteral("call"), QStringLiteral("--session"), QStringLiteral("--dest"),
             QStringLiteral("org.freedesktop.secrets"), QStringLiteral("--object-path"), kLogin,
             QStringLiteral("--method"), QStringLiteral("org.freedesktop.DBus.Properties.Get"),
             QStringLiteral("org.freedesktop.Secret.Collection"), QStringLiteral("Locked")});
        if (owner.exitCode == 0 && owner.out.contains("false"))
            return true;
        QThread::msleep(50); // polling an external daemon's state; there is no signal to await
    }
    return false;
}

} // namespace TestEnv
