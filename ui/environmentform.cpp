#include "ui/environmentform.h"

#include "core/model/configedits.h"
#include "core/model/validation.h"
#include "core/util/secret.h"
#include "core/workspace/secretsavejob.h"
#include "core/workspace/workspace.h"
#include "ui/fieldmessage.h"
#include "ui/managertext.h"
#include "ui/secretfield.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace TokenTray {

EnvironmentForm::EnvironmentForm(Workspace *workspace, SecretStore *secrets,
                                 const QString &profileId, const QString &envName, QWidget *parent)
    : QDialog(parent)
    , m_workspace(workspace)
    , m_secrets(secrets)
    , m_profileId(profileId)
    , m_name(new QLineEdit(this))
    , m_nameMessage(new FieldMessage(this))
    , m_status(new QLabel(this))
    , m_error(new FieldMessage(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("environmentForm"));
    m_name->setObjectName(QStringLiteral("name"));
    m_nameMessage->setObjectName(QStringLiteral("nameMessage"));
    m_error->setObjectName(QStringLiteral("error"));
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setVisible(false);

    const Config &config = m_workspace->config();
    const Profile *profile = config.profileById(profileId);
    const ProfileKind kind = profile ? profile->kind : ProfileKind::StaticToken;
    const Grant grant = profile ? profile->grant : Grant::None;
    const QString profileName = profile ? profile->name : QString();
    if (profile && profile->environment(envName)) {
        m_envName = envName;
        m_original = *profile->environment(envName);
        setWindowTitle(tr("Edit environment %1 of %2").arg(envName, profileName));
        m_name->setText(envName);
        m_name->setReadOnly(true);
        m_name->setToolTip(
            tr("Environments keep their name: their keychain items are filed under it. "
               "Duplicate the environment to get one with another name."));
    } else {
        setWindowTitle(tr("Add environment to %1").arg(profileName));
        m_name->setPlaceholderText(tr("e.g. PROD, QA, DEV"));
    }

    QStringList sourceProfiles;
    for (const Profile &p : config.profiles) {
        if (p.id != profileId
            && (p.kind == ProfileKind::AwsAccessKey || p.kind == ProfileKind::AwsAssumeRole))
            sourceProfiles << p.name;
    }

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Name:"), FieldMessage::below(m_name, m_nameMessage, this));
    for (EnvField field : environmentFields(kind))
        addFieldRow(form, field, sourceProfiles);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);

    const QStringList secretNames = enterableSecretNames(kind, grant);
    if (!secretNames.isEmpty()) {
        auto *group = new QGroupBox(tr("Secrets (kept in the system keychain)"), this);
        auto *secretsForm = new QFormLayout(group);
        secretsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        for (const QString &name : secretNames) {
            auto *field = new SecretField(name, false, group);
            connect(field, &SecretField::edited, this, &EnvironmentForm::updateForm);
            secretsForm->addRow(ManagerText::secretLabel(name) + QLatin1Char(':'), field);
            m_secretFields << field;
        }
        layout->addWidget(group);
        refreshStoredMarks();
    }
    layout->addWidget(m_error);
    layout->addWidget(m_status);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &EnvironmentForm::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &EnvironmentForm::reject);
    connect(m_name, &QLineEdit::textChanged, this, &EnvironmentForm::updateForm);
    updateForm();
    setMinimumWidth(520);
}

EnvironmentForm::~EnvironmentForm() = default;

