#pragma once

#include "core/util/job.h"
#include "core/util/result.h"

#include <QObject>

namespace TokenTray {

// Asks the platform keychain whether it can be used right now, without prompting. QtKeychain
// 0.13 cannot tell: on a locked Secret Service collection a read says "entry not found" and a
// delete says "done" while deleting nothing. So before (and after ambiguous answers) every
// secret job asks here. On Linux it reads the Secret Service's default collection and its
// `Locked` property over D-Bus; elsewhere it reports Available. A Job: error() is the verdict
// (KeychainLocked, NoKeychain), none when the keychain is usable. Not auto-deleted: the caller
// reads state() and deletes it.
class KeychainProbe final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainProbe)
public:
    enum class State { Unknown, Available, Locked, Missing };
    Q_ENUM(State)

    explicit KeychainProbe(QObject *parent = nullptr);
    ~KeychainProbe() override;

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QString detail() const { return m_detail; }

protected:
    void doStart() override; // queued

private:
    // The verdict on `state` as an error, none when the keychain is usable.
    [[nodiscard]] static std::optional<Error> verdict(State state, const QString &detail);
    void run();
    void checkOwner();
    void checkActivatable();
    void readDefaultAlias();
    void readLocked(const QString &collectionPath);
    void finish(State state, const QString &detail = QString());

    State m_state = State::Unknown;
    QString m_detail;
};

} // namespace TokenTray
