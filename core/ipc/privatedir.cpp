#include "core/ipc/privatedir.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace TokenTray {
namespace {

Error refused(const QString &why)
{
    return Error {ErrorCode::Invalid, why};
}

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

Result<void> preparePrivateSocketDirectory(const QString &dir)
{
    const QByteArray native = QFile::encodeName(dir);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST)
        return refused(QStringLiteral("cannot create %1: %2").arg(dir, systemError(errno)));
    struct stat st
    {
    };
    if (::lstat(native.constData(), &st) != 0)
        return refused(QStringLiteral("cannot inspect %1: %2").arg(dir, systemError(errno)));
    if (!S_ISDIR(st.st_mode))
        return refused(QStringLiteral("%1 is not a directory; refusing to use it").arg(dir));
    if (st.st_uid != ::geteuid())
        return refused(QStringLiteral("%1 belongs to another user (uid %2); refusing to use it")
                           .arg(dir)
                           .arg(st.st_uid));
    if ((st.st_mode & 07777) != 0700 && ::chmod(native.constData(), 0700) != 0)
        return refused(
            QStringLiteral("cannot make %1 private (mode 0700): %2").arg(dir, systemError(errno)));
    return {};
}

} // namespace TokenTray
