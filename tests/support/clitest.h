#pragma once

// What the tests that drive the real CLI binaries share: skipping without the test keyring,
// splitting a command line, and comparing exit codes with the whole output in the message.

#include "tests/support/testenv.h"

#include <QString>
#include <QStringList>
#include <QTest>

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

} // namespace TestEnv
