#pragma once

// Locks the keychain in the middle of a batch of keychain removals, to check what a removal
// that the keychain stopped half way says and leaves.

#include "core/secrets/secretstore.h"
#include "tests/support/testenv.h"

#include <QChildEvent>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace TestEnv {

// Locks the keychain (`lock`; by default the test keyring) the moment the first item is really
// removed through `store`, before any other job of the store goes on. The
// store runs a few jobs at once, so the jobs after those find the keychain locked: a removal
// stopped half way, as when the screen locks during `profile remove`.
class LockAfterFirstRemoval final : public QObject
{
public:
    explicit LockAfterFirstRemoval(TokenTray::SecretStore *store,
                                   std::function<bool()> lock = lockKeyring)
        : m_lock(std::move(lock))
    {
        store->installEventFilter(this);
    }
    [[nodiscard]] bool hasLocked() const { return m_locked && m_lockSucceeded; }

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() != QEvent::ChildAdded)
            return false;
        // Still being constructed here; connect once it is, before its queued start runs.
        const QPointer<QObject> child = static_cast<QChildEvent *>(event)->child();
        QTimer::singleShot(0, this, [this, child] {
            if (auto *job = qobject_cast<TokenTray::SecretJob *>(child.data()))
                connect(job, &TokenTray::SecretJob::finished, this,
                        [this, job] { onFinished(job); });
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
        m_lockSucceeded = m_lock();
    }

    std::function<bool()> m_lock;
    bool m_locked = false;
    bool m_lockSucceeded = false;
};

} // namespace TestEnv
