#pragma once

#include <QByteArray>
#include <QMetaType>

class QDebug;

namespace TokenTray {

// Secret bytes that cannot be printed by accident. qDebug() << secret prints
// "Secret(<redacted>, 40 bytes)"; reaching the bytes takes an explicit, greppable expose().
// The buffer is zeroed on destruction when this object is its last owner.
class Secret
{
public:
    Secret() = default;
    explicit Secret(const QByteArray &bytes);
    static Secret fromUtf8(const QString &text);
    Secret(const Secret &other) = default;
    Secret(Secret &&other) noexcept = default;
    Secret &operator=(const Secret &other);
    Secret &operator=(Secret &&other) noexcept;
    ~Secret();

    [[nodiscard]] bool isEmpty() const { return m_bytes.isEmpty(); }
    [[nodiscard]] qsizetype size() const { return m_bytes.size(); }
    [[nodiscard]] const QByteArray &expose() const { return m_bytes; }
    [[nodiscard]] QString exposeUtf8() const { return QString::fromUtf8(m_bytes); }

    // Constant-time comparison: the time taken does not depend on where the bytes differ.
    [[nodiscard]] bool constantTimeEquals(const Secret &other) const;

    void clear();

private:
    void wipe();
    QByteArray m_bytes;
};

QDebug operator<<(QDebug debug, const Secret &secret);

} // namespace TokenTray

Q_DECLARE_METATYPE(TokenTray::Secret)
