#pragma once

#include "core/util/job.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QList>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace TokenTray {

struct HttpResponse
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    // Retry-After as seconds (delta-seconds or an HTTP date), or -1.
    [[nodiscard]] int retryAfterSeconds(const QDateTime &now) const;
};

// How a request to an identity or STS endpoint is made. Secure by default: TLS verified against
// the system CAs or, for this environment only, the CAs in `caFile`; plain http only to a
// loopback host; redirects never followed; bounded time and size (headers included: at most
// kMaxHeaderCount fields and kMaxHeaderBytes in all); bodies never compressed, so the size cap is
// the cost cap.
struct HttpPolicy
{
    int timeoutMs = 30000;
    qint64 maxBodyBytes = 1024 * 1024;
    QString caFile;
};

// One HTTP exchange as a Job. start() sends at once (no event-loop turn on the hot path); the
// caller owns the job (autoDelete off). A reply with any HTTP status is a result (the caller
// reads OAuth/STS errors from 4xx bodies); no status at all (refused, reset, timeout, TLS
// failure, too large) is an error.
class HttpJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpJob)
public:
    static constexpr int kMaxHeaderCount = 100;
    static constexpr qsizetype kMaxHeaderBytes = 64 * 1024;

    HttpJob(QNetworkAccessManager *nam, const QUrl &url, const QByteArray &method,
            const HttpPolicy &policy, QObject *parent = nullptr);
    ~HttpJob() override;

    void setHeader(const QByteArray &name, const QByteArray &value);
    void setBody(const QByteArray &body, const QByteArray &contentType);

    [[nodiscard]] const Result<HttpResponse> &result() const { return m_result; }
    [[nodiscard]] QUrl url() const { return m_url; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void onMetaDataChanged();
    void onReadyRead();
    void onFinished();
    void finish(const Result<HttpResponse> &result);

    enum class AbortReason { None, Timeout, TooLarge, TooManyHeaders, Compressed, Cancelled };

    QNetworkAccessManager *m_nam;
    QUrl m_url;
    QByteArray m_method;
    HttpPolicy m_policy;
    QList<std::pair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    QByteArray m_received;
    QPointer<QNetworkReply> m_reply;
    QTimer *m_deadline = nullptr;
    AbortReason m_abortReason = AbortReason::None;
    Result<HttpResponse> m_result = HttpResponse();
};

// application/x-www-form-urlencoded, every reserved byte percent-encoded ('+' included: form
// decoders read a bare '+' as a space).
QByteArray formEncode(const QList<std::pair<QString, QString>> &fields);

} // namespace TokenTray
