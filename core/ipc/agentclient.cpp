#include "core/ipc/agentclient.h"

#include "core/ipc/agentserver.h"
#include "core/ipc/frame.h"

#include <QDeadlineTimer>
#include <QLocalSocket>

namespace TokenTray {

std::optional<Result<QJsonObject>> askAgent(const QString &configDir, QJsonObject request,
                                            int timeoutMs)
{
    if (qEnvironmentVariableIsSet("TOKENTRAY_NO_AGENT"))
        return std::nullopt;
    const QString path = agentSocketPathFor(configDir);
    if (path.isEmpty())
        return std::nullopt;
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(1000))
        return std::nullopt;
    request.insert(QStringLiteral("v"), 1);
    socket.write(encodeFrame(request));
    const QDeadlineTimer deadline(timeoutMs);
    FrameReader reader(kMaxReplyFrameSize);
    while (!deadline.hasExpired()) {
        if (!socket.bytesAvailable()
            && !socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        const FrameReader::Output out = reader.feed(socket.readAll());
        if (!out.frames.isEmpty())
            return out.frames.first();
        if (out.error)
            return Error {ErrorCode::Parse, QStringLiteral("the agent sent a malformed reply")};
    }
    return Error {ErrorCode::Timeout, QStringLiteral("the agent did not answer in time")};
}

} // namespace TokenTray
