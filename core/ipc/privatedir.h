#pragma once

#include "core/util/result.h"

#include <QString>

namespace TokenTray {

// Makes `dir` (one level, in an existing parent such as $XDG_RUNTIME_DIR) a private directory for
// sockets: created with mode 0700, or, if it exists, a real directory (not a symlink) owned by
// this user and set to 0700. Anything else is refused with the reason, never used. Shared by the
// agent server and the single-instance socket.
Result<void> preparePrivateSocketDirectory(const QString &dir);

} // namespace TokenTray
