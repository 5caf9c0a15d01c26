// The manager window: the profile model (checked by QAbstractItemModelTester through edits,
// switches and reloads), the forms' validation, adding through the dialogs with secrets going
// to the real keychain, removal with confirmation, and the read-only workspace.
#include "core/model/configedits.h"
#include "core/model/envfields.h"
#include "core/oauth/oauthendpoints.h"
#include "core/refresh/tokenengine.h"
#include "core/secrets/secretstore.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/workspace/removaljob.h"
#include "core/workspace/secretsavejob.h"
#include "core/workspace/workspace.h"
#include "tests/support/keyringlocker.h"
#include "tests/support/memorysecretbackend.h"
#include "tests/support/testenv.h"
#include "ui/environmentform.h"
#include "ui/managertext.h"
#include "ui/managerwindow.h"
#include "ui/profileform.h"
#include "ui/profilemodel.h"
#include "ui/secretfield.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFont>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>
#include <QTreeView>

#include <functional>
#include <memory>
#include <optional>

using namespace TokenTray;

Q_DECLARE_METATYPE(TokenTray::TokenState)
Q_DECLARE_METATYPE(TokenTray::EnvField)

namespace {

const QString kService = QStringLiteral("tokentray-test-ui");

Environment oauthEnv(const QString &name)
{
    Environment e;
    e.name = name;
    e.tokenUrl = QUrl("https://login.example.com/oauth2/token");
    e.clientId = "client";
    return e;
}

// work (oauth2: QA active, PROD protected) is current; keys (aws-access-key); role (assume-role
// from keys).
Config sampleConfig()
{
    Config c;
    Profile work;
    work.id = "id-work";
    work.name = "work";
    work.grant = Grant::ClientCredentials;
    Environment prod = oauthEnv("PROD");
    prod.isProtected = true;
    work.environments = {oauthEnv("QA"), prod};
    work.activeEnvironment = "QA";
    Profile keys;
    keys.id = "id-keys";
    keys.name = "keys";
    keys.kind = ProfileKind::AwsAccessKey;
    Environment def;
    def.name = "default";
    def.region = "eu-west-1";
    keys.environments = {def};
    keys.activeEnvironment = "default";
    Profile role;
    role.id = "id-role";
    role.name = "role";
    role.kind = ProfileKind::AwsAssumeRole;
    Environment admin;
    admin.name = "PROD";
    admin.roleArn = "arn:aws:iam::123456789012:role/Admin";
    admin.sourceProfile = "keys";
    admin.region = "eu-west-1";
    role.environments = {admin};
    role.activeEnvironment = "PROD";
    c.profiles = {work, keys, role};
    c.currentProfileId = "id-work";
    return c;
}

// A workspace on a temporary config dir with a real store and engine; secrets in memory.
struct Fixture
{
    QTemporaryDir dir;
    ManualClock clock {QDateTime(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC)};
    QNetworkAccessManager nam;
    MemorySecretBackend keychain;
    SecretStore secrets {&keychain, kService};
    DiscoveryCache discovery;
    std::unique_ptr<TokenEngine> engine;
    std::unique_ptr<ProfileStore> store;
    std::unique_ptr<Workspace> workspace;

    explicit Fixture(const Config &config = Config(), const QByteArray &rawFile = QByteArray())
    {
        // A locked keychain answers as the Secret Service does; the store sees through it.
        keychain.setLockedAnswers(MemorySecretBackend::LockedAnswers::LikeSecretService);
        engine = std::make_unique<TokenEngine>(FetchServices {&nam, &secrets, &discovery, &clock});
        TokenEngine::Options options = engine->options();
        options.cacheWriteDelayMs = 3600 * 1000; // nothing adopted here reaches the keychain
        engine->setOptions(options);
        store = std::make_unique<ProfileStore>(dir.path());
        if (!rawFile.isEmpty()) {
            QFile f(store->filePath());
            if (f.open(QIODevice::WriteOnly))
                f.write(rawFile);
        } else if (!config.profiles.isEmpty()) {
            (void)store->save(config);
        }
        workspace = std::make_unique<Workspace>(store.get(), engine.get(), &clock);
        (void)workspace->load();
    }

    // What another process would read from profiles.json now.
    Config onDisk() const
    {
        ProfileStore other(dir.path());
        auto loaded = other.load();
        return loaded ? *loaded : Config();
    }
};

QAction *action(QWidget *window, const char *name)
{
    return window->findChild<QAction *>(QLatin1String(name));
}

template<typename T> T *openDialog(QWidget *window)
{
    for (T *d : window->findChildren<T *>()) {
        if (d->isVisible())
            return d;
    }
    return nullptr;
}

void selectRow(ManagerWindow &window, const QString &profileId, const QString &env = QString())
{
    const QModelIndex index = env.isEmpty() ? window.model()->profileIndex(profileId)
                                            : window.model()->environmentIndex(profileId, env);
    QVERIFY(index.isValid());
    window.treeView()->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

// Remove on the selected row, confirmed; false when no confirmation was asked.
bool confirmRemove(ManagerWindow &window)
{
    action(&window, "removeAction")->trigger();
    auto *box = window.findChild<QMessageBox *>("confirmRemove");
    if (!box)
        return false;
    box->findChild<QPushButton *>("confirmRemoveButton")->click();
    return true;
}

// Stores a secret the way the forms do (indexed first, then written).
bool storeSecret(Fixture &f, const QString &profileId, const QString &env, const QString &name,
                 const QByteArray &value)
{
    SecretSaveJob job(f.workspace.get(), &f.secrets, profileId, env, {{name, Secret(value)}});
    QSignalSpy done(&job, &SecretSaveJob::finished);
    job.start();
    if (!done.wait(15000))
        return false;
    return static_cast<bool>(job.result());
}

using FormSetup = std::function<void(EnvironmentForm *)>;

void setText(EnvironmentForm *form, EnvField field, const QString &text)
{
    auto *edit = qobject_cast<QLineEdit *>(form->fieldEditor(field));
    QVERIFY(edit);
    edit->setText(text);
}

} // namespace

Q_DECLARE_METATYPE(FormSetup)

class tst_ManagerWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void stateText_data();
    void stateText();
    void modelFollowsTheWorkspace();
    void modelShowsMarkersAndStates();
    void profileFormValidation_data();
    void profileFormValidation();
    void environmentFormValidation_data();
    void environmentFormValidation();
    void environmentFormFieldsPerKind();
    void environmentFormWritesEveryField_data();
    void environmentFormWritesEveryField();
    void addProfileAndEnvironmentThroughDialogs();
    void editProfileRenames();
    void duplicateAndMakeCurrent();
    void removeAsksAndDeletesKeychainItems();
    void removeRefusedWhileSourceOfAnother();
    void removeWithLockedKeychainChangesNothing();
    void removeLockedHalfWaySaysWhatIsLeft();
    void readOnlyWorkspaceDisablesEditing();
    void screenshots();
};

