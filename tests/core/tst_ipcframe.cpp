// The agent protocol's framing (core/ipc/frame): lengths, limits, JSON and version checks, and
// that bytes may arrive split anywhere.
#include "core/ipc/frame.h"

#include <QJsonArray>
#include <QTest>
#include <QtEndian>

using namespace TokenTray;

namespace {

QByteArray header(quint32 length)
{
    QByteArray bytes(4, Qt::Uninitialized);
    qToBigEndian<quint32>(length, bytes.data());
    return bytes;
}

QByteArray frameOf(const QByteArray &body)
{
    return header(quint32(body.size())) + body;
}

} // namespace

class tst_IpcFrame : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void encodeHasBigEndianLength();
    void roundTrip();
    void errors_data();
    void errors();
    void sizeLimits();
    void oversizedIsReportedBeforeTheBody();
    void splitAnywhere();
    void severalFramesInOneFeed();
    void framesBeforeAnErrorAreKept();
    void errorIsFinal();
    void pendingBytes();
};

void tst_IpcFrame::encodeHasBigEndianLength()
{
    const QByteArray frame = encodeFrame({{"v", 1}, {"op", "ping"}});
    const QByteArray body = R"({"op":"ping","v":1})";
    QCOMPARE(frame.left(4), header(quint32(body.size())));
    QCOMPARE(frame.mid(4), body);
}

void tst_IpcFrame::roundTrip()
{
    const QJsonObject object {
        {"v", 1},
        {"op", "cli"},
        {"args", QJsonArray {"token", "--env", "QA", "ünïcødé 🔑", "\n\t\"\\"}},
        {"stdinTty", true}};
    FrameReader reader;
    const FrameReader::Output out = reader.feed(encodeFrame(object));
    QVERIFY(!out.error);
    QCOMPARE(out.frames.size(), 1);
    QCOMPARE(out.frames.first(), object);
    QCOMPARE(reader.pendingBytes(), 0);
}

void tst_IpcFrame::errors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("error");

    QTest::newRow("length 0") << header(0) << int(FrameError::EmptyFrame);
    QTest::newRow("length 0 with bytes after")
        << QByteArray(header(0) + "{}") << int(FrameError::EmptyFrame);
    QTest::newRow("huge length") << header(0xFFFFFFFFu) << int(FrameError::Oversized);
    QTest::newRow("64 KiB + 1") << header(64 * 1024 + 1) << int(FrameError::Oversized);
    QTest::newRow("garbage") << frameOf("not json") << int(FrameError::BadJson);
    QTest::newRow("truncated json") << frameOf(R"({"v":1,"op":)") << int(FrameError::BadJson);
    QTest::newRow("trailing garbage") << frameOf(R"({"v":1} x)") << int(FrameError::BadJson);
    QTest::newRow("invalid utf-8")
        << frameOf("{\"v\":1,\"op\":\"\xff\xfe\"}") << int(FrameError::BadJson);
    QTest::newRow("array") << frameOf(R"([1,2])") << int(FrameError::NotAnObject);
    QTest::newRow("string") << frameOf(R"("v")") << int(FrameError::BadJson);
    QTest::newRow("no version") << frameOf(R"({"op":"ping"})") << int(FrameError::BadVersion);
    QTest::newRow("version 2") << frameOf(R"({"v":2,"op":"ping"})") << int(FrameError::BadVersion);
    QTest::newRow("version 1.5") << frameOf(R"({"v":1.5})") << int(FrameError::BadVersion);
    QTest::newRow("version as string") << frameOf(R"({"v":"1"})") << int(FrameError::BadVersion);
    QTest::newRow("version null") << frameOf(R"({"v":null})") << int(FrameError::BadVersion);
}

void tst_IpcFrame::errors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, error);
    FrameReader reader;
    const FrameReader::Output out = reader.feed(bytes);
    QVERIFY(out.frames.isEmpty());
    QVERIFY(out.error.has_value());
    QCOMPARE(int(*out.error), error);
    QVERIFY(reader.hasFailed());
    QVERIFY(!frameErrorText(*out.error).isEmpty());
}

