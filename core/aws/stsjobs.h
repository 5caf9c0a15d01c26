#pragma once

// AWS STS calls as jobs (DESIGN §7): AssumeRole and GetCallerIdentity, form POSTs signed with
// SigV4 over HttpJob.

#include "core/aws/awskeys.h"
#include "core/aws/stsresponse.h"
#include "core/net/httpjob.h"
#include "core/util/job.h"
#include "core/util/result.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;

namespace TokenTray {

class Clock;

struct AssumeRoleParams
{
    QString roleArn;
    QString sessionName; // 2–64 characters of [\w+=,.@-]
    int durationSeconds = 0; // 0: STS's default (one hour); else 900–43200
    QString externalId;
    QString sourceIdentity;
    QString serialNumber; // MFA device; tokenCode is then required
    Secret tokenCode; // the 6-digit one-time code
};

// `override` when set; else https://sts.<region>.amazonaws.com/ (.amazonaws.com.cn for cn-
// regions), us-east-1 when no region is given.
QUrl stsEndpointFor(const QString &region, const QUrl &override);

// "tokentray-<user name>" with only [\w+=,.@-] kept, at most 64 characters; "tokentray" when
// the user name gives nothing usable.
QString defaultRoleSessionName();
QString roleSessionNameForUser(const QString &userName);

// The form field list of an AssumeRole request (Action, Version, RoleArn, ...), in the order
// sent. Holds the MFA code when there is one.
QList<std::pair<QString, QString>> assumeRoleFields(const AssumeRoleParams &params);

// A POST of `fields` to the STS `endpoint`, SigV4-signed (service "sts", `region`) with
// `source` at `time`. The caller connects finished() and starts it.
HttpJob *makeSignedStsPost(QNetworkAccessManager *nam, const QUrl &endpoint, const QString &region,
                           const QList<std::pair<QString, QString>> &fields, const AwsKeys &source,
                           const QDateTime &time, const HttpPolicy &policy, QObject *parent);

class AssumeRoleJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AssumeRoleJob)
public:
    AssumeRoleJob(QNetworkAccessManager *nam, const Clock *clock, const QUrl &endpoint,
                  const QString &region, const AssumeRoleParams &params, const AwsKeys &source,
                  const HttpPolicy &policy, QObject *parent = nullptr);
    ~AssumeRoleJob() override;

    [[nodiscard]] const Result<StsCredentials> &result() const { return m_result; }
    // When the request was signed and sent (the expiry STS reports is absolute; this is for
    // callers that track clock skew).
    [[nodiscard]] QDateTime sentAt() const { return m_sentAt; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void finish(const Result<StsCredentials> &result);

    QNetworkAccessManager *m_nam;
    const Clock *m_clock;
    QUrl m_endpoint;
    QString m_region;
    AssumeRoleParams m_params;
    AwsKeys m_source;
    HttpPolicy m_policy;
    QPointer<HttpJob> m_http;
    QDateTime m_sentAt;
    Result<StsCredentials> m_result = StsCredentials();
};

class CallerIdentityJob final : public Job
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallerIdentityJob)
public:
    CallerIdentityJob(QNetworkAccessManager *nam, const Clock *clock, const QUrl &endpoint,
                      const QString &region, const AwsKeys &source, const HttpPolicy &policy,
                      QObject *parent = nullptr);
    ~CallerIdentityJob() override;

    [[nodiscard]] const Result<CallerIdentity> &result() const { return m_result; }
    [[nodiscard]] QDateTime sentAt() const { return m_sentAt; }

protected:
    void doStart() override;
    void doCancel() override;

private:
    void finish(const Result<CallerIdentity> &result);

    QNetworkAccessManager *m_nam;
    const Clock *m_clock;
    QUrl m_endpoint;
    QString m_region;
    AwsKeys m_source;
    HttpPolicy m_policy;
    QPointer<HttpJob> m_http;
    QDateTime m_sentAt;
    Result<CallerIdentity> m_result = CallerIdentity();
};

} // namespace TokenTray
