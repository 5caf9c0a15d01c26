#pragma once

// The agent protocol's framing: a 4-byte big-endian length N, then N bytes of one UTF-8 JSON
// object carrying "v": 1. Requests are at most 64 KiB, replies at most 4 MiB; N = 0 is invalid.

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace TokenTray {

constexpr int kIpcProtocolVersion = 1;
constexpr qsizetype kMaxRequestFrameSize = 64 * 1024;
constexpr qsizetype kMaxReplyFrameSize = 4 * 1024 * 1024;
constexpr qsizetype kFrameHeaderSize = 4;

enum class FrameError {
    EmptyFrame, // N = 0
    Oversized, // N above the reader's limit
    BadJson,
    NotAnObject,
    BadVersion, // "v" missing or not 1
};

// One sentence for logs and for the "bad-request" reply; never quotes the frame.
QString frameErrorText(FrameError error);

// Incremental: feed bytes as they arrive, get the frames they complete. The first error is
// final (the stream cannot be resynchronised); later feeds report it again and parse nothing.
class FrameReader
{
public:
    struct Output
    {
        QList<QJsonObject> frames; // complete frames before any error, in order
        std::optional<FrameError> error;
    };

    explicit FrameReader(qsizetype maxFrameSize = kMaxRequestFrameSize);

    Output feed(QByteArrayView bytes);

    [[nodiscard]] qsizetype maxFrameSize() const { return m_maxFrameSize; }
    [[nodiscard]] bool hasFailed() const { return m_error.has_value(); }
    // Bytes of a frame begun but not complete (what a client leaves when it stops mid-frame).
    [[nodiscard]] qsizetype pendingBytes() const { return m_buffer.size(); }

private:
    qsizetype m_maxFrameSize;
    QByteArray m_buffer;
    std::optional<FrameError> m_error;
};

// Header + compact JSON. Adds nothing: the caller puts "v" in the object.
QByteArray encodeFrame(const QJsonObject &object);

} // namespace TokenTray
