#pragma once

#include <QString>
#include <QStringList>
#include <QUrl>

namespace TokenTray {

// A named bundle of endpoints and parameters (PROD, QA, DEV…). Which fields apply depends on
// the profile's kind; unused ones stay empty and are not written to profiles.json.
struct Environment
{
    QString name;
    bool isProtected = false; // PROD guard: confirmations, a distinct tray mark

    // oauth2
    QUrl issuer; // OIDC / RFC 8414 discovery base
    QUrl tokenUrl; // explicit token endpoint (overrides discovery)
    QUrl deviceUrl; // device authorization endpoint
    QUrl revocationUrl;
    QString clientId;
    QString clientAuth; // "basic" | "post"; empty = basic
    QStringList scopes;
    QString audience;
    QUrl apiUrl;
    QString caFile; // PEM bundle that replaces the system CAs for this environment
    // oauth2 / static-token: export and exec also set the token in this variable, besides
    // TOKENTRAY_TOKEN ([A-Za-z_][A-Za-z0-9_]*)
    QString tokenVariable;

    // aws-assume-role / aws-access-key
    QString roleArn;
    QString sourceProfile; // profile name used as the source credentials
    QString region;
    QUrl stsEndpoint;
    int durationSeconds = 0; // 0 = the service default
    QString externalId;
    QString mfaSerial;
    QString sessionName;
    // A command that prints the current MFA one-time code (e.g. oathtool), run at each refresh
    // that needs one instead of asking a person.
    QString mfaProcess;
    QString sourceIdentity; // AssumeRole SourceIdentity, kept by AWS across role chains

    bool operator==(const Environment &other) const = default;
};

} // namespace TokenTray
