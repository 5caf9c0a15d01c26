// The environment field table: every row is checked through the JSON codec, the CLI's options
// and validation, so a new row is tested without a new test.
#include "core/cli/commandline.h"
#include "core/model/envfields.h"
#include "core/model/kindrules.h"
#include "core/store/configcodec.h"

#include <QJsonArray>
#include <QSet>
#include <QTemporaryFile>
#include <QTest>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::EnvField)

namespace {

const QList<ProfileKind> kKinds = {ProfileKind::OAuth2, ProfileKind::AwsAssumeRole,
                                   ProfileKind::AwsAccessKey, ProfileKind::StaticToken};

Environment named()
{
    Environment env;
    env.name = QStringLiteral("dev");
    return env;
}

ProfileKind firstKind(const EnvFieldSpec &spec)
{
    for (ProfileKind kind : kKinds) {
        if (spec.kinds & kindBit(kind))
            return kind;
    }
    return ProfileKind::OAuth2;
}

Config configWith(const EnvFieldSpec &spec, const Environment &env)
{
    Profile profile;
    profile.id = QStringLiteral("id-1");
    profile.name = QStringLiteral("p");
    profile.kind = firstKind(spec);
    profile.grant = defaultGrant(profile.kind);
    profile.environments << env;
    Config config;
    config.profiles << profile;
    return config;
}

} // namespace

class tst_EnvFields : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyFieldHasOneRow();
    void namesAreUnique();
    void rows_data();
    void kindsAndRequirements();
    void kindsAndRequirements_data() { rows_data(); }
    void jsonRoundTrip();
    void jsonRoundTrip_data() { rows_data(); }
    void jsonTypeErrorNamesPath();
    void jsonTypeErrorNamesPath_data() { rows_data(); }
    void cliRoundTrip();
    void cliRoundTrip_data() { rows_data(); }
    void validation();
    void validation_data() { rows_data(); }

private:
    // The row's example as the CLI would receive it; a file row gets a readable file.
    QString example(const EnvFieldSpec &spec) const;
    // A fresh environment with only the row's field set from its example.
    Environment exampleEnvironment(const EnvFieldSpec &spec) const;

    QTemporaryFile m_file;
};

void tst_EnvFields::initTestCase()
{
    QVERIFY(m_file.open());
    QVERIFY(m_file.write("-----BEGIN CERTIFICATE-----\n") > 0);
    m_file.flush();
}

QString tst_EnvFields::example(const EnvFieldSpec &spec) const
{
    return spec.type == FieldType::File ? m_file.fileName() : spec.example;
}

Environment tst_EnvFields::exampleEnvironment(const EnvFieldSpec &spec) const
{
    Environment env;
    env.name = QStringLiteral("dev");
    const auto r = applyEnvFieldOption(spec, spec.option, example(spec), &env);
    if (!r)
        qWarning() << spec.option << r.error().detail;
    return env;
}

void tst_EnvFields::everyFieldHasOneRow()
{
    QCOMPARE(envFieldTable().size(), kEnvFieldCount);
    for (int i = 0; i < kEnvFieldCount; ++i) {
        const auto field = static_cast<EnvField>(i);
        int rows = 0;
        for (const EnvFieldSpec &spec : envFieldTable())
            rows += spec.id == field ? 1 : 0;
        QCOMPARE(rows, 1);
        QCOMPARE(envFieldSpec(field).id, field);
    }
}

