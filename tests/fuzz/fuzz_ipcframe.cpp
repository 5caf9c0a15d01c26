// libFuzzer target: the agent protocol's incremental frame reader (core/ipc/frame). The same
// bytes fed whole and in fuzzer-chosen pieces must give the same frames and the same error;
// every frame must carry "v": 1 and survive encodeFrame() unchanged.
#include "core/ipc/frame.h"

#include <QJsonValue>

#include <cstddef>
#include <cstdint>

using namespace TokenTray;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // First byte: the piece size for the split feed (1..256) and which limit to use.
    const qsizetype piece = qsizetype(data[0] & 0x7f) * 2 + 1;
    const qsizetype limit = (data[0] & 0x80) ? kMaxReplyFrameSize : kMaxRequestFrameSize;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    FrameReader whole(limit);
    const FrameReader::Output all = whole.feed(bytes);

    FrameReader split(limit);
    QList<QJsonObject> frames;
    std::optional<FrameError> error;
    for (qsizetype offset = 0; offset < bytes.size() && !error; offset += piece) {
        FrameReader::Output out
            = split.feed(bytes.sliced(offset, qMin(piece, bytes.size() - offset)));
        frames += out.frames;
        error = out.error;
    }
    if (frames != all.frames || error != all.error)
        __builtin_trap();
    if (all.error && !whole.hasFailed())
        __builtin_trap();
    if (whole.pendingBytes() > limit + kFrameHeaderSize) // never buffers an oversized frame
        __builtin_trap();

    for (const QJsonObject &frame : all.frames) {
        if (frame.value(QLatin1String("v")).toDouble() != 1.0)
            __builtin_trap();
        FrameReader again(kMaxReplyFrameSize);
        const FrameReader::Output out = again.feed(encodeFrame(frame));
        if (out.error || out.frames.size() != 1 || out.frames.first() != frame)
            __builtin_trap();
    }
    return 0;
}
