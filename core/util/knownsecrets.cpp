#include "core/util/knownsecrets.h"

#include <QCryptographicHash>
#include <QMutex>
#include <QRandomGenerator>

#include <deque>

namespace TokenTray::KnownSecrets {

namespace {

constexpr qsizetype kPrefixLength = 4;

struct Fingerprint
{
    qsizetype length = 0;
    QByteArray prefix; // the first kPrefixLength bytes: where to look
    QByteArray digest; // SHA-256(key + value): what to compare
};

struct Registry
{
    QMutex mutex;
    QByteArray key; // random per process: a digest says nothing outside it
    std::deque<Fingerprint> recent; // most recent first
};

Registry &registry()
{
    static Registry r;
    return r;
}

QByteArray digestOf(const QByteArray &key, const char *data, qsizetype length)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(key);
    hash.addData(QByteArrayView(data, length));
    return hash.result();
}

} // namespace

void remember(const QByteArray &value)
{
    if (value.size() < kMinLength)
        return;
    Registry &r = registry();
    const QMutexLocker lock(&r.mutex);
    if (r.key.isEmpty()) {
        r.key.resize(32);
        QRandomGenerator::system()->generate(r.key.begin(), r.key.end());
    }
    Fingerprint f {value.size(), value.left(kPrefixLength),
                   digestOf(r.key, value.constData(), value.size())};
    for (auto it = r.recent.begin(); it != r.recent.end(); ++it) {
        if (it->length == f.length && it->digest == f.digest) {
            r.recent.erase(it);
            break;
        }
    }
    r.recent.push_front(std::move(f));
    if (r.recent.size() > kCapacity)
        r.recent.pop_back();
}

QString redact(const QString &text, const QString &replacement)
{
    Registry &r = registry();
    const QMutexLocker lock(&r.mutex);
    if (r.recent.empty())
        return text;
    QByteArray bytes = text.toUtf8();
    const QByteArray marker = replacement.toUtf8();
    bool changed = false;
    for (const Fingerprint &f : r.recent) {
        qsizetype from = 0;
        while ((from = bytes.indexOf(f.prefix, from)) >= 0) {
            if (from + f.length <= bytes.size()
                && digestOf(r.key, bytes.constData() + from, f.length) == f.digest) {
                bytes.replace(from, f.length, marker);
                from += marker.size();
                changed = true;
            } else {
                ++from;
            }
        }
    }
    return changed ? QString::fromUtf8(bytes) : text;
}

void forgetAll()
{
    Registry &r = registry();
    const QMutexLocker lock(&r.mutex);
    r.recent.clear();
}

} // namespace TokenTray::KnownSecrets
