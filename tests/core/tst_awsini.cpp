// The ~/.aws/config and ~/.aws/credentials reader: spacing, comments, nested blocks,
// continuation lines, duplicates and broken lines, always with the right line numbers.
#include "core/aws/awsini.h"
#include "tests/support/testenv.h"

#include <QFile>
#include <QTest>

using namespace TokenTray;

namespace {

using Severity = AwsIniDiagnostic::Severity;

AwsIniFile parse(const QByteArray &text)
{
    return parseAwsIni(text, "config");
}

// "line:severity" of every diagnostic, for compact comparisons.
QStringList problems(const AwsIniFile &file)
{
    QStringList out;
    for (const AwsIniDiagnostic &d : file.diagnostics) {
        const char *s = d.severity == Severity::Error ? "error"
            : d.severity == Severity::Warning         ? "warning"
                                                      : "note";
        out << QString::number(d.line) + ":" + s;
    }
    return out;
}

QByteArray readData(const char *name)
{
    QFile f(TestEnv::sourceDir() + "/tests/data/aws/" + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read tests/data/aws/%s", name);
    return f.readAll();
}

} // namespace

class tst_AwsIni : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void empty_data();
    void empty();
    void headers_data();
    void headers();
    void entries_data();
    void entries();
    void lineEndings_data();
    void lineEndings();
    void keysAreLowerCased();
    void nestedBlock();
    void continuationLines();
    void commentsInsideBlocksAndBlankLines();
    void duplicateSections();
    void duplicateKeys();
    void brokenLines_data();
    void brokenLines();
    void badHeaderSkipsItsLines();
    void invalidUtf8();
    void brokenLinesAreNeverQuoted();
    void diagnosticsAreCapped();
    void location();
    void sampleFiles();
};

void tst_AwsIni::empty_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("blank lines") << QByteArray("\n\n   \n\t\n");
    QTest::newRow("comments only") << QByteArray("# one\n; two\n   # indented\n");
    QTest::newRow("BOM only") << QByteArray("\xEF\xBB\xBF");
}

void tst_AwsIni::empty()
{
    QFETCH(QByteArray, text);
    const AwsIniFile file = parse(text);
    QVERIFY(file.sections.isEmpty());
    QVERIFY(file.diagnostics.isEmpty());
    QVERIFY(!file.hasErrors());
}

void tst_AwsIni::headers_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("header");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("name");

    QTest::newRow("default") << QByteArray("[default]") << "default"
                             << ""
                             << "default";
    QTest::newRow("profile") << QByteArray("[profile dev]") << "profile dev"
                             << "profile"
                             << "dev";
    QTest::newRow("odd spacing") << QByteArray("[ profile  foo ]") << "profile  foo"
                                 << "profile"
                                 << "foo";
    QTest::newRow("tab") << QByteArray("[profile\tfoo]") << "profile\tfoo"
                         << "profile"
                         << "foo";
    QTest::newRow("indented header") << QByteArray("   [default]   ") << "default"
                                     << ""
                                     << "default";
    QTest::newRow("comment after ]") << QByteArray("[profile a] # why") << "profile a"
                                     << "profile"
                                     << "a";
    QTest::newRow("semicolon after ]") << QByteArray("[profile a];why") << "profile a"
                                       << "profile"
                                       << "a";
    QTest::newRow("sso-session") << QByteArray("[sso-session corp]") << "sso-session corp"
                                 << "sso-session"
                                 << "corp";
    QTest::newRow("three words") << QByteArray("[profile a b]") << "profile a b"
                                 << "profile"
                                 << "a b";
    QTest::newRow("no space") << QByteArray("[profilefoo]") << "profilefoo"
                              << ""
                              << "profilefoo";
}

void tst_AwsIni::headers()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, header);
    QFETCH(QString, prefix);
    QFETCH(QString, name);
    const AwsIniFile file = parse("# first\n" + line + "\nk = v\n");
    QCOMPARE(problems(file), QStringList());
    QCOMPARE(file.sections.size(), 1);
    const AwsIniSection &s = file.sections.first();
    QCOMPARE(s.header, header);
    QCOMPARE(s.prefix, prefix);
    QCOMPARE(s.name, name);
    QCOMPARE(s.line, 2);
    QCOMPARE(s.entries.size(), 1);
    QCOMPARE(s.entries.first().line, 3);
}