void tst_EnvFields::namesAreUnique()
{
    QSet<QString> names;
    QSet<QString> labels;
    QSet<QString> options;
    QSet<QString> keys {QStringLiteral("name")}; // the environment's own key
    for (const EnvFieldSpec &spec : envFieldTable()) {
        QVERIFY2(!spec.name.isEmpty(), qPrintable(spec.option));
        QVERIFY2(!spec.help.isEmpty(), qPrintable(spec.option));
        QVERIFY2(!spec.jsonKey.isEmpty(), qPrintable(spec.name));
        QVERIFY2(!names.contains(spec.name), qPrintable(spec.name));
        QVERIFY2(!keys.contains(spec.jsonKey), qPrintable(spec.jsonKey));
        names << spec.name;
        // The manager's label (translated where shown) and the form's pieces of the row's type.
        QVERIFY2(spec.label && *spec.label, qPrintable(spec.name));
        QVERIFY2(!labels.contains(QLatin1String(spec.label)), spec.label);
        labels << QLatin1String(spec.label);
        QCOMPARE(spec.choiceLabels.size(), spec.choices.size());
        QCOMPARE(spec.type == FieldType::Choice, !spec.choices.isEmpty());
        if (spec.type == FieldType::Flag)
            QVERIFY2(spec.hint && !spec.negationHelp.isEmpty(), qPrintable(spec.name));
        if (spec.type == FieldType::Seconds)
            QVERIFY(spec.example.toInt() > 0 && spec.example.toInt() <= spec.maximum);
        keys << spec.jsonKey;
        for (const QString &option : envFieldOptions(spec)) {
            QVERIFY2(!option.isEmpty() && !options.contains(option), qPrintable(option));
            options << option;
            // Known to the parser with the row's help, and to no other command option.
            int specs = 0;
            for (const OptionSpec &o : CommandLine::options())
                specs += o.name == option ? 1 : 0;
            QVERIFY2(specs == 1, qPrintable(option));
            QVERIFY(!CommandLine::option(option)->help.isEmpty());
        }
        QCOMPARE(CommandLine::option(spec.option)->help, spec.help);
        QCOMPARE(CommandLine::option(spec.option)->takesValue(), spec.type != FieldType::Flag);
    }
}

void tst_EnvFields::rows_data()
{
    QTest::addColumn<EnvField>("field");
    for (const EnvFieldSpec &spec : envFieldTable())
        QTest::newRow(qPrintable(spec.option)) << spec.id;
}

void tst_EnvFields::kindsAndRequirements()
{
    QFETCH(EnvField, field);
    const EnvFieldSpec &spec = envFieldSpec(field);
    QVERIFY(spec.kinds != 0);
    QCOMPARE(spec.requiredFor & ~spec.kinds, 0U);
    for (ProfileKind kind : kKinds) {
        const bool applies = spec.kinds & kindBit(kind);
        QCOMPARE(fieldAppliesTo(field, kind), applies);
        QCOMPARE(environmentFields(kind).contains(field), applies);
        if (!applies)
            QVERIFY(!isRequiredField(field, kind, defaultGrant(kind)));
    }
}

