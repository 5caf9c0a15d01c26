#pragma once

#include "core/demo/demoauthority.h"
#include "core/model/config.h"
#include "core/util/result.h"

#include <QObject>

namespace TokenTray {

class ProfileStore;
class SecretStore;

// `tokentray --demo`: a local authority on loopback plus an isolated config with demo profiles
// (an OAuth2 service with PROD, QA and DEV and short-lived tokens, and a device-code sign-in that
// approves itself), so a newcomer sees tokens refresh, the icon change colour and switching work
// within a minute, with no account anywhere.
class DemoSetup final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoSetup)
public:
    static constexpr int kTokenLifetimeSeconds = 90;

    DemoSetup(ProfileStore *store, SecretStore *secrets, QObject *parent = nullptr);
    // Starts the authority, writes the demo config and the client secret; finished() once.
    void start();
    [[nodiscard]] const Result<void> &result() const { return m_result; }
    [[nodiscard]] QUrl issuer() const { return m_authority.issuer(); }

    // The demo profiles for an authority at `issuer` (pure; tested).
    static Config demoConfig(const QUrl &issuer);

Q_SIGNALS:
    void finished();

private:
    void finish(const Result<void> &result);

    ProfileStore *m_store;
    SecretStore *m_secrets;
    DemoAuthority m_authority;
    Result<void> m_result;
    bool m_finished = false;
};

} // namespace TokenTray
