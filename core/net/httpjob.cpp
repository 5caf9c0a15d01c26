#include "core/net/httpjob.h"

#include "core/model/validation.h"
#include "core/util/logging.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>

namespace TokenTray {

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

int HttpResponse::retryAfterSeconds(const QDateTime &now) const
{
    const QByteArray value = header("Retry-After").trimmed();
    if (value.isEmpty())
        return -1;
    bool ok = false;
    const int seconds = value.toInt(&ok);
    if (ok)
        return seconds >= 0 ? seconds : -1;
    // An HTTP-date always ends in "GMT" (RFC 9110 §5.6.7), a zone name Qt's RFC 2822 parser
    // rejects; give it the numeric form.
    QByteArray date = value;
    if (date.endsWith(" GMT"))
        date.replace(date.size() - 3, 3, "+0000");
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(date), Qt::RFC2822Date);
    if (!at.isValid())
        return -1;
    return static_cast<int>(qMax<qint64>(0, now.secsTo(at)));
}

QByteArray formEncode(const QList<std::pair<QString, QString>> &fields)
{
    QByteArray out;
    for (const auto &[key, value] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

HttpJob::HttpJob(QNetworkAccessManager *nam, const QUrl &url, const QByteArray &method,
                 const HttpPolicy &policy, QObject *parent)
    : Job(parent)
    , m_nam(nam)
    , m_url(url)
    , m_method(method)
    , m_policy(policy)
{
    setAutoDelete(false);
}

HttpJob::~HttpJob()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void HttpJob::setHeader(const QByteArray &name, const QByteArray &value)
{
    m_headers.append({name, value});
}

void HttpJob::setBody(const QByteArray &body, const QByteArray &contentType)
{
    m_body = body;
    setHeader("Content-Type", contentType);
}

void HttpJob::doCancel()
{
    m_abortReason = AbortReason::Cancelled;
    if (m_reply)
        m_reply->abort();
    else
        finish(Error {ErrorCode::Cancelled, cancelledDetail()});
}

// Sent at once; an answer can only arrive later, and a refusal before sending is reported from
// the event loop (Job defers a finish reached inside start()).
void HttpJob::doStart()
{
    if (auto allowed = validateEndpointUrl(QStringLiteral("endpoint"), m_url); !allowed) {
        finish(Error {ErrorCode::Invalid, allowed.error().detail});
        return;
    }
    QNetworkRequest request(m_url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setTransferTimeout(m_policy.timeoutMs);
    request.setRawHeader("Accept", "application/json");
    // Asking for identity ourselves stops Qt from asking for gzip/deflate and inflating the
    // answer before maxBodyBytes is checked (a small bomb would cost seconds and megabytes).
    request.setRawHeader("Accept-Encoding", "identity");
    request.setRawHeader("User-Agent", "TokenTray/" TOKENTRAY_VERSION);
    for (const auto &[name, value] : std::as_const(m_headers))
        request.setRawHeader(name, value);

    if (m_url.scheme() == QLatin1String("https")) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!m_policy.caFile.isEmpty()) {
            const QList<QSslCertificate> cas
                = QSslCertificate::fromPath(m_policy.caFile, QSsl::Pem);
            if (cas.isEmpty()) {
                finish(Error {ErrorCode::Invalid,
                              QStringLiteral("the CA file ") + m_policy.caFile
                                  + QStringLiteral(" holds no PEM certificate")});
                return;
            }
            tls.setCaCertificates(cas); // replaces the system CAs for this environment
        }
        request.setSslConfiguration(tls);
    }

    m_deadline = new QTimer(this);
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        m_abortReason = AbortReason::Timeout;
        if (m_reply)
            m_reply->abort();
    });
    m_deadline->start(m_policy.timeoutMs);

    qCDebug(lcOAuth).noquote() << m_method
                               << m_url.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo);
    m_reply = m_nam->sendCustomRequest(request, m_method, m_body);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &HttpJob::onMetaDataChanged);
    connect(m_reply, &QNetworkReply::readyRead, this, &HttpJob::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &HttpJob::onFinished);
}

