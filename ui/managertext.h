#pragma once

#include "core/model/kindrules.h"
#include "core/model/kinds.h"
#include "core/refresh/tokenstate.h"
#include "core/util/error.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace TokenTray {

// The manager window's words for what core computes, in one place: kinds, grants, field
// labels, states, unmet requirements and errors. Plain text, translated.
class ManagerText
{
    Q_DECLARE_TR_FUNCTIONS(ManagerText)
public:
    static QString kind(ProfileKind kind);
    static QString grant(Grant grant);
    // "OAuth 2.0 · client credentials", "AWS assume role"…
    static QString kindWithGrant(ProfileKind kind, Grant grant);
    static QString refreshPolicy(RefreshPolicy policy);

    static QString fieldLabel(EnvField field);
    // An example value shown in the empty field.
    static QString fieldPlaceholder(EnvField field);
    // "Client secret", "AWS secret access key"…
    static QString secretLabel(const QString &secretName);

    // "valid until 14:32" (today), "valid until 22/11/2026 09:15", "expired", "sign-in required"…
    static QString state(TokenState state, const QDateTime &expiresAt = QDateTime(),
                         const QDateTime &now = QDateTime::currentDateTimeUtc());
    // An instant in local time, without seconds; the date only when it is not `now`'s day.
    static QString instant(const QDateTime &at, const QDateTime &now);

    static QString requirement(Requirement requirement);
    // A profile or environment name that checkProfileName / checkEnvironmentName refused.
    static QString nameProblem(const Error &error, const QString &name, bool environment);
    // Any error of an edit, a keychain or the config file, as one or two sentences.
    static QString error(const Error &error);
    // The keychain stopped removing profile or environment `name` after some of its items were
    // gone: which are left (entries "<env>/<name>") and what to do.
    static QString partialRemoval(const Error &error, const QString &name,
                                  const QStringList &notRemoved);
};

} // namespace TokenTray
