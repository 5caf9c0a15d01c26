#include "core/aws/awsini.h"

#include <QHash>
#include <QStringDecoder>

namespace TokenTray {
namespace {

// Enough to read any real file's problems; a binary file would otherwise list one per line.
constexpr qsizetype kMaxDiagnostics = 200;

qsizetype indentOf(const QString &line)
{
    qsizetype i = 0;
    while (i < line.size() && line.at(i).isSpace())
        ++i;
    return i;
}

bool isCommentChar(QChar c)
{
    return c == QLatin1Char('#') || c == QLatin1Char(';');
}

// Cuts an inline comment: '#' or ';' after white space. `text` is trimmed.
QString withoutInlineComment(const QString &text, bool *stripped)
{
    for (qsizetype i = 1; i < text.size(); ++i) {
        if (isCommentChar(text.at(i)) && text.at(i - 1).isSpace()) {
            *stripped = true;
            return text.left(i).trimmed();
        }
    }
    return text;
}

class Reader
{
public:
    explicit Reader(const QString &fileName) { m_file.fileName = fileName; }

    void readLine(int number, const QByteArray &bytes);
    AwsIniFile take() { return std::move(m_file); }

private:
    void readHeader(int number, const QString &text);
    void readEntry(int number, const QString &text, qsizetype indent);
    void readContinuation(int number, const QString &text);
    void report(AwsIniDiagnostic::Severity severity, int number, const QString &message);
    void error(int number, const QString &message);

