#pragma once

// The table of environment fields: one row per user-settable member of Environment, read by
// the JSON codec, the CLI's options and help, the per-kind rules and validation. Adding a plain
// field is one row here.

#include "core/model/environment.h"
#include "core/model/kinds.h"
#include "core/util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace TokenTray {

// One user-settable field of Environment.
enum class EnvField {
    Protected,
    Issuer,
    TokenUrl,
    DeviceUrl,
    RevocationUrl,
    ClientId,
    ClientAuth,
    Scopes,
    Audience,
    RoleArn,
    SourceProfile,
    Region,
    StsEndpoint,
    Duration,
    ExternalId,
    MfaSerial,
    SessionName,
    MfaProcess,
    SourceIdentity,
    ApiUrl,
    CaFile,
    TokenVariable,
    // Not a field: how many there are. New fields go above.
    Count,
};

inline constexpr int kEnvFieldCount = static_cast<int>(EnvField::Count);

// How a field's value is typed, parsed and checked.
enum class FieldType {
    Flag, // bool; the CLI option sets it, "un" + option clears it
    Text, // QString, optionally checked by the row's textCheck
    Url, // QUrl, an endpoint (validateEndpointUrl)
    Words, // QStringList, space-separated on the command line
    Seconds, // int, 0 = the service default (validateDurationSeconds)
    Choice, // QString, one of the row's choices
    File, // QString, a readable file; the CLI stores its absolute path
    ProfileName, // QString, another profile's name (checked against the config)
};

using FieldMember = std::variant<bool Environment::*, QString Environment::*, QUrl Environment::*,
                                 QStringList Environment::*, int Environment::*>;

// Bit set of ProfileKinds.
using KindSet = unsigned;
constexpr KindSet kindBit(ProfileKind kind)
{
    return 1U << static_cast<unsigned>(kind);
}

struct EnvFieldSpec
{
    EnvField id = EnvField::Protected;
    FieldType type = FieldType::Text;
    FieldMember member = {};
    QString jsonKey = {}; // key in profiles.json
    QString option = {}; // CLI option, without "--"
    QString valueName = {}; // CLI help placeholder ("URL"); empty for flags
    QString help = {}; // CLI help text
    QString negationHelp = {}; // Flag rows: CLI help of "un" + option
    QString name = {}; // plain name in messages and `profile show` ("token URL")
    QString example = {}; // a valid CLI value (tests set every field with it)
    KindSet kinds = 0; // the kinds it applies to; the others leave it empty
    KindSet requiredFor = 0; // kinds that need it set on its own
    std::optional<Grant> exemptGrant = {}; // a grant under which it is not required
    Result<void> (*textCheck)(const QString &) = nullptr; // Text rows: a non-empty value
    QStringList choices = {}; // Choice rows
    // The manager's texts, translated where shown (context kEnvFieldsContext).
    const char *label = nullptr; // the form's label
    const char *hint = nullptr; // a line edit's placeholder, a flag's check box text
    QList<const char *> choiceLabels = {}; // Choice rows: the text of each choice
    int maximum = 0; // Seconds rows: the largest value the form offers, and its step
    int step = 1;
    bool masked = false; // `profile show` says "(set)" instead of the value
};

// The translation context of the table's labels, hints and choice texts.
inline constexpr char kEnvFieldsContext[] = "EnvFields";

// Every field in display order (the forms and `profile show` list them this way).
const QList<EnvFieldSpec> &envFieldTable();
const EnvFieldSpec &envFieldSpec(EnvField field);

// The CLI options that set the field: the option, and for flags also "un" + option.
QStringList envFieldOptions(const EnvFieldSpec &spec);
// Every field's CLI options, in table order (flags' "un" options only with withNegations).
QStringList allEnvFieldOptions(bool withNegations);

// Sets the field from a CLI option's text (an empty text clears it). Errors name the option.
Result<void> applyEnvFieldOption(const EnvFieldSpec &spec, const QString &option,
                                 const QString &text, Environment *env);
// The value as text a person types (URLs as typed, words space-separated); empty when unset.
QString envFieldText(const EnvFieldSpec &spec, const Environment &env);
// Sets the field from such a text without checking it (validateEnvFieldValue says what is
// wrong); an empty text clears it.
void setEnvFieldText(const EnvFieldSpec &spec, const QString &text, Environment *env);
// The value as `profile show` prints it; empty when unset.
QString envFieldDisplay(const EnvFieldSpec &spec, const Environment &env);
// Checks the field's value on its own; an empty value is always fine.
Result<void> validateEnvFieldValue(const EnvFieldSpec &spec, const Environment &env);

// Typed access to the member a row names (the type must match the row's member).
template<typename T> const T &envFieldValue(const EnvFieldSpec &spec, const Environment &env)
{
    return env.*std::get<T Environment::*>(spec.member);
}
template<typename T> T &envFieldValue(const EnvFieldSpec &spec, Environment &env)
{
    return env.*std::get<T Environment::*>(spec.member);
}

} // namespace TokenTray
