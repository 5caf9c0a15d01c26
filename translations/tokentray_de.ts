<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>EnvFields</name>
    <message>
        <source>Client authentication</source>
        <translation>Client-Authentifizierung</translation>
    </message>
    <message>
        <source>HTTP Basic (client_secret_basic)</source>
        <translation>HTTP Basic (client_secret_basic)</translation>
    </message>
    <message>
        <source>In the request body (client_secret_post)</source>
        <translation>Im Anfrageinhalt (client_secret_post)</translation>
    </message>
    <message>
        <source>External ID</source>
        <translation>Externe ID</translation>
    </message>
    <message>
        <source>Protected (PROD)</source>
        <translation>Geschützt (PROD)</translation>
    </message>
    <message>
        <source>Protected (PROD): confirm before its tokens are copied, mark it in the tray</source>
        <translation>Geschützt (PROD): Kopieren der Tokens bestätigen lassen, im Infobereich kennzeichnen</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>Aussteller</translation>
    </message>
    <message>
        <source>https://login.example.com (discovers the endpoints)</source>
        <translation>https://login.example.com (ermittelt die Endpunkte)</translation>
    </message>
    <message>
        <source>Token URL</source>
        <translation>Token-URL</translation>
    </message>
    <message>
        <source>https://login.example.com/oauth2/token</source>
        <translation>https://login.example.com/oauth2/token</translation>
    </message>
    <message>
        <source>Device URL</source>
        <translation>Geräte-URL</translation>
    </message>
    <message>
        <source>https://login.example.com/oauth2/device</source>
        <translation>https://login.example.com/oauth2/device</translation>
    </message>
    <message>
        <source>Revocation URL</source>
        <translation>Widerrufs-URL</translation>
    </message>
    <message>
        <source>https://login.example.com/oauth2/revoke</source>
        <translation>https://login.example.com/oauth2/revoke</translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation>Client-ID</translation>
    </message>
    <message>
        <source>Scopes</source>
        <translation>Bereiche (Scopes)</translation>
    </message>
    <message>
        <source>space-separated, e.g. read write</source>
        <translation>durch Leerzeichen getrennt, z. B. read write</translation>
    </message>
    <message>
        <source>Audience</source>
        <translation>Zielgruppe (Audience)</translation>
    </message>
    <message>
        <source>Role ARN</source>
        <translation>Rollen-ARN</translation>
    </message>
    <message>
        <source>arn:aws:iam::123456789012:role/Name</source>
        <translation>arn:aws:iam::123456789012:role/Name</translation>
    </message>
    <message>
        <source>Source profile</source>
        <translation>Quellprofil</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>Region</translation>
    </message>
    <message>
        <source>e.g. eu-west-1</source>
        <translation>z. B. eu-west-1</translation>
    </message>
    <message>
        <source>STS endpoint</source>
        <translation>STS-Endpunkt</translation>
    </message>
    <message>
        <source>https://sts.eu-west-1.amazonaws.com</source>
        <translation>https://sts.eu-west-1.amazonaws.com</translation>
    </message>
    <message>
        <source>Session duration</source>
        <translation>Sitzungsdauer</translation>
    </message>
    <message>
        <source>MFA device ARN</source>
        <translation>MFA-Geräte-ARN</translation>
    </message>
    <message>
        <source>arn:aws:iam::123456789012:mfa/name</source>
        <translation>arn:aws:iam::123456789012:mfa/name</translation>
    </message>
    <message>
        <source>MFA code command</source>
        <translation>Befehl für den MFA-Code</translation>
    </message>
    <message>
        <source>optional, e.g. oathtool --totp -b KEY; else you are asked</source>
        <translation>optional, z. B. oathtool --totp -b SCHLÜSSEL; sonst werden Sie gefragt</translation>
    </message>
    <message>
        <source>Source identity</source>
        <translation>Quellidentität</translation>
    </message>
    <message>
        <source>Session name</source>
        <translation>Sitzungsname</translation>
    </message>
    <message>
        <source>2-64 characters, default: your user name</source>
        <translation>2–64 Zeichen, Standard: Ihr Benutzername</translation>
    </message>
    <message>
        <source>API URL</source>
        <translation>API-URL</translation>
    </message>
    <message>
        <source>https://api.example.com</source>
        <translation>https://api.example.com</translation>
    </message>
    <message>
        <source>CA certificates file</source>
        <translation>CA-Zertifikatsdatei</translation>
    </message>
    <message>
        <source>system certificates</source>
        <translation>Systemzertifikate</translation>
    </message>
    <message>
        <source>Token variable</source>
        <translation>Token-Variable</translation>
    </message>
    <message>
        <source>optional, e.g. API_TOKEN (besides TOKENTRAY_TOKEN)</source>
        <translation>optional, z. B. API_TOKEN (zusätzlich zu TOKENTRAY_TOKEN)</translation>
    </message>