void HttpJob::onMetaDataChanged()
{
    if (!m_reply || m_abortReason != AbortReason::None)
        return;
    const auto &pairs = m_reply->rawHeaderPairs();
    qsizetype bytes = 0;
    for (const auto &[name, value] : pairs)
        bytes += name.size() + value.size() + 4; // ": " and CRLF
    // Qt 6.4 itself gives up on more than about 100 fields or 64 KiB: it reports the status
    // with no header at all and then waits for the connection to close. A server always sends
    // at least a Date or Content-Length, so an answer without any header counts as a flood.
    const bool noHeaders
        = pairs.isEmpty() && m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid();
    if (pairs.size() > kMaxHeaderCount || bytes > kMaxHeaderBytes || noHeaders) {
        m_abortReason = AbortReason::TooManyHeaders;
        m_reply->abort();
        return;
    }
    const QByteArray encoding = m_reply->rawHeader("Content-Encoding").trimmed().toLower();
    if (!encoding.isEmpty() && encoding != "identity") {
        m_abortReason = AbortReason::Compressed;
        m_reply->abort();
    }
}

void HttpJob::onReadyRead()
{
    if (!m_reply)
        return;
    m_received += m_reply->read(m_policy.maxBodyBytes + 1 - m_received.size());
    if (m_received.size() > m_policy.maxBodyBytes) {
        m_abortReason = AbortReason::TooLarge;
        m_reply->abort();
    }
}

void HttpJob::onFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    reply->deleteLater();
    m_reply = nullptr;
    const QString where
        = m_url.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo | QUrl::RemovePath);

    switch (m_abortReason) {
    case AbortReason::Timeout:
        finish(Error {ErrorCode::Timeout,
                      QStringLiteral("no complete answer from %1 within %2 s")
                          .arg(where)
                          .arg(m_policy.timeoutMs / 1000.0)});
        return;
    case AbortReason::TooLarge:
        finish(Error {ErrorCode::Parse,
                      QStringLiteral("the answer from %1 is larger than %2 bytes")
                          .arg(where)
                          .arg(m_policy.maxBodyBytes)});
        return;
    case AbortReason::TooManyHeaders:
        finish(Error {ErrorCode::Parse,
                      QStringLiteral("the answer from %1 has more than %2 headers or %3 KiB of "
                                     "them, or none")
                          .arg(where)
                          .arg(kMaxHeaderCount)
                          .arg(kMaxHeaderBytes / 1024)});
        return;
    case AbortReason::Compressed:
        finish(Error {ErrorCode::Parse,
                      QStringLiteral("the answer from %1 is compressed though TokenTray asked "
                                     "for an uncompressed one")
                          .arg(where)});
        return;
    case AbortReason::Cancelled:
        finish(Error {ErrorCode::Cancelled, QStringLiteral("cancelled")});
        return;
    case AbortReason::None:
        break;
    }

    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const QNetworkReply::NetworkError netError = reply->error();
    const bool bodyCut = netError == QNetworkReply::RemoteHostClosedError
        || netError == QNetworkReply::OperationCanceledError
        || netError == QNetworkReply::NetworkSessionFailedError
        || netError == QNetworkReply::UnknownNetworkError;
    if (!statusAttr.isValid() || bodyCut) {
        if (netError == QNetworkReply::OperationCanceledError) {
            // Qt's own transfer timeout (no bytes for timeoutMs).
            finish(Error {ErrorCode::Timeout,
                          QStringLiteral("no answer from %1 within %2 s")
                              .arg(where)
                              .arg(m_policy.timeoutMs / 1000.0)});
            return;
        }
        finish(Error {ErrorCode::Network,
                      QStringLiteral("cannot reach %1: %2").arg(where, reply->errorString())});
        return;
    }
    if (reply->bytesAvailable() > 0)
        onReadyRead();
    if (m_abortReason == AbortReason::TooLarge) {
        finish(Error {ErrorCode::Parse,
                      QStringLiteral("the answer from %1 is larger than %2 bytes")
                          .arg(where)
                          .arg(m_policy.maxBodyBytes)});
        return;
    }
    HttpResponse response;
    response.status = statusAttr.toInt();
    for (const auto &pair : reply->rawHeaderPairs())
        response.headers.append({pair.first, pair.second});
    response.body = m_received;
    qCDebug(lcOAuth).noquote() << "HTTP" << response.status << "from" << where << "("
                               << response.body.size() << "bytes)";
    finish(response);
}

void HttpJob::finish(const Result<HttpResponse> &result)
{
    if (isFinished())
        return;
    m_result = result;
    if (m_deadline)
        m_deadline->stop();
    emitFinished(result);
}

} // namespace TokenTray
