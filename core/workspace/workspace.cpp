#include "core/workspace/workspace.h"

#include "core/refresh/tokenengine.h"
#include "core/store/profilestore.h"
#include "core/util/clock.h"
#include "core/util/logging.h"

#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QLockFile>
#include <QTimer>

#include <sys/stat.h>

#include <memory>

namespace TokenTray {

Severity severityOf(TokenState state)
{
    switch (state) {
    case TokenState::None:
        return Severity::None;
    case TokenState::Fresh:
        return Severity::Good;
    case TokenState::Locked:
        return Severity::Locked;
    case TokenState::Advisory:
    case TokenState::Mandatory:
    case TokenState::Refreshing:
        return Severity::Warning;
    case TokenState::Expired:
    case TokenState::Error:
    case TokenState::SignInRequired:
        return Severity::Critical;
    }
    return Severity::None;
}

Workspace::Workspace(ProfileStore *store, TokenEngine *engine, const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_engine(engine)
    , m_clock(clock)
    , m_watcher(new QFileSystemWatcher(this))
    , m_reloadDelay(new QTimer(this))
{
    // Editors and QSaveFile replace the file: several events arrive; read once they settle.
    m_reloadDelay->setSingleShot(true);
    m_reloadDelay->setInterval(100);
    connect(m_reloadDelay, &QTimer::timeout, this, &Workspace::reloadFromDisk);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, m_reloadDelay,
            qOverload<>(&QTimer::start));
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, m_reloadDelay,
            qOverload<>(&QTimer::start));
    connect(m_engine, &TokenEngine::stateChanged, this,
            [this](const QString &profileId, const QString &env, TokenState s) {
                Q_EMIT stateChanged(profileId, env, s);
                Q_EMIT overallChanged();
            });
}

Workspace::~Workspace() = default;

namespace {

std::array<qint64, 3> stampOf(const QString &path)
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {-1, -1, -1};
    return {qint64(st.st_ino), qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
            qint64(st.st_size)};
}

} // namespace

void Workspace::reload()
{
    if (!m_loadError && stampOf(m_store->filePath()) == m_stamp)
        return;
    reloadFromDisk();
}

Result<void> Workspace::load()
{
    m_stamp = stampOf(m_store->filePath()); // before reading: a write meanwhile is seen next time
    auto loaded = m_store->load();
    if (!m_watcher->directories().contains(m_store->directory())
        && QFileInfo::exists(m_store->directory()))
        m_watcher->addPath(m_store->directory());
    if (QFileInfo::exists(m_store->filePath()) && !m_watcher->files().contains(m_store->filePath()))
        m_watcher->addPath(m_store->filePath());
    if (!loaded) {
        m_loadError = loaded.error();
        Q_EMIT configChanged();
        return loaded.error();
    }
    m_loadError.reset();
    apply(*loaded);
    return {};
}

void Workspace::reloadFromDisk()
{
    const Config before = m_config;
    const bool wasReadOnly = isReadOnly();
    m_stamp = stampOf(m_store->filePath());
    auto loaded = m_store->load();
    if (QFileInfo::exists(m_store->filePath()) && !m_watcher->files().contains(m_store->filePath()))
        m_watcher->addPath(m_store->filePath());
    if (!loaded) {
        m_loadError = loaded.error();
        Q_EMIT configChanged();
        return;
    }
    m_loadError.reset();
    if (wasReadOnly || !(*loaded == before))
        apply(*loaded);
}

void Workspace::apply(const Config &config)
{
    m_config = config;
    m_engine->setConfig(m_config);
    qCDebug(lcStore) << "workspace has" << m_config.profiles.size() << "profiles";
    Q_EMIT configChanged();
    Q_EMIT overallChanged();
}

