#include "core/util/redact.h"

#include "core/util/knownsecrets.h"

#include <QLoggingCategory>
#include <QRegularExpression>

#include <algorithm>
#include <array>

namespace TokenTray {
namespace {

const QString kRedacted = QStringLiteral("<redacted>");

// Redaction removes secrets, not words: only well-defined shapes are touched, so server messages
// ("the signature you provided", "The security token included in the request is invalid") reach
// the reader intact. A name alone never makes the next word a secret; it takes "=", a JSON or XML
// value or a header of a known name.

// Fields whose value is a secret in form, query, env and ini syntax (name=value) and in JSON.
const QString kFieldNames = QStringLiteral(
    "access_token|refresh_token|id_token|client_secret|device_code|code_verifier|"
    "client_assertion|assertion|password|passwd|secret|token|api_key|apikey|"
    "aws_secret_access_key|aws_session_token|aws_security_token|"
    "AWS_CONTAINER_AUTHORIZATION_TOKEN|TOKENTRAY_TOKEN|SecretAccessKey|SessionToken|"
    "AccessToken|RefreshToken|X-Amz-Security-Token|TokenCode");

// Headers whose whole value is a secret (after an authorization scheme, which is kept).
const QString kHeaderNames = QStringLiteral(
    "Authorization|Proxy-Authorization|X-Amz-Security-Token|X-Api-Key|Cookie|Set-Cookie|"
    "X-aws-ec2-metadata-token");

const QString kSchemes
    = QStringLiteral("Bearer|Basic|DPoP|Token|Digest|Negotiate|AWS4-HMAC-SHA256");

struct Rule
{
    QRegularExpression pattern;
    QString replacement;
};

QRegularExpression caseless(const QString &pattern)
{
    return QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption);
}

const std::array<Rule, 9> &rules()
{
    static const std::array<Rule, 9> r = {{
        // Header syntax, "Name: value": the value up to the end of the field.
        {caseless(QStringLiteral(R"re(\b((?:)re") + kHeaderNames
                  + QStringLiteral(R"re()[ \t]*:[ \t]*(?:(?:)re") + kSchemes
                  + QStringLiteral(R"re()[ \t]+)?)(?!<redacted>)[^\s,;"'<>]+)re")),
         QStringLiteral("\\1") + kRedacted},
        // SigV4 signatures, in a header or a presigned URL.
        {caseless(QStringLiteral(R"re(\b((?:X-Amz-)?Signature=)(?!<redacted>)[^\s&,;"'<>]+)re")),
         QStringLiteral("\\1") + kRedacted},
        // JSON: "name": "value"
        {caseless(QStringLiteral(R"re(("(?:)re") + kFieldNames + QLatin1Char('|') + kHeaderNames
                  + QStringLiteral(R"re()"\s*:\s*")(?:[^"\\]|\\.)*("))re")),
         QStringLiteral("\\1") + kRedacted + QStringLiteral("\\2")},
        // XML: <Name>value</Name>
        {caseless(QStringLiteral(R"re((<(?:SecretAccessKey|SessionToken|Token|client_secret|)re"
                                 R"re(access_token|refresh_token|id_token)>)[^<]*(</))re")),
         QStringLiteral("\\1") + kRedacted + QStringLiteral("\\2")},
        // form, query, env and ini syntax: name=value
        {caseless(QStringLiteral(R"re(\b((?:)re") + kFieldNames
                  + QStringLiteral(R"re()[ \t]*=[ \t]*)(?!<redacted>)[^\s&;,"'<>]+)re")),
         QStringLiteral("\\1") + kRedacted},
        // A bearer token outside a header: token68 with a digit, long enough not to be a word.
        {QRegularExpression(QStringLiteral(
             R"(\b(Bearer\s+)(?=[A-Za-z0-9\-._~+/]*[0-9])[A-Za-z0-9\-._~+/]{16,}=*)")),
         QStringLiteral("\\1") + kRedacted},
        // A bare JWT anywhere (header.payload.signature, base64url).
        {QRegularExpression(
             QStringLiteral(R"(\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)")),
         kRedacted},
        // AWS access key ids (long-term AKIA, temporary ASIA); the prefix says which it was.
        {QRegularExpression(QStringLiteral(R"(\b(AKIA|ASIA)[A-Z0-9]{16}\b)")),
         QStringLiteral("\\1") + kRedacted},
        // A 40-character AWS secret key (mixed case and digits) as the value of any key/value
        // pair; "https://" and "host:port/path" are not values.
        {QRegularExpression(QStringLiteral(
             R"re(([=:][ \t]*"?)(?!//)(?=[A-Za-z0-9+/]{0,39}[A-Z])(?=[A-Za-z0-9+/]{0,39}[a-z]))re"
             R"re((?=[A-Za-z0-9+/]{0,39}[0-9])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=]))re")),
         QStringLiteral("\\1") + kRedacted},
    }};
    return r;
}

// C0 (with CR, LF, TAB, NUL, ESC), DEL, C1 (CSI, NEL), format characters (bidi overrides, zero
// width) and the Unicode line and paragraph separators.
bool isControl(QChar c)
{
    const QChar::Category category = c.category();
    return category == QChar::Other_Control || category == QChar::Other_Format
        || category == QChar::Separator_Line || category == QChar::Separator_Paragraph;
}

QtMessageHandler g_previousHandler = nullptr;

void redactingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString clean = redactSecrets(message);
    if (g_previousHandler)
        g_previousHandler(type, context, clean);
}

} // namespace

QString redactSecrets(const QString &text)
{
    // Values this process knows to be secret go first, whatever their shape; then the shapes.
    QString out = KnownSecrets::redact(text, kRedacted);
    for (const Rule &rule : rules())
        out.replace(rule.pattern, rule.replacement);
    return out;
}

QString withoutControlCharacters(const QString &text)
{
    QString printable;
    printable.reserve(text.size());
    for (QChar c : text)
        printable += isControl(c) ? QLatin1Char(' ') : c;
    return printable.simplified();
}

bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.begin(), text.end(), isControl);
}

void installRedactingMessageHandler()
{
    if (!g_previousHandler)
        g_previousHandler = qInstallMessageHandler(redactingHandler);
}

void enableVerboseLogging()
{
    QLoggingCategory::setFilterRules(QStringLiteral("tokentray.*.debug=true"));
}

} // namespace TokenTray
