// ClipboardGuard: what the clipboard holds, for this process and, in the X test session, for
// another program (xclip); and that the guard takes off only its own content.
// In-process cases run on any platform; cross-process ones need xcb in scripts/desktop-session.
#include "ui/clipboardguard.h"

#include <QClipboard>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QMimeData>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <limits>
#include <memory>

using namespace TokenTray;

namespace {

const QByteArray token = "eyJhbGciOiJub25lIn0.tst-clipboard-4711"; // a fake, recognisable token
const char *const noXSession = "needs another process to read the clipboard: xcb inside "
                               "scripts/desktop-session (offscreen clipboards are in-process)";

QClipboard *clipboard()
{
    return QGuiApplication::clipboard();
}

struct XclipRun
{
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
};

// Runs xclip to completion while this process keeps serving X selection requests: we own the
// selection xclip reads, so a blocking waitForFinished() here would deadlock both.
XclipRun xclip(const QStringList &args)
{
    XclipRun run;
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(QStringLiteral("xclip"), args);
    if (!finished.wait(10000)) {
        process.kill();
        finished.wait(5000);
        return run;
    }
    run.finished = true;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    return run;
}

XclipRun readClipboard(const QString &target = {})
{
    QStringList args {QStringLiteral("-selection"), QStringLiteral("clipboard"),
                      QStringLiteral("-o")};
    if (!target.isEmpty())
        args << QStringLiteral("-t") << target;
    return xclip(args);
}

} // namespace

class tst_Clipboard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    // in-process, any platform
    void copiedTextIsMarkedSecret();
    void emptySecretIsNotCopied();
    void clearsItsOwnCopyAfterDelay();
    void leavesLaterCopyAlone();
    void clearNowClearsOurCopy();
    void clearNowLeavesLaterCopyAlone();
    void secondCopyRestartsTimer();
    void copyWithoutDelayCancelsPendingClear();
    void hugeDelayIsClamped();
    void destructorClearsOnlyOurCopy();

    // another process reading the X clipboard
    void otherProgramSeesSecretAndHint();
    void otherProgramSeesClearedClipboard();
    void keepsWhatAnotherProgramCopied();
    void keepsSameTextCopiedByAnotherProgram();
    void clearNowClearsForOtherPrograms();

private:
    // Another program takes the clipboard with text; it serves it until cleanup() kills it.
    void copyFromOtherProgram(const QByteArray &text);

    bool m_xSession = false;
    std::unique_ptr<QProcess> m_otherOwner;
};

void tst_Clipboard::initTestCase()
{
    m_xSession = QGuiApplication::platformName() == QLatin1String("xcb")
        && qEnvironmentVariable("TOKENTRAY_TEST_SESSION") == QLatin1String("1");
    if (m_xSession) {
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("xclip")).isEmpty(),
                 "xclip belongs to the test desktop (shared/ENV.md §6)");
    }
}

void tst_Clipboard::init()
{
    clipboard()->clear(QClipboard::Clipboard);
}

void tst_Clipboard::cleanup()
{
    if (m_otherOwner) {
        QSignalSpy finished(m_otherOwner.get(), &QProcess::finished);
        m_otherOwner->kill();
        QVERIFY(finished.wait(5000));
        m_otherOwner.reset();
    }
    clipboard()->clear(QClipboard::Clipboard);
}

void tst_Clipboard::copyFromOtherProgram(const QByteArray &text)
{
    QVERIFY(clipboard()->ownsClipboard());
    m_otherOwner = std::make_unique<QProcess>();
    // -quiet keeps xclip in the foreground (by default it forks), so cleanup() can end it.
    m_otherOwner->start(
        QStringLiteral("xclip"),
        {QStringLiteral("-selection"), QStringLiteral("clipboard"), QStringLiteral("-quiet")});
    QVERIFY(m_otherOwner->waitForStarted(5000));
    m_otherOwner->write(text);
    m_otherOwner->closeWriteChannel();
    // Qt learns it lost the selection from the X server's SelectionClear.
    QTRY_VERIFY_WITH_TIMEOUT(!clipboard()->ownsClipboard(), 5000);
}

void tst_Clipboard::copiedTextIsMarkedSecret()
{
    ClipboardGuard guard;
    QSignalSpy copied(&guard, &ClipboardGuard::copied);
    guard.copySecret(Secret(token), 30);
    QCOMPARE(copied.count(), 1);
    QVERIFY(guard.isGuarding());
    QVERIFY(guard.secondsUntilClear() >= 29 && guard.secondsUntilClear() <= 30);

    const QMimeData *mime = clipboard()->mimeData(QClipboard::Clipboard);
    QVERIFY(mime);
    QCOMPARE(mime->text(), QString::fromLatin1(token));
    QVERIFY(mime->hasFormat("text/plain"));
    QCOMPARE(mime->data("x-kde-passwordManagerHint"), QByteArray("secret"));
#if defined(Q_OS_MACOS)
    QVERIFY(mime->hasFormat("application/x-nspasteboard-concealed-type"));
#elif defined(Q_OS_WIN)
    QVERIFY(mime->hasFormat("ExcludeClipboardContentFromMonitorProcessing"));
    QCOMPARE(mime->data("CanIncludeInClipboardHistory"), QByteArray(4, '\0'));
    QCOMPARE(mime->data("CanUploadToCloudClipboard"), QByteArray(4, '\0'));
#endif
    // Never the X11 selection: every later text selection would replace or show it.
    if (clipboard()->supportsSelection())
        QVERIFY(clipboard()->text(QClipboard::Selection) != QString::fromLatin1(token));
}

