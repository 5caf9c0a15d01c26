#pragma once

// Files that never lie: a write that either replaces the whole file or leaves the old one
// untouched and says why, and a read that refuses anything but a regular file without blocking.

#include "core/util/result.h"

#include <QByteArray>
#include <QFileDevice>
#include <QString>

namespace TokenTray {

// Writes `bytes` to a temporary file beside `path` with `permissions` (set before the first byte
// lands), flushes and syncs it, checks every step (a full disk, a file-size limit), and only then
// renames it over `path`. On any failure the temporary file is removed, `path` keeps its old
// content and the error (ConfigIo) says why. A `path` that exists and is not a regular file (or a
// link to one) is refused.
Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes,
                                 QFileDevice::Permissions permissions);

// The first `maxBytes` + 1 bytes of `path` (so a caller can tell a file that is too large).
// Refuses a FIFO, device, socket or directory (ConfigIo) without opening it for long: a FIFO
// never blocks the caller.
Result<QByteArray> readRegularFile(const QString &path, qint64 maxBytes);

// Refuses `path` (ConfigIo) when it exists and is not a regular file. Links are not followed
// (for lock files, which must be plain files).
Result<void> checkNotSpecialFile(const QString &path);

} // namespace TokenTray
