#pragma once

// AWS Signature Version 4 (header form), as botocore's SigV4Auth computes it: the canonical
// request, the string to sign, the HMAC-SHA256 key chain and the Authorization header.

#include "core/aws/awskeys.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QUrl>

namespace TokenTray {

struct SigV4Request
{
    QByteArray method;
    QUrl url;
    // Headers to sign, as they will be sent. Host is derived from the URL unless given here;
    // X-Amz-Date and X-Amz-Security-Token are added by the signer (given ones are replaced).
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QString region;
    QString service;
    QDateTime time;
};

struct SigV4Signature
{
    // Intermediate steps, for tests and the fake STS. They hold the session token of temporary
    // keys (it is a signed header): never log them.
    QByteArray canonicalRequest;
    QByteArray stringToSign;
    QByteArray signature; // lower-case hex
    QByteArray authorization; // the Authorization header value
    QByteArray amzDate; // YYYYMMDDTHHMMSSZ
    QByteArray host; // the Host value that was signed
    // What the caller adds to the request: X-Amz-Date, X-Amz-Security-Token (temporary keys
    // only) and Authorization.
    QList<std::pair<QByteArray, QByteArray>> headersToAdd;
};

SigV4Signature signSigV4(const SigV4Request &request, const AwsKeys &keys);

// The Host header for `url`: host, plus ":port" when the port is not the scheme's default.
QByteArray sigV4Host(const QUrl &url);

// X-Amz-Date format (YYYYMMDDTHHMMSSZ) both ways; an invalid QDateTime when it does not parse.
QByteArray sigV4AmzDate(const QDateTime &time);
QDateTime parseSigV4AmzDate(const QByteArray &amzDate);

} // namespace TokenTray