void tst_ManagerWindow::init()
{
    QApplication::setQuitOnLastWindowClosed(false);
}

void tst_ManagerWindow::cleanup()
{
    // A test that failed half-way may leave a modal dialog behind.
    for (QWidget *w : QApplication::topLevelWidgets())
        w->close();
}

void tst_ManagerWindow::stateText_data()
{
    QTest::addColumn<TokenState>("state");
    QTest::addColumn<QDateTime>("expiresAt");
    QTest::addColumn<QString>("text");
    const QDateTime now = QDateTime(QDate(2026, 11, 21), QTime(12, 0)).toUTC(); // local noon
    const QDateTime today = now.addSecs(2 * 3600 + 30 * 60);
    const QDateTime tomorrow = now.addDays(1);
    const QString time = QLocale().toString(
        QTime(14, 30), QLocale().timeFormat(QLocale::ShortFormat).remove(":ss"));
    QVERIFY(!time.contains("00")); // no seconds
    QTest::newRow("none") << TokenState::None << QDateTime() << "no token yet";
    QTest::newRow("fresh today") << TokenState::Fresh << today << "valid until " + time;
    QTest::newRow("fresh tomorrow")
        << TokenState::Fresh << tomorrow << "valid until " + ManagerText::instant(tomorrow, now);
    QTest::newRow("fresh, no expiry") << TokenState::Fresh << QDateTime() << "valid";
    QTest::newRow("advisory") << TokenState::Advisory << today
                              << "valid until " + time + ", renewal due";
    QTest::newRow("mandatory") << TokenState::Mandatory << today << "expires at " + time;
    QTest::newRow("expired") << TokenState::Expired << today << "expired";
    QTest::newRow("refreshing") << TokenState::Refreshing << QDateTime() << "refreshing…";
    QTest::newRow("error") << TokenState::Error << QDateTime() << "refresh failed, retrying";
    QTest::newRow("sign in") << TokenState::SignInRequired << QDateTime() << "sign-in required";
    QTest::newRow("locked") << TokenState::Locked << QDateTime() << "keychain locked";
}

void tst_ManagerWindow::stateText()
{
    QFETCH(TokenState, state);
    QFETCH(QDateTime, expiresAt);
    QFETCH(QString, text);
    const QDateTime now = QDateTime(QDate(2026, 11, 21), QTime(12, 0)).toUTC();
    QCOMPARE(ManagerText::state(state, expiresAt, now), text);
    // The date shows only when it is another day.
    const QString tomorrow = ManagerText::instant(now.addDays(1), now);
    QVERIFY(tomorrow.size() > ManagerText::instant(now.addSecs(60), now).size());
}

void tst_ManagerWindow::modelFollowsTheWorkspace()
{
    Fixture f(sampleConfig());
    ProfileModel model(f.workspace.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowCount(model.profileIndex("id-work")), 2);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // Add a profile, then an environment: row inserts, no reset.
    QString id;
    QVERIFY(f.workspace->update([&id](Config &c) -> Result<void> {
        Profile p;
        p.name = "api";
        auto r = addProfile(c, p);
        if (!r)
            return r.error();
        id = *r;
        return {};
    }));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(3, ProfileModel::NameColumn).data().toString(), QString("api"));
    QVERIFY(
        f.workspace->update([&id](Config &c) { return addEnvironment(c, id, oauthEnv("DEV")); }));
    QCOMPARE(model.rowCount(model.profileIndex(id)), 1);
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(reset.count(), 0);

    // Switch: only data changes.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    std::optional<Result<void>> done;
    f.workspace->switchTo("api", "DEV", f.workspace.get(),
                          [&done](const Result<void> &r) { done = r; });
    QTRY_VERIFY_WITH_TIMEOUT(done.has_value(), 10000);
    QVERIFY(done->has_value());
    QVERIFY(changed.count() > 0);
    QVERIFY(model.profileIndex(id).data(ProfileModel::IsCurrentRole).toBool());
    QVERIFY(!model.profileIndex("id-work").data(ProfileModel::IsCurrentRole).toBool());

    // Remove an environment, then a profile.
    QVERIFY(f.workspace->update([](Config &c) { return removeEnvironment(c, "id-work", "PROD"); }));
    QCOMPARE(model.rowCount(model.profileIndex("id-work")), 1);
    QVERIFY(f.workspace->update([&id](Config &c) { return removeProfile(c, id); }));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(removed.count(), 2);
    QVERIFY(!model.profileIndex(id).isValid());
    QCOMPARE(reset.count(), 0);

    // Another process reorders the profiles: a reset, then the new order.
    Config reordered = f.onDisk();
    std::swap(reordered.profiles[0], reordered.profiles[2]);
    ProfileStore other(f.dir.path());
    QVERIFY(other.save(reordered));
    QTRY_COMPARE(model.index(0, 0).data().toString(), QString("role"));
    QCOMPARE(reset.count(), 1);

    // And removes one: rows removed, seen through the file watcher.
    reordered.profiles.removeAt(0);
    QVERIFY(other.save(reordered));
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data().toString(), QString("keys"));
}

