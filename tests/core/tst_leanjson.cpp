// The lean CLI's Qt-free JSON reader (app/cli/lean/leanjson) against QJsonDocument: every file of
// the fuzz corpus and the rows below must be accepted or refused by both, with the same values
// (tests/support/leanjsonoracle.h). Where Qt 6 accepts what RFC 8259 forbids, the row says so and
// the lean reader must refuse.
#include "app/cli/lean/leanjson.h"
#include "tests/support/leanjsonoracle.h"
#include "tests/support/testenv.h"

#include <QDir>
#include <QFile>
#include <QTest>

using TokenTray::Lean::AgentReply;

namespace {

// A literal with its NUL bytes.
template<size_t N> QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

QByteArray nested(int depth, const QByteArray &open, const QByteArray &close)
{
    return "{\"v\":1,\"x\":" + open.repeated(depth) + "1" + close.repeated(depth) + "}";
}

} // namespace

class tst_LeanJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void corpusAgreesWithQt_data();
    void corpusAgreesWithQt();
    void agreesWithQt_data();
    void agreesWithQt();
    void values();
    void writesWhatItReads();

private:
    // Runs both readers; fails the test unless their verdicts are the expected ones and, when
    // both accept, their values are equal.
    static void compare(const QByteArray &json, bool leanAccepts, bool qtAccepts);
};

void tst_LeanJson::compare(const QByteArray &json, bool leanAccepts, bool qtAccepts)
{
    AgentReply lean;
    const bool accepted = TokenTray::Lean::parseAgentReply(
        std::string_view(json.constData(), size_t(json.size())), lean);
    const std::optional<AgentReply> qt = LeanJsonOracle::readAgentReply(json);
    QCOMPARE(qt.has_value(), qtAccepts);
    QCOMPARE(accepted, leanAccepts);
    if (accepted && qt) {
        const QString difference = LeanJsonOracle::difference(lean, *qt);
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }
}

