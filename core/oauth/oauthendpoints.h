#pragma once

#include "core/model/environment.h"
#include "core/net/httpjob.h"
#include "core/util/job.h"
#include "core/util/result.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

class QNetworkAccessManager;

namespace TokenTray {

// Where an environment's OAuth endpoints are: explicit URLs win over discovered ones.
struct OAuthEndpoints
{
    QString issuer;
    QUrl token;
    QUrl deviceAuthorization;
    QUrl revocation;
    QUrl introspection;
    QStringList authMethods; // token_endpoint_auth_methods_supported
};

// Discovery documents fetched in this process, by issuer. Discovery is cheap to repeat but
// not free; a long-running app keeps them for its lifetime.
class DiscoveryCache
{
public:
    [[nodiscard]] std::optional<OAuthEndpoints> find(const QString &issuer) const;
    void insert(const QString &issuer, const OAuthEndpoints &endpoints);
    void clear() { m_entries.clear(); }

private:
    QHash<QString, OAuthEndpoints> m_entries;
};

// Parses an OpenID Connect / RFC 8414 discovery document and checks it is for `issuer`.
// Pure; fuzzable.
Result<OAuthEndpoints> parseDiscoveryDocument(const QByteArray &body, const QString &issuer);

// Resolves an environment's endpoints: with an issuer, fetches
// <issuer>/.well-known/openid-configuration (falling back to RFC 8414's
// /.well-known/oauth-authorization-server), then applies the explicit URLs on top.
class EndpointResolveJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EndpointResolveJob)
public:
    EndpointResolveJob(QNetworkAccessManager *nam, DiscoveryCache *cache, const Environment &env,
                       const HttpPolicy &policy, QObject *parent = nullptr);
    [[nodiscard]] const Result<OAuthEndpoints> &result() const { return m_result; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void run();
    void fetch(const QUrl &url, bool lastTry);
    void finish(const Result<OAuthEndpoints> &result);

    QNetworkAccessManager *m_nam;
    DiscoveryCache *m_cache;
    Environment m_env;
    HttpPolicy m_policy;
    Result<OAuthEndpoints> m_result = OAuthEndpoints();
};

// The endpoints when no request is needed: explicit URLs only, or an issuer already in the
// cache. nullopt when discovery has to run.
std::optional<OAuthEndpoints> knownEndpoints(const Environment &env, const DiscoveryCache *cache);

// URLs of the two well-known documents for an issuer, in the order they are tried.
QList<QUrl> discoveryUrls(const QUrl &issuer);

} // namespace TokenTray