void EnvironmentForm::addFieldRow(QFormLayout *form, EnvField field,
                                  const QStringList &sourceProfiles)
{
    const EnvFieldSpec &spec = envFieldSpec(field);
    Row row {field};
    row.message = new FieldMessage(this);
    const QString label = ManagerText::fieldLabel(field);
    switch (spec.type) {
    case FieldType::Flag: {
        auto *box = new QCheckBox(QCoreApplication::translate(kEnvFieldsContext, spec.hint), this);
        box->setChecked(envFieldValue<bool>(spec, m_original));
        connect(box, &QCheckBox::toggled, this, &EnvironmentForm::updateForm);
        row.editor = box;
        break;
    }
    case FieldType::Choice: {
        auto *combo = new QComboBox(this);
        for (qsizetype i = 0; i < spec.choices.size(); ++i)
            combo->addItem(QCoreApplication::translate(kEnvFieldsContext, spec.choiceLabels.at(i)),
                           spec.choices.at(i));
        combo->setCurrentIndex(qMax(0, combo->findData(envFieldValue<QString>(spec, m_original))));
        connect(combo, &QComboBox::currentIndexChanged, this, &EnvironmentForm::updateForm);
        row.editor = combo;
        break;
    }
    case FieldType::ProfileName: {
        const QString &current = envFieldValue<QString>(spec, m_original);
        auto *combo = new QComboBox(this);
        combo->addItem(tr("(choose a profile)"), QString());
        for (const QString &name : sourceProfiles)
            combo->addItem(name, name);
        if (!current.isEmpty() && combo->findData(current) < 0)
            combo->addItem(current, current);
        combo->setCurrentIndex(qMax(0, combo->findData(current)));
        connect(combo, &QComboBox::currentIndexChanged, this, &EnvironmentForm::updateForm);
        row.editor = combo;
        break;
    }
    case FieldType::Seconds: {
        auto *spin = new QSpinBox(this);
        spin->setRange(0, spec.maximum);
        spin->setSingleStep(spec.step);
        spin->setSpecialValueText(tr("service default"));
        spin->setSuffix(tr(" s"));
        spin->setValue(envFieldValue<int>(spec, m_original));
        connect(spin, &QSpinBox::valueChanged, this, &EnvironmentForm::updateForm);
        row.editor = spin;
        break;
    }
    case FieldType::Text:
    case FieldType::Url:
    case FieldType::Words:
    case FieldType::File: {
        auto *edit = new QLineEdit(this);
        edit->setPlaceholderText(ManagerText::fieldPlaceholder(field));
        edit->setText(envFieldText(spec, m_original));
        connect(edit, &QLineEdit::textChanged, this, &EnvironmentForm::updateForm);
        row.editor = edit;
        break;
    }
    }
    row.editor->setObjectName(QStringLiteral("field:") + label);
    row.message->setObjectName(QStringLiteral("message:") + label);

    QWidget *editor = row.editor;
    if (spec.type == FieldType::File) {
        auto *edit = static_cast<QLineEdit *>(row.editor);
        auto *browse = new QPushButton(tr("Browse…"), this);
        connect(browse, &QPushButton::clicked, this, [this, edit, label] {
            auto *dialog = new QFileDialog(this, label);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->setFileMode(QFileDialog::ExistingFile);
            dialog->setNameFilter(tr("PEM certificates (*.pem *.crt);;All files (*)"));
            connect(dialog, &QFileDialog::fileSelected, edit, &QLineEdit::setText);
            dialog->open();
        });
        auto *line = new QWidget(this);
        auto *h = new QHBoxLayout(line);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(edit, 1);
        h->addWidget(browse);
        editor = line;
    }
    // A check box carries its own text.
    if (spec.type == FieldType::Flag)
        form->addRow(QString(), FieldMessage::below(editor, row.message, this));
    else
        form->addRow(label + QLatin1Char(':'), FieldMessage::below(editor, row.message, this));
    m_rows << row;
}

const EnvironmentForm::Row *EnvironmentForm::row(EnvField field) const
{
    for (const Row &r : m_rows) {
        if (r.field == field)
            return &r;
    }
    return nullptr;
}

QWidget *EnvironmentForm::fieldEditor(EnvField field) const
{
    const Row *r = row(field);
    return r ? r->editor : nullptr;
}

QString EnvironmentForm::fieldMessage(EnvField field) const
{
    const Row *r = row(field);
    return r ? r->message->message() : QString();
}

QString EnvironmentForm::nameMessage() const
{
    return m_nameMessage->message();
}

QString EnvironmentForm::errorMessage() const
{
    return m_error->message();
}

SecretField *EnvironmentForm::secretField(const QString &secretName) const
{
    for (SecretField *f : m_secretFields) {
        if (f->secretName() == secretName)
            return f;
    }
    return nullptr;
}

QPushButton *EnvironmentForm::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

bool EnvironmentForm::isValid() const
{
    return m_valid;
}

Environment EnvironmentForm::environmentFromFields() const
{
    Environment env = m_original;
    env.name = m_envName.isEmpty() ? m_name->text().trimmed() : m_envName;
    for (const Row &r : m_rows) {
        const EnvFieldSpec &spec = envFieldSpec(r.field);
        switch (spec.type) {
        case FieldType::Flag:
            envFieldValue<bool>(spec, env) = static_cast<QCheckBox *>(r.editor)->isChecked();
            break;
        case FieldType::Choice: {
            const QString chosen = static_cast<QComboBox *>(r.editor)->currentData().toString();
            // The first choice is the default: keep an unset value unset.
            const bool unset = envFieldValue<QString>(spec, m_original).isEmpty();
            envFieldValue<QString>(spec, env)
                = chosen == spec.choices.first() && unset ? QString() : chosen;
            break;
        }
        case FieldType::ProfileName:
            envFieldValue<QString>(spec, env)
                = static_cast<QComboBox *>(r.editor)->currentData().toString();
            break;
        case FieldType::Seconds:
            envFieldValue<int>(spec, env) = static_cast<QSpinBox *>(r.editor)->value();
            break;
        case FieldType::Text:
        case FieldType::Url:
        case FieldType::Words:
        case FieldType::File:
            setEnvFieldText(spec, static_cast<QLineEdit *>(r.editor)->text().trimmed(), &env);
            break;
        }
    }
    return env;
}

