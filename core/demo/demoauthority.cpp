#include "core/demo/demoauthority.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>
#include <QUuid>

namespace TokenTray {

namespace {

ScriptedReply oauthError(int status, const char *error, const char *description = nullptr)
{
    QJsonObject o {{"error", QString::fromLatin1(error)}};
    if (description)
        o.insert("error_description", QString::fromLatin1(description));
    ScriptedReply r = ScriptedReply::json(status, QJsonDocument(o).toJson(QJsonDocument::Compact));
    r.withHeader("Cache-Control", "no-store");
    // As many providers do, for their support to find the request in their logs.
    r.withHeader("X-Request-Id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces));
    return r;
}

ScriptedReply jsonReply(const QJsonObject &o)
{
    ScriptedReply r = ScriptedReply::json(200, QJsonDocument(o).toJson(QJsonDocument::Compact));
    r.withHeader("Cache-Control", "no-store");
    return r;
}

} // namespace

DemoAuthority::DemoAuthority(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_server.setHandler("/.well-known/openid-configuration",
                        [this](const RecordedRequest &r) { return discovery(r); });
    m_server.setHandler("/token", [this](const RecordedRequest &r) { return token(r); });
    m_server.setHandler("/device", [this](const RecordedRequest &r) { return device(r); });
    m_server.setHandler("/revoke", [this](const RecordedRequest &r) { return revoke(r); });
    m_server.setHandler("/introspect", [this](const RecordedRequest &r) { return introspect(r); });
    m_server.setHandler("/approve", [this](const RecordedRequest &r) { return approveRoute(r); });
    m_server.setHandler("/stats", [this](const RecordedRequest &r) { return stats(r); });
}

bool DemoAuthority::listen()
{
    return m_server.listen();
}

QString DemoAuthority::issueRefreshToken()
{
    QString token
        = QStringLiteral("rt-%1-%2").arg(++m_counter).arg(QDateTime::currentMSecsSinceEpoch());
    m_refreshTokens.insert(token);
    return token;
}

void DemoAuthority::approve(const QString &userCode)
{
    for (DeviceCode &d : m_deviceCodes) {
        if (d.userCode == userCode)
            d.state = DeviceCode::State::Approved;
    }
}

void DemoAuthority::deny(const QString &userCode)
{
    for (DeviceCode &d : m_deviceCodes) {
        if (d.userCode == userCode)
            d.state = DeviceCode::State::Denied;
    }
}

ScriptedReply DemoAuthority::discovery(const RecordedRequest &) const
{
    const QString base = issuer().toString();
    return jsonReply(QJsonObject {
        {"issuer", base},
        {"token_endpoint", QString(base + "/token")},
        {"device_authorization_endpoint", QString(base + "/device")},
        {"revocation_endpoint", QString(base + "/revoke")},
        {"introspection_endpoint", QString(base + "/introspect")},
        {"grant_types_supported",
         QJsonArray {QStringLiteral("client_credentials"), QStringLiteral("refresh_token"),
                     QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")}},
        {"token_endpoint_auth_methods_supported",
         QJsonArray {QStringLiteral("client_secret_basic"), QStringLiteral("client_secret_post"),
                     QStringLiteral("none")}},
    });
}

bool DemoAuthority::authenticate(const RecordedRequest &r, bool allowPublic) const
{
    const QByteArray authorization = r.header("authorization");
    const auto form = r.form();
    if (authorization.startsWith("Basic ")) {
        const QByteArray decoded = QByteArray::fromBase64(authorization.mid(6));
        const qsizetype colon = decoded.indexOf(':');
        if (colon < 0)
            return false;
        // RFC 6749 §2.3.1: both halves are form-encoded before base64.
        const QString id = QString::fromUtf8(QByteArray::fromPercentEncoding(decoded.left(colon)));
        const QString secret
            = QString::fromUtf8(QByteArray::fromPercentEncoding(decoded.mid(colon + 1)));
        return id == m_options.clientId && secret == m_options.clientSecret;
    }
    if (form.contains("client_secret"))
        return form.value("client_id") == m_options.clientId
            && form.value("client_secret") == m_options.clientSecret;
    return allowPublic && form.value("client_id") == m_options.clientId;
}

ScriptedReply DemoAuthority::issue(const QString &scope, bool withRefresh)
{
    const QString access
        = QStringLiteral("at-%1-%2").arg(++m_counter).arg(QDateTime::currentMSecsSinceEpoch());
    m_accessTokens.insert(access,
                          QDateTime::currentMSecsSinceEpoch() + m_options.lifetimeSeconds * 1000LL);
    QJsonObject o {{"access_token", access},
                   {"token_type", "Bearer"},
                   {"expires_in", m_options.lifetimeSeconds}};
    if (!scope.isEmpty())
        o.insert("scope", scope);
    if (withRefresh)
        o.insert("refresh_token", issueRefreshToken());
    return jsonReply(o);
}

ScriptedReply DemoAuthority::token(const RecordedRequest &r)
{
    ++m_tokenRequests;
    if (r.method != "POST")
        return oauthError(405, "invalid_request", "POST only");
    const auto form = r.form();
    const QString grant = form.value("grant_type");
    if (grant == "client_credentials") {
        if (!authenticate(r, false))
            return oauthError(401, "invalid_client");
        return issue(form.value("scope"), false);
    }
    if (grant == "refresh_token") {
        if (!authenticate(r, true))
            return oauthError(401, "invalid_client");
        const QString presented = form.value("refresh_token");
        if (!m_refreshTokens.contains(presented)) {
            ++m_invalidGrants;
            return oauthError(400, "invalid_grant", "unknown or revoked refresh token");
        }
        if (m_options.rotateRefreshTokens) {
            m_refreshTokens.remove(presented);
            return issue(form.value("scope"), true);
        }
        return issue(form.value("scope"), false);
    }
    if (grant == "urn:ietf:params:oauth:grant-type:device_code") {
        if (!authenticate(r, true))
            return oauthError(401, "invalid_client");
        auto it = m_deviceCodes.find(form.value("device_code"));
        if (it == m_deviceCodes.end())
            return oauthError(400, "expired_token");
        ++it->polls;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (m_options.autoApproveAfterPolls >= 0 && it->polls > m_options.autoApproveAfterPolls)
            it->state = DeviceCode::State::Approved;
        it->lastPollMs = now;
        switch (it->state) {
        case DeviceCode::State::Pending:
            return oauthError(400, "authorization_pending");
        case DeviceCode::State::Denied:
            m_deviceCodes.erase(it);
            return oauthError(400, "access_denied");
        case DeviceCode::State::Approved:
            m_deviceCodes.erase(it);
            return issue(QString(), true);
        }
    }
    return oauthError(400, "unsupported_grant_type");
}

ScriptedReply DemoAuthority::device(const RecordedRequest &r)
{
    if (!authenticate(r, true))
        return oauthError(401, "invalid_client");
    const QString deviceCode
        = QStringLiteral("dc-%1-%2").arg(++m_counter).arg(QDateTime::currentMSecsSinceEpoch());
    DeviceCode d;
    d.userCode = QStringLiteral("WDJB-%1").arg(1000 + m_counter);
    m_deviceCodes.insert(deviceCode, d);
    const QString verify = issuer().toString() + "/verify";
    return jsonReply(
        QJsonObject {{"device_code", deviceCode},
                     {"user_code", d.userCode},
                     {"verification_uri", verify},
                     {"verification_uri_complete", QString(verify + "?user_code=" + d.userCode)},
                     {"expires_in", 600},
                     {"interval", m_options.deviceIntervalSeconds}});
}

ScriptedReply DemoAuthority::revoke(const RecordedRequest &r)
{
    if (!authenticate(r, true))
        return oauthError(401, "invalid_client");
    const QString token = r.form().value("token");
    m_refreshTokens.remove(token);
    m_accessTokens.remove(token);
    return ScriptedReply::json(200, QByteArray()); // RFC 7009: 200 even for unknown tokens
}

ScriptedReply DemoAuthority::introspect(const RecordedRequest &r) const
{
    if (!authenticate(r, false))
        return oauthError(401, "invalid_client");
    const QString token = r.form().value("token");
    const qint64 expiry = m_accessTokens.value(token, 0);
    const bool active
        = expiry > QDateTime::currentMSecsSinceEpoch() || m_refreshTokens.contains(token);
    QJsonObject o {{"active", active}};
    if (active && expiry)
        o.insert("exp", expiry / 1000);
    return jsonReply(o);
}

ScriptedReply DemoAuthority::approveRoute(const RecordedRequest &r)
{
    const QUrlQuery q(QString::fromUtf8(r.query));
    const QString code = q.queryItemValue("user_code");
    if (q.queryItemValue("deny") == "1")
        deny(code);
    else
        approve(code);
    return jsonReply(QJsonObject {{"ok", true}});
}

ScriptedReply DemoAuthority::stats(const RecordedRequest &) const
{
    return jsonReply(QJsonObject {{"token_requests", m_tokenRequests},
                                  {"invalid_grants", m_invalidGrants},
                                  {"refresh_tokens", static_cast<int>(m_refreshTokens.size())}});
}

} // namespace TokenTray
