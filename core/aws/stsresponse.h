#pragma once

// Parsers for AWS STS Query API answers (XML, namespace https://sts.amazonaws.com/doc/2011-06-15/)
// and the mapping of STS errors onto TokenTray's ErrorCode. Pure; fuzzed.

#include "core/aws/awskeys.h"
#include "core/util/result.h"

#include <QDateTime>
#include <QString>

namespace TokenTray {

struct HttpResponse;

struct StsCredentials
{
    AwsKeys keys;
    QDateTime expiration; // UTC
    QString assumedRoleArn;
    QString assumedRoleId;
};

struct CallerIdentity
{
    QString account;
    QString arn;
    QString userId;
};

// AssumeRoleResponse/AssumeRoleResult/{Credentials/{AccessKeyId,SecretAccessKey,SessionToken,
// Expiration},AssumedRoleUser/{Arn,AssumedRoleId}}. Every field is required and Expiration must
// be ISO 8601; anything else is ErrorCode::Parse.
Result<StsCredentials> parseAssumeRoleResponse(const QByteArray &body);

// The same, for an answer to a request sent at `requestedAt`, with the expiry checked as well:
// credentials already expired at that time, or valid for more than 36 hours after it (STS
// grants 12 at most; the rest is room for clock skew) are a server error (ErrorCode::Parse),
// never handed out.
Result<StsCredentials> parseAssumeRoleResponse(const QByteArray &body,
                                               const QDateTime &requestedAt);

// GetCallerIdentityResponse/GetCallerIdentityResult/{Account,Arn,UserId}.
Result<CallerIdentity> parseCallerIdentityResponse(const QByteArray &body);

// A non-200 STS answer as an Error. ErrorResponse/Error/Code decides: throttling codes are
// transient HttpStatus errors (Retry-After honoured); other Sender codes (AccessDenied,
// InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken, MFA failures, ...) are Rejected;
// 5xx are HttpStatus. `reason` is the STS code. The detail never holds a key, a token or the
// request: STS messages are cut before any echoed canonical request and redacted.
Error stsError(const HttpResponse &response, const QDateTime &now);

// ErrorResponse/Error/{Type,Code,Message} and RequestId, for stsError() and tests.
struct StsErrorBody
{
    QString type;
    QString code;
    QString message;
    QString requestId;
};
std::optional<StsErrorBody> parseStsErrorBody(const QByteArray &body);

} // namespace TokenTray
