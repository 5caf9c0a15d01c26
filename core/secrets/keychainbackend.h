#pragma once

#include "core/secrets/secretbackend.h"

namespace TokenTray {

// The OS keychain through QtKeychain (Secret Service, macOS Keychain, Windows Credential
// Store), never with a plaintext fallback; Probe asks KeychainProbe (the Secret Service's lock
// state over D-Bus). Each main() creates one and gives it to its SecretStore.
class KeychainBackend final : public SecretBackend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainBackend)
public:
    explicit KeychainBackend(QObject *parent = nullptr);
    ~KeychainBackend() override;

    [[nodiscard]] SecretBackendJob *create(SecretBackendJob::Operation operation,
                                           const QString &service, const QString &key,
                                           const Secret &value, QObject *parent) override;
};

} // namespace TokenTray
