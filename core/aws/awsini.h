#pragma once

// A reader for the INI dialect of ~/.aws/config and ~/.aws/credentials, keeping line numbers
// so every message can point at the line it is about.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace TokenTray {

// One "key = value" line of a nested block ("s3 =" followed by indented lines).
struct AwsIniSubEntry
{
    QString key; // as written, trimmed (botocore does not lower-case these)
    QString value;
    int line = 0;
};

struct AwsIniEntry
{
    QString key; // lower-cased: the AWS tools read keys case-insensitively
    // Trimmed, without an inline comment. Continuation lines of a non-empty value are joined
    // with '\n'; a nested block leaves it empty.
    QString value;
    int line = 0; // the "key = value" line
    int lastLine = 0; // its last continuation line (== line when there is none)
    QList<AwsIniSubEntry> nested; // the indented "k = v" lines after an empty value
    bool hasNestedBlock = false; // an empty value followed by indented lines
    bool strippedComment = false; // " #…" or " ;…" was cut from the value

    [[nodiscard]] bool isContinued() const { return lastLine != line && !hasNestedBlock; }
};

struct AwsIniSection
{
    QString header; // between the brackets, trimmed: "profile  foo"
    // The header split at its first run of white space, as the AWS SDKs do:
    // "[ profile  foo ]" -> prefix "profile", name "foo"; "[default]" -> prefix "", name "default".
    QString prefix;
    QString name;
    int line = 0;
    QList<AwsIniEntry> entries; // in file order; a repeated key appears twice
    QStringList duplicateKeys; // keys set more than once in this section
    int firstLineOfSame = 0; // when another section had the same prefix and name: its line
    QList<int> unreadableLines; // lines in this section that could not be read

    // The last entry with that (lower-case) key, or nullptr.
    [[nodiscard]] const AwsIniEntry *entry(const QString &key) const;
};

struct AwsIniDiagnostic
{
    enum class Severity { Error, Warning, Note };
    Severity severity = Severity::Error;
    int line = 0;
    int section = -1; // index into AwsIniFile::sections; -1 before the first section
    // Never quotes the line: a malformed line may be a pasted secret.
    QString message;
};

struct AwsIniFile
{
    QString fileName; // for messages: "FILE:LINE: …"
    QList<AwsIniSection> sections;
    QList<AwsIniDiagnostic> diagnostics;

    [[nodiscard]] bool hasErrors() const;
    [[nodiscard]] QString location(int line) const;
};

// Reads the bytes of one file; never fails as a whole. Follows the AWS tools where they agree
// and says where they do not:
// - "[name]" sections; the header may carry white space ("[ profile  foo ]") and a trailing
//   comment. A header without "]", or an empty one, is an error.
// - "key = value" or "key: value" (botocore's configparser accepts both; the first of '=' and
//   ':' splits), keys lower-cased, key and value trimmed.
// - Whole-line comments start with '#' or ';' (indented too). An inline comment is '#' or ';'
//   after white space, as the AWS SDKs' shared-file parsers read it; botocore on Python 3 keeps
//   it in the value, so the entry records strippedComment for the caller to mention.
// - A line indented deeper than its key continues the value; after an empty value the
//   indented lines are a nested block of "k = v" lines (botocore's "s3 =" settings).
// - Blank lines are skipped; "\r\n" and "\r" end lines too; a UTF-8 byte order mark is skipped.
// - Errors (line outside a section, no '=', no key, bad header, invalid UTF-8) are reported
//   with their line and reading continues; a repeated section or key is a warning here
//   (botocore refuses such a file) and recorded on the section for the caller to decide.
AwsIniFile parseAwsIni(const QByteArray &bytes, const QString &fileName);

// Whether a key reads like a setting name ("cli_pager"), so messages may name it. Anything
// else (long, mixed characters) might be a pasted secret and is never echoed.
bool isPlainAwsKey(const QString &key);

} // namespace TokenTray
