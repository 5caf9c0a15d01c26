#pragma once

#include "core/model/config.h"
#include "core/util/result.h"

#include <QString>

#include <memory>

class QLockFile;

namespace TokenTray {

// profiles.json in the config directory. Loads strictly; a file that cannot be read or parsed
// leaves the store read-only, so it is never overwritten or deleted by accident; so does anything
// but a regular file there (a FIFO never blocks it). Saves replace the file whole or not at all
// (writeFileAtomically(): every step checked, a full disk reported) with mode 0600 in a 0700
// directory. No secrets are ever stored here.
class ProfileStore
{
public:
    explicit ProfileStore(const QString &configDir);

    // --config-dir if given, else $TOKENTRAY_CONFIG_DIR, else the platform's app config dir.
    static QString resolveConfigDir(const QString &option = QString());

    [[nodiscard]] QString directory() const { return m_dir; }
    [[nodiscard]] QString filePath() const;

    // A missing file is an empty config, not an error. An older schema is migrated (the old
    // file is kept as profiles.json.v<N>.bak next to it).
    Result<Config> load();
    // Validates, then writes atomically. Refused while the last load failed.
    Result<void> save(const Config &config);
    [[nodiscard]] bool isReadOnly() const { return m_readOnlyReason.has_value(); }

    // The config lock (profiles.json.lock): serialises read-modify-write cycles of profiles.json
    // between processes. Held only while reading, changing and writing the file.
    using Lock = std::unique_ptr<QLockFile>;
    Result<Lock> lockForUpdate(int timeoutMs = 10000) const;
    // The config lock without waiting, for the GUI thread: an empty Lock while another process
    // holds it, an error only when the lock file cannot be made.
    Result<Lock> tryLockForUpdate() const;
    // The refresh lock (credential-refresh.lock): one CLI process at a time fetches credentials,
    // so a second one waits and then reuses the first one's cached token. One lock per config
    // directory, not per environment: `serve` holds it for every credential it hands out, and
    // the keychain's token caches are written by whoever holds it. Never nests inside the config
    // lock (take it first when both are needed).
    Result<Lock> lockForRefresh(int timeoutMs = 10000) const;

private:
    // `busy` (if given) tells a lock another process holds from a lock file that cannot be made.
    Result<Lock> takeLock(const QString &fileName, int timeoutMs, bool *busy = nullptr) const;
    Result<void> ensureDirectory() const;
    QString backupPathFor(int version) const;

    QString m_dir;
    std::optional<Error> m_readOnlyReason;
    QByteArray m_pendingBackup; // original bytes of a migrated file not yet backed up
    int m_pendingBackupVersion = -1;
};

} // namespace TokenTray
