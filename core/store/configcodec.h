#pragma once

#include "core/model/config.h"
#include "core/util/result.h"

#include <QJsonObject>

namespace TokenTray {

// profiles.json <-> Config. Decoding is strict about types and names the JSON path of the
// first problem ("profiles[0].environments[1].scopes: expected an array of strings").
namespace ConfigCodec {

inline constexpr int kSchemaVersion = 1;

QJsonObject encode(const Config &config);
QJsonObject encodeProfile(const Profile &profile);
// `json` must already be at kSchemaVersion (see ConfigMigration).
Result<Config> decode(const QJsonObject &json);

} // namespace ConfigCodec
} // namespace TokenTray
