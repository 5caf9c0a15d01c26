#include "core/oauth/oauthendpoints.h"

#include "core/model/validation.h"
#include "core/util/logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

namespace TokenTray {
namespace {

QString withoutTrailingSlash(QString s)
{
    while (s.endsWith(QLatin1Char('/')))
        s.chop(1);
    return s;
}

OAuthEndpoints applyExplicit(OAuthEndpoints endpoints, const Environment &env)
{
    if (!env.tokenUrl.isEmpty())
        endpoints.token = env.tokenUrl;
    if (!env.deviceUrl.isEmpty())
        endpoints.deviceAuthorization = env.deviceUrl;
    if (!env.revocationUrl.isEmpty())
        endpoints.revocation = env.revocationUrl;
    return endpoints;
}

} // namespace

std::optional<OAuthEndpoints> DiscoveryCache::find(const QString &issuer) const
{
    const auto it = m_entries.constFind(issuer);
    if (it == m_entries.cend())
        return std::nullopt;
    return *it;
}

void DiscoveryCache::insert(const QString &issuer, const OAuthEndpoints &endpoints)
{
    m_entries.insert(issuer, endpoints);
}

std::optional<OAuthEndpoints> knownEndpoints(const Environment &env, const DiscoveryCache *cache)
{
    if (env.issuer.isEmpty()) {
        if (env.tokenUrl.isEmpty())
            return std::nullopt; // the job reports the error
        return applyExplicit(OAuthEndpoints(), env);
    }
    if (cache) {
        if (auto cached = cache->find(env.issuer.toString()))
            return applyExplicit(*cached, env);
    }
    return std::nullopt;
}

QList<QUrl> discoveryUrls(const QUrl &issuer)
{
    QUrl oidc = issuer;
    oidc.setPath(withoutTrailingSlash(issuer.path())
                 + QStringLiteral("/.well-known/openid-configuration"));
    // RFC 8414 §3: the well-known segment goes between host and the issuer's path.
    QUrl rfc8414 = issuer;
    rfc8414.setPath(QStringLiteral("/.well-known/oauth-authorization-server")
                    + withoutTrailingSlash(issuer.path()));
    return {oidc, rfc8414};
}

Result<OAuthEndpoints> parseDiscoveryDocument(const QByteArray &body, const QString &issuer)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error {ErrorCode::Parse,
                      QStringLiteral("the discovery document is not a JSON object")};
    const QJsonObject o = doc.object();
    const QString declared = o.value(QLatin1String("issuer")).toString();
    if (withoutTrailingSlash(declared) != withoutTrailingSlash(issuer))
        return Error {ErrorCode::Rejected,
                      QStringLiteral("the discovery document is for issuer \"") + declared.left(200)
                          + QStringLiteral("\", not the configured \"") + issuer
                          + QStringLiteral("\""),
                      0, QStringLiteral("issuer_mismatch")};
    OAuthEndpoints e;
    e.issuer = declared;
    const std::pair<const char *, QUrl *> fields[] = {
        {"token_endpoint", &e.token},
        {"device_authorization_endpoint", &e.deviceAuthorization},
        {"revocation_endpoint", &e.revocation},
        {"introspection_endpoint", &e.introspection},
    };
    for (const auto &[name, target] : fields) {
        const QJsonValue v = o.value(QLatin1String(name));
        if (v.isUndefined() || v.isNull())
            continue;
        const QUrl url(v.toString(), QUrl::StrictMode);
        if (auto ok = validateEndpointUrl(QLatin1String(name), url); !ok)
            return Error {ErrorCode::Parse,
                          QStringLiteral("the discovery document's ") + ok.error().detail};
        *target = url;
    }
    for (const auto &m : o.value(QLatin1String("token_endpoint_auth_methods_supported")).toArray())
        e.authMethods << m.toString();
    if (e.token.isEmpty())
        return Error {ErrorCode::Parse,
                      QStringLiteral("the discovery document names no token_endpoint")};
    return e;
}

EndpointResolveJob::EndpointResolveJob(QNetworkAccessManager *nam, DiscoveryCache *cache,
                                       const Environment &env, const HttpPolicy &policy,
                                       QObject *parent)
    : Job(parent)
    , m_nam(nam)
    , m_cache(cache)
    , m_env(env)
    , m_policy(policy)
{
    setAutoDelete(false); // the caller reads result() and deletes it
}

void EndpointResolveJob::doStart()
{
    QTimer::singleShot(0, this, &EndpointResolveJob::run);
}

void EndpointResolveJob::doCancel()
{
    finish(Error {ErrorCode::Cancelled, cancelledDetail()});
}

void EndpointResolveJob::run()
{
    if (isFinished())
        return; // cancelled before it began
    if (m_env.issuer.isEmpty()) {
        if (m_env.tokenUrl.isEmpty()) {
            finish(Error {ErrorCode::Invalid,
                          m_env.name + QStringLiteral(" has neither an issuer nor a token URL")});
            return;
        }
        finish(applyExplicit(OAuthEndpoints(), m_env));
        return;
    }
    const QString issuer = m_env.issuer.toString();
    if (m_cache) {
        if (auto cached = m_cache->find(issuer)) {
            finish(applyExplicit(*cached, m_env));
            return;
        }
    }
    fetch(discoveryUrls(m_env.issuer).at(0), false);
}

void EndpointResolveJob::fetch(const QUrl &url, bool lastTry)
{
    auto *job = new HttpJob(m_nam, url, "GET", m_policy, this);
    connect(job, &HttpJob::finished, this, [this, job, lastTry] {
        job->deleteLater();
        const auto &r = job->result();
        if (!r) {
            finish(r.error());
            return;
        }
        if (r->status == 404 && !lastTry) {
            fetch(discoveryUrls(m_env.issuer).at(1), true);
            return;
        }
        if (r->status != 200) {
            finish(Error {ErrorCode::HttpStatus,
                          QStringLiteral("discovery at %1 answered HTTP %2")
                              .arg(job->url().toString())
                              .arg(r->status),
                          r->status});
            return;
        }
        const QString issuer = m_env.issuer.toString();
        auto parsed = parseDiscoveryDocument(r->body, issuer);
        if (!parsed) {
            finish(parsed.error());
            return;
        }
        if (m_cache)
            m_cache->insert(issuer, *parsed);
        qCDebug(lcOAuth) << "discovered endpoints of" << issuer;
        finish(applyExplicit(*parsed, m_env));
    });
    job->start();
}

void EndpointResolveJob::finish(const Result<OAuthEndpoints> &result)
{
    if (isFinished())
        return;
    m_result = result;
    emitFinished(m_result);
}

} // namespace TokenTray