    AwsIniFile m_file;
    QStringDecoder m_decoder {QStringDecoder::Utf8, QStringDecoder::Flag::Stateless};
    QHash<QString, int> m_headerLines; // "prefix name" -> first line
    int m_section = -1;
    bool m_skippingBadSection = false; // after an unreadable header, up to the next one
    qsizetype m_entry = -1; // index in the current section, for continuation lines
    qsizetype m_entryIndent = 0;
};

void Reader::report(AwsIniDiagnostic::Severity severity, int number, const QString &message)
{
    if (m_file.diagnostics.size() == kMaxDiagnostics) {
        m_file.diagnostics.append({AwsIniDiagnostic::Severity::Error, number, m_section,
                                   QStringLiteral("more problems follow; they are not listed")});
    }
    if (m_file.diagnostics.size() > kMaxDiagnostics)
        return;
    m_file.diagnostics.append({severity, number, m_section, message});
}

void Reader::error(int number, const QString &message)
{
    if (m_section >= 0 && !m_skippingBadSection)
        m_file.sections[m_section].unreadableLines.append(number);
    report(AwsIniDiagnostic::Severity::Error, number, message);
}

void Reader::readLine(int number, const QByteArray &bytes)
{
    m_decoder.resetState();
    const QString line = m_decoder(bytes);
    if (m_decoder.hasError())
        return error(number, QStringLiteral("this line is not UTF-8 text"));
    const QString text = line.trimmed();
    if (text.isEmpty() || isCommentChar(text.at(0)))
        return; // blank lines and comments do not end a value: the AWS tools skip them too
    const qsizetype indent = indentOf(line);
    if (text.startsWith(QLatin1Char('[')) && !(m_entry >= 0 && indent > m_entryIndent))
        return readHeader(number, text);
    if (m_skippingBadSection)
        return;
    if (m_section < 0)
        return error(number, QStringLiteral("this line comes before any [section] line"));
    if (m_entry >= 0 && indent > m_entryIndent)
        return readContinuation(number, text);
    readEntry(number, text, indent);
}

void Reader::readHeader(int number, const QString &text)
{
    m_entry = -1;
    const qsizetype close = text.indexOf(QLatin1Char(']'));
    QString problem;
    if (close < 0) {
        problem = QStringLiteral("the section line has no closing ']'");
    } else {
        const QString rest = text.mid(close + 1).trimmed();
        if (!rest.isEmpty() && !isCommentChar(rest.at(0)))
            problem = QStringLiteral("the section line has text after its ']'");
        else if (text.mid(1, close - 1).trimmed().isEmpty())
            problem = QStringLiteral("the section name is empty");
    }
    if (!problem.isEmpty()) {
        m_section = -1;
        m_skippingBadSection = true;
        report(AwsIniDiagnostic::Severity::Error, number,
               problem + QStringLiteral("; the lines up to the next section are ignored"));
        return;
    }
    m_skippingBadSection = false;
    AwsIniSection section;
    section.header = text.mid(1, close - 1).trimmed();
    section.line = number;
    qsizetype space = 0;
    while (space < section.header.size() && !section.header.at(space).isSpace())
        ++space;
    if (space < section.header.size()) {
        section.prefix = section.header.left(space);
        section.name = section.header.mid(space).trimmed();
    } else {
        section.name = section.header;
    }
    const QString id = section.prefix + QLatin1Char(' ') + section.name;
    if (const auto it = m_headerLines.constFind(id); it != m_headerLines.cend()) {
        section.firstLineOfSame = *it;
        m_file.sections.append(section);
        m_section = static_cast<int>(m_file.sections.size() - 1);
        report(AwsIniDiagnostic::Severity::Warning, number,
               QStringLiteral("section [") + section.header
                   + QStringLiteral("] appears again (first on line %1)").arg(*it));
        return;
    }
    m_headerLines.insert(id, number);
    m_file.sections.append(section);
    m_section = static_cast<int>(m_file.sections.size() - 1);
}

void Reader::readEntry(int number, const QString &text, qsizetype indent)
{
    AwsIniSection &section = m_file.sections[m_section];
    bool stripped = false;
    const QString content = withoutInlineComment(text, &stripped);
    const qsizetype equals = content.indexOf(QLatin1Char('='));
    const qsizetype colon = content.indexOf(QLatin1Char(':'));
    const qsizetype split = equals < 0 ? colon : (colon < 0 ? equals : qMin(equals, colon));
    m_entry = -1;
    if (split < 0)
        return error(number, QStringLiteral("expected \"key = value\""));
    AwsIniEntry entry;
    entry.key = content.left(split).trimmed().toLower();
    entry.value = content.mid(split + 1).trimmed();
    entry.line = number;
    entry.lastLine = number;
    entry.strippedComment = stripped;
    if (entry.key.isEmpty())
        return error(number, QStringLiteral("the key before '%1' is empty").arg(content.at(split)));
    for (const AwsIniEntry &other : std::as_const(section.entries)) {
        if (other.key != entry.key)
            continue;
        if (!section.duplicateKeys.contains(entry.key))
            section.duplicateKeys.append(entry.key);
        report(AwsIniDiagnostic::Severity::Warning, number,
               (isPlainAwsKey(entry.key) ? QStringLiteral("key ") + entry.key
                                         : QStringLiteral("a key"))
                   + QStringLiteral(" is set again in [") + section.header
                   + QStringLiteral("] (first on line %1)").arg(other.line));
        break;
    }
    section.entries.append(entry);
    m_entry = section.entries.size() - 1;
    m_entryIndent = indent;
}

void Reader::readContinuation(int number, const QString &text)
{
    AwsIniEntry &entry = m_file.sections[m_section].entries[m_entry];
    bool stripped = false;
    const QString content = withoutInlineComment(text, &stripped);
    entry.strippedComment = entry.strippedComment || stripped;
    if (content.isEmpty())
        return;
    if (entry.value.isEmpty() && (entry.lastLine == entry.line || entry.hasNestedBlock)) {
        // botocore's nested settings: split at the first '=' only.
        entry.hasNestedBlock = true;
        entry.lastLine = number;
        const qsizetype equals = content.indexOf(QLatin1Char('='));
        const QString key = equals < 0 ? QString() : content.left(equals).trimmed();
        if (key.isEmpty())
            return error(number,
                         QStringLiteral("the indented lines under ")
                             + (isPlainAwsKey(entry.key) ? entry.key : QStringLiteral("a key"))
                             + QStringLiteral(" must be \"key = value\""));
        entry.nested.append({key, content.mid(equals + 1).trimmed(), number});
        return;
    }
    entry.value += QLatin1Char('\n') + content;
    entry.lastLine = number;
}

} // namespace

bool isPlainAwsKey(const QString &key)
{
    if (key.isEmpty() || key.size() > 36
        || !(key.at(0) >= QLatin1Char('a') && key.at(0) <= QLatin1Char('z')))
        return false;
    for (const QChar c : key) {
        const bool ok = (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
            || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_');
        if (!ok)
            return false;
    }
    return true;
}

const AwsIniEntry *AwsIniSection::entry(const QString &key) const
{
    for (qsizetype i = entries.size() - 1; i >= 0; --i) {
        if (entries.at(i).key == key)
            return &entries.at(i);
    }
    return nullptr;
}

bool AwsIniFile::hasErrors() const
{
    for (const AwsIniDiagnostic &d : diagnostics) {
        if (d.severity == AwsIniDiagnostic::Severity::Error)
            return true;
    }
    return false;
}

QString AwsIniFile::location(int line) const
{
    if (line <= 0)
        return fileName;
    return fileName + QLatin1Char(':') + QString::number(line);
}

AwsIniFile parseAwsIni(const QByteArray &bytes, const QString &fileName)
{
    Reader reader(fileName);
    qsizetype start = bytes.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    int number = 1;
    const qsizetype size = bytes.size();
    for (qsizetype i = start; i <= size; ++i) {
        if (i < size && bytes.at(i) != '\n' && bytes.at(i) != '\r')
            continue;
        if (i > start || i < size)
            reader.readLine(number, bytes.mid(start, i - start));
        if (i + 1 < size && bytes.at(i) == '\r' && bytes.at(i + 1) == '\n')
            ++i;
        start = i + 1;
        ++number;
    }
    return reader.take();
}

} // namespace TokenTray