void tst_IpcFrame::sizeLimits()
{
    // A request body of exactly 64 KiB is fine; the reply limit is separate and larger.
    const QByteArray prefix = R"({"v":1,"pad":")";
    const QByteArray suffix = R"("})";
    const QByteArray body
        = prefix + QByteArray(kMaxRequestFrameSize - prefix.size() - suffix.size(), 'x') + suffix;
    QCOMPARE(body.size(), kMaxRequestFrameSize);
    FrameReader requests;
    FrameReader::Output out = requests.feed(frameOf(body));
    QVERIFY(!out.error);
    QCOMPARE(out.frames.size(), 1);

    const QByteArray big = prefix + QByteArray(kMaxRequestFrameSize, 'x') + suffix;
    FrameReader requests2;
    out = requests2.feed(frameOf(big));
    QCOMPARE(out.error, std::optional<FrameError>(FrameError::Oversized));
    FrameReader replies(kMaxReplyFrameSize);
    out = replies.feed(frameOf(big));
    QVERIFY(!out.error);
    QCOMPARE(out.frames.size(), 1);
    FrameReader replies2(kMaxReplyFrameSize);
    out = replies2.feed(header(quint32(kMaxReplyFrameSize + 1)));
    QCOMPARE(out.error, std::optional<FrameError>(FrameError::Oversized));
}

void tst_IpcFrame::oversizedIsReportedBeforeTheBody()
{
    FrameReader reader;
    FrameReader::Output out = reader.feed(header(1u << 30).left(3));
    QVERIFY(!out.error);
    out = reader.feed(header(1u << 30).mid(3));
    QCOMPARE(out.error, std::optional<FrameError>(FrameError::Oversized));
    QCOMPARE(reader.pendingBytes(), 0);
}

void tst_IpcFrame::splitAnywhere()
{
    const QByteArray stream = encodeFrame({{"v", 1}, {"op", "a"}})
        + encodeFrame({{"v", 1}, {"op", "b"}, {"args", QJsonArray {"x", "ÿ"}}})
        + encodeFrame({{"v", 1}, {"op", "c"}});
    for (qsizetype cut1 = 0; cut1 <= stream.size(); ++cut1) {
        for (qsizetype cut2 = cut1; cut2 <= stream.size(); cut2 += 7) {
            FrameReader reader;
            QList<QJsonObject> frames;
            for (const QByteArray &piece :
                 {stream.left(cut1), stream.mid(cut1, cut2 - cut1), stream.mid(cut2)}) {
                const FrameReader::Output out = reader.feed(piece);
                QVERIFY(!out.error);
                frames += out.frames;
            }
            QCOMPARE(frames.size(), 3);
            QCOMPARE(frames.at(0).value("op").toString(), QStringLiteral("a"));
            QCOMPARE(frames.at(1).value("op").toString(), QStringLiteral("b"));
            QCOMPARE(frames.at(2).value("op").toString(), QStringLiteral("c"));
        }
    }
    // One byte at a time.
    FrameReader reader;
    int count = 0;
    for (const char c : stream) {
        const FrameReader::Output out = reader.feed(QByteArrayView(&c, 1));
        QVERIFY(!out.error);
        count += int(out.frames.size());
    }
    QCOMPARE(count, 3);
}

void tst_IpcFrame::severalFramesInOneFeed()
{
    QByteArray stream;
    for (int i = 0; i < 100; ++i)
        stream += encodeFrame({{"v", 1}, {"n", i}});
    FrameReader reader;
    const FrameReader::Output out = reader.feed(stream);
    QVERIFY(!out.error);
    QCOMPARE(out.frames.size(), 100);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(out.frames.at(i).value("n").toInt(), i);
}

void tst_IpcFrame::framesBeforeAnErrorAreKept()
{
    FrameReader reader;
    const FrameReader::Output out
        = reader.feed(QByteArray(encodeFrame({{"v", 1}, {"op", "ping"}}) + frameOf("nope")));
    QCOMPARE(out.frames.size(), 1);
    QCOMPARE(out.error, std::optional<FrameError>(FrameError::BadJson));
}

void tst_IpcFrame::errorIsFinal()
{
    FrameReader reader;
    QVERIFY(reader.feed(frameOf("[]")).error);
    const FrameReader::Output out = reader.feed(encodeFrame({{"v", 1}}));
    QVERIFY(out.frames.isEmpty());
    QCOMPARE(out.error, std::optional<FrameError>(FrameError::NotAnObject));
}

void tst_IpcFrame::pendingBytes()
{
    FrameReader reader;
    const QByteArray frame = encodeFrame({{"v", 1}, {"op", "ping"}});
    QVERIFY(reader.feed(frame.left(6)).frames.isEmpty());
    QCOMPARE(reader.pendingBytes(), 6);
    QCOMPARE(reader.feed(frame.mid(6)).frames.size(), 1);
    QCOMPARE(reader.pendingBytes(), 0);
}

QTEST_GUILESS_MAIN(tst_IpcFrame)
#include "tst_ipcframe.moc"
