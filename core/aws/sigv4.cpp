#include "core/aws/sigv4.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QTimeZone>

#include <algorithm>
#include <map>

namespace TokenTray {
namespace {

QByteArray sha256Hex(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QByteArray hmac(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

// RFC 3986 §5.2.4 dot-segment removal, plus collapsing empty segments as AWS does.
QString normalisePath(const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral("/");
    QStringList out;
    for (const QString &segment : path.split(QLatin1Char('/'))) {
        if (segment.isEmpty() || segment == QLatin1String("."))
            continue;
        if (segment == QLatin1String("..")) {
            if (!out.isEmpty())
                out.removeLast();
            continue;
        }
        out.append(segment);
    }
    QString result = path.startsWith(QLatin1Char('/')) ? QStringLiteral("/") : QString();
    result += out.join(QLatin1Char('/'));
    if (path.endsWith(QLatin1Char('/')) && !out.isEmpty())
        result += QLatin1Char('/');
    return result;
}

// Non-S3 rule: the already percent-encoded path is encoded once more ('%' becomes "%25").
QByteArray canonicalUri(const QUrl &url)
{
    return QUrl::toPercentEncoding(normalisePath(url.path(QUrl::FullyEncoded)), "/");
}

// The query as sent, split on '&' and '=', sorted, not re-encoded.
QByteArray canonicalQuery(const QUrl &url)
{
    const QByteArray query = url.query(QUrl::FullyEncoded).toLatin1();
    if (query.isEmpty())
        return {};
    QList<std::pair<QByteArray, QByteArray>> pairs;
    for (const QByteArray &pair : query.split('&')) {
        const qsizetype eq = pair.indexOf('=');
        pairs.append(eq < 0 ? std::pair {pair, QByteArray()}
                            : std::pair {pair.left(eq), pair.mid(eq + 1)});
    }
    std::sort(pairs.begin(), pairs.end());
    QByteArray out;
    for (const auto &[key, value] : std::as_const(pairs)) {
        if (!out.isEmpty())
            out += '&';
        out += key + '=' + value;
    }
    return out;
}

} // namespace

QByteArray sigV4Host(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int port = url.port();
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443
        : url.scheme() == QLatin1String("http")                    ? 80
                                                                   : -1;
    if (port != -1 && port != defaultPort)
        host += ':' + QByteArray::number(port);
    return host;
}

QByteArray sigV4AmzDate(const QDateTime &time)
{
    return time.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")).toLatin1();
}

QDateTime parseSigV4AmzDate(const QByteArray &amzDate)
{
    if (amzDate.size() != 16)
        return {};
    QDateTime t = QDateTime::fromString(QString::fromLatin1(amzDate),
                                        QStringLiteral("yyyyMMdd'T'HHmmss'Z'"));
    if (!t.isValid())
        return {};
    t.setTimeZone(QTimeZone::utc());
    return t;
}

SigV4Signature signSigV4(const SigV4Request &request, const AwsKeys &keys)
{
    SigV4Signature out;
    out.amzDate = sigV4AmzDate(request.time);
    const QByteArray date = out.amzDate.left(8);

    // Lower-cased names, values trimmed with inner whitespace collapsed, repeated names joined
    // with ','. The signer owns x-amz-date and x-amz-security-token; authorization is never
    // signed.
    std::map<QByteArray, QByteArray> canonical;
    for (const auto &[name, value] : request.headers) {
        const QByteArray lower = name.trimmed().toLower();
        if (lower == "x-amz-date" || lower == "x-amz-security-token" || lower == "authorization")
            continue;
        auto it = canonical.find(lower);
        if (it == canonical.end())
            canonical.emplace(lower, value.simplified());
        else
            it->second += ',' + value.simplified();
    }
    if (canonical.find("host") == canonical.end())
        canonical.emplace("host", sigV4Host(request.url));
    out.host = canonical["host"];
    canonical["x-amz-date"] = out.amzDate;
    if (!keys.sessionToken.isEmpty())
        canonical["x-amz-security-token"] = keys.sessionToken.expose().simplified();

    QByteArray headerBlock;
    QByteArray signedHeaders;
    for (const auto &[name, value] : canonical) {
        headerBlock += name + ':' + value + '\n';
        if (!signedHeaders.isEmpty())
            signedHeaders += ';';
        signedHeaders += name;
    }

    out.canonicalRequest = request.method.toUpper() + '\n' + canonicalUri(request.url) + '\n'
        + canonicalQuery(request.url) + '\n' + headerBlock + '\n' + signedHeaders + '\n'
        + sha256Hex(request.body);

    const QByteArray scope
        = date + '/' + request.region.toUtf8() + '/' + request.service.toUtf8() + "/aws4_request";
    out.stringToSign = "AWS4-HMAC-SHA256\n" + out.amzDate + '\n' + scope + '\n'
        + sha256Hex(out.canonicalRequest);

    QByteArray key = hmac("AWS4" + keys.secretAccessKey.expose(), date);
    key = hmac(key, request.region.toUtf8());
    key = hmac(key, request.service.toUtf8());
    key = hmac(key, "aws4_request");
    out.signature = hmac(key, out.stringToSign).toHex();
    key.fill('\0');

    out.authorization = "AWS4-HMAC-SHA256 Credential=" + keys.accessKeyId.toUtf8() + '/' + scope
        + ", SignedHeaders=" + signedHeaders + ", Signature=" + out.signature;

    out.headersToAdd.append({"X-Amz-Date", out.amzDate});
    if (!keys.sessionToken.isEmpty())
        out.headersToAdd.append({"X-Amz-Security-Token", keys.sessionToken.expose()});
    out.headersToAdd.append({"Authorization", out.authorization});
    return out;
}

} // namespace TokenTray
