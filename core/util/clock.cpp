#include "core/util/clock.h"

#include <QTimeZone>

namespace TokenTray {

QDateTime SystemClock::nowUtc() const
{
    return QDateTime::currentDateTimeUtc();
}

ManualClock::ManualClock(const QDateTime &start)
    : m_now(start.toUTC())
{
}

QDateTime ManualClock::nowUtc() const
{
    return m_now;
}

void ManualClock::setNow(const QDateTime &now)
{
    m_now = now.toUTC();
}

void ManualClock::advance(qint64 msecs)
{
    m_now = m_now.addMSecs(msecs);
}

} // namespace TokenTray
