#include "core/util/secret.h"

#include <QDebug>

namespace TokenTray {

Secret::Secret(const QByteArray &bytes)
    : m_bytes(bytes)
{
}

Secret Secret::fromUtf8(const QString &text)
{
    return Secret(text.toUtf8());
}

Secret &Secret::operator=(const Secret &other)
{
    if (this != &other) {
        wipe();
        m_bytes = other.m_bytes;
    }
    return *this;
}

Secret &Secret::operator=(Secret &&other) noexcept
{
    if (this != &other) {
        wipe();
        m_bytes = std::move(other.m_bytes);
    }
    return *this;
}

Secret::~Secret()
{
    wipe();
}

bool Secret::constantTimeEquals(const Secret &other) const
{
    const QByteArray &a = m_bytes;
    const QByteArray &b = other.m_bytes;
    // Length is not secret; the content is.
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const qsizetype n = qMin(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

void Secret::clear()
{
    wipe();
    m_bytes.clear();
}

void Secret::wipe()
{
    // Only the last owner may overwrite the shared buffer.
    if (!m_bytes.isEmpty() && m_bytes.isDetached()) {
        volatile char *p = m_bytes.data();
        for (qsizetype i = 0; i < m_bytes.size(); ++i)
            p[i] = 0;
    }
}

QDebug operator<<(QDebug debug, const Secret &secret)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "Secret(<redacted>, " << secret.size() << " bytes)";
    return debug;
}

} // namespace TokenTray
