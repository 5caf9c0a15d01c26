#pragma once

// The loopback credential endpoint (DESIGN §5): AWS SDKs read AWS_CONTAINER_CREDENTIALS_FULL_URI
// and AWS_CONTAINER_AUTHORIZATION_TOKEN and fetch their keys from here; other tools fetch a
// bearer token. 127.0.0.1 only, a random token per server, every request asks the token engine
// again, so a long-running consumer keeps getting fresh credentials.

#include "core/delivery/exporters.h"
#include "core/model/credential.h"
#include "core/model/kinds.h"
#include "core/util/result.h"
#include "core/util/secret.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QUrl>

#include <functional>
#include <memory>
#include <vector>

class QTcpSocket;

namespace TokenTray {

class Clock;
class TokenEngine;

class CredentialServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialServer)
public:
    // What a request is served from.
    struct Scope
    {
        QString profileId;
        QString profileName;
        QString environment;
        ProfileKind kind = ProfileKind::OAuth2;
        bool isProtected = false;
        bool operator==(const Scope &other) const = default;
    };
    // Resolves `?profile=NAME&env=ENV` (either may be empty: the served profile, the profile's
    // active environment). Without a resolver the server serves its one scope only.
    using ScopeResolver
        = std::function<Result<Scope>(const QString &profileName, const QString &environment)>;

    // Optional: wraps each engine ask, e.g. the CLI's config lock, so a refresh here never races
    // one in another process. enter() calls `entered` once, now or later, with nothing or the
    // error that refuses the request; leave() follows every successful enter().
    class AskGate
    {
    public:
        virtual ~AskGate() = default;
        virtual void enter(std::function<void(const std::optional<Error> &)> entered) = 0;
        virtual void leave() = 0;
    };

    // Optional: where a request's credential comes from before this process's engine (serve
    // asks the agent, the one refresher of the desktop). The source calls `answered` once, later:
    // with the credential or its error, or with nullopt to let the engine (behind the gate) serve.
    using CredentialSource = std::function<void(
        const Scope &scope,
        std::function<void(const std::optional<Result<Credential>> &)> answered)>;

    static constexpr int kMaxHeaderBytes = 8 * 1024;
    static constexpr int kDefaultReadTimeoutMs = 5000;
    static constexpr int kDefaultMaxConnections = 32;

    // `engine` and `clock` must outlive the server.
    CredentialServer(TokenEngine *engine, const Clock *clock, const Scope &scope,
                     QObject *parent = nullptr);
    ~CredentialServer() override;

    void setScopeResolver(ScopeResolver resolver) { m_resolver = std::move(resolver); }
    void setAskGate(AskGate *gate) { m_gate = gate; }
    void setCredentialSource(CredentialSource source) { m_source = std::move(source); }
    // How long a client may take to send its request headers before it is disconnected, and,
    // after the answer, to stop sending and close before the server closes.
    void setReadTimeoutMs(int ms) { m_readTimeoutMs = ms; }
    // Connections open at once. When full, a new one takes the place of the oldest idle one
    // (still sending its headers, or already answered); while all are at work on requests, new
    // ones wait in the listen queue.
    void setMaxConnections(int count) { m_maxConnections = count; }
    [[nodiscard]] int connectionCount() const { return int(m_open.size()); }

    // 127.0.0.1 only; port 0 picks a free one.
    Result<void> listen(quint16 port = 0);
    void close();
    [[nodiscard]] bool isListening() const { return m_server.isListening(); }
    [[nodiscard]] QHostAddress address() const { return m_server.serverAddress(); }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] const Scope &scope() const { return m_scope; }
    [[nodiscard]] QUrl awsCredentialsUrl() const;
    [[nodiscard]] QUrl tokenUrl() const;
    // The raw value a client sends in its Authorization header (43 base64url characters).
    [[nodiscard]] const Secret &authorizationToken() const { return m_token; }

    // What a consumer of the served scope sets: AWS_CONTAINER_CREDENTIALS_FULL_URI and
    // AWS_CONTAINER_AUTHORIZATION_TOKEN for AWS kinds, TOKENTRAY_TOKEN_URL and
    // TOKENTRAY_AUTHORIZATION_TOKEN otherwise.
    [[nodiscard]] EnvExport consumerVariables() const;

Q_SIGNALS:
    // After each answer was written (or the client was gone): the HTTP status.
    void requestHandled(int status);

private:
    struct Connection;
    struct Request;
    void onNewConnection();
    bool evictIdleConnection();
    void connectionGone(const Connection *connection);
    void onReadyRead(const std::shared_ptr<Connection> &connection);
    void closeAfterAnswer(const std::shared_ptr<Connection> &connection);
    void handle(const std::shared_ptr<Connection> &connection, const Request &request);
    void serveFromEngine(const std::shared_ptr<Connection> &connection, const Scope &scope,
                         bool aws);
    void serve(const std::shared_ptr<Connection> &connection, const Scope &scope, bool aws);
    void answer(const std::shared_ptr<Connection> &connection, const Scope &scope, bool aws,
                const Result<Credential> &result);
    void respond(const std::shared_ptr<Connection> &connection, int status, const QByteArray &body,
                 const QByteArray &extraHeaders = QByteArray());
    void respondError(const std::shared_ptr<Connection> &connection, int status,
                      const QString &message, const QByteArray &extraHeaders = QByteArray());

    QPointer<TokenEngine> m_engine;
    const Clock *m_clock;
    Scope m_scope;
    ScopeResolver m_resolver;
    AskGate *m_gate = nullptr;
    CredentialSource m_source;
    QTcpServer m_server;
    Secret m_token;
    int m_readTimeoutMs = kDefaultReadTimeoutMs;
    int m_maxConnections = kDefaultMaxConnections;
    std::vector<std::shared_ptr<Connection>> m_open; // oldest first
};

} // namespace TokenTray