</context>
<context>
    <name>ManagerText</name>
    <message>
        <source>OAuth 2.0</source>
        <translation>OAuth 2.0</translation>
    </message>
    <message>
        <source>AWS assume role</source>
        <translation>AWS-Rolle übernehmen</translation>
    </message>
    <message>
        <source>AWS access key</source>
        <translation>AWS-Zugriffsschlüssel</translation>
    </message>
    <message>
        <source>Static token</source>
        <translation>Statisches Token</translation>
    </message>
    <message>
        <source>Client credentials</source>
        <translation>Client-Anmeldedaten</translation>
    </message>
    <message>
        <source>Refresh token</source>
        <translation>Aktualisierungstoken</translation>
    </message>
    <message>
        <source>Device code (sign in in a browser)</source>
        <translation>Gerätecode (Anmeldung im Browser)</translation>
    </message>
    <message>
        <source>OAuth 2.0 · client credentials</source>
        <translation>OAuth 2.0 · Client-Anmeldedaten</translation>
    </message>
    <message>
        <source>OAuth 2.0 · refresh token</source>
        <translation>OAuth 2.0 · Aktualisierungstoken</translation>
    </message>
    <message>
        <source>OAuth 2.0 · device code</source>
        <translation>OAuth 2.0 · Gerätecode</translation>
    </message>
    <message>
        <source>When a tool asks (deferred)</source>
        <translation>Wenn ein Werkzeug danach fragt (verzögert)</translation>
    </message>
    <message>
        <source>Keep a token ready (eager)</source>
        <translation>Token bereithalten (vorausschauend)</translation>
    </message>
    <message>
        <source>Client secret</source>
        <translation>Client-Geheimnis</translation>
    </message>
    <message>
        <source>AWS access key ID</source>
        <translation>AWS-Zugriffsschlüssel-ID</translation>
    </message>
    <message>
        <source>AWS secret access key</source>
        <translation>Geheimer AWS-Zugriffsschlüssel</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>no token yet</source>
        <translation>noch kein Token</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>gültig</translation>
    </message>
    <message>
        <source>valid until %1</source>
        <translation>gültig bis %1</translation>
    </message>
    <message>
        <source>valid, renewal due</source>
        <translation>gültig, Erneuerung fällig</translation>
    </message>
    <message>
        <source>valid until %1, renewal due</source>
        <translation>gültig bis %1, Erneuerung fällig</translation>
    </message>
    <message>
        <source>about to expire</source>
        <translation>läuft bald ab</translation>
    </message>
    <message>
        <source>expires at %1</source>
        <translation>läuft bald ab (%1)</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>abgelaufen</translation>
    </message>
    <message>
        <source>refreshing…</source>
        <translation>wird erneuert …</translation>
    </message>
    <message>
        <source>refresh failed, retrying</source>
        <translation>Erneuerung fehlgeschlagen, neuer Versuch folgt</translation>
    </message>
    <message>
        <source>sign-in required</source>
        <translation>Anmeldung erforderlich</translation>
    </message>
    <message>
        <source>keychain locked</source>
        <translation>Schlüsselbund gesperrt</translation>
    </message>
    <message>
        <source>Enter a token URL or an issuer.</source>
        <translation>Geben Sie eine Token-URL oder einen Aussteller ein.</translation>
    </message>
    <message>
        <source>Enter the client ID.</source>
        <translation>Geben Sie die Client-ID ein.</translation>
    </message>
    <message>
        <source>The device code grant needs a device URL or an issuer.</source>
        <translation>Der Gerätecode-Ablauf benötigt eine Geräte-URL oder einen Aussteller.</translation>
    </message>
    <message>
        <source>Enter the ARN of the role to assume.</source>
        <translation>Geben Sie den ARN der zu übernehmenden Rolle ein.</translation>
    </message>
    <message>
        <source>Choose the profile whose credentials assume the role.</source>
        <translation>Wählen Sie das Profil, dessen Zugangsdaten die Rolle übernehmen.</translation>
    </message>
    <message>
        <source>This profile already has an environment of that name.</source>
        <translation>Dieses Profil hat bereits eine Umgebung mit diesem Namen.</translation>
    </message>
    <message>
        <source>A profile of that name already exists.</source>
        <translation>Ein Profil mit diesem Namen existiert bereits.</translation>
    </message>
    <message>
        <source>Enter a name.</source>
        <translation>Geben Sie einen Namen ein.</translation>
    </message>
    <message>
        <source>Use up to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or digit.</source>
        <translation>Verwenden Sie bis zu 64 Buchstaben, Ziffern, „.“, „_“ oder „-“, beginnend mit einem Buchstaben oder einer Ziffer.</translation>
    </message>
    <message>
        <source>The keychain is locked. Unlock it (for example by logging in to the desktop session) and try again; nothing was changed.</source>
        <translation>Der Schlüsselbund ist gesperrt. Entsperren Sie ihn (zum Beispiel durch Anmelden an der Desktop-Sitzung) und versuchen Sie es erneut; es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>The keychain locked while %1 was being removed. Not removed, or not confirmed: %2; its other keychain items are gone. %1 was kept: unlock the keychain and remove it again to finish.</source>
        <translation>Der Schlüsselbund wurde gesperrt, während %1 entfernt wurde. Nicht entfernt oder nicht bestätigt: %2; die übrigen Einträge im Schlüsselbund sind entfernt. %1 wurde behalten: Entsperren Sie den Schlüsselbund und entfernen Sie es erneut, um den Vorgang abzuschließen.</translation>
    </message>
    <message>
        <source>The keychain failed while %1 was being removed: %2. Not removed, or not confirmed: %3; its other keychain items are gone. %1 was kept: remove it again to finish.</source>
        <translation>Beim Entfernen von %1 ist der Schlüsselbund fehlgeschlagen: %2. Nicht entfernt oder nicht bestätigt: %3; die übrigen Einträge im Schlüsselbund sind entfernt. %1 wurde behalten: Entfernen Sie es erneut, um den Vorgang abzuschließen.</translation>
    </message>
    <message>
        <source>No keychain is available. TokenTray keeps secrets only in the system keychain (Secret Service, for example gnome-keyring or KWallet).</source>
        <translation>Es ist kein Schlüsselbund verfügbar. TokenTray speichert Geheimnisse ausschließlich im System-Schlüsselbund (Secret Service, zum Beispiel gnome-keyring oder KWallet).</translation>
    </message>
    <message>
        <source>The keychain did not answer in time. If it shows a prompt, answer it and try again.</source>
        <translation>Der Schlüsselbund hat nicht rechtzeitig geantwortet. Falls er eine Abfrage anzeigt, beantworten Sie diese und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The keychain failed: %1</source>
        <translation>Fehler im Schlüsselbund: %1</translation>
    </message>
    <message>
        <source>The configuration is read-only until its file is fixed: %1</source>
        <translation>Die Konfiguration ist schreibgeschützt, bis ihre Datei repariert ist: %1</translation>
    </message>
    <message>
        <source>The configuration could not be saved: %1</source>
        <translation>Die Konfiguration konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Something went wrong (%1).</source>
        <translation>Ein Fehler ist aufgetreten (%1).</translation>
    </message>