void EnvironmentForm::updateForm()
{
    const Config &config = m_workspace->config();
    const Profile *profile = config.profileById(m_profileId);
    if (!profile) {
        m_error->setMessage(tr("The profile was removed."));
        okButton()->setEnabled(false);
        m_valid = false;
        return;
    }
    const Environment env = environmentFromFields();
    bool valid = true;

    QString nameProblem;
    if (m_envName.isEmpty()) {
        if (auto r = checkEnvironmentName(*profile, env.name); !r)
            nameProblem = ManagerText::nameProblem(r.error(), env.name, true);
    }
    m_nameMessage->setMessage(nameProblem);
    valid = valid && nameProblem.isEmpty();

    for (const Row &r : std::as_const(m_rows)) {
        const auto checked = validateField(r.field, env);
        r.message->setMessage(checked ? QString() : ManagerText::error(checked.error()));
        valid = valid && checked;
    }
    for (Requirement requirement : unmetRequirements(profile->kind, profile->grant, env)) {
        const Row *r = row(requirementField(requirement));
        if (r && r->message->message().isEmpty())
            r->message->setMessage(ManagerText::requirement(requirement));
        valid = false;
    }
    // What only the whole config can tell (the source profile exists and is an AWS one).
    QString whole;
    if (valid) {
        if (auto r = validateEnvironment(*profile, env, config); !r) {
            whole = ManagerText::error(r.error());
            valid = false;
        }
    }
    if (!isSaving())
        m_error->setMessage(whole);
    m_valid = valid;
    okButton()->setEnabled(valid && !isSaving() && !m_workspace->isReadOnly());
    FieldMessage::growToFit(this);
}

void EnvironmentForm::accept()
{
    updateForm();
    if (!m_valid || isSaving())
        return;
    const Environment env = environmentFromFields();
    const bool adding = m_envName.isEmpty();
    const auto saved = m_workspace->update([this, &env, adding](Config &c) {
        return adding ? addEnvironment(c, m_profileId, env) : editEnvironment(c, m_profileId, env);
    });
    if (!saved) {
        m_error->setMessage(ManagerText::error(saved.error()));
        return;
    }
    if (adding) {
        // It exists now: a retry after a keychain failure edits it.
        m_envName = env.name;
        m_original = env;
        m_name->setReadOnly(true);
    } else {
        m_original = env;
    }
    storeSecrets();
}

void EnvironmentForm::storeSecrets()
{
    QList<std::pair<QString, Secret>> typed;
    for (SecretField *f : std::as_const(m_secretFields)) {
        if (!f->isEmpty())
            typed.append({f->secretName(), f->take()});
    }
    if (typed.isEmpty()) {
        QDialog::accept();
        return;
    }
    m_job = new SecretSaveJob(m_workspace, m_secrets, m_profileId, m_envName, typed, this);
    connect(m_job, &SecretSaveJob::finished, this, &EnvironmentForm::onSecretsSaved);
    setBusy(true);
    m_job->start();
}

void EnvironmentForm::onSecretsSaved()
{
    const Result<void> result = m_job->result();
    m_job->deleteLater();
    m_job.clear();
    setBusy(false);
    refreshStoredMarks();
    if (result) {
        QDialog::accept();
        return;
    }
    updateForm();
    m_error->setMessage(
        tr("The environment was saved, but its secrets were not stored. %1 Type them "
           "again to retry.")
            .arg(ManagerText::error(result.error())));
}

void EnvironmentForm::setBusy(bool busy)
{
    m_status->setText(busy ? tr("Storing the secrets in the keychain…") : QString());
    m_status->setVisible(busy);
    m_buttons->setEnabled(!busy);
    for (SecretField *f : std::as_const(m_secretFields))
        f->setEnabled(!busy);
}

void EnvironmentForm::refreshStoredMarks()
{
    const Profile *profile = m_workspace->config().profileById(m_profileId);
    for (SecretField *f : std::as_const(m_secretFields)) {
        const bool stored = profile && !m_envName.isEmpty()
            && profile->secretIndex.contains(secretIndexEntry(m_envName, f->secretName()));
        f->setStored(stored);
    }
}

} // namespace TokenTray
