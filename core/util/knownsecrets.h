#pragma once

#include <QByteArray>
#include <QString>

namespace TokenTray {

// The secret values this process has held, so the redactor can remove one from a log line or a
// message whatever its shape (an opaque API key a server echoes in an error). No plaintext is
// kept: a value is remembered as its length, its first bytes and a keyed SHA-256 of the whole,
// in a bounded list of the most recent ones. Every Secret made from bytes is remembered.
// Thread-safe.
namespace KnownSecrets {

// Values shorter than this are not remembered (an MFA code, a PIN): too likely to be ordinary.
constexpr qsizetype kMinLength = 8;
constexpr int kCapacity = 256;

void remember(const QByteArray &value);
// `text` with every remembered value replaced by `replacement`.
QString redact(const QString &text, const QString &replacement);
// Forgets every value (tests start from a clean slate).
void forgetAll();

} // namespace KnownSecrets
} // namespace TokenTray