</context>
<context>
    <name>TokenTray::ActivityLog</name>
    <message>
        <source>Refreshed</source>
        <translation>Erneuert</translation>
    </message>
    <message>
        <source>Refresh failed</source>
        <translation>Erneuerung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Sign-in required</source>
        <translation>Anmeldung erforderlich</translation>
    </message>
    <message>
        <source>Switched</source>
        <translation>Gewechselt</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <source>Signed out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>TokenTray::ActivityLogView</name>
    <message>
        <source>TokenTray Activity</source>
        <translation>TokenTray-Aktivität</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
</context>
<context>
    <name>TokenTray::AppController</name>
    <message>
        <source>Copy a protected token?</source>
        <translation>Geschütztes Token kopieren?</translation>
    </message>
    <message>
        <source>%1 · %2 is a protected environment. Copy its token to the clipboard?</source>
        <translation>%1 · %2 ist eine geschützte Umgebung. Das Token in die Zwischenablage kopieren?</translation>
    </message>
    <message>
        <source>Sign-in required</source>
        <translation>Anmeldung erforderlich</translation>
    </message>
    <message>
        <source>%1 · %2 needs you to sign in again.</source>
        <translation>Für %1 · %2 müssen Sie sich erneut anmelden.</translation>
    </message>
    <message>
        <source>Token refresh failed</source>
        <translation>Token-Erneuerung fehlgeschlagen</translation>
    </message>
    <message>
        <source>%1 · %2: %3</source>
        <translation>%1 · %2: %3</translation>
    </message>
    <message>
        <source>Keychain locked</source>
        <translation>Schlüsselbund gesperrt</translation>
    </message>
    <message>
        <source>Unlock your keychain so that TokenTray can read and refresh tokens.</source>
        <translation>Entsperren Sie Ihren Schlüsselbund, damit TokenTray Tokens lesen und erneuern kann.</translation>
    </message>
    <message>
        <source>Clipboard cleared</source>
        <translation>Zwischenablage geleert</translation>
    </message>
    <message>
        <source>The copied token was removed from the clipboard.</source>
        <translation>Das kopierte Token wurde aus der Zwischenablage entfernt.</translation>
    </message>
    <message>
        <source>Could not copy the token</source>
        <translation>Das Token konnte nicht kopiert werden</translation>
    </message>
    <message>
        <source>Token copied</source>
        <translation>Token kopiert</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %2 — the clipboard is cleared in %n s.</source>
        <translation>
            <numerusform>%1 · %2 — die Zwischenablage wird in %n Sekunde geleert.</numerusform>
            <numerusform>%1 · %2 — die Zwischenablage wird in %n Sekunden geleert.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>TokenTray activity</source>
        <translation>TokenTray-Aktivität</translation>
    </message>
    <message>
        <source>Could not start the credential endpoint</source>
        <translation>Der Zugangsdaten-Endpunkt konnte nicht gestartet werden</translation>
    </message>
    <message>
        <source>credential endpoint on 127.0.0.1:%1</source>
        <translation>Zugangsdaten-Endpunkt auf 127.0.0.1:%1</translation>
    </message>
    <message>
        <source>Endpoint variables copied</source>
        <translation>Endpunkt-Variablen kopiert</translation>
    </message>
    <message>
        <source>%1 · %2 is served on 127.0.0.1:%3 until TokenTray quits.</source>
        <translation>%1 · %2 wird auf 127.0.0.1:%3 bereitgestellt, bis TokenTray beendet wird.</translation>
    </message>
    <message numerus="yes">
        <source>in %n min</source>
        <translation>
            <numerusform>in %n Min.</numerusform>
            <numerusform>in %n Min.</numerusform>
        </translation>
    </message>
    <message>
        <source>soon</source>
        <translation>bald</translation>
    </message>
    <message>
        <source>Credentials expire %1</source>
        <translation>Zugangsdaten laufen %1 ab</translation>
    </message>
    <message>
        <source>%1 · %2 can only be renewed with your MFA code: use Refresh now.</source>
        <translation>%1 · %2 lässt sich nur mit Ihrem MFA-Code erneuern: Jetzt erneuern wählen.</translation>
    </message>
