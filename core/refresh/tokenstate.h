#pragma once

#include "core/model/credential.h"

#include <QDateTime>
#include <QString>

namespace TokenTray {

// The state of one (profile, environment), computed from absolute times (DESIGN §4).
enum class TokenState {
    None, // no token yet
    Fresh,
    Advisory, // refresh due soon; the current token is still served
    Mandatory, // too close to expiry to hand out without refreshing first
    Expired,
    Refreshing,
    Error, // the last refresh failed transiently; it will be retried
    SignInRequired, // needs a person (invalid_grant, rejected client, no refresh token)
    Locked, // the keychain is locked or unavailable
};

QString tokenStateName(TokenState state);

// Refresh leads for a credential of lifetime L: advisory A = min(15 min, L/4), mandatory
// M = min(10 min, L/6).
struct RefreshLeads
{
    qint64 advisoryMs = 0;
    qint64 mandatoryMs = 0;
};
RefreshLeads refreshLeads(const Credential &credential);

// A credential issued (by our clock) more than this in the future was fetched while the clock was
// wrong: its expiry cannot be trusted.
constexpr qint64 kClockSkewToleranceMs = 60 * 1000;
bool issuedInTheFuture(const Credential &credential, const QDateTime &now);

// Fresh / Advisory / Mandatory / Expired for a credential at `now` (None when empty). One issued
// in the future counts as Expired, so it is refreshed rather than trusted.
TokenState classify(const Credential &credential, const QDateTime &now);

// The next instant at which classify() changes its answer, or an invalid QDateTime.
QDateTime nextTransition(const Credential &credential, const QDateTime &now);

} // namespace TokenTray
