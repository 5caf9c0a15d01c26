<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>TokenTray::ManagerWindow</name>
    <message>
        <source>TokenTray</source>
        <translation>TokenTray</translation>
    </message>
    <message>
        <source>Profile / environment</source>
        <translation>Profil / Umgebung</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Quit TokenTray</source>
        <translation>TokenTray beenden</translation>
    </message>
    <message>
        <source>No profiles yet. Add one with: tokentray-cli profile add NAME --kind oauth2</source>
        <translation>Noch keine Profile. Eines anlegen mit: tokentray-cli profile add NAME --kind oauth2</translation>
    </message>
    <message>
        <source>Profiles are managed with tokentray-cli in this version.</source>
        <translation>Profile werden in dieser Version mit tokentray-cli verwaltet.</translation>
    </message>
    <message>
        <source>current</source>
        <translation>aktuell</translation>
    </message>
    <message>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>protected</source>
        <translation>geschützt</translation>
    </message>
    <message>
        <source>The configuration could not be loaded, so TokenTray is read-only until it is fixed:
%1</source>
        <translation>Die Konfiguration konnte nicht geladen werden; TokenTray bleibt schreibgeschützt, bis sie repariert ist:
%1</translation>
    </message>
</context>
<context>
    <name>TokenTray::TrayController</name>
    <message>
        <source>No profiles</source>
        <translation>Keine Profile</translation>
    </message>
    <message>
        <source>Open manager…</source>
        <translation>Verwaltung öffnen …</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>TokenTray</source>
        <translation>TokenTray</translation>
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
        <source>No profiles</source>
        <translation>Keine Profile</translation>
    </message>
    <message>
        <source>Configuration error</source>
        <translation>Konfigurationsfehler</translation>
    </message>
</context>
</TS>
