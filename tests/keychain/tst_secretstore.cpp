// SecretStore against the real Secret Service (gnome-keyring in the test desktop session).
#include "../support/testenv.h"
#include "core/secrets/keychainbackend.h"
#include "core/secrets/secretstore.h"
#include "tests/support/secretjobs.h"

#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace TokenTray;

class tst_SecretStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void jobContract();
    void writeReadOverwriteDelete();
    void readsAreCached();
    void missingItemIsNotFound();
    void lockedKeychainIsReportedAndNothingIsLost();
    void deadlineFinishesTheJob();

private:
    QString uniqueKey() const
    {
        return QStringLiteral("test-") + QUuid::createUuid().toString(QUuid::WithoutBraces)
            + QStringLiteral("/QA/client_secret");
    }
    const QString m_service = QStringLiteral("tokentray-test");
    KeychainBackend m_keychain;
};

void tst_SecretStore::initTestCase()
{
    if (!TestEnv::hasTestKeyring())
        QSKIP("needs the test desktop session's keyring: run through scripts/test");
    QVERIFY2(!TestEnv::isKeyringLocked(), "the test keyring must start unlocked");
}

void tst_SecretStore::cleanup()
{
    if (TestEnv::hasTestKeyring() && TestEnv::isKeyringLocked())
        QVERIFY(TestEnv::unlockKeyring());
}

void tst_SecretStore::jobContract()
{
    SecretStore store(&m_keychain, m_service);
    SecretJob *job = store.write(uniqueKey(), Secret(QByteArrayLiteral("v")));
    QSignalSpy spy(job, &SecretJob::finished);
    job->setAutoDelete(false);
    job->start();
    QCOMPARE(spy.count(), 0); // never synchronously
    QVERIFY(spy.wait(15000));
    QCOMPARE(spy.count(), 1);
    QVERIFY(job->isFinished());
    QVERIFY(job->result().has_value());
    QCoreApplication::processEvents(); // a second emission would be queued behind the first
    QCOMPARE(spy.count(), 1);
    delete job;
}

void tst_SecretStore::writeReadOverwriteDelete()
{
    const QString key = uniqueKey();
    {
        SecretStore store(&m_keychain, m_service);
        QVERIFY(TestEnv::runSecretJob(store.write(key, Secret(QByteArrayLiteral("first-value"))))
                    .has_value());
    }
    QCOMPARE(TestEnv::secretToolLookup(m_service, key), QByteArrayLiteral("first-value"));
    {
        SecretStore store(&m_keychain, m_service); // fresh: nothing cached
        const auto read = TestEnv::runSecretJob(store.read(key));
        QVERIFY(read.has_value());
        QCOMPARE(read->expose(), QByteArrayLiteral("first-value"));
        QVERIFY(TestEnv::runSecretJob(store.write(key, Secret(QByteArrayLiteral("second-välue"))))
                    .has_value());
    }
    QCOMPARE(TestEnv::secretToolLookup(m_service, key), QByteArrayLiteral("second-välue"));
    SecretStore store(&m_keychain, m_service);
    const auto reread = TestEnv::runSecretJob(store.read(key));
    QVERIFY(reread.has_value());
    QCOMPARE(reread->exposeUtf8(), QStringLiteral("second-välue"));
    QVERIFY(TestEnv::runSecretJob(store.remove(key)).has_value());
    QVERIFY(!store.isCached(key));
    QCOMPARE(TestEnv::secretToolLookup(m_service, key), QByteArray());
    const auto gone = TestEnv::runSecretJob(store.read(key));
    QVERIFY(!gone.has_value());
    QCOMPARE(gone.error().code, ErrorCode::SecretNotFound);
}

void tst_SecretStore::readsAreCached()
{
    const QString key = uniqueKey();
    SecretStore store(&m_keychain, m_service);
    QVERIFY(
        TestEnv::runSecretJob(store.write(key, Secret(QByteArrayLiteral("cached")))).has_value());
    QVERIFY(store.isCached(key));
    // Changed behind the store's back: the store keeps serving what it read (once per unlock).
    TestEnv::run(QStringLiteral("secret-tool"),
                 {QStringLiteral("store"), QStringLiteral("--label=x"), QStringLiteral("server"),
                  m_service, QStringLiteral("user"), key, QStringLiteral("type"),
                  QStringLiteral("plaintext")},
                 QByteArrayLiteral("changed"));
    const auto read = TestEnv::runSecretJob(store.read(key));
    QVERIFY(read.has_value());
    QCOMPARE(read->expose(), QByteArrayLiteral("cached"));
    store.forgetCache();
    QVERIFY(!store.isCached(key));
    QVERIFY(TestEnv::runSecretJob(store.remove(key)).has_value());
}

void tst_SecretStore::missingItemIsNotFound()
{
    SecretStore store(&m_keychain, m_service);
    const auto read = TestEnv::runSecretJob(store.read(uniqueKey()));
    QVERIFY(!read.has_value());
    QCOMPARE(read.error().code, ErrorCode::SecretNotFound);
}

void tst_SecretStore::lockedKeychainIsReportedAndNothingIsLost()
{
    const QString key = uniqueKey();
    {
        SecretStore store(&m_keychain, m_service);
        QVERIFY(TestEnv::runSecretJob(store.write(key, Secret(QByteArrayLiteral("keep-me"))))
                    .has_value());
    }
    QVERIFY(TestEnv::lockKeyring());

    SecretStore store(&m_keychain, m_service);
    QSignalSpy unavailable(&store, &SecretStore::keychainUnavailable);
    const auto read = TestEnv::runSecretJob(store.read(key));
    QVERIFY(!read.has_value());
    QCOMPARE(read.error().code, ErrorCode::KeychainLocked); // not "not found"
    QCOMPARE(unavailable.count(), 1);

    const auto write
        = TestEnv::runSecretJob(store.write(key, Secret(QByteArrayLiteral("overwritten"))));
    QVERIFY(!write.has_value());
    QCOMPARE(write.error().code, ErrorCode::KeychainLocked);

    const auto remove = TestEnv::runSecretJob(store.remove(key));
    QVERIFY(!remove.has_value());
    QCOMPARE(remove.error().code, ErrorCode::KeychainLocked); // not "done"

    // The test unlocks by replacing the keyring daemon, which leaves this process's libsecret
    // session pointing at the old one; another process (secret-tool) checks what is stored.
    QVERIFY(TestEnv::unlockKeyring());
    QCOMPARE(TestEnv::secretToolLookup(m_service, key), QByteArrayLiteral("keep-me"));
    QCOMPARE(TestEnv::run(QStringLiteral("secret-tool"),
                          {QStringLiteral("clear"), QStringLiteral("server"), m_service,
                           QStringLiteral("user"), key})
                 .exitCode,
             0);
}

void tst_SecretStore::deadlineFinishesTheJob()
{
    SecretStore store(&m_keychain, m_service);
    store.setTimeout(0); // expires before the keychain can answer
    const auto read = TestEnv::runSecretJob(store.read(uniqueKey()));
    QVERIFY(!read.has_value());
    QCOMPARE(read.error().code, ErrorCode::KeychainTimeout);
}

QTEST_GUILESS_MAIN(tst_SecretStore)
#include "tst_secretstore.moc"
