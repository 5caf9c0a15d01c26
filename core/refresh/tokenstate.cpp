#include "core/refresh/tokenstate.h"

namespace TokenTray {

namespace {
constexpr qint64 kMinute = 60 * 1000;
}

QString tokenStateName(TokenState state)
{
    switch (state) {
    case TokenState::None:
        return QStringLiteral("none");
    case TokenState::Fresh:
        return QStringLiteral("fresh");
    case TokenState::Advisory:
        return QStringLiteral("advisory");
    case TokenState::Mandatory:
        return QStringLiteral("mandatory");
    case TokenState::Expired:
        return QStringLiteral("expired");
    case TokenState::Refreshing:
        return QStringLiteral("refreshing");
    case TokenState::Error:
        return QStringLiteral("error");
    case TokenState::SignInRequired:
        return QStringLiteral("sign-in-required");
    case TokenState::Locked:
        return QStringLiteral("locked");
    }
    return QStringLiteral("none");
}

RefreshLeads refreshLeads(const Credential &credential)
{
    const qint64 lifetime = qMax<qint64>(0, credential.lifetimeMs());
    return {qMin(15 * kMinute, lifetime / 4), qMin(10 * kMinute, lifetime / 6)};
}

bool issuedInTheFuture(const Credential &credential, const QDateTime &now)
{
    return credential.issuedAt.isValid()
        && now.msecsTo(credential.issuedAt) > kClockSkewToleranceMs;
}

TokenState classify(const Credential &credential, const QDateTime &now)
{
    if (credential.isEmpty())
        return TokenState::None;
    if (!credential.expires())
        return TokenState::Fresh;
    if (issuedInTheFuture(credential, now))
        return TokenState::Expired;
    const qint64 left = now.msecsTo(credential.expiresAt);
    if (left <= 0)
        return TokenState::Expired;
    const RefreshLeads leads = refreshLeads(credential);
    if (left <= leads.mandatoryMs)
        return TokenState::Mandatory;
    if (left <= leads.advisoryMs)
        return TokenState::Advisory;
    return TokenState::Fresh;
}

QDateTime nextTransition(const Credential &credential, const QDateTime &now)
{
    if (credential.isEmpty() || !credential.expires())
        return {};
    if (issuedInTheFuture(credential, now))
        return {};
    const RefreshLeads leads = refreshLeads(credential);
    for (const qint64 lead : {leads.advisoryMs, leads.mandatoryMs, qint64(0)}) {
        QDateTime at = credential.expiresAt.addMSecs(-lead);
        if (at > now)
            return at;
    }
    return {};
}

} // namespace TokenTray
