#pragma once

// A fake AWS STS on the loopback server, for tests, the demo and other processes' tests (through
// tokentray-test-sts): verifies every request's SigV4 signature the way STS does, issues
// temporary credentials it remembers (so they can sign a chained AssumeRole), enforces
// DurationSeconds, MFA and ExternalId per role, answers GetCallerIdentity, and injects faults.
// Answers use the real STS XML shapes and error codes.

#include "core/demo/loopbackhttpserver.h"

#include <QDateTime>
#include <QHash>
#include <QObject>

#include <deque>
#include <memory>
#include <optional>
#include <variant>

namespace TokenTray {

class Clock;

class FakeSts final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeSts)
public:
    struct Options
    {
        QString accountId = QStringLiteral("123456789012");
        QString region; // accept only this signing region; empty: any
        int forcedDurationSeconds = 0; // > 0: issued credentials last this long, whatever asked
        int maxSkewSeconds = 300; // as STS: x-amz-date within 5 minutes of the server's time
        bool acceptAnyRole = false; // assume roles that were never added (no MFA, no ExternalId)
        const Clock *clock = nullptr; // the server's time; nullptr: the system clock
    };

    struct Role
    {
        QString arn;
        QString mfaSerial; // SerialNumber required when set ...
        QString mfaCode; // ... with this TokenCode
        QString externalId; // ExternalId required when set
        int maxSessionSeconds = 43200;
    };

    enum class Fault {
        Throttling, // 400 Throttling "Rate exceeded", with Retry-After
        ServerError, // 500 InternalFailure
        MalformedXml, // 200 with a truncated document
        Slow, // the normal answer, after delayMs
        AccessDenied, // 403 AccessDenied
        ExpiredToken, // 400 ExpiredToken
    };

    explicit FakeSts(const Options &options, QObject *parent = nullptr);
    ~FakeSts() override;

    bool listen();
    [[nodiscard]] QUrl url() const { return m_server.url(QStringLiteral("/")); }
    [[nodiscard]] LoopbackHttpServer &server() { return m_server; }

    // Long-term keys STS accepts (AKIA…). `userArn` defaults to arn:aws:iam::<account>:user/<id>.
    void addAccessKey(const QString &accessKeyId, const QString &secretAccessKey,
                      const QString &userArn = QString());
    void addRole(const Role &role);

    // Faults apply to the next requests, one each, in order, before anything is verified
    // (Slow: the request is then handled normally).
    void injectFault(Fault fault, int delayMs = 0, int retryAfterSeconds = 1);
    [[nodiscard]] static std::optional<Fault> faultFromName(const QString &name);

    [[nodiscard]] int requestCount(const QString &action = QString()) const;
    [[nodiscard]] int rejectedCount() const { return m_rejected; }
    // Decoded form fields of the last request (whatever its outcome).
    [[nodiscard]] QHash<QString, QString> lastForm() const { return m_lastForm; }
    // The STS error code of the last request, empty when it succeeded.
    [[nodiscard]] QString lastErrorCode() const { return m_lastErrorCode; }
    [[nodiscard]] QString lastSigningRegion() const { return m_lastRegion; }
    [[nodiscard]] bool isIssued(const QString &accessKeyId) const
    {
        return m_temporary.contains(accessKeyId);
    }
    [[nodiscard]] QDateTime expiryOf(const QString &accessKeyId) const;

private:
    struct Caller
    {
        QString accessKeyId;
        QString arn;
        QString userId;
        bool temporary = false;
    };
    struct Temporary
    {
        QString secret;
        QString sessionToken;
        QDateTime expiry;
        QString arn; // assumed-role ARN
        QString roleId;
    };
    struct PendingFault
    {
        Fault fault;
        int delayMs;
        int retryAfterSeconds;
    };

    ScriptedReply handle(const RecordedRequest &request);
    ScriptedReply control(const RecordedRequest &request);
    ScriptedReply stats() const;
    ScriptedReply assumeRole(const Caller &caller, const QHash<QString, QString> &form);
    ScriptedReply callerIdentity(const Caller &caller) const;
    // The caller when the request is authentic, else the STS error to answer with.
    std::variant<Caller, ScriptedReply> authenticate(const RecordedRequest &request);
    ScriptedReply error(int status, const QString &code, const QString &message,
                        const QString &type = QStringLiteral("Sender"));
    ScriptedReply xmlReply(int status, const QByteArray &body) const;
    [[nodiscard]] QDateTime now() const;

    Options m_options;
    std::unique_ptr<Clock> m_ownClock;
    LoopbackHttpServer m_server;
    QHash<QString, std::pair<QString, QString>> m_longTerm; // id -> (secret, user ARN)
    QHash<QString, Temporary> m_temporary;
    QHash<QString, Role> m_roles;
    std::deque<PendingFault> m_faults;
    QHash<QString, int> m_actionCounts;
    QHash<QString, QString> m_lastForm;
    QString m_lastErrorCode;
    QString m_lastRegion;
    int m_requests = 0;
    int m_rejected = 0;
};

} // namespace TokenTray