void tst_ManagerWindow::modelShowsMarkersAndStates()
{
    Fixture f(sampleConfig());
    ProfileModel model(f.workspace.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QModelIndex work = model.profileIndex("id-work");
    QCOMPARE(work.data().toString(), QString("work"));
    QCOMPARE(model.index(work.row(), ProfileModel::KindColumn).data().toString(),
             QString("OAuth 2.0 · client credentials"));
    QCOMPARE(model.index(work.row(), ProfileModel::StateColumn).data().toString(),
             QString("QA: no token yet"));
    QCOMPARE(model.index(work.row(), ProfileModel::NotesColumn).data().toString(),
             QString("current profile"));
    QVERIFY(work.data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!model.profileIndex("id-keys").data(Qt::FontRole).value<QFont>().bold());
    QCOMPARE(work.data(ProfileModel::ProfileIdRole).toString(), QString("id-work"));
    QVERIFY(!work.data(ProfileModel::IsEnvironmentRole).toBool());

    const QModelIndex qa = model.environmentIndex("id-work", "QA");
    const QModelIndex prod = model.environmentIndex("id-work", "PROD");
    QCOMPARE(qa.data(ProfileModel::EnvironmentNameRole).toString(), QString("QA"));
    QCOMPARE(qa.data(ProfileModel::ProfileIdRole).toString(), QString("id-work"));
    QVERIFY(qa.data(ProfileModel::IsEnvironmentRole).toBool());
    QVERIFY(qa.data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!prod.data(Qt::FontRole).value<QFont>().bold());
    QCOMPARE(qa.siblingAtColumn(ProfileModel::NotesColumn).data().toString(), QString("active"));
    QCOMPARE(prod.siblingAtColumn(ProfileModel::NotesColumn).data().toString(),
             QString("protected"));
    QCOMPARE(qa.siblingAtColumn(ProfileModel::KindColumn).data().toString(),
             QString("login.example.com"));
    QCOMPARE(model.environmentIndex("id-role", "PROD", ProfileModel::KindColumn).data().toString(),
             QString("role/Admin · eu-west-1"));

    // A token arrives: dataChanged on the state cells, text with the expiry.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    Credential c;
    c.accessToken = Secret(QByteArrayLiteral("tok"));
    c.tokenType = "Bearer";
    c.issuedAt = f.clock.nowUtc();
    c.expiresAt = f.clock.nowUtc().addSecs(3600);
    f.engine->adopt("id-work", "QA", c);
    QTRY_VERIFY(!changed.isEmpty());
    const QModelIndex state = qa.siblingAtColumn(ProfileModel::StateColumn);
    QCOMPARE(state.data().toString(), ManagerText::state(TokenState::Fresh, c.expiresAt));
    QCOMPARE(state.data(ProfileModel::TokenStateRole).toInt(), static_cast<int>(TokenState::Fresh));
    QVERIFY(!state.data(Qt::DecorationRole).value<QIcon>().isNull());
    bool sawEnvCell = false;
    for (const QList<QVariant> &args : std::as_const(changed))
        sawEnvCell = sawEnvCell || args.at(0).toModelIndex() == state;
    QVERIFY(sawEnvCell);
    f.engine->forget("id-work", "QA");
}

void tst_ManagerWindow::profileFormValidation_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << "" << false << "Enter a name.";
    QTest::newRow("bad name")
        << "my profile" << false
        << "Use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.";
    QTest::newRow("leading dash")
        << "-x" << false
        << "Use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.";
    QTest::newRow("taken") << "keys" << false << "A profile of that name already exists.";
    QTest::newRow("fine") << "api.v2" << true << "";
}

void tst_ManagerWindow::profileFormValidation()
{
    QFETCH(QString, name);
    QFETCH(bool, ok);
    QFETCH(QString, message);
    Fixture f(sampleConfig());
    ProfileForm form(f.workspace.get());
    QTest::keyClicks(form.nameEdit(), name);
    QCOMPARE(form.okButton()->isEnabled(), ok);
    QCOMPARE(form.isValid(), ok);
    QCOMPARE(form.nameMessage(), message);

    // Its own name is fine when editing.
    ProfileForm edit(f.workspace.get(), "id-keys");
    QVERIFY(edit.okButton()->isEnabled());
    QVERIFY(!edit.kindCombo()->isEnabled()); // it has environments
}

