#pragma once

// `tokentray-cli status`: what it shows, built from the config and keychain reads, and its two
// renderings (text and JSON). Plain data, no I/O: Cli::status() reads, these compute and format.

#include "core/model/kinds.h"
#include "core/refresh/tokenstate.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace TokenTray {

struct Config;

// One keychain item status reads: the secrets an environment needs or indexed, and its cache.
struct StatusSecretRead
{
    QString profileId;
    QString profile;
    QString environment;
    QString secretName; // "token_cache" for the cached token
};

struct StatusSecret
{
    QString name;
    QString state; // present, missing, locked, unknown
};

struct StatusEnvironment
{
    QString name;
    bool active = false;
    bool isProtected = false;
    TokenState state = TokenState::None;
    QDateTime expiresAt; // invalid when unknown
    QList<StatusSecret> secrets;
};

struct StatusProfile
{
    QString name;
    ProfileKind kind = ProfileKind::OAuth2;
    bool current = false;
    QString activeEnvironment;
    QList<StatusEnvironment> environments;
};

struct StatusReport
{
    QDateTime now;
    QList<StatusProfile> profiles;
    std::optional<Error> keychainError; // the first item the keychain could not answer for

    [[nodiscard]] QString keychain() const; // available, locked, unavailable
};

// What the agent's engine holds for a scope, which knows better than the keychain copy.
struct LiveToken
{
    TokenState state = TokenState::None;
    QDateTime expiresAt;
};
using LiveTokenLookup
    = std::function<std::optional<LiveToken>(const QString &profileId, const QString &env)>;

// The keychain items to read, in order.
QList<StatusSecretRead> statusSecretReads(const Config &config);
// `results` answer `reads` one for one; `live` may be empty (outside the agent).
StatusReport buildStatus(const Config &config, const QList<StatusSecretRead> &reads,
                         const QList<Result<Secret>> &results, const QDateTime &now,
                         const LiveTokenLookup &live = {});

QString statusText(const StatusReport &report);
QJsonObject statusJson(const StatusReport &report);

} // namespace TokenTray
