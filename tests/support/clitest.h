#pragma once

// What the tests that drive the real CLI binaries share: skipping without the test keyring,
// splitting a command line, and comparing exit codes with the whole output in the message.

#include "tests/support/testenv.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QString>
#include <QStringList>
#include <QTest>

#include <memory>

#define REQUIRE_TEST_KEYRING()                                                                     \
    do {                                                                                           \
        if (!TestEnv::hasTestKeyring())                                                            \
            QSKIP("needs the unlocked test keyring: run inside scripts/desktop-session");          \
    } while (false)

// Exit code, no crash, and the whole output in the failure message.
#define QCOMPARE_EXIT(result, code)                                                                \
    do {                                                                                           \
        const TestEnv::ProcessResult &r_ = (result);                                               \
        QVERIFY2(!r_.crashed && r_.exitCode == (code), qPrintable(TestEnv::describe(r_)));         \
    } while (false)

namespace TestEnv {

// "profile add x --kind oauth2" -> its words.
inline QStringList words(const char *text)
{
    return QString::fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// Exit code, crash, standard output and error, for failure messages.
inline QString describe(const ProcessResult &r)
{
    return QStringLiteral("exit %1%2\n--- stdout:\n%3--- stderr:\n%4")
        .arg(r.exitCode)
        .arg(r.crashed ? QStringLiteral(" (crashed or timed out)") : QString())
        .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
}

// Starts one of the project's loopback servers as a process (tokentray-test-authority,
// tokentray-test-sts) and reads the URL it prints first; nullptr when it did not start or print
// a loopback URL.
inline std::unique_ptr<QProcess> startServer(const QString &binaryName, const QStringList &args,
                                             QString *url)
{
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process->start(binary(binaryName), args);
    if (!process->waitForStarted(10000)) {
        qWarning().noquote() << binaryName << process->errorString();
        return nullptr;
    }
    while (!process->canReadLine()) {
        if (!process->waitForReadyRead(10000)) {
            qWarning().noquote() << binaryName << "printed no URL";
            return nullptr;
        }
    }
    *url = QString::fromUtf8(process->readLine().trimmed());
    if (!url->startsWith(QLatin1String("http://127.0.0.1:")))
        return nullptr;
    return process;
}

inline void stopServer(std::unique_ptr<QProcess> &process)
{
    if (!process)
        return;
    process->kill();
    process->waitForFinished(5000);
    process.reset();
}

inline QJsonObject getJson(QNetworkAccessManager &nam, const QUrl &url)
{
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(5000))
        qWarning() << "no answer from" << url;
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return o;
}

// Token requests tokentray-test-authority has served (its /stats), -1 without an answer.
inline int authorityTokenRequests(QNetworkAccessManager &nam, const QString &issuer)
{
    return getJson(nam, QUrl(issuer + QStringLiteral("/stats")))
        .value(QLatin1String("token_requests"))
        .toInt(-1);
}

// AssumeRole calls tokentray-test-sts has answered (its /_demo/stats).
inline int stsAssumeRoleCalls(QNetworkAccessManager &nam, const QString &stsUrl)
{
    return getJson(nam, QUrl(stsUrl + QStringLiteral("/_demo/stats")))
        .value(QLatin1String("actions"))
        .toObject()
        .value(QLatin1String("AssumeRole"))
        .toInt(0);
}

} // namespace TestEnv
