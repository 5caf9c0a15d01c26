#include "core/util/randomsource.h"

#include <QRandomGenerator>

namespace TokenTray {

double SystemRandomSource::generateDouble()
{
    return QRandomGenerator::global()->generateDouble();
}

qint64 SystemRandomSource::bounded(qint64 highest)
{
    return highest > 0 ? QRandomGenerator::global()->bounded(highest) : 0;
}

SystemRandomSource *SystemRandomSource::instance()
{
    static SystemRandomSource source;
    return &source;
}

FixedRandomSource::FixedRandomSource(double fraction)
    : m_fraction(fraction)
{
}

void FixedRandomSource::setFraction(double fraction)
{
    m_fraction = fraction;
}

double FixedRandomSource::generateDouble()
{
    return m_fraction;
}

qint64 FixedRandomSource::bounded(qint64 highest)
{
    if (highest <= 0)
        return 0;
    return qBound<qint64>(0, static_cast<qint64>(m_fraction * static_cast<double>(highest)),
                          highest - 1);
}

} // namespace TokenTray
