#pragma once

#include "core/util/result.h"

#include <QJsonObject>

namespace TokenTray::ConfigMigration {

// The schema version a profiles.json document declares. A document without "schemaVersion"
// is the pre-release layout, version 0.
int versionOf(const QJsonObject &json);

// Brings `json` forward one step at a time to ConfigCodec::kSchemaVersion. Each step is a pure
// function from version N to N+1; add one per schema change and never edit an old one.
Result<QJsonObject> migrate(QJsonObject json);

} // namespace TokenTray::ConfigMigration
