// libFuzzer target: everything TokenTray parses from STS (AssumeRole and GetCallerIdentity
// answers, error documents) and the error mapping over them.
#include "core/aws/stsresponse.h"
#include "core/net/httpjob.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks the HTTP status the body arrives with.
    static const int statuses[] = {200, 400, 403, 429, 500, 503, 302};
    const int status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
    const QByteArray body(reinterpret_cast<const char *>(data + 1),
                          static_cast<qsizetype>(size - 1));

    const auto creds = TokenTray::parseAssumeRoleResponse(body);
    if (creds) {
        // A success always has complete credentials and a valid UTC expiry.
        if (creds->keys.isEmpty() || creds->keys.sessionToken.isEmpty()
            || !creds->expiration.isValid() || creds->expiration.timeSpec() != Qt::UTC
            || creds->assumedRoleArn.isEmpty())
            __builtin_trap();
    }
    // With the expiry checked against the request time: only credentials that expire after it,
    // and within 36 hours.
    const QDateTime requestedAt(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC);
    const auto checked = TokenTray::parseAssumeRoleResponse(body, requestedAt);
    if (checked
        && (!creds || checked->expiration <= requestedAt
            || requestedAt.secsTo(checked->expiration) > 36 * 3600))
        __builtin_trap();
    const auto identity = TokenTray::parseCallerIdentityResponse(body);
    if (identity && (identity->account.isEmpty() || identity->arn.isEmpty()))
        __builtin_trap();
    (void)TokenTray::parseStsErrorBody(body);

    TokenTray::HttpResponse response;
    response.status = status;
    response.body = body;
    response.headers = {{"Date", "Wed, 02 Jan 2030 03:04:05 GMT"}, {"Retry-After", "5"}};
    const TokenTray::Error e
        = TokenTray::stsError(response, QDateTime(QDate(2030, 1, 2), QTime(3, 14, 5), Qt::UTC));
    // The detail stays a bounded single line whatever the server sent.
    if (e.detail.size() > 1000 || e.detail.contains(QLatin1Char('\n')))
        __builtin_trap();
    return 0;
}