</context>
<context>
    <name>TokenTray::EnvironmentForm</name>
    <message>
        <source>Edit environment %1 of %2</source>
        <translation>Umgebung %1 von %2 bearbeiten</translation>
    </message>
    <message>
        <source>Environments keep their name: their keychain items are filed under it. Duplicate the environment to get one with another name.</source>
        <translation>Umgebungen behalten ihren Namen, da ihre Schlüsselbundeinträge darunter abgelegt sind. Duplizieren Sie die Umgebung, um eine mit anderem Namen zu erhalten.</translation>
    </message>
    <message>
        <source>Add environment to %1</source>
        <translation>Umgebung zu %1 hinzufügen</translation>
    </message>
    <message>
        <source>e.g. PROD, QA, DEV</source>
        <translation>z. B. PROD, QA, DEV</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Secrets (kept in the system keychain)</source>
        <translation>Geheimnisse (im System-Schlüsselbund gespeichert)</translation>
    </message>
    <message>
        <source>(choose a profile)</source>
        <translation>(Profil auswählen)</translation>
    </message>
    <message>
        <source>service default</source>
        <translation>Standard des Dienstes</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen …</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM-Zertifikate (*.pem *.crt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>The profile was removed.</source>
        <translation>Das Profil wurde entfernt.</translation>
    </message>
    <message>
        <source>The environment was saved, but its secrets were not stored. %1 Type them again to retry.</source>
        <translation>Die Umgebung wurde gespeichert, ihre Geheimnisse jedoch nicht. %1 Geben Sie sie erneut ein, um es noch einmal zu versuchen.</translation>
    </message>
    <message>
        <source>Storing the secrets in the keychain…</source>
        <translation>Geheimnisse werden im Schlüsselbund gespeichert …</translation>
    </message>
</context>
<context>
    <name>TokenTray::ManagerWindow</name>
    <message>
        <source>Quit TokenTray</source>
        <translation>TokenTray beenden</translation>
    </message>
    <message>
        <source>The configuration could not be loaded, so TokenTray is read-only until it is fixed:
%1</source>
        <translation>Die Konfiguration konnte nicht geladen werden; TokenTray bleibt schreibgeschützt, bis sie repariert ist:
%1</translation>
    </message>
    <message>
        <source>Add profile…</source>
        <translation>Profil hinzufügen …</translation>
    </message>
    <message>
        <source>Add environment…</source>
        <translation>Umgebung hinzufügen …</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten …</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplizieren</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Entfernen …</translation>
    </message>
    <message>
        <source>Make current</source>
        <translation>Als aktuell festlegen</translation>
    </message>
    <message>
        <source>No profiles yet. Add one with &quot;Add profile…&quot;, then give it an environment such as PROD or QA.</source>
        <translation>Noch keine Profile. Fügen Sie mit „Profil hinzufügen …“ eines hinzu und geben Sie ihm dann eine Umgebung wie PROD oder QA.</translation>
    </message>
    <message>
        <source>Activate environment</source>
        <translation>Umgebung aktivieren</translation>
    </message>
    <message>
        <source>Profile %1 added. Add an environment to it next.</source>
        <translation>Profil %1 hinzugefügt. Fügen Sie ihm als Nächstes eine Umgebung hinzu.</translation>
    </message>
    <message>
        <source>Environment %1 added.</source>
        <translation>Umgebung %1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Changes saved.</source>
        <translation>Änderungen gespeichert.</translation>
    </message>
    <message>
        <source>Copied as %1. Secrets are not copied: enter them in its environments.</source>
        <translation>Als %1 kopiert. Geheimnisse werden nicht mitkopiert: Geben Sie sie in seinen Umgebungen ein.</translation>
    </message>
    <message>
        <source>Copied as %1. Secrets are not copied: enter them with Edit.</source>
        <translation>Als %1 kopiert. Geheimnisse werden nicht mitkopiert: Geben Sie sie über „Bearbeiten“ ein.</translation>
    </message>
    <message>
        <source>Remove the environment %1 of %2? Its secrets and cached tokens are deleted from the keychain.</source>
        <translation>Die Umgebung %1 von %2 entfernen? Ihre Geheimnisse und zwischengespeicherten Tokens werden aus dem Schlüsselbund gelöscht.</translation>
    </message>
    <message>
        <source>Remove the profile %1? Its secrets are deleted from the keychain.</source>
        <translation>Das Profil %1 entfernen? Seine Geheimnisse werden aus dem Schlüsselbund gelöscht.</translation>
    </message>
    <message>
        <source>Remove the profile %1 and its environments %2? Their secrets and cached tokens are deleted from the keychain.</source>
        <translation>Das Profil %1 und seine Umgebungen %2 entfernen? Deren Geheimnisse und zwischengespeicherten Tokens werden aus dem Schlüsselbund gelöscht.</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Removed %1 and its keychain items.</source>
        <translation>%1 und die zugehörigen Schlüsselbundeinträge wurden entfernt.</translation>
    </message>
    <message>
        <source>Deleting the keychain items of %1…</source>
        <translation>Schlüsselbundeinträge von %1 werden gelöscht …</translation>
    </message>
    <message>
        <source>Profiles</source>
        <translation>Profile</translation>
    </message>
</context>
<context>
    <name>TokenTray::MfaDialog</name>
    <message>
        <source>MFA code for %1</source>
        <translation>MFA-Code für %1</translation>
    </message>
    <message>
        <source>Enter the current code of your MFA device to renew the credentials of &lt;b&gt;%1&lt;/b&gt;.</source>
        <translation>Geben Sie den aktuellen Code Ihres MFA-Geräts ein, um die Zugangsdaten von &lt;b&gt;%1&lt;/b&gt; zu erneuern.</translation>
    </message>
    <message>
        <source>6 digits</source>
        <translation>6 Ziffern</translation>
    </message>
    <message>
        <source>Role:</source>
        <translation>Rolle:</translation>
    </message>
    <message>
        <source>MFA device:</source>
        <translation>MFA-Gerät:</translation>
    </message>
    <message>
        <source>Code:</source>
        <translation>Code:</translation>
    </message>
</context>
<context>
    <name>TokenTray::ProfileForm</name>
    <message>
        <source>&amp;Grant:</source>
        <translation>&amp;Grant-Typ:</translation>
    </message>
    <message>
        <source>e.g. work-api</source>
        <translation>z. B. work-api</translation>
    </message>
    <message>
        <source>Edit profile %1</source>
        <translation>Profil %1 bearbeiten</translation>
    </message>
    <message>
        <source>The kind cannot change once the profile has environments.</source>
        <translation>Die Art kann nicht mehr geändert werden, sobald das Profil Umgebungen hat.</translation>
    </message>
    <message>
        <source>Add profile</source>
        <translation>Profil hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Art:</translation>
    </message>
    <message>
        <source>&amp;Refresh:</source>
        <translation>&amp;Erneuerung:</translation>
    </message>
</context>
<context>
    <name>TokenTray::ProfileModel</name>
    <message>
        <source>Profile / environment</source>
        <translation>Profil / Umgebung</translation>
    </message>
    <message>
        <source>Kind / source</source>
        <translation>Art / Quelle</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Hinweise</translation>
    </message>
    <message>
        <source>no environments</source>
        <translation>keine Umgebungen</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>current profile</source>
        <translation>aktuelles Profil</translation>
    </message>
    <message>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>protected</source>
        <translation>geschützt</translation>
    </message>
</context>
<context>
    <name>TokenTray::SecretField</name>
    <message>
        <source>Reveal</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Show what is typed</source>
        <translation>Eingabe anzeigen</translation>
    </message>
    <message>
        <source>stored — leave empty to keep</source>
        <translation>gespeichert — zum Beibehalten leer lassen</translation>
    </message>
    <message>
        <source>not stored</source>
        <translation>nicht gespeichert</translation>
    </message>
</context>
<context>
    <name>TokenTray::SettingsDialog</name>
    <message>
        <source>Ask before copying a token of a protected environment</source>
        <translation>Vor dem Kopieren eines Tokens aus einer geschützten Umgebung nachfragen</translation>
    </message>
    <message>
        <source>Show notifications</source>
        <translation>Benachrichtigungen anzeigen</translation>
    </message>
    <message>
        <source>Start TokenTray when I log in</source>
        <translation>TokenTray beim Anmelden starten</translation>
    </message>
    <message>
        <source>TokenTray Settings</source>
        <translation>TokenTray-Einstellungen</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Nie</translation>
    </message>
    <message>
        <source>When a tool asks (deferred)</source>
        <translation>Wenn ein Werkzeug danach fragt (verzögert)</translation>
    </message>
    <message>
        <source>Before it expires (eager)</source>
        <translation>Vor dem Ablauf (vorausschauend)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>Clipboard</source>
        <translation>Zwischenablage</translation>
    </message>
    <message>
        <source>Clear copied tokens after:</source>
        <translation>Kopierte Tokens löschen nach:</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Refresh new profiles:</source>
        <translation>Erneuerung neuer Profile:</translation>
    </message>
    <message>
        <source>Requests at once, at most:</source>
        <translation>Gleichzeitige Anfragen (höchstens):</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Desktop</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>A new language is used after TokenTray restarts.</source>
        <translation>Eine neue Sprache wird nach einem Neustart von TokenTray verwendet.</translation>
    </message>
    <message>
        <source>Kept in profiles.json, which cannot be changed now.</source>
        <translation>Wird in profiles.json gespeichert, das derzeit nicht geändert werden kann.</translation>
    </message>
    <message>
        <source>The number of requests at once was not saved: %1</source>
        <translation>Die Anzahl gleichzeitiger Anfragen wurde nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>The login autostart entry was not changed: %1</source>
        <translation>Der Autostart-Eintrag wurde nicht geändert: %1</translation>
    </message>
</context>
<context>
    <name>TokenTray::SignInDialog</name>
    <message>
        <source>Open browser</source>
        <translation>Browser öffnen</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>Code kopieren</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Sign in to %1</source>
        <translation>Bei %1 anmelden</translation>
    </message>
    <message>
        <source>Open the sign-in page in a browser and enter this code:</source>
        <translation>Öffnen Sie die Anmeldeseite in einem Browser und geben Sie diesen Code ein:</translation>
    </message>
    <message>
        <source>Contacting the sign-in service…</source>
        <translation>Anmeldedienst wird kontaktiert …</translation>
    </message>
    <message>
        <source>The sign-in service asked to be checked less often. Still waiting for approval…</source>
        <translation>Der Anmeldedienst hat darum gebeten, seltener nachzufragen. Es wird weiter auf die Freigabe gewartet …</translation>
    </message>
    <message>
        <source>The sign-in service could not be reached; trying again. The code expires at %1.</source>
        <translation>Der Anmeldedienst ist nicht erreichbar; neuer Versuch läuft. Der Code ist bis %1 gültig.</translation>
    </message>
    <message>
        <source>Waiting for approval in the browser. The code expires at %1.</source>
        <translation>Warten auf die Freigabe im Browser. Der Code ist bis %1 gültig.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>The sign-in was denied.</source>
        <translation>Die Anmeldung wurde abgelehnt.</translation>
    </message>
    <message>
        <source>The code expired before the sign-in was approved. Close this window and try again.</source>
        <translation>Der Code ist abgelaufen, bevor die Anmeldung freigegeben wurde. Schließen Sie dieses Fenster und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The keychain is locked. Unlock it and try again; nothing was changed.</source>
        <translation>Der Schlüsselbund ist gesperrt. Entsperren Sie ihn und versuchen Sie es erneut; es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>No keychain is available, so the sign-in cannot be stored.</source>
        <translation>Es ist kein Schlüsselbund verfügbar, daher kann die Anmeldung nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>The sign-in service could not be reached: %1</source>
        <translation>Der Anmeldedienst ist nicht erreichbar: %1</translation>
    </message>
    <message>
        <source>The profile or environment was removed while signing in.</source>
        <translation>Das Profil oder die Umgebung wurde während der Anmeldung entfernt.</translation>
    </message>
    <message>
        <source>The sign-in failed: %1</source>
        <translation>Die Anmeldung ist fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>TokenTray::TokenInspector</name>
    <message>
        <source>Reveal</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>JWT header and claims (not verified)</source>
        <translation>JWT-Header und -Claims (nicht geprüft)</translation>
    </message>
    <message>
        <source>Verify with the provider</source>
        <translation>Beim Anbieter prüfen</translation>
    </message>
    <message>
        <source>Token of %1</source>
        <translation>Token von %1</translation>
    </message>
    <message>
        <source>Hidden: click Reveal to show it</source>
        <translation>Verborgen: Klicken Sie auf „Anzeigen“, um es einzublenden</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Token type:</source>
        <translation>Tokentyp:</translation>
    </message>
    <message>
        <source>Scopes:</source>
        <translation>Bereiche (Scopes):</translation>
    </message>
    <message>
        <source>Issued:</source>
        <translation>Ausgestellt:</translation>
    </message>
    <message>
        <source>Expires:</source>
        <translation>Läuft ab:</translation>
    </message>
    <message>
        <source>Access token:</source>
        <translation>Zugriffstoken:</translation>
    </message>
    <message>
        <source>Asks the provider&apos;s introspection endpoint whether it still accepts this token.</source>
        <translation>Fragt den Introspection-Endpunkt des Anbieters, ob er dieses Token noch akzeptiert.</translation>
    </message>
    <message>
        <source>No token yet</source>
        <translation>Noch kein Token</translation>
    </message>
    <message>
        <source>Fresh</source>
        <translation>Gültig</translation>
    </message>
    <message>
        <source>Valid, refresh due soon</source>
        <translation>Gültig, Erneuerung bald fällig</translation>
    </message>
    <message>
        <source>About to expire</source>
        <translation>Läuft bald ab</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>Refreshing</source>
        <translation>Wird erneuert</translation>
    </message>
    <message>
        <source>Refresh failed; retrying</source>
        <translation>Erneuerung fehlgeschlagen; neuer Versuch folgt</translation>
    </message>
    <message>
        <source>Sign-in required</source>
        <translation>Anmeldung erforderlich</translation>
    </message>
    <message>
        <source>Keychain locked</source>
        <translation>Schlüsselbund gesperrt</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message numerus="yes">
        <source>in %n s</source>
        <translation>
            <numerusform>in %n s</numerusform>
            <numerusform>in %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation>
            <numerusform>vor %n s</numerusform>
            <numerusform>vor %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>in %n min</source>
        <translation>
            <numerusform>in %n min</numerusform>
            <numerusform>in %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n min</numerusform>
            <numerusform>vor %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>in %n h</source>
        <translation>
            <numerusform>in %n Std.</numerusform>
            <numerusform>in %n Std.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>vor %n Std.</numerusform>
            <numerusform>vor %n Std.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>in %n days</source>
        <translation>
            <numerusform>in %n Tag</numerusform>
            <numerusform>in %n Tagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n days ago</source>
        <translation>
            <numerusform>vor %n Tag</numerusform>
            <numerusform>vor %n Tagen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <extracomment>%1 is a local date and time, %2 how far it is from now (&quot;in 5 min&quot;)</extracomment>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>(none stated)</source>
        <translation>(keine angegeben)</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>No token</source>
        <translation>Kein Token</translation>
    </message>
    <message>
        <source>There is no access token to decode.</source>
        <translation>Es gibt kein Zugriffstoken zum Dekodieren.</translation>
    </message>
    <message>
        <source>This access token is not a JWT: only the provider can say what it stands for (use Verify).</source>
        <translation>Dieses Zugriffstoken ist kein JWT: Nur der Anbieter kann sagen, wofür es steht (verwenden Sie „Beim Anbieter prüfen“).</translation>
    </message>
    <message>
        <source>Decoded without checking the signature. NOT VERIFIED: anyone can write a token that shows these claims.</source>
        <translation>Ohne Prüfung der Signatur dekodiert. NICHT GEPRÜFT: Jeder kann ein Token erstellen, das diese Claims enthält.</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Verbergen</translation>
    </message>
    <message>
        <source>Asking the provider…</source>
        <translation>Anbieter wird gefragt …</translation>
    </message>
    <message>
        <source>Could not verify: %1</source>
        <translation>Prüfung nicht möglich: %1</translation>
    </message>
    <message>
        <source>Active: the provider accepts this token.</source>
        <translation>Aktiv: Der Anbieter akzeptiert dieses Token.</translation>
    </message>
    <message>
        <source>Inactive: the provider no longer accepts this token.</source>
        <translation>Inaktiv: Der Anbieter akzeptiert dieses Token nicht mehr.</translation>
    </message>
    <message>
        <source>AWS keys %1</source>
        <translation>AWS-Schlüssel %1</translation>
    </message>
    <message>
        <source>Active: AWS knows these keys as %1.</source>
        <translation>Aktiv: AWS kennt diese Schlüssel als %1.</translation>
    </message>
</context>
<context>
    <name>TokenTray::TrayController</name>
    <message>
        <source>Not switched</source>
        <translation>Nicht gewechselt</translation>
    </message>
    <message>
        <source>Open manager…</source>
        <translation>Verwaltung öffnen …</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message numerus="yes">
        <source>expires in %n min</source>
        <translation>
            <numerusform>läuft in %n Minute ab</numerusform>
            <numerusform>läuft in %n Minuten ab</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>expires in %n s</source>
        <translation>
            <numerusform>läuft in %n Sekunde ab</numerusform>
            <numerusform>läuft in %n Sekunden ab</numerusform>
        </translation>
    </message>
    <message>
        <source>TokenTray: the configuration cannot be read</source>
        <translation>TokenTray: Die Konfiguration kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>TokenTray: no profiles yet</source>
        <translation>TokenTray: noch keine Profile</translation>
    </message>
    <message>
        <source>TokenTray
%1: no environments</source>
        <translation>TokenTray
%1: keine Umgebungen</translation>
    </message>
    <message>
        <source>TokenTray
%1 · %2 · %3</source>
        <translation>TokenTray
%1 · %2 · %3</translation>
    </message>
    <message>
        <source>Configuration error — open the manager for details</source>
        <translation>Konfigurationsfehler — Details in der Verwaltung</translation>
    </message>
    <message>
        <source>No profiles yet</source>
        <translation>Noch keine Profile</translation>
    </message>
    <message>
        <source>Other profiles</source>
        <translation>Andere Profile</translation>
    </message>
    <message>
        <source>Activity log…</source>
        <translation>Aktivitätsprotokoll …</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen …</translation>
    </message>
    <message>
        <source>%1 (protected) — %2</source>
        <translation>%1 (geschützt) — %2</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Copy token</source>
        <translation>Token kopieren</translation>
    </message>
    <message>
        <source>Refresh now</source>
        <translation>Jetzt erneuern</translation>
    </message>
    <message>
        <source>Inspect token…</source>
        <translation>Token untersuchen …</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Anmelden …</translation>
    </message>
    <message>
        <source>Copy AWS variables</source>
        <translation>AWS-Variablen kopieren</translation>
    </message>
    <message>
        <source>Copy endpoint variables</source>
        <translation>Endpunkt-Variablen kopieren</translation>
    </message>
    <message>
        <source>Serves this profile&apos;s credentials on 127.0.0.1 to SDKs and tools; copies the two variables they read</source>
        <translation>Stellt die Zugangsdaten dieses Profils auf 127.0.0.1 für SDKs und Werkzeuge bereit; kopiert die beiden Variablen, die sie lesen</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Keeps API tokens and cloud credentials fresh for every tool on the desktop.</source>
        <translation>Hält API-Tokens und Cloud-Zugangsdaten für alle Werkzeuge auf dem Desktop aktuell.</translation>
    </message>
    <message>
        <source>Configuration directory.</source>
        <translation>Konfigurationsverzeichnis.</translation>
    </message>
    <message>
        <source>Diagnostic log (secrets redacted).</source>
        <translation>Diagnoseprotokoll (Geheimnisse geschwärzt).</translation>
    </message>
    <message>
        <source>Run as a headless agent, without widgets or a display.</source>
        <translation>Als Agent ohne Oberfläche und ohne Bildschirm laufen.</translation>
    </message>
    <message>
        <source>Start with a local demo authority and demo profiles in a throw-away configuration.</source>
        <translation>Mit einem lokalen Demo-Autorisierungsserver und Demo-Profilen in einer Wegwerf-Konfiguration starten.</translation>
    </message>
    <message>
        <source>TokenTray demo</source>
        <translation>TokenTray-Demo</translation>
    </message>
    <message>
        <source>The demo could not start: %1</source>
        <translation>Die Demo konnte nicht gestartet werden: %1</translation>
    </message>
</context>
</TS>