void tst_AwsIni::entries_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("stripped");

    QTest::newRow("spaces") << QByteArray("region = eu-west-1") << "region"
                            << "eu-west-1" << false;
    QTest::newRow("no spaces") << QByteArray("region=eu-west-1") << "region"
                               << "eu-west-1" << false;
    QTest::newRow("many spaces") << QByteArray("  region   =    eu-west-1   ") << "region"
                                 << "eu-west-1" << false;
    QTest::newRow("colon, as configparser") << QByteArray("region: eu-west-1") << "region"
                                            << "eu-west-1" << false;
    QTest::newRow("'=' before ':'") << QByteArray("role_arn = arn:aws:iam::1:role/x") << "role_arn"
                                    << "arn:aws:iam::1:role/x" << false;
    QTest::newRow("empty value") << QByteArray("output =") << "output"
                                 << "" << false;
    QTest::newRow("'=' in value") << QByteArray("token = abc==") << "token"
                                  << "abc==" << false;
    QTest::newRow("inline #") << QByteArray("region = eu-west-1 # Ireland") << "region"
                              << "eu-west-1" << true;
    QTest::newRow("inline ;") << QByteArray("region = eu-west-1\t; Ireland") << "region"
                              << "eu-west-1" << true;
    QTest::newRow("# without space is data") << QByteArray("mfa_serial = abc#def") << "mfa_serial"
                                             << "abc#def" << false;
    QTest::newRow("; without space is data") << QByteArray("external_id = a;b") << "external_id"
                                             << "a;b" << false;
    QTest::newRow("value that is a comment") << QByteArray("output = # none") << "output"
                                             << "" << true;
}

void tst_AwsIni::entries()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(bool, stripped);
    const AwsIniFile file = parse("[default]\n" + line + "\n");
    QCOMPARE(problems(file), QStringList());
    QCOMPARE(file.sections.size(), 1);
    const AwsIniEntry *e = file.sections.first().entry(key);
    QVERIFY(e);
    QCOMPARE(e->value, value);
    QCOMPARE(e->line, 2);
    QCOMPARE(e->strippedComment, stripped);
    QVERIFY(!e->isContinued());
}

void tst_AwsIni::lineEndings_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("LF") << QByteArray("[a]\nk = 1\n\n[b]\nk = 2\n");
    QTest::newRow("CRLF") << QByteArray("[a]\r\nk = 1\r\n\r\n[b]\r\nk = 2\r\n");
    QTest::newRow("CR") << QByteArray("[a]\rk = 1\r\r[b]\rk = 2\r");
    QTest::newRow("no final newline") << QByteArray("[a]\nk = 1\n\n[b]\nk = 2");
    QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBF[a]\nk = 1\n\n[b]\nk = 2\n");
}

void tst_AwsIni::lineEndings()
{
    QFETCH(QByteArray, text);
    const AwsIniFile file = parse(text);
    QCOMPARE(problems(file), QStringList());
    QCOMPARE(file.sections.size(), 2);
    QCOMPARE(file.sections.at(0).name, "a");
    QCOMPARE(file.sections.at(1).name, "b");
    QCOMPARE(file.sections.at(1).line, 4);
    QCOMPARE(file.sections.at(1).entries.first().line, 5);
    QCOMPARE(file.sections.at(1).entries.first().value, "2");
}

void tst_AwsIni::keysAreLowerCased()
{
    const AwsIniFile file = parse("[default]\nAWS_Access_Key_ID = AKIAMixedCase\n");
    const AwsIniEntry *e = file.sections.first().entry("aws_access_key_id");
    QVERIFY(e);
    QCOMPARE(e->key, "aws_access_key_id");
    QCOMPARE(e->value, "AKIAMixedCase"); // values keep their case
}

void tst_AwsIni::nestedBlock()
{
    const AwsIniFile file = parse("[profile dev]\n"
                                  "s3 =\n"
                                  "  max_concurrent_requests = 20\n"
                                  "  addressing_style=path  # comment\n"
                                  "region = eu-west-1\n");
    QCOMPARE(problems(file), QStringList());
    const AwsIniSection &s = file.sections.first();
    QCOMPARE(s.entries.size(), 2);
    const AwsIniEntry &s3 = s.entries.at(0);
    QCOMPARE(s3.key, "s3");
    QVERIFY(s3.hasNestedBlock);
    QVERIFY(!s3.isContinued());
    QCOMPARE(s3.value, QString());
    QCOMPARE(s3.line, 2);
    QCOMPARE(s3.lastLine, 4);
    QCOMPARE(s3.nested.size(), 2);
    QCOMPARE(s3.nested.at(0).key, "max_concurrent_requests");
    QCOMPARE(s3.nested.at(0).value, "20");
    QCOMPARE(s3.nested.at(0).line, 3);
    QCOMPARE(s3.nested.at(1).key, "addressing_style");
    QCOMPARE(s3.nested.at(1).value, "path");
    QCOMPARE(s.entries.at(1).key, "region");
    QCOMPARE(s.entries.at(1).line, 5);
}

