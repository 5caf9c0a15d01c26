#include "ui/managertext.h"

#include <QLocale>

namespace TokenTray {
namespace {

// Core's details are sentences in lower case without a full stop (they also end up inside
// the CLI's messages); shown on their own they read better as a sentence.
QString sentence(const QString &detail)
{
    if (detail.isEmpty())
        return detail;
    QString s = detail;
    s[0] = s.at(0).toUpper();
    if (!s.endsWith(QLatin1Char('.')) && !s.endsWith(QLatin1Char(')')))
        s += QLatin1Char('.');
    return s;
}

} // namespace

QString ManagerText::kind(ProfileKind kind)
{
    switch (kind) {
    case ProfileKind::OAuth2:
        return tr("OAuth 2.0");
    case ProfileKind::AwsAssumeRole:
        return tr("AWS assume role");
    case ProfileKind::AwsAccessKey:
        return tr("AWS access key");
    case ProfileKind::StaticToken:
        return tr("Static token");
    }
    return {};
}

QString ManagerText::grant(Grant grant)
{
    switch (grant) {
    case Grant::None:
        return {};
    case Grant::ClientCredentials:
        return tr("Client credentials");
    case Grant::RefreshToken:
        return tr("Refresh token");
    case Grant::DeviceCode:
        return tr("Device code (sign in in a browser)");
    }
    return {};
}

QString ManagerText::kindWithGrant(ProfileKind kind, Grant grant)
{
    switch (grant) {
    case Grant::ClientCredentials:
        return tr("OAuth 2.0 · client credentials");
    case Grant::RefreshToken:
        return tr("OAuth 2.0 · refresh token");
    case Grant::DeviceCode:
        return tr("OAuth 2.0 · device code");
    case Grant::None:
        break;
    }
    return ManagerText::kind(kind);
}

QString ManagerText::refreshPolicy(RefreshPolicy policy)
{
    switch (policy) {
    case RefreshPolicy::Deferred:
        return tr("When a tool asks (deferred)");
    case RefreshPolicy::Eager:
        return tr("Keep a token ready (eager)");
    }
    return {};
}

QString ManagerText::fieldLabel(EnvField field)
{
    return QCoreApplication::translate(kEnvFieldsContext, envFieldSpec(field).label);
}

QString ManagerText::fieldPlaceholder(EnvField field)
{
    const char *hint = envFieldSpec(field).hint;
    // A flag's hint is its check box text, not a placeholder.
    if (!hint || envFieldSpec(field).type == FieldType::Flag)
        return {};
    return QCoreApplication::translate(kEnvFieldsContext, hint);
}

QString ManagerText::secretLabel(const QString &secretName)
{
    if (secretName == QLatin1String("client_secret"))
        return tr("Client secret");
    if (secretName == QLatin1String("refresh_token"))
        return tr("Refresh token");
    if (secretName == QLatin1String("aws_access_key_id"))
        return tr("AWS access key ID");
    if (secretName == QLatin1String("aws_secret_access_key"))
        return tr("AWS secret access key");
    if (secretName == QLatin1String("token"))
        return tr("Token");
    return secretName;
}

QString ManagerText::instant(const QDateTime &at, const QDateTime &now)
{
    const QLocale locale;
    const QDateTime local = at.toLocalTime();
    // Seconds are noise for expiry times (some locales' short format has them).
    QString time = locale.timeFormat(QLocale::ShortFormat);
    time.remove(QStringLiteral(":ss"));
    if (local.date() == now.toLocalTime().date())
        return locale.toString(local.time(), time);
    return locale.toString(local,
                           locale.dateFormat(QLocale::ShortFormat) + QLatin1Char(' ') + time);
}

QString ManagerText::state(TokenState state, const QDateTime &expiresAt, const QDateTime &now)
{
    const QString until = expiresAt.isValid() ? instant(expiresAt, now) : QString();
    switch (state) {
    case TokenState::None:
        return tr("no token yet");
    case TokenState::Fresh:
        return until.isEmpty() ? tr("valid") : tr("valid until %1").arg(until);
    case TokenState::Advisory:
        return until.isEmpty() ? tr("valid, renewal due")
                               : tr("valid until %1, renewal due").arg(until);
    case TokenState::Mandatory:
        return until.isEmpty() ? tr("about to expire") : tr("expires at %1").arg(until);
    case TokenState::Expired:
        return tr("expired");
    case TokenState::Refreshing:
        return tr("refreshing…");
    case TokenState::Error:
        return tr("refresh failed, retrying");
    case TokenState::SignInRequired:
        return tr("sign-in required");
    case TokenState::Locked:
        return tr("keychain locked");
    }
    return {};
}

QString ManagerText::requirement(Requirement requirement)
{
    switch (requirement) {
    case Requirement::TokenUrlOrIssuer:
        return tr("Enter a token URL or an issuer.");
    case Requirement::ClientId:
        return tr("Enter the client ID.");
    case Requirement::DeviceUrlOrIssuer:
        return tr("The device code grant needs a device URL or an issuer.");
    case Requirement::RoleArn:
        return tr("Enter the ARN of the role to assume.");
    case Requirement::SourceProfile:
        return tr("Choose the profile whose credentials assume the role.");
    }
    return {};
}

QString ManagerText::nameProblem(const Error &error, const QString &name, bool environment)
{
    if (error.code == ErrorCode::AlreadyExists)
        return environment ? tr("This profile already has an environment of that name.")
                           : tr("A profile of that name already exists.");
    if (name.isEmpty())
        return tr("Enter a name.");
    return tr("Use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
}

QString ManagerText::partialRemoval(const Error &error, const QString &name,
                                    const QStringList &notRemoved)
{
    const QString left = notRemoved.join(QStringLiteral(", "));
    if (error.code == ErrorCode::KeychainLocked)
        return tr("The keychain locked while %1 was being removed. Not removed, or not "
                  "confirmed: %2; its other keychain items are gone. %1 was kept: unlock the "
                  "keychain and remove it again to finish.")
            .arg(name, left);
    return tr("The keychain failed while %1 was being removed: %2. Not removed, or not "
              "confirmed: %3; its other keychain items are gone. %1 was kept: remove it again to "
              "finish.")
        .arg(name, error.detail, left);
}

QString ManagerText::error(const Error &error)
{
    switch (error.code) {
    case ErrorCode::KeychainLocked:
        return tr("The keychain is locked. Unlock it (for example by logging in to the desktop "
                  "session) and try again; nothing was changed.");
    case ErrorCode::NoKeychain:
        return tr("No keychain is available. TokenTray keeps secrets only in the system keychain "
                  "(Secret Service, for example gnome-keyring or KWallet).");
    case ErrorCode::KeychainTimeout:
        return tr("The keychain did not answer in time. If it shows a prompt, answer it and try "
                  "again.");
    case ErrorCode::KeychainFailure:
        return tr("The keychain failed: %1").arg(error.detail);
    case ErrorCode::ConfigReadOnly:
        return tr("The configuration is read-only until its file is fixed: %1").arg(error.detail);
    case ErrorCode::ConfigIo:
    case ErrorCode::ConfigCorrupt:
    case ErrorCode::ConfigTooNew:
        return tr("The configuration could not be saved: %1").arg(error.detail);
    default:
        break;
    }
    if (error.detail.isEmpty())
        return tr("Something went wrong (%1).").arg(errorCodeName(error.code));
    return sentence(error.detail);
}

} // namespace TokenTray
