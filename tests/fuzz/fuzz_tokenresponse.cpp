// libFuzzer target: token endpoint answers, discovery documents, device authorization answers
// and cached credentials — everything TokenTray parses from a server or the keychain.
#include "core/model/credential.h"
#include "core/oauth/oauthendpoints.h"
#include "core/oauth/oauthjobs.h"
#include "core/oauth/tokenresponse.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks the HTTP status the body arrives with.
    static const int statuses[] = {200, 400, 401, 403, 429, 500, 302};
    const int status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
    const QByteArray body(reinterpret_cast<const char *>(data + 1),
                          static_cast<qsizetype>(size - 1));

    const auto token = TokenTray::parseTokenResponse(status, body);
    if (token) {
        // A success always carries a non-empty token and a sane lifetime.
        if (token->accessToken.isEmpty())
            __builtin_trap();
        if (token->expiresIn && (*token->expiresIn < 0))
            __builtin_trap();
        // ... and a token that is safe in a header and on a terminal: visible ASCII only.
        for (const char c : token->accessToken.expose()) {
            const auto u = static_cast<unsigned char>(c);
            if (u <= 0x20 || u >= 0x7F)
                __builtin_trap();
        }
    }
    (void)TokenTray::parseOAuthError(body);
    (void)TokenTray::parseDiscoveryDocument(body, QStringLiteral("https://issuer.example"));
    (void)TokenTray::parseDeviceAuthorization(status, body);
    (void)TokenTray::Credential::fromCacheBytes(body);
    return 0;
}
