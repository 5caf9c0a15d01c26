#include "core/store/safefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace TokenTray {
namespace {

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

QString kindOf(mode_t mode)
{
    if (S_ISDIR(mode))
        return QStringLiteral("a directory");
    if (S_ISFIFO(mode))
        return QStringLiteral("a FIFO");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return QStringLiteral("a device");
    if (S_ISLNK(mode))
        return QStringLiteral("a symbolic link");
    return QStringLiteral("not a regular file");
}

Error notRegular(const QString &path, mode_t mode)
{
    return Error {ErrorCode::ConfigIo,
                  path + QStringLiteral(" is ") + kindOf(mode)
                      + QStringLiteral(", not a regular file; TokenTray only reads and writes "
                                       "regular files there")};
}

// Best effort: makes the rename itself durable. A directory that cannot be synced (some network
// file systems) is no reason to report a write that did happen as failed.
void syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)::fsync(fd);
    ::close(fd);
}

} // namespace

Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes,
                                 QFileDevice::Permissions permissions)
{
    auto failed = [&path](const QString &why) {
        return Error {ErrorCode::ConfigIo,
                      path + QStringLiteral(" cannot be written (") + why
                          + QStringLiteral("); the old file was left as it was")};
    };
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) == 0 && !S_ISREG(st.st_mode))
        return notRegular(path, st.st_mode);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return failed(file.errorString());
    // Restrict before the first byte lands, so the content is never readable by others.
    if (!file.setPermissions(permissions)) {
        const QString why = file.errorString();
        file.cancelWriting();
        return failed(why);
    }
    // write() may only fill Qt's buffer and Qt 6.4's commit() ignores a failed final flush (a
    // full disk, a file-size limit), so flush, check and sync before the rename.
    errno = 0;
    if (file.write(bytes) != bytes.size() || !file.flush()
        || file.error() != QFileDevice::NoError) {
        // Qt says "Unknown error" for a short write; the system's reason is the useful one.
        const QString why = errno != 0 ? systemError(errno) : file.errorString();
        file.cancelWriting();
        return failed(why);
    }
    if (::fsync(file.handle()) != 0) {
        const QString why = systemError(errno);
        file.cancelWriting();
        return failed(why);
    }
    if (!file.commit())
        return failed(file.errorString());
    syncDirectory(QFileInfo(path).absolutePath());
    return {};
}

Result<QByteArray> readRegularFile(const QString &path, qint64 maxBytes)
{
    // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
    const int fd
        = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int error = errno;
        struct stat st
        {
        };
        if (::stat(QFile::encodeName(path).constData(), &st) == 0 && !S_ISREG(st.st_mode))
            return notRegular(path, st.st_mode); // a socket cannot even be opened
        return Error {ErrorCode::ConfigIo,
                      path + QStringLiteral(" cannot be read: ") + systemError(error)};
    }
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const mode_t mode = st.st_mode;
        ::close(fd);
        return notRegular(path, mode);
    }
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return Error {ErrorCode::ConfigIo,
                      path + QStringLiteral(" cannot be read: ") + file.errorString()};
    }
    QByteArray bytes = file.read(maxBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return Error {ErrorCode::ConfigIo,
                      path + QStringLiteral(" cannot be read: ") + file.errorString()};
    return bytes;
}

Result<void> checkNotSpecialFile(const QString &path)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) == 0 && !S_ISREG(st.st_mode))
        return notRegular(path, st.st_mode);
    return {};
}

} // namespace TokenTray