void tst_AwsIni::continuationLines()
{
    const AwsIniFile file = parse("[default]\n"
                                  "ca_bundle = first\n"
                                  "   second\n"
                                  "\tthird\n"
                                  "region = x\n");
    QCOMPARE(problems(file), QStringList());
    const AwsIniEntry *e = file.sections.first().entry("ca_bundle");
    QVERIFY(e);
    QCOMPARE(e->value, "first\nsecond\nthird");
    QVERIFY(e->isContinued());
    QCOMPARE(e->lastLine, 4);
    QVERIFY(!e->hasNestedBlock);
    QCOMPARE(file.sections.first().entry("region")->line, 5);

    // Indented like its key: a new entry, not a continuation (configparser's rule).
    const AwsIniFile same = parse("[default]\n  a = 1\n  b = 2\n");
    QCOMPARE(same.sections.first().entries.size(), 2);
    QVERIFY(!same.sections.first().entry("a")->isContinued());
}

void tst_AwsIni::commentsInsideBlocksAndBlankLines()
{
    const AwsIniFile file = parse("[default]\n"
                                  "s3 =\n"
                                  "\n"
                                  "  # a comment in the block\n"
                                  "  use_accelerate_endpoint = true\n"
                                  "\n"
                                  "region = x\n");
    QCOMPARE(problems(file), QStringList());
    const AwsIniEntry *s3 = file.sections.first().entry("s3");
    QCOMPARE(s3->nested.size(), 1);
    QCOMPARE(s3->nested.first().line, 5);
    QCOMPARE(file.sections.first().entry("region")->line, 7);
}

void tst_AwsIni::duplicateSections()
{
    const AwsIniFile file = parse("[profile a]\n"
                                  "k = 1\n"
                                  "[profile b]\n"
                                  "[ profile   a ]\n"
                                  "k = 2\n");
    QCOMPARE(problems(file), QStringList {"4:warning"});
    QVERIFY(file.diagnostics.first().message.contains("first on line 1"));
    QCOMPARE(file.diagnostics.first().section, 2);
    QCOMPARE(file.sections.size(), 3);
    QCOMPARE(file.sections.at(0).firstLineOfSame, 0);
    QCOMPARE(file.sections.at(2).firstLineOfSame, 1);
    QVERIFY(!file.hasErrors());

    // [default] and [profile default] are different sections to the reader.
    QCOMPARE(problems(parse("[default]\n[profile default]\n")), QStringList());
}

void tst_AwsIni::duplicateKeys()
{
    const AwsIniFile file = parse("[default]\n"
                                  "region = a\n"
                                  "output = json\n"
                                  "REGION = b\n");
    QCOMPARE(problems(file), QStringList {"4:warning"});
    QVERIFY(file.diagnostics.first().message.contains("region"));
    QVERIFY(file.diagnostics.first().message.contains("first on line 2"));
    const AwsIniSection &s = file.sections.first();
    QCOMPARE(s.duplicateKeys, QStringList {"region"});
    QCOMPARE(s.entries.size(), 3);
    QCOMPARE(s.entry("region")->value, "b"); // the last one
    QCOMPARE(s.entry("region")->line, 4);
}

void tst_AwsIni::brokenLines_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QString>("phrase");
    QTest::addColumn<int>("sectionIndex");

    QTest::newRow("before any section")
        << QByteArray("region = x\n[default]\n") << QStringList {"1:error"} << "before any" << -1;
    QTest::newRow("no '='") << QByteArray("[default]\nregion\n") << QStringList {"2:error"}
                            << "expected" << 0;
    QTest::newRow("no key") << QByteArray("[default]\n= value\n") << QStringList {"2:error"}
                            << "key before" << 0;
    QTest::newRow("no closing ]") << QByteArray("[default\n") << QStringList {"1:error"}
                                  << "no closing" << -1;
    QTest::newRow("text after ]") << QByteArray("[default] extra\n") << QStringList {"1:error"}
                                  << "after its" << -1;
    QTest::newRow("empty header") << QByteArray("[ ]\n") << QStringList {"1:error"} << "empty"
                                  << -1;
    QTest::newRow("nested line without '='") << QByteArray("[default]\ns3 =\n  nonsense\n")
                                             << QStringList {"3:error"} << "key = value" << 0;
    QTest::newRow("indented line before any section")
        << QByteArray("  k = v\n") << QStringList {"1:error"} << "before any" << -1;
}