void tst_LeanJson::corpusAgreesWithQt_data()
{
    QTest::addColumn<QByteArray>("json");
    const QDir corpus(TestEnv::sourceDir() + QStringLiteral("/tests/fuzz/corpus/leanjson"));
    const QStringList files = corpus.entryList(QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 10, qPrintable(corpus.path()));
    for (const QString &name : files) {
        QFile file(corpus.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QTest::newRow(qPrintable(name)) << file.readAll();
    }
}

void tst_LeanJson::corpusAgreesWithQt()
{
    QFETCH(QByteArray, json);
    const bool qtAccepts = LeanJsonOracle::readAgentReply(json).has_value();
    compare(json, qtAccepts, qtAccepts);
}

void tst_LeanJson::agreesWithQt_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("leanAccepts");
    QTest::addColumn<bool>("qtAccepts");
    auto both = [](const char *name, const QByteArray &json, bool accepted) {
        QTest::newRow(name) << json << accepted << accepted;
    };

    both("reply", R"({"v":1,"ok":true,"exit":0,"stdout":"a\nb","stderr":""})", true);
    both("empty object", "{}", true);
    both("empty input", "", false);
    both("only spaces", " \t\r\n", false);
    both("array", "[]", false);
    both("string", "\"x\"", false);
    both("spaces around", " \r\n\t{\"v\":1} \n", true);
    both("form feed is no space", "\f{\"v\":1}", false);

    // Nesting: Qt allows 1024 levels, the top object included.
    both("1024 levels of arrays", nested(1023, "[", "]"), true);
    both("1025 levels of arrays", nested(1024, "[", "]"), false);
    both("1024 levels of objects", nested(1023, "{\"a\":", "}"), true);
    both("1025 levels of objects", nested(1024, "{\"a\":", "}"), false);
    both("100 levels", nested(99, "[", "]"), true);
    both("unclosed nesting", "{\"x\":[[[{\"a\":[", false);

    // Escapes and \u surrogates.
    both("all escapes", R"({"stdout":"\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20ac"})", true);
    both("escaped NUL", R"({"stdout":"a\u0000b"})", true);
    both("pair", R"({"stdout":"\ud83d\udd11"})", true);
    both("uppercase hex", R"({"stdout":"\uD83D\uDD11\u00C9"})", true);
    both("lone high", R"({"stdout":"\ud800"})", true);
    both("lone high at end", R"({"stdout":"x\ud83d"})", true);
    both("lone low", R"({"stdout":"\udc00x"})", true);
    both("high then letter escape", R"({"stdout":"\ud83d\u0041"})", true);
    both("two highs then low", R"({"stdout":"\ud800\ud800\udc00"})", true);
    both("short \\u", R"({"stdout":"\u12"})", false);
    both("bad hex", R"({"stdout":"\u12G4"})", false);
    both("escaped key", R"({"\u0076":1,"ok":true})", true);
    both("unterminated string", R"({"stdout":"abc)", false);
    both("escaped quote at end", R"({"stdout":"abc\"})", false);

    // UTF-8.
    both("UTF-8", "{\"stdout\":\"Gr\xc3\xbc\xc3\x9f\x65 \xe6\x9d\xb1 \xf0\x9f\x94\x91\"}", true);
    both("noncharacter U+FFFF", "{\"stdout\":\"\xef\xbf\xbf\"}", true);
    both("DEL", "{\"stdout\":\"\x7f\"}", true);
    both("overlong NUL", "{\"stdout\":\"\xc0\x80\"}", false);
    both("encoded surrogate", "{\"stdout\":\"\xed\xa0\x80\"}", false);
    both("beyond U+10FFFF", "{\"stdout\":\"\xf4\x90\x80\x80\"}", false);
    both("truncated sequence", "{\"stdout\":\"\xf0\x9f\x94\"}", false);
    both("invalid byte in a key", "{\"\xff\":1}", false);
    both("invalid byte in a skipped member", "{\"v\":1,\"x\":[\"\xfe\"]}", false);
    both("byte order mark", "\xef\xbb\xbf{\"v\":1}", true);
    both("byte order mark then space", "\xef\xbb\xbf {\"v\":1}", true);
    both("space then byte order mark", " \xef\xbb\xbf{\"v\":1}", false);
    both("two byte order marks", "\xef\xbb\xbf\xef\xbb\xbf{}", false);
    // Kept, although Qt 6.4 drops it (tests/support/leanjsonoracle.h escapes it for Qt).
    both("U+FEFF opening a string", "{\"error\":{\"code\":\"\xef\xbb\xbfunsupported\"}}", true);
    both("U+FEFF opening a key", "{\"v\":1,\"\xef\xbb\xbfv\":\"x\"}", true);
    both("U+FEFF inside a string", "{\"stdout\":\"x\xef\xbb\xbf\"}", true);

    // Numbers in members the reply does not use, and in "v" and "exit".
    both("number forms", R"({"x":[0,-0,1.5,-1.5e3,1E+2,2e-2,0.0]})", true);
    both("leading zero", R"({"x":01})", false);
    both("minus alone", R"({"x":-})", false);
    both("plus sign", R"({"x":+1})", false);
    both("exponent without digits", R"({"x":1e})", false);
    both("hex", R"({"x":0x10})", false);
    both("Infinity", R"({"x":Infinity})", false);
    both("NaN", R"({"x":NaN})", false);
    both("overflow", R"({"x":1e400})", false);
    both("negative overflow", R"({"x":-1e400})", false);
    both("just beyond the largest double", R"({"x":1.7976931348623159e308})", false);
    both("the largest double", R"({"x":1.7976931348623157e308})", true);
    both("underflow", R"({"x":1e-400})", false);
    both("subnormal", R"({"x":5e-324})", true);
    both("zero with a huge exponent", R"({"x":0e-400})", true);
    both("integer", R"({"v":1,"exit":-3})", true);
    both("whole with a fraction", R"({"v":1.0,"exit":3.00})", true);
    both("whole with an exponent", R"({"exit":1e2})", true);
    both("whole by a negative exponent", R"({"exit":100e-2})", true);
    both("minus zero", R"({"exit":-0})", true);
    both("fraction", R"({"exit":3.5})", false);
    both("2^53", R"({"exit":9007199254740992})", true);
    both("-2^53", R"({"exit":-9007199254740992})", true);
    both("2^53 + 1", R"({"exit":9007199254740993})", false);
    both("ten times 2^53", R"({"exit":90071992547409930})", false);
    both("2^53 as a double", R"({"exit":9007199254740992.0})", true);
    both("beyond 2^53 as a double", R"({"exit":1e17})", false);
    both("huge integer", R"({"exit":123456789012345678901234567890})", false);

    // Literals and structure.
    both("literals", R"({"ok":true,"x":[false,null,true]})", true);
    both("truncated literal", R"({"ok":tru})", false);
    both("literal run-on", R"({"x":nulls})", false);
    both("capitalised literal", R"({"ok":True})", false);
    both("trailing comma in array", R"({"x":[1,]})", false);
    both("trailing comma in object", R"({"v":1,})", false);
    both("comma alone", "{,}", false);
    both("missing colon", R"({"x" 1})", false);
    both("missing comma", R"({"x":[1 2]})", false);
    both("number key", R"({"x":{1:2}})", false);
    both("unterminated object", R"({"v":1)", false);
    both("garbage after", R"({"v":1}x)", false);
    both("second object", R"({"v":1}{})", false);
    both("NUL after", bytes("{\"v\":1}\0"), false);
    both("NUL inside", bytes("{\"v\":1\0}"), false);

    // Types of the fields the reply uses.
    both("v a string", R"({"v":"1"})", false);
    both("ok a number", R"({"ok":1})", false);
    both("ok null", R"({"ok":null})", false);
    both("stdout a number", R"({"stdout":1})", false);
    both("stdout null", R"({"stdout":null})", false);
    both("error a string", R"({"error":"bad"})", false);
    both("error code a number", R"({"error":{"code":1}})", false);
    both("error with other members", R"({"error":{"code":"c","at":[1],"message":"m"}})", true);
    both("known names nested elsewhere", R"({"x":{"v":"not a number","ok":3}})", true);

    // Duplicate names: the last wins, whatever the earlier ones held.
    both("duplicate v", R"({"v":2,"v":1})", true);
    both("earlier v of the wrong type", R"({"v":"one","v":1})", true);
    both("later v of the wrong type", R"({"v":1,"v":"one"})", false);
    both("duplicate error objects", R"({"error":{"code":"a","message":"m"},"error":{"code":"b"}})",
         true);
    both("duplicate error code", R"({"error":{"code":1,"code":"b"}})", true);

    // Qt 6.4 accepts these although RFC 8259 forbids them; the agent never writes them.
    auto qtOnly = [](const char *name, const QByteArray &json) {
        QTest::newRow(name) << json << false << true;
    };
    qtOnly("raw tab in a string", "{\"stdout\":\"a\tb\"}");
    qtOnly("raw newline in a string", "{\"stdout\":\"a\nb\"}");
    qtOnly("raw NUL in a string", bytes("{\"stdout\":\"a\0b\"}"));
    qtOnly("unknown escape", R"({"stdout":"\x"})");
    qtOnly("escaped apostrophe", R"({"stdout":"\'"})");
    qtOnly("fraction without digits", R"({"x":1.})");
    qtOnly("fraction without integer part", R"({"x":.5})");
    qtOnly("negative fraction without integer part", R"({"x":-.5})");
}

void tst_LeanJson::agreesWithQt()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, leanAccepts);
    QFETCH(bool, qtAccepts);
    compare(json, leanAccepts, qtAccepts);
}

