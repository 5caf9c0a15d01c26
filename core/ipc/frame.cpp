#include "core/ipc/frame.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QtEndian>

namespace TokenTray {

QString frameErrorText(FrameError error)
{
    switch (error) {
    case FrameError::EmptyFrame:
        return QStringLiteral("empty frame (length 0)");
    case FrameError::Oversized:
        return QStringLiteral("frame larger than the limit");
    case FrameError::BadJson:
        return QStringLiteral("frame is not valid UTF-8 JSON");
    case FrameError::NotAnObject:
        return QStringLiteral("frame is not a JSON object");
    case FrameError::BadVersion:
        return QStringLiteral("unsupported or missing protocol version (\"v\" must be 1)");
    }
    return QStringLiteral("malformed frame");
}

FrameReader::FrameReader(qsizetype maxFrameSize)
    : m_maxFrameSize(maxFrameSize)
{
}

FrameReader::Output FrameReader::feed(QByteArrayView bytes)
{
    Output out;
    if (m_error) {
        out.error = m_error;
        return out;
    }
    m_buffer.append(bytes.data(), bytes.size());
    qsizetype offset = 0;
    auto fail = [&](FrameError error) {
        m_error = error;
        m_buffer.clear();
        out.error = error;
        return out;
    };
    while (m_buffer.size() - offset >= kFrameHeaderSize) {
        const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + offset);
        // Checked as soon as the header is in: an oversized frame is never buffered.
        if (length == 0)
            return fail(FrameError::EmptyFrame);
        if (qint64(length) > qint64(m_maxFrameSize))
            return fail(FrameError::Oversized);
        if (m_buffer.size() - offset - kFrameHeaderSize < qsizetype(length))
            break;
        const QByteArray body = m_buffer.mid(offset + kFrameHeaderSize, qsizetype(length));
        offset += kFrameHeaderSize + qsizetype(length);
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return fail(FrameError::BadJson);
        if (!document.isObject())
            return fail(FrameError::NotAnObject);
        QJsonObject object = document.object();
        const QJsonValue version = object.value(QLatin1String("v"));
        if (!version.isDouble() || version.toDouble() != double(kIpcProtocolVersion))
            return fail(FrameError::BadVersion);
        out.frames.append(std::move(object));
    }
    m_buffer.remove(0, offset);
    return out;
}

QByteArray encodeFrame(const QJsonObject &object)
{
    const QByteArray body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    QByteArray frame(kFrameHeaderSize, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(body.size()), frame.data());
    frame.append(body);
    return frame;
}

} // namespace TokenTray
