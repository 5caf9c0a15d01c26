#pragma once

#include "core/util/result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace TokenTray {

// One request to the agent serving `configDir` (the tray app or `tokentray --no-tray`), for the
// Qt CLI's commands that run in the caller's process but must not refresh on their own (exec).
// nullopt: no agent answers there (the caller does the work itself); otherwise the reply, or an
// error when the agent failed mid-request. Blocking, bounded by timeoutMs.
std::optional<Result<QJsonObject>> askAgent(const QString &configDir, QJsonObject request,
                                            int timeoutMs);

} // namespace TokenTray
