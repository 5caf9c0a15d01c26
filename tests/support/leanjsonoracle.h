#pragma once

// The reference for the lean CLI's JSON reader (app/cli/lean/leanjson): QJsonDocument's parse,
// with the agent reply's fields read by the same rules. tst_leanjson and fuzz_leanjson compare
// the two; header-only because the fuzz build has no test support library.

#include "app/cli/lean/leanjson.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <cmath>
#include <optional>
#include <string>

namespace LeanJsonOracle {

// UTF-8 of `text` with each unpaired surrogate as U+FFFD: what the lean reader makes of a lone
// "\ud800" (QString::toUtf8() would write '?').
inline std::string utf8(const QString &text)
{
    QString fixed;
    fixed.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            fixed += c;
            fixed += text.at(++i);
        } else if (c.isSurrogate()) {
            fixed += QChar(QChar::ReplacementCharacter);
        } else {
            fixed += c;
        }
    }
    return fixed.toUtf8().toStdString();
}

// `json` with a raw U+FEFF that opens a string written as the escape \ufeff, which means the
// same (RFC 8259). Qt 6.4 drops such a character from a string without escapes (it decodes
// those with a BOM-eating UTF-8 decoder, keys included); the lean reader keeps it, as it should.
inline QByteArray escapeLeadingByteOrderMarks(const QByteArray &json)
{
    static const QByteArray bom("\xEF\xBB\xBF");
    QByteArray out;
    out.reserve(json.size());
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        out += c;
        if (!inString) {
            if (c != '"')
                continue;
            inString = true;
            if (json.mid(i + 1, 3) == bom) {
                out += "\\ufeff";
                i += 3;
            }
        } else if (c == '\\' && i + 1 < json.size()) {
            out += json.at(++i);
        } else if (c == '"') {
            inString = false;
        }
    }
    return out;
}

// A number whose value is whole and within +-2^53, exactly as written.
inline bool wholeNumber(const QJsonValue &value, long long &out)
{
    constexpr qint64 kMax = qint64(1) << 53;
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    if (std::trunc(d) != d || std::fabs(d) > double(kMax))
        return false;
    const qint64 exact = value.toInteger(); // integers are kept exact, beyond a double's 2^53
    if (exact > kMax || exact < -kMax)
        return false;
    out = exact;
    return true;
}

inline bool stringMember(const QJsonObject &object, const char *name, std::string &out)
{
    const QJsonValue value = object.value(QLatin1String(name));
    if (value.isUndefined())
        return true;
    if (!value.isString())
        return false;
    out = utf8(value.toString());
    return true;
}

inline bool numberMember(const QJsonObject &object, const char *name, long long &out)
{
    const QJsonValue value = object.value(QLatin1String(name));
    return value.isUndefined() || wholeNumber(value, out);
}

// What parseAgentReply() should make of `json`; nullopt where it should refuse it.
inline std::optional<TokenTray::Lean::AgentReply> readAgentReply(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document
        = QJsonDocument::fromJson(escapeLeadingByteOrderMarks(json), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    TokenTray::Lean::AgentReply reply;
    const QJsonValue ok = object.value(QLatin1String("ok"));
    if (!ok.isUndefined() && !ok.isBool())
        return std::nullopt;
    reply.ok = ok.toBool(false);
    if (!numberMember(object, "v", reply.version) || !numberMember(object, "exit", reply.exitCode)
        || !stringMember(object, "stdout", reply.out) || !stringMember(object, "stderr", reply.err))
        return std::nullopt;
    const QJsonValue errorValue = object.value(QLatin1String("error"));
    if (!errorValue.isUndefined()) {
        if (!errorValue.isObject() || !stringMember(errorValue.toObject(), "code", reply.errorCode)
            || !stringMember(errorValue.toObject(), "message", reply.errorMessage))
            return std::nullopt;
    }
    return reply;
}

// Empty when `a` and `b` hold the same values, else which field differs.
inline QString difference(const TokenTray::Lean::AgentReply &a,
                          const TokenTray::Lean::AgentReply &b)
{
    if (a.version != b.version)
        return QStringLiteral("v: %1 != %2").arg(a.version).arg(b.version);
    if (a.ok != b.ok)
        return QStringLiteral("ok differs");
    if (a.exitCode != b.exitCode)
        return QStringLiteral("exit: %1 != %2").arg(a.exitCode).arg(b.exitCode);
    auto compare = [](const char *name, const std::string &x, const std::string &y) {
        return x == y ? QString()
                      : QLatin1String(name) + QStringLiteral(": ")
                + QString::fromLatin1(QByteArray::fromStdString(x).toHex()) + QStringLiteral(" != ")
                + QString::fromLatin1(QByteArray::fromStdString(y).toHex());
    };
    for (const QString &diff : {compare("stdout", a.out, b.out), compare("stderr", a.err, b.err),
                                compare("error.code", a.errorCode, b.errorCode),
                                compare("error.message", a.errorMessage, b.errorMessage)}) {
        if (!diff.isEmpty())
            return diff;
    }
    return {};
}

} // namespace LeanJsonOracle
