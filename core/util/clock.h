#pragma once

#include <QDateTime>

namespace TokenTray {

// Time is injected: the real clock in main(), a settable one in tests and the demo, so expiry,
// backoff and "the laptop slept for two hours" are testable without sleeping.
class Clock
{
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual QDateTime nowUtc() const = 0;
};

class SystemClock final : public Clock
{
public:
    [[nodiscard]] QDateTime nowUtc() const override;
};

class ManualClock final : public Clock
{
public:
    explicit ManualClock(const QDateTime &start = QDateTime::currentDateTimeUtc());
    [[nodiscard]] QDateTime nowUtc() const override;
    void setNow(const QDateTime &now);
    void advance(qint64 msecs);

private:
    QDateTime m_now;
};

} // namespace TokenTray