void tst_Clipboard::emptySecretIsNotCopied()
{
    clipboard()->setText(QStringLiteral("before"));
    ClipboardGuard guard;
    QSignalSpy copied(&guard, &ClipboardGuard::copied);
    guard.copySecret(Secret(), 1);
    QCOMPARE(copied.count(), 0);
    QVERIFY(!guard.isGuarding());
    QCOMPARE(guard.secondsUntilClear(), -1);
    QCOMPARE(clipboard()->text(), QStringLiteral("before"));
}

void tst_Clipboard::clearsItsOwnCopyAfterDelay()
{
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    QSignalSpy skipped(&guard, &ClipboardGuard::clearSkipped);
    QElapsedTimer elapsed;
    elapsed.start();
    guard.copySecret(Secret(token), 1);
    QCOMPARE(guard.secondsUntilClear(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(cleared.count(), 1, 5000);
    QVERIFY2(elapsed.elapsed() >= 900, "cleared before its delay");
    QCOMPARE(skipped.count(), 0);
    QVERIFY(clipboard()->text().isEmpty());
    QVERIFY(!guard.isGuarding());
    QCOMPARE(guard.secondsUntilClear(), -1);
}

void tst_Clipboard::leavesLaterCopyAlone()
{
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    QSignalSpy skipped(&guard, &ClipboardGuard::clearSkipped);
    guard.copySecret(Secret(token), 1);
    // Something else in this process copies; we still own the clipboard, the text differs.
    clipboard()->setText(QStringLiteral("copied by the user"));
    QTRY_COMPARE_WITH_TIMEOUT(skipped.count(), 1, 5000);
    QCOMPARE(cleared.count(), 0);
    QCOMPARE(clipboard()->text(), QStringLiteral("copied by the user"));
    QVERIFY(!guard.isGuarding());
}

void tst_Clipboard::clearNowClearsOurCopy()
{
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    QSignalSpy skipped(&guard, &ClipboardGuard::clearSkipped);
    guard.copySecret(Secret(token), 0); // never automatically
    QCOMPARE(guard.secondsUntilClear(), -1);
    QVERIFY(guard.isGuarding());
    QCOMPARE(clipboard()->text(), QString::fromLatin1(token));
    guard.clearNow();
    QCOMPARE(cleared.count(), 1);
    QVERIFY(clipboard()->text().isEmpty());
    QVERIFY(!guard.isGuarding());
    guard.clearNow(); // nothing of ours left: no signal
    QCOMPARE(cleared.count(), 1);
    QCOMPARE(skipped.count(), 0);
}

void tst_Clipboard::clearNowLeavesLaterCopyAlone()
{
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    QSignalSpy skipped(&guard, &ClipboardGuard::clearSkipped);
    guard.copySecret(Secret(token), 30);
    clipboard()->setText(QStringLiteral("mine"));
    guard.clearNow();
    QCOMPARE(skipped.count(), 1);
    QCOMPARE(cleared.count(), 0);
    QCOMPARE(clipboard()->text(), QStringLiteral("mine"));
    QCOMPARE(guard.secondsUntilClear(), -1);
}

void tst_Clipboard::secondCopyRestartsTimer()
{
    ClipboardGuard guard;
    QSignalSpy copied(&guard, &ClipboardGuard::copied);
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    QSignalSpy skipped(&guard, &ClipboardGuard::clearSkipped);
    // The second copy asks for a longer delay than the first, so a timer left running from the
    // first copy shows at once (no waiting for it to be half way through).
    guard.copySecret(Secret("first-" + token), 1);
    QElapsedTimer sinceSecond;
    sinceSecond.start();
    guard.copySecret(Secret("second-" + token), 2);
    QCOMPARE(copied.count(), 2);
    QCOMPARE(clipboard()->text(), QString::fromLatin1("second-" + token));
    QCOMPARE(guard.secondsUntilClear(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(cleared.count(), 1, 10000);
    // Still armed at the first copy's deadline: the timer restarted with the second copy.
    QVERIFY2(sinceSecond.elapsed() >= 1900, "cleared at the first copy's deadline");
    QCOMPARE(skipped.count(), 0);
    QVERIFY(clipboard()->text().isEmpty());
}

void tst_Clipboard::copyWithoutDelayCancelsPendingClear()
{
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    guard.copySecret(Secret(token), 1);
    QCOMPARE(guard.secondsUntilClear(), 1);
    guard.copySecret(Secret("kept-" + token), 0);
    QCOMPARE(guard.secondsUntilClear(), -1);
    QVERIFY(guard.isGuarding());
    guard.clearNow();
    QCOMPARE(cleared.count(), 1);
    QVERIFY(clipboard()->text().isEmpty());
}

void tst_Clipboard::hugeDelayIsClamped()
{
    ClipboardGuard guard;
    guard.copySecret(Secret(token), std::numeric_limits<int>::max());
    // No overflow into a negative (immediate) interval.
    QVERIFY(guard.secondsUntilClear() > 1000000);
    QCOMPARE(clipboard()->text(), QString::fromLatin1(token));
}

void tst_Clipboard::destructorClearsOnlyOurCopy()
{
    {
        ClipboardGuard guard;
        guard.copySecret(Secret(token), 0);
    }
    QVERIFY(clipboard()->text().isEmpty());
    {
        ClipboardGuard guard;
        guard.copySecret(Secret(token), 0);
        clipboard()->setText(QStringLiteral("mine"));
    }
    QCOMPARE(clipboard()->text(), QStringLiteral("mine"));
}

void tst_Clipboard::otherProgramSeesSecretAndHint()
{
    if (!m_xSession)
        QSKIP(noXSession);
    ClipboardGuard guard;
    guard.copySecret(Secret(token), 30);

    const XclipRun text = readClipboard();
    QVERIFY(text.finished);
    QCOMPARE(text.exitCode, 0);
    QCOMPARE(text.out, token);

    const XclipRun targets = readClipboard(QStringLiteral("TARGETS"));
    QVERIFY(targets.finished);
    QCOMPARE(targets.exitCode, 0);
    const QList<QByteArray> names = targets.out.split('\n');
    QVERIFY2(names.contains("x-kde-passwordManagerHint"), targets.out.constData());
    QVERIFY2(names.contains("UTF8_STRING"), targets.out.constData());

    const XclipRun hint = readClipboard(QStringLiteral("x-kde-passwordManagerHint"));
    QVERIFY(hint.finished);
    QCOMPARE(hint.exitCode, 0);
    QCOMPARE(hint.out, QByteArray("secret"));

    // The PRIMARY selection (middle-click paste) never gets it.
    const XclipRun primary
        = xclip({QStringLiteral("-selection"), QStringLiteral("primary"), QStringLiteral("-o")});
    QVERIFY(primary.finished);
    QVERIFY(!primary.out.contains(token));
}

void tst_Clipboard::otherProgramSeesClearedClipboard()
{
    if (!m_xSession)
        QSKIP(noXSession);
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    guard.copySecret(Secret(token), 1);
    QCOMPARE(readClipboard().out, token);
    QTRY_COMPARE_WITH_TIMEOUT(cleared.count(), 1, 5000);
    // No owner any more: xclip exits 1 ("target ... not available"), or prints nothing.
    const XclipRun after = readClipboard();
    QVERIFY(after.finished);
    QVERIFY2(after.exitCode != 0 || after.out.isEmpty(), after.out.constData());
}

void tst_Clipboard::keepsWhatAnotherProgramCopied()
{
    if (!m_xSession)
        QSKIP(noXSession);
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    QSignalSpy skipped(&guard, &ClipboardGuard::clearSkipped);
    guard.copySecret(Secret(token), 1);
    copyFromOtherProgram("other");
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(skipped.count(), 1, 5000);
    QCOMPARE(cleared.count(), 0);
    const XclipRun after = readClipboard();
    QCOMPARE(after.exitCode, 0);
    QCOMPARE(after.out, QByteArray("other"));
}

void tst_Clipboard::keepsSameTextCopiedByAnotherProgram()
{
    // Equal text, but another program owns it now: the user copied it there, it is theirs.
    if (!m_xSession)
        QSKIP(noXSession);
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    QSignalSpy skipped(&guard, &ClipboardGuard::clearSkipped);
    guard.copySecret(Secret(token), 30);
    copyFromOtherProgram(token);
    if (QTest::currentTestFailed())
        return;
    guard.clearNow();
    QCOMPARE(skipped.count(), 1);
    QCOMPARE(cleared.count(), 0);
    QCOMPARE(readClipboard().out, token);
}

void tst_Clipboard::clearNowClearsForOtherPrograms()
{
    if (!m_xSession)
        QSKIP(noXSession);
    ClipboardGuard guard;
    QSignalSpy cleared(&guard, &ClipboardGuard::cleared);
    guard.copySecret(Secret(token), 0);
    QCOMPARE(readClipboard().out, token);
    guard.clearNow();
    QCOMPARE(cleared.count(), 1);
    const XclipRun after = readClipboard();
    QVERIFY(after.finished);
    QVERIFY2(after.exitCode != 0 || after.out.isEmpty(), after.out.constData());
}

QTEST_MAIN(tst_Clipboard)
#include "tst_clipboard.moc"