void tst_ManagerWindow::environmentFormValidation_data()
{
    QTest::addColumn<QString>("profileId");
    QTest::addColumn<FormSetup>("setup");
    QTest::addColumn<EnvField>("field"); // where the message shows; Protected = the name
    QTest::addColumn<QString>("message");

    const auto oauth = [](const QString &name, const QString &url, const QString &client) {
        return FormSetup([=](EnvironmentForm *form) {
            QTest::keyClicks(form->nameEdit(), name);
            setText(form, EnvField::TokenUrl, url);
            setText(form, EnvField::ClientId, client);
        });
    };
    QTest::newRow("valid oauth2") << "id-work" << oauth("DEV", "https://login.example.com/t", "c")
                                  << EnvField::TokenUrl << QString();
    QTest::newRow("bad name")
        << "id-work" << oauth("my env", "https://login.example.com/t", "c") << EnvField::Protected
        << "Use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.";
    QTest::newRow("name taken") << "id-work" << oauth("QA", "https://login.example.com/t", "c")
                                << EnvField::Protected
                                << "This profile already has an environment of that name.";
    QTest::newRow("http non-loopback URL")
        << "id-work" << oauth("DEV", "http://login.example.com/t", "c") << EnvField::TokenUrl
        << "Token URL \"http://login.example.com/t\" uses plain http: only https is allowed, "
           "except for "
           "loopback hosts.";
    QTest::newRow("http loopback URL") << "id-work" << oauth("DEV", "http://127.0.0.1:8080/t", "c")
                                       << EnvField::TokenUrl << QString();
    QTest::newRow("not a URL") << "id-work" << oauth("DEV", "login", "c") << EnvField::TokenUrl
                               << "Token URL \"login\" is not an absolute URL.";
    QTest::newRow("missing token URL") << "id-work" << oauth("DEV", "", "c") << EnvField::TokenUrl
                                       << "Enter a token URL or an issuer.";
    QTest::newRow("missing client id")
        << "id-work" << oauth("DEV", "https://login.example.com/t", "") << EnvField::ClientId
        << "Enter the client ID.";

    const auto role = [](const QString &arn, int sourceIndex, int duration) {
        return FormSetup([=](EnvironmentForm *form) {
            QTest::keyClicks(form->nameEdit(), "QA");
            setText(form, EnvField::RoleArn, arn);
            auto *source = qobject_cast<QComboBox *>(form->fieldEditor(EnvField::SourceProfile));
            QVERIFY(source);
            source->setCurrentIndex(sourceIndex);
            auto *spin = qobject_cast<QSpinBox *>(form->fieldEditor(EnvField::Duration));
            QVERIFY(spin);
            spin->setValue(duration);
        });
    };
    QTest::newRow("valid role") << "id-role" << role("arn:aws:iam::123456789012:role/Dev", 1, 3600)
                                << EnvField::RoleArn << QString();
    QTest::newRow("bad role ARN") << "id-role" << role("arn:aws:iam::1234:role/Dev", 1, 0)
                                  << EnvField::RoleArn
                                  << "Role ARN \"arn:aws:iam::1234:role/Dev\" is not of the form "
                                     "arn:aws:iam::123456789012:role/Name.";
    QTest::newRow("missing role ARN") << "id-role" << role("", 1, 0) << EnvField::RoleArn
                                      << "Enter the ARN of the role to assume.";
    QTest::newRow("missing source")
        << "id-role" << role("arn:aws:iam::123456789012:role/Dev", 0, 0) << EnvField::SourceProfile
        << "Choose the profile whose credentials assume the role.";
    QTest::newRow("short duration")
        << "id-role" << role("arn:aws:iam::123456789012:role/Dev", 1, 600) << EnvField::Duration
        << "Duration 600 s is outside 900-43200 s.";
    QTest::newRow("bad region") << "id-role" << FormSetup([role](EnvironmentForm *form) {
        role("arn:aws:iam::123456789012:role/Dev", 1, 0)(form);
        setText(form, EnvField::Region, "Frankfurt");
    }) << EnvField::Region << "Region \"Frankfurt\" is not a region name like eu-west-1.";
}

void tst_ManagerWindow::environmentFormValidation()
{
    QFETCH(QString, profileId);
    QFETCH(FormSetup, setup);
    QFETCH(EnvField, field);
    QFETCH(QString, message);
    Fixture f(sampleConfig());
    EnvironmentForm form(f.workspace.get(), &f.secrets, profileId);
    setup(&form);
    QCOMPARE(form.okButton()->isEnabled(), message.isEmpty());
    QCOMPARE(form.isValid(), message.isEmpty());
    if (field == EnvField::Protected)
        QCOMPARE(form.nameMessage(), message);
    else
        QCOMPARE(form.fieldMessage(field), message);
    if (!message.isEmpty()) {
        // The message is on screen, under its field.
        auto *label = form.findChild<QLabel *>(field == EnvField::Protected
                                                   ? QStringLiteral("nameMessage")
                                                   : "message:" + ManagerText::fieldLabel(field));
        QVERIFY(label);
        QVERIFY(!label->isHidden());
        QCOMPARE(label->text(), message);
    }
    // Pressing OK anyway changes nothing.
    const Config before = f.workspace->config();
    if (!message.isEmpty()) {
        form.accept();
        QCOMPARE(f.workspace->config(), before);
    }
}

void tst_ManagerWindow::environmentFormFieldsPerKind()
{
    Fixture f(sampleConfig());
    EnvironmentForm oauth(f.workspace.get(), &f.secrets, "id-work");
    QVERIFY(oauth.fieldEditor(EnvField::ClientId));
    QVERIFY(!oauth.fieldEditor(EnvField::RoleArn));
    QVERIFY(oauth.secretField("client_secret"));
    QVERIFY(!oauth.secretField("refresh_token"));

    EnvironmentForm keys(f.workspace.get(), &f.secrets, "id-keys");
    QVERIFY(keys.fieldEditor(EnvField::Region));
    QVERIFY(!keys.fieldEditor(EnvField::ClientId));
    QVERIFY(keys.secretField("aws_access_key_id"));
    QVERIFY(keys.secretField("aws_secret_access_key"));
    QVERIFY(keys.okButton()->isEnabled() == false); // no name yet

    EnvironmentForm role(f.workspace.get(), &f.secrets, "id-role");
    auto *source = qobject_cast<QComboBox *>(role.fieldEditor(EnvField::SourceProfile));
    QVERIFY(source);
    // Only AWS profiles other than itself can be the source.
    QStringList choices;
    for (int i = 1; i < source->count(); ++i)
        choices << source->itemData(i).toString();
    QCOMPARE(choices, QStringList {"keys"});
    QVERIFY(!role.secretField("token"));

    // Editing: the name is fixed, the values are loaded, secrets never are.
    EnvironmentForm edit(f.workspace.get(), &f.secrets, "id-work", "PROD");
    QVERIFY(edit.nameEdit()->isReadOnly());
    QCOMPARE(qobject_cast<QLineEdit *>(edit.fieldEditor(EnvField::TokenUrl))->text(),
             QString("https://login.example.com/oauth2/token"));
    QVERIFY(qobject_cast<QCheckBox *>(edit.fieldEditor(EnvField::Protected))->isChecked());
    QVERIFY(edit.secretField("client_secret")->isEmpty());
    QVERIFY(edit.okButton()->isEnabled());
}