void tst_AwsIni::brokenLines()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, expected);
    QFETCH(QString, phrase);
    QFETCH(int, sectionIndex);
    const AwsIniFile file = parse(text);
    QCOMPARE(problems(file), expected);
    QVERIFY(file.hasErrors());
    QVERIFY2(file.diagnostics.first().message.contains(phrase),
             qPrintable(file.diagnostics.first().message));
    QCOMPARE(file.diagnostics.first().section, sectionIndex);
    if (sectionIndex >= 0)
        QCOMPARE(file.sections.at(sectionIndex).unreadableLines,
                 QList<int> {file.diagnostics.first().line});
}

void tst_AwsIni::badHeaderSkipsItsLines()
{
    const AwsIniFile file = parse("[ok]\n"
                                  "a = 1\n"
                                  "[broken\n"
                                  "b = 2\n"
                                  "garbage\n"
                                  "[next]\n"
                                  "c = 3\n");
    QCOMPARE(problems(file), QStringList {"3:error"});
    QCOMPARE(file.sections.size(), 2);
    QCOMPARE(file.sections.at(0).entries.size(), 1); // b never reaches [ok]
    QVERIFY(file.sections.at(0).unreadableLines.isEmpty());
    QCOMPARE(file.sections.at(1).name, "next");
    QCOMPARE(file.sections.at(1).entry("c")->line, 7);
}

void tst_AwsIni::invalidUtf8()
{
    const AwsIniFile file = parse("[default]\nregion = \xff\xfe\nk = v\n");
    QCOMPARE(problems(file), QStringList {"2:error"});
    QVERIFY(file.diagnostics.first().message.contains("UTF-8"));
    QCOMPARE(file.sections.first().unreadableLines, QList<int> {2});
    QVERIFY(!file.sections.first().entry("region"));
    QVERIFY(file.sections.first().entry("k"));
}

void tst_AwsIni::brokenLinesAreNeverQuoted()
{
    // Someone pasted a secret key on a line of its own, and one with '=' in it.
    const QByteArray secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY";
    const AwsIniFile file
        = parse("[default]\n" + secret + "\n" + secret + "=" + secret + "\n" + secret + "=1\n");
    for (const AwsIniDiagnostic &d : file.diagnostics) {
        QVERIFY2(!d.message.contains(QString::fromLatin1(secret), Qt::CaseInsensitive),
                 qPrintable(d.message));
    }
    QVERIFY(!isPlainAwsKey(QString::fromLatin1(secret).toLower()));
    QVERIFY(isPlainAwsKey("cli_pager"));
    QVERIFY(!isPlainAwsKey("a key"));
}

void tst_AwsIni::diagnosticsAreCapped()
{
    QByteArray text = "[default]\n";
    for (int i = 0; i < 1000; ++i)
        text += "garbage\n";
    const AwsIniFile file = parse(text);
    QVERIFY(file.diagnostics.size() <= 201);
    QVERIFY(file.diagnostics.last().message.contains("not listed"));
    QCOMPARE(file.sections.first().unreadableLines.size(), 1000);
}

void tst_AwsIni::location()
{
    const AwsIniFile file = parseAwsIni("", "/home/me/.aws/config");
    QCOMPARE(file.location(12), "/home/me/.aws/config:12");
    QCOMPARE(file.location(0), "/home/me/.aws/config");
}

void tst_AwsIni::sampleFiles()
{
    const AwsIniFile config = parseAwsIni(readData("config"), "config");
    QCOMPARE(problems(config), QStringList());
    QVERIFY(config.sections.size() >= 10);
    const AwsIniFile credentials = parseAwsIni(readData("credentials"), "credentials");
    QCOMPARE(problems(credentials), QStringList());
    const AwsIniFile bad = parseAwsIni(readData("bad-config"), "bad-config");
    QVERIFY(bad.hasErrors());
    for (const AwsIniDiagnostic &d : bad.diagnostics)
        QVERIFY2(d.line > 0, qPrintable(d.message));
}

QTEST_GUILESS_MAIN(tst_AwsIni)
#include "tst_awsini.moc"
