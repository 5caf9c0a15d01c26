#pragma once

#include "core/util/secret.h"

#include <QString>

namespace TokenTray {

// An AWS access key pair. Temporary keys (ASIA…, from STS) carry a session token as well, which
// every request they sign must send as X-Amz-Security-Token.
struct AwsKeys
{
    QString accessKeyId;
    Secret secretAccessKey;
    Secret sessionToken; // empty for long-term keys

    [[nodiscard]] bool isEmpty() const
    {
        return accessKeyId.isEmpty() || secretAccessKey.isEmpty();
    }
    [[nodiscard]] bool isTemporary() const { return !sessionToken.isEmpty(); }
};

} // namespace TokenTray