// Every row of the field table, through the form: its editor is found under its label, set
// the way a person would, and what OK saves is the row's value (a new row is covered here too).
void tst_ManagerWindow::environmentFormWritesEveryField_data()
{
    QTest::addColumn<EnvField>("field");
    for (const EnvFieldSpec &spec : envFieldTable())
        QTest::newRow(qPrintable(spec.option)) << spec.id;
}

void tst_ManagerWindow::environmentFormWritesEveryField()
{
    QFETCH(EnvField, field);
    const EnvFieldSpec &spec = envFieldSpec(field);
    // An environment that is valid before the change: work/QA for oauth2 fields, role/PROD else.
    const bool oauth = spec.kinds & kindBit(ProfileKind::OAuth2);
    const QString profileId = oauth ? "id-work" : "id-role";
    const QString envName = oauth ? "QA" : "PROD";
    QVERIFY(spec.kinds & kindBit(oauth ? ProfileKind::OAuth2 : ProfileKind::AwsAssumeRole));
    QTemporaryFile file;
    QVERIFY(file.open());
    QString value = spec.type == FieldType::File ? file.fileName() : spec.example;

    Fixture f(sampleConfig());
    EnvironmentForm form(f.workspace.get(), &f.secrets, profileId, envName);
    QWidget *editor = form.fieldEditor(field);
    QVERIFY(editor);
    QCOMPARE(editor->objectName(), "field:" + ManagerText::fieldLabel(field));
    if (auto *edit = qobject_cast<QLineEdit *>(editor)) {
        edit->setText(value);
    } else if (auto *box = qobject_cast<QCheckBox *>(editor)) {
        QVERIFY(!box->isChecked());
        box->setChecked(true);
    } else if (auto *spin = qobject_cast<QSpinBox *>(editor)) {
        spin->setValue(value.toInt());
        QCOMPARE(spin->maximum(), spec.maximum);
    } else if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        // A profile name is chosen among the profiles there are.
        if (spec.type == FieldType::ProfileName)
            value = combo->itemData(combo->count() - 1).toString();
        QVERIFY(combo->findData(value) >= 0);
        combo->setCurrentIndex(combo->findData(value));
    } else {
        QFAIL("no editor of a known type");
    }
    Environment expected = *f.workspace->config().profileById(profileId)->environment(envName);
    QVERIFY(applyEnvFieldOption(spec, spec.option, value, &expected));
    QVERIFY2(form.isValid(), qPrintable(form.fieldMessage(field) + form.errorMessage()));
    form.accept();
    QCOMPARE(form.result(), int(QDialog::Accepted));
    QVERIFY(*f.workspace->config().profileById(profileId)->environment(envName) == expected);
    QVERIFY(*f.onDisk().profileById(profileId)->environment(envName) == expected);
}

