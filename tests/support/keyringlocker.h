#pragma once

// Locks the test keyring in the middle of a batch of keychain removals, to check what a
// removal that the keychain stopped half way says and leaves.

#include "core/secrets/secretstore.h"
#include "tests/support/testenv.h"

#include <QChildEvent>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace TestEnv {

// Locks the test keyring the moment the first item is really removed through `store`. The
// store runs a few jobs at once, so the jobs after those find the keychain locked: a removal
// stopped half way, as when the screen locks during `profile remove`.
class LockAfterFirstRemoval final : public QObject
{
public:
    explicit LockAfterFirstRemoval(TokenTray::SecretStore *store)
    {
        store->installEventFilter(this);
    }
    [[nodiscard]] bool hasLocked() const { return m_locked && m_lockSucceeded; }

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() != QEvent::ChildAdded)
            return false;
        // Still being constructed here; a job answers only after a D-Bus round trip.
        const QPointer<QObject> child = static_cast<QChildEvent *>(event)->child();
        QTimer::singleShot(0, this, [this, child] {
            if (auto *job = qobject_cast<TokenTray::SecretJob *>(child.data()))
                connect(job, &TokenTray::SecretJob::finished, this,
                        &LockAfterFirstRemoval::onFinished);
        });
        return false;
    }

private:
    void onFinished(TokenTray::SecretJob *job)
    {
        if (m_locked || job->operation() != TokenTray::SecretJob::Operation::Remove
            || !job->result())
            return;
        m_locked = true;
        m_lockSucceeded = lockKeyring();
    }

    bool m_locked = false;
    bool m_lockSucceeded = false;
};

} // namespace TestEnv