namespace {

// A lock another process holds: what update() answers instead of waiting.
Error busyError(const QString &path)
{
    return Error {ErrorCode::ConfigIo,
                  path
                      + QStringLiteral(" is busy (another TokenTray process is changing it); "
                                       "the change was not saved")};
}

bool isBusy(const Error &error, const QString &path)
{
    return error.code == ErrorCode::ConfigIo && error.detail == busyError(path).detail;
}

} // namespace

Result<void> Workspace::update(const Change &change)
{
    if (m_loadError)
        return Error {ErrorCode::ConfigReadOnly, m_loadError->detail};
    auto lock = m_store->tryLockForUpdate();
    if (!lock)
        return lock.error();
    if (!lock.value())
        return busyError(m_store->filePath());
    auto fresh = m_store->load();
    if (!fresh) {
        m_loadError = fresh.error();
        Q_EMIT configChanged();
        return fresh.error();
    }
    Config config = *fresh;
    if (auto r = change(config); !r)
        return r;
    if (auto saved = m_store->save(config); !saved)
        return saved;
    apply(config);
    return {};
}

void Workspace::updateSoon(Change change, QObject *context, Done done)
{
    QTimer::singleShot(0, context,
                       [this, change = std::move(change), context, done = std::move(done)] {
                           tryUpdate(change, context, done, 0);
                       });
}

void Workspace::tryUpdate(const Change &change, QObject *context, const Done &done, int attempt)
{
    const Result<void> result = update(change);
    if (!result && isBusy(result.error(), m_store->filePath())
        && attempt < m_lockRetryDelays.size()) {
        qCDebug(lcStore) << "profiles.json is busy; trying again in"
                         << m_lockRetryDelays.at(attempt) << "ms";
        QTimer::singleShot(m_lockRetryDelays.at(attempt), context,
                           [this, change, context, done, attempt] {
                               tryUpdate(change, context, done, attempt + 1);
                           });
        return;
    }
    done(result);
}

void Workspace::switchTo(const QString &profileName, const QString &envName, QObject *context,
                         Done done)
{
    auto switchedTo = std::make_shared<QString>();
    auto change = [profileName, envName, switchedTo](Config &config) -> Result<void> {
        Profile *p = config.profileByName(profileName);
        if (!p)
            return Error {ErrorCode::NotFound,
                          QStringLiteral("there is no profile named \"") + profileName
                              + QLatin1Char('"')};
        if (!envName.isEmpty()) {
            if (!p->environment(envName))
                return Error {ErrorCode::NotFound,
                              QStringLiteral("profile ") + profileName
                                  + QStringLiteral(" has no environment ") + envName};
            p->activeEnvironment = envName;
        }
        config.currentProfileId = p->id;
        *switchedTo = p->activeEnvironment;
        return {};
    };
    updateSoon(std::move(change), context,
               [this, profileName, switchedTo, done = std::move(done)](const Result<void> &result) {
                   if (result)
                       Q_EMIT switched(profileName, *switchedTo);
                   done(result);
               });
}

TokenState Workspace::state(const QString &profileId, const QString &env) const
{
    return m_engine->state(profileId, env);
}

TokenState Workspace::overallState() const
{
    TokenState worst = TokenState::None;
    for (const Profile &p : m_config.profiles) {
        if (p.activeEnvironment.isEmpty())
            continue;
        const TokenState s = state(p.id, p.activeEnvironment);
        if (static_cast<int>(severityOf(s)) > static_cast<int>(severityOf(worst)))
            worst = s;
    }
    return worst;
}

Severity Workspace::overallSeverity() const
{
    return severityOf(overallState());
}

bool Workspace::currentIsProtected() const
{
    const Profile *p = m_config.currentProfile();
    const Environment *env = p ? p->active() : nullptr;
    return env && env->isProtected;
}

std::optional<qint64> Workspace::secondsLeft(const QString &profileId, const QString &env) const
{
    const auto credential = m_engine->credential(profileId, env);
    if (!credential || !credential->expires())
        return std::nullopt;
    return m_clock->nowUtc().secsTo(credential->expiresAt);
}

} // namespace TokenTray
