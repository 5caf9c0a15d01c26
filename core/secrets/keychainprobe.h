#pragma once

#include "core/util/result.h"

#include <QObject>

namespace TokenTray {

// Asks the platform keychain whether it can be used right now, without prompting. QtKeychain
// 0.13 cannot tell: on a locked Secret Service collection a read says "entry not found" and a
// delete says "done" while deleting nothing. So before (and after ambiguous answers) every
// secret job asks here. On Linux it reads the Secret Service's default collection and its
// `Locked` property over D-Bus; elsewhere it reports Available.
class KeychainProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainProbe)
public:
    enum class State { Unknown, Available, Locked, Missing };
    Q_ENUM(State)

    explicit KeychainProbe(QObject *parent = nullptr);
    ~KeychainProbe() override;

    void start(); // queued; emits finished() exactly once
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QString detail() const { return m_detail; }
    // The probe's verdict as an error, or none when the keychain is usable.
    [[nodiscard]] std::optional<Error> error() const;

Q_SIGNALS:
    void finished();

private:
    void run();
    void checkOwner();
    void checkActivatable();
    void readDefaultAlias();
    void readLocked(const QString &collectionPath);
    void finish(State state, const QString &detail = QString());

    State m_state = State::Unknown;
    QString m_detail;
    bool m_finished = false;
};

} // namespace TokenTray
