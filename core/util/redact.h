#pragma once

#include <QString>

namespace TokenTray {

// Replaces every credential in a log line or message with "<redacted>": values this process holds
// as a Secret (KnownSecrets), whatever their shape, then well-defined shapes: bearer and basic
// authorization values, OAuth2 token/secret fields (JSON, form and query syntax), AWS secret
// keys, session tokens and signatures (XML, JSON, headers, env syntax) and bare JWTs. Names are
// kept so the line stays useful: "refresh_token=<redacted>"; ordinary words are never touched.
QString redactSecrets(const QString &text);

// Server-provided text made safe to show and log: every control character (C0 including CR, LF,
// TAB and NUL, DEL, C1 such as CSI) and invisible format character (bidi overrides) becomes a
// space, and runs of white space collapse to one; a hostile server cannot move the cursor,
// colour the terminal, fake a second line or add a header.
QString withoutControlCharacters(const QString &text);
// True when `text` has a character withoutControlCharacters() would replace.
bool hasControlCharacters(const QString &text);

// Installs a Qt message handler that runs redactSecrets() over every message before handing it
// to the handler that was installed before. Call once, first thing in main().
void installRedactingMessageHandler();

// Turns on debug output of every tokentray.* category (the CLI's and app's -v).
void enableVerboseLogging();

} // namespace TokenTray