void tst_ManagerWindow::addProfileAndEnvironmentThroughDialogs()
{
    Fixture f;
    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.show();
    auto *banner = window.findChild<QLabel *>("banner");
    QVERIFY(banner && !banner->isHidden()); // "No profiles yet"
    QVERIFY(!action(&window, "addEnvironmentAction")->isEnabled());

    action(&window, "addProfileAction")->trigger();
    QPointer<ProfileForm> profileForm = openDialog<ProfileForm>(&window);
    QVERIFY(profileForm);
    QVERIFY(!profileForm->okButton()->isEnabled());
    QTest::keyClicks(profileForm->nameEdit(), "api");
    profileForm->kindCombo()->setCurrentIndex(
        profileForm->kindCombo()->findData(int(ProfileKind::OAuth2)));
    profileForm->grantCombo()->setCurrentIndex(
        profileForm->grantCombo()->findData(int(Grant::ClientCredentials)));
    profileForm->refreshCombo()->setCurrentIndex(
        profileForm->refreshCombo()->findData(int(RefreshPolicy::Eager)));
    QVERIFY(profileForm->okButton()->isEnabled());
    QTest::mouseClick(profileForm->okButton(), Qt::LeftButton);
    QTRY_VERIFY(!profileForm); // accepted and deleted on close

    Config disk = f.onDisk();
    QCOMPARE(disk.profiles.size(), 1);
    const Profile api = disk.profiles.first();
    QCOMPARE(api.name, QString("api"));
    QCOMPARE(api.kind, ProfileKind::OAuth2);
    QCOMPARE(api.grant, Grant::ClientCredentials);
    QCOMPARE(api.refresh, RefreshPolicy::Eager);
    QCOMPARE(disk.currentProfileId, api.id);
    QTRY_VERIFY(banner->isHidden());
    // The new profile is selected, so an environment can be added to it right away.
    QCOMPARE(window.treeView()->currentIndex().data(ProfileModel::ProfileIdRole).toString(),
             api.id);

    QVERIFY(action(&window, "addEnvironmentAction")->isEnabled());
    action(&window, "addEnvironmentAction")->trigger();
    QPointer<EnvironmentForm> envForm = openDialog<EnvironmentForm>(&window);
    QVERIFY(envForm);
    QTest::keyClicks(envForm->nameEdit(), "QA");
    // Loopback, nothing listening: the eager profile's first refresh fails at once, offline.
    QTest::keyClicks(envForm->fieldEditor(EnvField::TokenUrl), "http://127.0.0.1:9/token");
    QTest::keyClicks(envForm->fieldEditor(EnvField::ClientId), "cid");
    QTest::keyClicks(envForm->fieldEditor(EnvField::Scopes), "read  write");
    SecretField *secret = envForm->secretField("client_secret");
    QVERIFY(secret);
    QCOMPARE(secret->lineEdit()->echoMode(), QLineEdit::Password);
    QCOMPARE(secret->lineEdit()->placeholderText(), QString("not stored"));

    QTest::keyClicks(secret->lineEdit(), "s3cret-value");
    // Shown only on purpose, and hidden again.
    secret->revealAction()->trigger();
    QCOMPARE(secret->lineEdit()->echoMode(), QLineEdit::Normal);
    secret->revealAction()->trigger();
    QCOMPARE(secret->lineEdit()->echoMode(), QLineEdit::Password);
    QVERIFY(envForm->okButton()->isEnabled());
    QTest::mouseClick(envForm->okButton(), Qt::LeftButton);
    QVERIFY(secret->isEmpty()); // handed to the keychain job, not kept in the widget
    QTRY_VERIFY_WITH_TIMEOUT(!envForm, 15000);

    disk = f.onDisk();
    const Profile *saved = disk.profileById(api.id);
    QVERIFY(saved);
    QCOMPARE(saved->environmentNames(), QStringList {"QA"});
    QCOMPARE(saved->activeEnvironment, QString("QA"));
    const Environment *qa = saved->environment("QA");
    QCOMPARE(qa->tokenUrl, QUrl("http://127.0.0.1:9/token"));
    QCOMPARE(qa->clientId, QString("cid"));
    QCOMPARE(qa->scopes, (QStringList {"read", "write"}));
    QVERIFY(window.model()->environmentIndex(api.id, "QA").isValid());

    QCOMPARE(saved->secretIndex, QStringList {"QA/client_secret"});
    QCOMPARE(f.keychain.value(kService, api.id + "/QA/client_secret"), QByteArray("s3cret-value"));

    // Editing again: the stored secret is not shown, only said to be there; empty keeps it.
    selectRow(window, api.id, "QA");
    action(&window, "editAction")->trigger();
    envForm = openDialog<EnvironmentForm>(&window);
    QVERIFY(envForm);
    QVERIFY(envForm->secretField("client_secret")->isEmpty());
    QCOMPARE(envForm->secretField("client_secret")->lineEdit()->placeholderText(),
             QString("stored — leave empty to keep"));
    QTest::mouseClick(envForm->okButton(), Qt::LeftButton);
    QTRY_VERIFY(!envForm);
    QCOMPARE(f.keychain.value(kService, api.id + "/QA/client_secret"), QByteArray("s3cret-value"));

    // Clean up the keychain through the window.
    selectRow(window, api.id);
    action(&window, "removeAction")->trigger();
    auto *box = window.findChild<QMessageBox *>("confirmRemove");
    QVERIFY(box);
    box->findChild<QPushButton *>("confirmRemoveButton")->click();
    QTRY_VERIFY_WITH_TIMEOUT(f.onDisk().profiles.isEmpty(), 15000);
    QCOMPARE(f.keychain.value(kService, api.id + "/QA/client_secret"), QByteArray());
}

void tst_ManagerWindow::editProfileRenames()
{
    Fixture f(sampleConfig());
    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.show();
    selectRow(window, "id-keys");
    action(&window, "editAction")->trigger();
    QPointer<ProfileForm> form = openDialog<ProfileForm>(&window);
    QVERIFY(form);
    QCOMPARE(form->nameEdit()->text(), QString("keys"));
    form->nameEdit()->clear();
    QTest::keyClicks(form->nameEdit(), "aws-keys");
    QTest::mouseClick(form->okButton(), Qt::LeftButton);
    QTRY_VERIFY(!form);
    const Config disk = f.onDisk();
    QCOMPARE(disk.profileById("id-keys")->name, QString("aws-keys"));
    // The role that uses it as its source follows the rename.
    QCOMPARE(disk.profileById("id-role")->environment("PROD")->sourceProfile, QString("aws-keys"));
    QCOMPARE(window.model()->profileIndex("id-keys").data().toString(), QString("aws-keys"));
}

