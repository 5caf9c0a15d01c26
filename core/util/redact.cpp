#include "core/util/redact.h"

#include <QLoggingCategory>
#include <QRegularExpression>

#include <array>

namespace TokenTray {
namespace {

const QString kRedacted = QStringLiteral("<redacted>");

// Field names whose values are secrets wherever they appear.
const QString kSecretNames = QStringLiteral(
    "access_token|refresh_token|id_token|client_secret|device_code|code_verifier|password|"
    "passwd|secret|token|api_key|apikey|assertion|client_assertion|aws_secret_access_key|"
    "aws_session_token|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_CONTAINER_AUTHORIZATION_"
    "TOKEN|TOKENTRAY_TOKEN|SecretAccessKey|SessionToken|Token|X-Amz-Security-Token|"
    "X-Amz-Signature|Signature");

struct Rule
{
    QRegularExpression pattern;
    QString replacement;
};

const std::array<Rule, 6> &rules()
{
    static const auto opts = QRegularExpression::CaseInsensitiveOption;
    static const std::array<Rule, 6> r = {{
        // Authorization header values: "Bearer abc", "Basic abc=", AWS4 signatures.
        {QRegularExpression(QStringLiteral(R"(\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*)"), opts),
         QStringLiteral("\\1 ") + kRedacted},
        {QRegularExpression(QStringLiteral(R"((Signature=)[0-9a-fA-F]+)")),
         QStringLiteral("\\1") + kRedacted},
        // JSON: "name": "value"
        {QRegularExpression(QStringLiteral(R"re(("(?:)re") + kSecretNames
                                + QStringLiteral(R"re()"\s*:\s*")(?:[^"\\]|\\.)*("))re"),
                            opts),
         QStringLiteral("\\1") + kRedacted + QStringLiteral("\\2")},
        // XML: <Name>value</Name>
        {QRegularExpression(
             QStringLiteral(R"re((<(?:SecretAccessKey|SessionToken|Token|client_secret|)re")
                 + QStringLiteral(R"re(access_token|refresh_token)>)[^<]*(</))re"),
             opts),
         QStringLiteral("\\1") + kRedacted + QStringLiteral("\\2")},
        // form, query, env and header syntax: name=value, name: value
        {QRegularExpression(
             QStringLiteral(R"re((\b(?:)re") + kSecretNames
                 + QStringLiteral(R"re()\b\s*[=:]\s*)(?!<redacted>)[^\s&;,"'<>]+)re"),
             opts),
         QStringLiteral("\\1") + kRedacted},
        // A bare JWT anywhere (header.payload.signature, base64url).
        {QRegularExpression(
             QStringLiteral(R"(\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)")),
         kRedacted},
    }};
    return r;
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
    QString out = text;
    for (const Rule &rule : rules())
        out.replace(rule.pattern, rule.replacement);
    return out;
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
