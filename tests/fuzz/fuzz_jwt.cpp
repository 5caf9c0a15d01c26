// libFuzzer target: unverified JWT decoding (used to read `exp` when expires_in is missing).
#include "core/oauth/jwt.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray token(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto jwt = TokenTray::decodeJwtUnverified(token);
    if (jwt) {
        if (token.count('.') != 2)
            __builtin_trap(); // only three-part tokens decode
        (void)jwt->expiresAt();
        (void)jwt->issuedAt();
    }
    return 0;
}