void tst_ManagerWindow::duplicateAndMakeCurrent()
{
    Fixture f(sampleConfig());
    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.show();
    QAbstractItemModelTester tester(window.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);

    selectRow(window, "id-work");
    QVERIFY(!action(&window, "makeCurrentAction")->isEnabled()); // it already is
    action(&window, "duplicateAction")->trigger();
    Config disk = f.onDisk();
    const Profile *copy = disk.profileByName("work-copy");
    QVERIFY(copy);
    QCOMPARE(copy->environmentNames(), (QStringList {"QA", "PROD"}));
    QCOMPARE(window.treeView()->currentIndex().data(ProfileModel::ProfileIdRole).toString(),
             copy->id);

    // The copy's PROD environment is duplicated in turn, then activated.
    selectRow(window, copy->id, "PROD");
    action(&window, "duplicateAction")->trigger();
    disk = f.onDisk();
    QCOMPARE(disk.profileByName("work-copy")->environmentNames(),
             (QStringList {"QA", "PROD", "PROD-copy"}));
    QCOMPARE(window.treeView()->currentIndex().data(ProfileModel::EnvironmentNameRole).toString(),
             QString("PROD-copy"));
    QCOMPARE(action(&window, "makeCurrentAction")->text(), QString("Activate environment"));
    QVERIFY(action(&window, "makeCurrentAction")->isEnabled());
    action(&window, "makeCurrentAction")->trigger();
    const QString copyId = disk.profileByName("work-copy")->id;
    QTRY_COMPARE_WITH_TIMEOUT(f.onDisk().currentProfileId, copyId, 10000); // on the next turn
    disk = f.onDisk();
    QCOMPARE(disk.currentProfileId, disk.profileByName("work-copy")->id);
    QCOMPARE(disk.profileByName("work-copy")->activeEnvironment, QString("PROD-copy"));
    QVERIFY(!action(&window, "makeCurrentAction")->isEnabled());

    selectRow(window, "id-role");
    QCOMPARE(action(&window, "makeCurrentAction")->text(), QString("Make current"));
    action(&window, "makeCurrentAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(f.onDisk().currentProfileId, QString("id-role"), 10000);
    QVERIFY(window.model()->profileIndex("id-role").data(Qt::FontRole).value<QFont>().bold());
}

void tst_ManagerWindow::removeAsksAndDeletesKeychainItems()
{
    Fixture f(sampleConfig());
    QVERIFY(storeSecret(f, "id-work", "QA", "client_secret", "qa-secret"));
    QVERIFY(storeSecret(f, "id-work", "PROD", "client_secret", "prod-secret"));
    QCOMPARE(f.keychain.value(kService, "id-work/QA/client_secret"), QByteArray("qa-secret"));
    QCOMPARE(f.onDisk().profileById("id-work")->secretIndex,
             (QStringList {"QA/client_secret", "PROD/client_secret"}));

    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.show();
    QAbstractItemModelTester tester(window.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);

    // An environment first; Cancel keeps it.
    selectRow(window, "id-work", "PROD");
    action(&window, "removeAction")->trigger();
    QPointer<QMessageBox> box = window.findChild<QMessageBox *>("confirmRemove");
    QVERIFY(box);
    QVERIFY(box->text().contains("PROD"));
    box->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!box);
    QCOMPARE(f.onDisk().profileById("id-work")->environmentNames(), (QStringList {"QA", "PROD"}));

    action(&window, "removeAction")->trigger();
    box = window.findChild<QMessageBox *>("confirmRemove");
    QVERIFY(box);
    box->findChild<QPushButton *>("confirmRemoveButton")->click();
    QTRY_COMPARE_WITH_TIMEOUT(f.onDisk().profileById("id-work")->environmentNames(),
                              QStringList {"QA"}, 15000);
    QCOMPARE(f.onDisk().profileById("id-work")->secretIndex, QStringList {"QA/client_secret"});
    QCOMPARE(f.keychain.value(kService, "id-work/PROD/client_secret"), QByteArray());
    QCOMPARE(f.keychain.value(kService, "id-work/QA/client_secret"), QByteArray("qa-secret"));

    // Then the whole profile.
    selectRow(window, "id-work");
    action(&window, "removeAction")->trigger();
    box = window.findChild<QMessageBox *>("confirmRemove");
    QVERIFY(box);
    QVERIFY(box->text().contains("work"));
    box->findChild<QPushButton *>("confirmRemoveButton")->click();
    QTRY_VERIFY_WITH_TIMEOUT(!f.onDisk().profileById("id-work"), 15000);
    QCOMPARE(f.keychain.value(kService, "id-work/QA/client_secret"), QByteArray());
    QVERIFY(!window.model()->profileIndex("id-work").isValid());
    QCOMPARE(f.onDisk().currentProfileId, QString("id-keys"));
    auto *info = window.findChild<QLabel *>("info");
    QVERIFY(info->text().contains("Removed work"));
}

void tst_ManagerWindow::removeRefusedWhileSourceOfAnother()
{
    Fixture f(sampleConfig());
    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.show();
    selectRow(window, "id-keys");
    action(&window, "removeAction")->trigger();
    QVERIFY(!window.findChild<QMessageBox *>("confirmRemove")); // nothing to confirm
    auto *error = window.findChild<QLabel *>("error");
    QVERIFY(error && !error->isHidden());
    QCOMPARE(error->text(),
             QString("Profile \"keys\" is the source of role; change or remove those first."));
    QVERIFY(f.onDisk().profileById("id-keys"));
}

void tst_ManagerWindow::removeWithLockedKeychainChangesNothing()
{
    Fixture f(sampleConfig());
    QVERIFY(storeSecret(f, "id-work", "QA", "client_secret", "qa-secret"));
    const Config before = f.onDisk();

    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.show();
    f.keychain.setLocked(true);
    selectRow(window, "id-work");
    QVERIFY(confirmRemove(window));
    auto *error = window.findChild<QLabel *>("error");
    QTRY_VERIFY_WITH_TIMEOUT(!error->isHidden(), 20000);
    const QString shown = error->text();
    f.keychain.setLocked(false);
    QVERIFY2(shown.contains("locked") || shown.contains("keychain"), qPrintable(shown));
    QCOMPARE(f.onDisk(), before);
    QCOMPARE(f.keychain.value(kService, "id-work/QA/client_secret"), QByteArray("qa-secret"));
    QVERIFY(action(&window, "removeAction")->isEnabled()); // not stuck busy

    // Unlocked, the same removal goes through.
    f.secrets.forgetCache();
    QVERIFY(confirmRemove(window));
    QTRY_VERIFY_WITH_TIMEOUT(!f.onDisk().profileById("id-work"), 20000);
    QCOMPARE(f.keychain.value(kService, "id-work/QA/client_secret"), QByteArray());
}

