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

    // Serialises read-modify-write cycles between processes (profiles.json.lock).
    using Lock = std::unique_ptr<QLockFile>;
    Result<Lock> lockForUpdate(int timeoutMs = 10000) const;

private:
    Result<void> ensureDirectory() const;
    QString backupPathFor(int version) const;

    QString m_dir;
    std::optional<Error> m_readOnlyReason;
    QByteArray m_pendingBackup; // original bytes of a migrated file not yet backed up
    int m_pendingBackupVersion = -1;
};

} // namespace TokenTray
