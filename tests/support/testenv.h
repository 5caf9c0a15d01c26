#pragma once

// Helpers shared by the tests: locating the built binaries, running the CLI as a real
// process, and driving the real keyring of the test desktop session (scripts/desktop-session).

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace TestEnv {

// <build>/bin/<name>, from TOKENTRAY_BIN_DIR (set by CTest).
QString binary(const QString &name);
QString sourceDir();

// True inside scripts/desktop-session (a private D-Bus with an unlocked gnome-keyring).
bool hasTestKeyring();

struct ProcessResult
{
    int exitCode = -1;
    bool crashed = false;
    QByteArray out;
    QByteArray err;
};

// Runs `program` with `args`, feeding `input` on stdin, with `extraEnv` added to the current
// environment. Waits at most `timeoutMs`.
ProcessResult run(const QString &program, const QStringList &args, const QByteArray &input = {},
                  const QProcessEnvironment &extraEnv = {}, int timeoutMs = 30000);

// The value `secret-tool lookup server SERVICE user KEY` prints ("" when absent).
QByteArray secretToolLookup(const QString &service, const QString &key);

// Lock / unlock the login collection the way a desktop would (gdbus; gnome-keyring --replace).
bool lockKeyring();
bool unlockKeyring();
bool isKeyringLocked();

} // namespace TestEnv
