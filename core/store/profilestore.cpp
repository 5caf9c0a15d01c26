#include "core/store/profilestore.h"

#include "core/model/validation.h"
#include "core/store/configcodec.h"
#include "core/store/configmigration.h"
#include "core/store/safefile.h"
#include "core/util/logging.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLockFile>
#include <QStandardPaths>

namespace TokenTray {
namespace {

constexpr qint64 kMaxConfigBytes = 16 * 1024 * 1024;
const QString kFileName = QStringLiteral("profiles.json");
const QString kRefreshLockName = QStringLiteral("credential-refresh.lock");

constexpr QFileDevice::Permissions kOwnerOnlyFile
    = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions kOwnerOnlyDir
    = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;

// "line 3, column 14" for a byte offset into `bytes`.
QString positionOf(const QByteArray &bytes, qsizetype offset)
{
    offset = qBound<qsizetype>(0, offset, bytes.size());
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (bytes.at(i) == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    const int column
        = static_cast<int>(QString::fromUtf8(bytes.mid(lineStart, offset - lineStart)).size()) + 1;
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

Error corrupt(const QString &file, const QString &what)
{
    return Error {ErrorCode::ConfigCorrupt, file + QStringLiteral(": ") + what};
}

// A lock file without owner information was left by a process killed between creating and
// writing it. QLockFile deems such a file stale only after staleLockTime (30 s), so every update
// would fail until then; a live process leaves it empty for microseconds, not a second.
constexpr qint64 kOwnerlessLockGraceMs = 1000;

bool removeOwnerlessLock(QLockFile &lock)
{
    if (lock.error() != QLockFile::LockFailedError || lock.getLockInfo(nullptr, nullptr, nullptr))
        return false;
    const QDateTime modified = QFileInfo(lock.fileName()).lastModified();
    if (!modified.isValid()
        || modified.msecsTo(QDateTime::currentDateTime()) < kOwnerlessLockGraceMs)
        return false;
    qCWarning(lcStore).noquote() << "removing the ownerless lock file" << lock.fileName();
    return lock.removeStaleLockFile(); // refuses while another process holds it (flock)
}

} // namespace

ProfileStore::ProfileStore(const QString &configDir)
    : m_dir(QDir::cleanPath(configDir))
{
}

QString ProfileStore::resolveConfigDir(const QString &option)
{
    if (!option.isEmpty())
        return QDir::cleanPath(QDir::current().absoluteFilePath(option));
    const QString fromEnv = qEnvironmentVariable("TOKENTRAY_CONFIG_DIR");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(QDir::current().absoluteFilePath(fromEnv));
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    return QDir(base).filePath(QStringLiteral("tokentray"));
}

QString ProfileStore::filePath() const
{
    return QDir(m_dir).filePath(kFileName);
}

Result<Config> ProfileStore::load()
{
    m_readOnlyReason.reset();
    const QString path = filePath();
    auto fail = [this](Error e) -> Result<Config> {
        m_readOnlyReason = e;
        qCWarning(lcStore).noquote() << e.detail;
        return e;
    };

    const QFileInfo info(path);
    if (!info.exists() && !info.isSymLink())
        return Config {};
    // Not QFile::open(): a FIFO put in place of the file would block every command forever.
    auto read = readRegularFile(path, kMaxConfigBytes);
    if (!read)
        return fail(read.error());
    const QByteArray bytes = std::move(*read);
    if (bytes.size() > kMaxConfigBytes)
        return fail(corrupt(path,
                            QStringLiteral("is larger than 16 MiB; it is not a TokenTray "
                                           "profile file")));

    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(corrupt(path,
                            positionOf(bytes, parseError.offset) + QStringLiteral(": ")
                                + parseError.errorString()));
    if (!doc.isObject())
        return fail(corrupt(path, QStringLiteral("the top level must be a JSON object")));

    QJsonObject json = doc.object();
    const int version = ConfigMigration::versionOf(json);
    if (version < 0)
        return fail(corrupt(path, QStringLiteral("schemaVersion: expected a whole number")));
    if (version > ConfigCodec::kSchemaVersion)
        return fail(Error {ErrorCode::ConfigTooNew,
                           path
                               + QStringLiteral(": written by a newer TokenTray (schema %1; this "
                                                "version reads up to %2). Upgrade TokenTray.")
                                     .arg(version)
                                     .arg(ConfigCodec::kSchemaVersion)});
    if (version < ConfigCodec::kSchemaVersion) {
        auto migrated = ConfigMigration::migrate(json);
        if (!migrated)
            return fail(corrupt(path, migrated.error().detail));
        json = migrated.value();
    }

    auto config = ConfigCodec::decode(json);
    if (!config)
        return fail(corrupt(path, config.error().detail));
    if (auto valid = validateConfig(*config); !valid)
        return fail(corrupt(path, valid.error().detail));

    if (version < ConfigCodec::kSchemaVersion) {
        m_pendingBackup = bytes;
        m_pendingBackupVersion = version;
        qCInfo(lcStore).noquote() << "migrating" << path << "from schema" << version << "to"
                                  << ConfigCodec::kSchemaVersion;
        if (auto saved = save(*config); !saved)
            qCWarning(lcStore).noquote()
                << "could not write the migrated file:" << saved.error().detail;
    }
    return config;
}

Result<void> ProfileStore::save(const Config &config)
{
    if (m_readOnlyReason)
        return Error {ErrorCode::ConfigReadOnly, m_readOnlyReason->detail};
    if (auto valid = validateConfig(config); !valid)
        return valid;
    if (auto dir = ensureDirectory(); !dir)
        return dir;
    if (m_pendingBackupVersion >= 0) {
        // Keep the old file before its first rewrite in the new schema.
        if (auto backup = writeFileAtomically(backupPathFor(m_pendingBackupVersion),
                                              m_pendingBackup, kOwnerOnlyFile);
            !backup)
            return backup;
        m_pendingBackup.clear();
        m_pendingBackupVersion = -1;
    }
    const QByteArray bytes
        = QJsonDocument(ConfigCodec::encode(config)).toJson(QJsonDocument::Indented);
    return writeFileAtomically(filePath(), bytes, kOwnerOnlyFile);
}

Result<ProfileStore::Lock> ProfileStore::lockForUpdate(int timeoutMs) const
{
    return takeLock(kFileName + QStringLiteral(".lock"), timeoutMs);
}

Result<ProfileStore::Lock> ProfileStore::tryLockForUpdate() const
{
    bool busy = false;
    auto lock = takeLock(kFileName + QStringLiteral(".lock"), 0, &busy);
    if (!lock && busy)
        return Lock();
    return lock;
}

Result<ProfileStore::Lock> ProfileStore::lockForRefresh(int timeoutMs) const
{
    return takeLock(kRefreshLockName, timeoutMs);
}

Result<ProfileStore::Lock> ProfileStore::takeLock(const QString &fileName, int timeoutMs,
                                                  bool *busy) const
{
    if (auto dir = ensureDirectory(); !dir)
        return dir.error();
    const QString lockPath = QDir(m_dir).filePath(fileName);
    // QLockFile would read a FIFO there to learn its owner, and wait forever.
    if (auto plain = checkNotSpecialFile(lockPath); !plain)
        return plain.error();
    auto lock = std::make_unique<QLockFile>(lockPath);
    lock->setStaleLockTime(30000);
    // Wait in slices so that an ownerless lock file is taken over within the timeout.
    const QDeadlineTimer deadline(timeoutMs < 0 ? -1 : timeoutMs);
    for (;;) {
        const qint64 slice
            = deadline.isForever() ? 500 : qMin<qint64>(deadline.remainingTime(), 500);
        if (lock->tryLock(static_cast<int>(slice)))
            return Lock(std::move(lock));
        if (lock->error() != QLockFile::LockFailedError)
            return Error {ErrorCode::ConfigIo,
                          lock->fileName() + QStringLiteral(": cannot create the lock file")};
        if (!removeOwnerlessLock(*lock) && deadline.hasExpired()) {
            if (busy)
                *busy = true;
            return Error {ErrorCode::ConfigIo,
                          filePath()
                              + QStringLiteral(": another TokenTray process holds the lock (")
                              + lock->fileName() + QLatin1Char(')')};
        }
    }
}

Result<void> ProfileStore::ensureDirectory() const
{
    QDir dir(m_dir);
    if (dir.exists())
        return {};
    if (!QDir().mkpath(m_dir))
        return Error {ErrorCode::ConfigIo,
                      m_dir + QStringLiteral(": cannot create the config directory")};
    QFile::setPermissions(m_dir, kOwnerOnlyDir);
    return {};
}

QString ProfileStore::backupPathFor(int version) const
{
    const QString base = filePath() + QStringLiteral(".v%1.bak").arg(version);
    QString candidate = base;
    for (int n = 1; QFileInfo::exists(candidate); ++n)
        candidate = base + QLatin1Char('.') + QString::number(n);
    return candidate;
}

} // namespace TokenTray