void tst_ManagerWindow::removeLockedHalfWaySaysWhatIsLeft()
{
    Fixture f(sampleConfig());
    const QStringList stored {"QA/client_secret", "PROD/client_secret"};
    for (const QString &entry : stored)
        f.keychain.insert(kService, "id-work/" + entry, "s");
    QVERIFY(f.workspace->update([&stored](Config &c) -> Result<void> {
        for (Profile &p : c.profiles) {
            if (p.id == "id-work")
                p.secretIndex = stored;
        }
        return {};
    }));

    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.show();
    // The keyring locks as soon as the first item is gone (the profile has six to remove).
    TestEnv::LockAfterFirstRemoval locker(&f.secrets, [&f] {
        f.keychain.setLocked(true);
        return true;
    });
    selectRow(window, "id-work");
    QVERIFY(confirmRemove(window));
    auto *error = window.findChild<QLabel *>("error");
    QTRY_VERIFY_WITH_TIMEOUT(!error->isHidden(), 30000);
    const QString shown = error->text();
    if (const QString dir = qEnvironmentVariable("TOKENTRAY_SCREENSHOTS"); !dir.isEmpty())
        window.grab().save(dir + "/manager-removal-half-way.png"); // to look at, not a check
    QVERIFY(locker.hasLocked());
    f.keychain.setLocked(false);
    QVERIFY2(!shown.contains("nothing was changed"), qPrintable(shown));
    QVERIFY2(shown.contains("Not removed, or not confirmed: ") && shown.contains("was kept"),
             qPrintable(shown));

    // What is still in the keychain is named and still listed, so removing again finds it.
    const Profile *kept = f.onDisk().profileById("id-work");
    QVERIFY(kept);
    int left = 0;
    for (const QString &entry : stored) {
        if (f.keychain.value(kService, "id-work/" + entry).isEmpty())
            continue;
        ++left;
        QVERIFY2(shown.contains(entry), qPrintable(entry + ": " + shown));
        QVERIFY(kept->secretIndex.contains(entry));
    }
    QVERIFY2(left < stored.size(), "nothing was removed before the keyring locked");

    f.secrets.forgetCache();
    QVERIFY(confirmRemove(window));
    QTRY_VERIFY_WITH_TIMEOUT(!f.onDisk().profileById("id-work"), 20000);
    for (const QString &entry : stored)
        QCOMPARE(f.keychain.value(kService, "id-work/" + entry), QByteArray());
}

void tst_ManagerWindow::readOnlyWorkspaceDisablesEditing()
{
    Fixture f(Config(), QByteArray("{\"schemaVersion\": 1,\n  \"profiles\": [ garbage"));
    QVERIFY(f.workspace->isReadOnly());
    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.show();
    auto *banner = window.findChild<QLabel *>("banner");
    QVERIFY(banner && !banner->isHidden());
    QVERIFY2(banner->text().contains("read-only"), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(f.workspace->loadError()->detail), qPrintable(banner->text()));
    QVERIFY(banner->text().contains("profiles.json"));
    for (const char *name : {"addProfileAction", "addEnvironmentAction", "editAction",
                             "duplicateAction", "removeAction", "makeCurrentAction"})
        QVERIFY2(!action(&window, name)->isEnabled(), name);
    QCOMPARE(window.model()->rowCount(), 0);

    // Fixed on disk: the watcher reloads, editing comes back.
    ProfileStore fixer(f.dir.path());
    QFile::remove(f.store->filePath());
    QVERIFY(fixer.save(sampleConfig()));
    QTRY_VERIFY_WITH_TIMEOUT(!f.workspace->isReadOnly(), 5000);
    QTRY_VERIFY(banner->isHidden());
    QVERIFY(action(&window, "addProfileAction")->isEnabled());
    QCOMPARE(window.model()->rowCount(), 3);
}

// Not a check: with TOKENTRAY_SCREENSHOTS=DIR (under scripts/desktop-session) saves what the
// window and its dialogs look like on the X screen, for a person to review.
void tst_ManagerWindow::screenshots()
{
    const QString dir = qEnvironmentVariable("TOKENTRAY_SCREENSHOTS");
    if (dir.isEmpty() || QGuiApplication::platformName() != QLatin1String("xcb"))
        QSKIP("set TOKENTRAY_SCREENSHOTS=DIR and run under scripts/desktop-session");
    const auto shoot = [&dir](const QString &name) {
        QTest::qWait(400);
        const auto r = TestEnv::run("import", {"-window", "root", dir + "/" + name + ".png"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    };
    Fixture f(sampleConfig());
    Credential c;
    c.accessToken = Secret(QByteArrayLiteral("tok"));
    c.issuedAt = f.clock.nowUtc();
    c.expiresAt = f.clock.nowUtc().addSecs(3600);
    f.engine->adopt("id-work", "QA", c);
    ManagerWindow window(f.workspace.get(), &f.secrets);
    window.move(40, 40);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    selectRow(window, "id-work", "PROD");
    shoot("mgr-window");

    action(&window, "addEnvironmentAction")->trigger();
    auto *envForm = openDialog<EnvironmentForm>(&window);
    QVERIFY(envForm);
    QTest::keyClicks(envForm->nameEdit(), "DEV");
    setText(envForm, EnvField::TokenUrl, "http://login.example.com/token");
    QTest::keyClicks(envForm->secretField("client_secret")->lineEdit(), "hunter2");
    shoot("mgr-envform-oauth2");
    envForm->reject();

    selectRow(window, "id-role", "PROD");
    action(&window, "editAction")->trigger();
    envForm = openDialog<EnvironmentForm>(&window);
    QVERIFY(envForm);
    setText(envForm, EnvField::RoleArn, "arn:aws:iam::1234:role/Admin");
    shoot("mgr-envform-role");
    envForm->reject();

    selectRow(window, "id-keys");
    action(&window, "editAction")->trigger();
    auto *profileForm = openDialog<ProfileForm>(&window);
    QVERIFY(profileForm);
    shoot("mgr-profileform");
    profileForm->reject();

    selectRow(window, "id-work");
    action(&window, "removeAction")->trigger();
    shoot("mgr-confirm-remove");
    window.findChild<QMessageBox *>("confirmRemove")->reject();

    Fixture broken(Config(), QByteArray("{\"schemaVersion\": 1,\n  \"profiles\": [ garbage"));
    ManagerWindow readOnly(broken.workspace.get(), &broken.secrets);
    readOnly.move(40, 40);
    window.hide();
    readOnly.show();
    QVERIFY(QTest::qWaitForWindowExposed(&readOnly));
    shoot("mgr-readonly");
    f.engine->forget("id-work", "QA");
}

QTEST_MAIN(tst_ManagerWindow)
#include "tst_managerwindow.moc"
