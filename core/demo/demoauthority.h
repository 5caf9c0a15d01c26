#pragma once

// A small OAuth 2.0 / OpenID Connect authority on the loopback server, following the RFCs closely
// enough for end-to-end tests and `tokentray --demo`: discovery, client_credentials, refresh_token
// (rotating), device authorization (RFC 8628), revocation (RFC 7009), introspection (RFC 7662).

#include "core/demo/loopbackhttpserver.h"

#include <QHash>
#include <QSet>

namespace TokenTray {

class DemoAuthority final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString clientId = QStringLiteral("demo-client");
        QString clientSecret = QStringLiteral("demo-secret");
        int lifetimeSeconds = 3600;
        double deviceIntervalSeconds = 1; // RFC 8628 allows fractions; the tests poll fast
        int autoApproveAfterPolls = -1; // approve a device code after N polls (-1: only /approve)
        bool rotateRefreshTokens = true;
    };

    explicit DemoAuthority(const Options &options, QObject *parent = nullptr);
    bool listen();
    [[nodiscard]] QUrl issuer() const { return m_server.url(); }
    [[nodiscard]] LoopbackHttpServer &server() { return m_server; }

    // Issue a refresh token directly (as if a person had signed in earlier).
    QString issueRefreshToken();
    void approve(const QString &userCode);
    void deny(const QString &userCode);
    [[nodiscard]] int tokenRequests() const { return m_tokenRequests; }
    // Refresh tokens refused as unknown or already used (what a lost rotation race costs).
    [[nodiscard]] int invalidGrants() const { return m_invalidGrants; }
    [[nodiscard]] bool isRefreshTokenValid(const QString &token) const
    {
        return m_refreshTokens.contains(token);
    }

private:
    ScriptedReply discovery(const RecordedRequest &r) const;
    ScriptedReply token(const RecordedRequest &r);
    ScriptedReply device(const RecordedRequest &r);
    ScriptedReply revoke(const RecordedRequest &r);
    ScriptedReply introspect(const RecordedRequest &r) const;
    ScriptedReply approveRoute(const RecordedRequest &r);
    ScriptedReply stats(const RecordedRequest &r) const;
    bool authenticate(const RecordedRequest &r, bool allowPublic) const;
    ScriptedReply issue(const QString &scope, bool withRefresh);

    struct DeviceCode
    {
        QString userCode;
        enum class State { Pending, Approved, Denied } state = State::Pending;
        int polls = 0;
        qint64 lastPollMs = 0;
    };

    Options m_options;
    LoopbackHttpServer m_server;
    QSet<QString> m_refreshTokens;
    QHash<QString, qint64> m_accessTokens; // token -> expiry (ms since epoch)
    QHash<QString, DeviceCode> m_deviceCodes;
    int m_counter = 0;
    int m_tokenRequests = 0;
    int m_invalidGrants = 0;
};

} // namespace TokenTray
