#pragma once

#include <QtGlobal>

namespace TokenTray {

// Randomness is injected like time: the system generator in main(), a fixed one in tests, so
// backoff and refresh jitter are testable exactly.
class RandomSource
{
public:
    virtual ~RandomSource() = default;
    // Uniform in [0, 1).
    [[nodiscard]] virtual double generateDouble() = 0;
    // Uniform in [0, highest); 0 when highest <= 0.
    [[nodiscard]] virtual qint64 bounded(qint64 highest) = 0;
};

class SystemRandomSource final : public RandomSource
{
public:
    [[nodiscard]] double generateDouble() override;
    [[nodiscard]] qint64 bounded(qint64 highest) override;
    // The process-wide instance, the default of whoever takes a RandomSource.
    static SystemRandomSource *instance();
};

// Always answers the same fraction of the range.
class FixedRandomSource final : public RandomSource
{
public:
    explicit FixedRandomSource(double fraction = 0.5);
    void setFraction(double fraction);
    [[nodiscard]] double generateDouble() override;
    [[nodiscard]] qint64 bounded(qint64 highest) override;

private:
    double m_fraction;
};

} // namespace TokenTray
