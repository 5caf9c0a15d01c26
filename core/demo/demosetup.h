#pragma once

#include "core/demo/demoauthority.h"
#include "core/model/config.h"
#include "core/util/job.h"
#include "core/util/result.h"

#include <QObject>

namespace TokenTray {

class ProfileStore;
class SecretStore;

// `tokentray --demo`: a local authority on loopback plus an isolated config with demo profiles
// (an OAuth2 service with PROD, QA and DEV and short-lived tokens, and a device-code sign-in that
// approves itself), so a newcomer sees tokens refresh, the icon change colour and switching work
// within a minute, with no account anywhere.
class DemoSetup final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoSetup)
public:
    static constexpr int kTokenLifetimeSeconds = 90;

    DemoSetup(ProfileStore *store, SecretStore *secrets, QObject *parent = nullptr);
    // A Job (not auto-deleted): start() starts the authority, writes the demo config and the
    // client secret.
    [[nodiscard]] const Result<void> &result() const { return m_result; }
    [[nodiscard]] QUrl issuer() const { return m_authority.issuer(); }

    // The demo profiles for an authority at `issuer` (pure; tested).
    static Config demoConfig(const QUrl &issuer);

protected:
    void doStart() override; // queued
    void finishWithError(const Error &error) override;

private:
    void finish(const Result<void> &result);

    ProfileStore *m_store;
    SecretStore *m_secrets;
    DemoAuthority m_authority;
    Result<void> m_result;
};

} // namespace TokenTray