void tst_LeanJson::values()
{
    // The differential rows compare with Qt; this pins what a real reply reads as.
    AgentReply reply;
    QVERIFY(TokenTray::Lean::parseAgentReply(
        R"({"v":1,"ok":false,"exit":7,"stdout":"t\u00e9\ud83d\udd11\ud800","stderr":"e\n",)"
        R"("error":{"code":"unsupported","message":"m"}})",
        reply));
    QCOMPARE(reply.version, 1LL);
    QCOMPARE(reply.ok, false);
    QCOMPARE(reply.exitCode, 7LL);
    QCOMPARE(QByteArray::fromStdString(reply.out),
             QByteArray("t\xc3\xa9\xf0\x9f\x94\x91\xef\xbf\xbd"));
    QCOMPARE(QByteArray::fromStdString(reply.err), QByteArray("e\n"));
    QCOMPARE(QByteArray::fromStdString(reply.errorCode), QByteArray("unsupported"));
    QCOMPARE(QByteArray::fromStdString(reply.errorMessage), QByteArray("m"));
    // A refused reply leaves nothing of an earlier one behind.
    QVERIFY(!TokenTray::Lean::parseAgentReply(R"({"v":2,"stdout":"x",)", reply));
    QCOMPARE(reply.version, 0LL);
    QVERIFY(reply.out.empty());
    QVERIFY(!TokenTray::Lean::parseAgentReply(R"({"v":2,"stdout":"x","ok":"yes"})", reply));
    QCOMPARE(reply.version, 0LL);
    QVERIFY(reply.out.empty());
}

void tst_LeanJson::writesWhatItReads()
{
    // appendJsonString() output read back by both readers gives the bytes that went in.
    const QByteArray text = QByteArray("quote\" backslash\\ nul") + '\0'
        + "\x01\x1f\x7f tab\t Gr\xc3\xbc\xc3\x9f\x65 \xf0\x9f\x94\x91";
    QVERIFY(TokenTray::Lean::isValidUtf8(std::string_view(text.constData(), size_t(text.size()))));
    std::string json = "{\"stdout\":";
    TokenTray::Lean::appendJsonString(json,
                                      std::string_view(text.constData(), size_t(text.size())));
    json += "}";
    AgentReply reply;
    QVERIFY(TokenTray::Lean::parseAgentReply(json, reply));
    QCOMPARE(QByteArray::fromStdString(reply.out), text);
    const auto qt = LeanJsonOracle::readAgentReply(QByteArray::fromStdString(json));
    QVERIFY(qt);
    QCOMPARE(QByteArray::fromStdString(qt->out), text);
}

QTEST_GUILESS_MAIN(tst_LeanJson)
#include "tst_leanjson.moc"
