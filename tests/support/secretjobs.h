#pragma once

// Running SecretStore jobs to their end from a test, whatever the backend.

#include "core/secrets/secretstore.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <utility>

namespace TestEnv {

// Starts `job` and waits for it: its result, or an Internal error when it did not finish within
// `timeoutMs`. The job is deleted either way.
TokenTray::Result<TokenTray::Secret> runSecretJob(TokenTray::SecretJob *job, int timeoutMs = 15000);

// Writes every (key, value) at once, as the store queues them; true when all were written.
bool writeSecrets(TokenTray::SecretStore *store, const QList<std::pair<QString, QByteArray>> &items,
                  int timeoutMs = 30000);
bool writeSecret(TokenTray::SecretStore *store, const QString &key, const QByteArray &value);
// True when the removal finished (removing nothing counts).
bool removeSecret(TokenTray::SecretStore *store, const QString &key);

} // namespace TestEnv