void tst_EnvFields::jsonRoundTrip()
{
    QFETCH(EnvField, field);
    const EnvFieldSpec &spec = envFieldSpec(field);
    const Environment env = exampleEnvironment(spec);
    QVERIFY2(env != named(), "the example sets the field");
    const Config config = configWith(spec, env);

    const QJsonObject json = ConfigCodec::encode(config);
    const QJsonObject envJson = json.value(QLatin1String("profiles"))
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(QLatin1String("environments"))
                                    .toArray()
                                    .at(0)
                                    .toObject();
    // Exactly the name and the row's key: unset fields are left out.
    QVERIFY(envJson.contains(QStringLiteral("name")));
    QVERIFY(envJson.contains(spec.jsonKey));
    QCOMPARE(envJson.size(), 2);

    const auto decoded = ConfigCodec::decode(json);
    QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error().detail));
    QCOMPARE(decoded->profiles.size(), 1);
    QVERIFY(decoded->profiles.at(0).environments.at(0) == env);

    // An environment without the field writes no key for it.
    const QJsonObject empty = ConfigCodec::encodeProfile(configWith(spec, named()).profiles.at(0));
    QVERIFY(!empty.value(QLatin1String("environments"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .contains(spec.jsonKey));
}

void tst_EnvFields::jsonTypeErrorNamesPath()
{
    QFETCH(EnvField, field);
    const EnvFieldSpec &spec = envFieldSpec(field);
    QJsonObject json = ConfigCodec::encode(configWith(spec, exampleEnvironment(spec)));
    QJsonArray profiles = json.value(QLatin1String("profiles")).toArray();
    QJsonObject profile = profiles.at(0).toObject();
    QJsonArray envs = profile.value(QLatin1String("environments")).toArray();
    QJsonObject env = envs.at(0).toObject();
    // A value of the wrong JSON type: a number where text is expected, text for the rest.
    const bool wantsNumberOrBool = spec.type == FieldType::Flag || spec.type == FieldType::Seconds;
    env.insert(spec.jsonKey, wantsNumberOrBool ? QJsonValue(QStringLiteral("x")) : QJsonValue(7));
    envs.replace(0, env);
    profile.insert(QLatin1String("environments"), envs);
    profiles.replace(0, profile);
    json.insert(QLatin1String("profiles"), profiles);

    const auto decoded = ConfigCodec::decode(json);
    QVERIFY(!decoded);
    QCOMPARE(decoded.error().code, ErrorCode::ConfigCorrupt);
    const QString path = QStringLiteral("profiles[0].environments[0].") + spec.jsonKey + ": ";
    QVERIFY2(decoded.error().detail.startsWith(path), qPrintable(decoded.error().detail));
}

void tst_EnvFields::cliRoundTrip()
{
    QFETCH(EnvField, field);
    const EnvFieldSpec &spec = envFieldSpec(field);
    QStringList args {QStringLiteral("environment"), QStringLiteral("set"), QStringLiteral("p"),
                      QStringLiteral("dev"), QStringLiteral("--") + spec.option};
    if (spec.type != FieldType::Flag)
        args << example(spec);
    const auto parsed = CommandLine::parse(args);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().detail));
    QVERIFY(parsed->has(spec.option));
    QCOMPARE(parsed->value(spec.option), spec.type == FieldType::Flag ? QString() : example(spec));

    Environment env;
    env.name = QStringLiteral("dev");
    QVERIFY(applyEnvFieldOption(spec, spec.option, parsed->value(spec.option), &env));
    QVERIFY(env == exampleEnvironment(spec));
    QVERIFY(env != named());

    // The text a person types in the manager's form reads back to the same value.
    Environment typed = named();
    setEnvFieldText(spec, envFieldText(spec, env), &typed);
    QVERIFY(typed == env);
    QVERIFY(!envFieldText(spec, env).isEmpty());

    // `profile show` prints what is set, except flags (shown next to the name).
    QCOMPARE(envFieldDisplay(spec, env).isEmpty(), spec.type == FieldType::Flag);
    QVERIFY(envFieldDisplay(spec, named()).isEmpty());

    // An empty value clears a text-like field; a flag's "un" option clears the flag; numbers
    // and choices refuse an empty value, naming the option.
    Environment cleared = env;
    const QString clearing = envFieldOptions(spec).last();
    const auto r = applyEnvFieldOption(spec, clearing, QString(), &cleared);
    if (spec.type == FieldType::Seconds || spec.type == FieldType::Choice) {
        QVERIFY(!r);
        QVERIFY2(r.error().detail.startsWith(QStringLiteral("--") + spec.option + QLatin1Char(' ')),
                 qPrintable(r.error().detail));
        QVERIFY(cleared == env);
    } else {
        QVERIFY(r);
        QVERIFY(cleared == named());
    }
    QVERIFY(CommandLine::help(QStringLiteral("environment set"))
                .contains(QStringLiteral("--") + spec.option));
}

void tst_EnvFields::validation()
{
    QFETCH(EnvField, field);
    const EnvFieldSpec &spec = envFieldSpec(field);
    const Environment env = exampleEnvironment(spec);
    const auto r = validateEnvFieldValue(spec, env);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().detail));
    QVERIFY(validateField(field, env));
    QVERIFY(validateField(field, named()));
}

QTEST_GUILESS_MAIN(tst_EnvFields)
#include "tst_envfields.moc"
