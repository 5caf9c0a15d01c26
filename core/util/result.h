#pragma once

// A small std::expected equivalent (std::expected needs C++23 and a newer clang than the
// fuzzing toolchain has). Recoverable errors travel as values, never as exceptions.

#include "core/util/error.h"

#include <optional>
#include <utility>
#include <variant>

namespace TokenTray {

template<typename T> class [[nodiscard]] Result
{
public:
    Result(const T &value)
        : m_data(std::in_place_index<0>, value)
    {
    }
    Result(T &&value)
        : m_data(std::in_place_index<0>, std::move(value))
    {
    }
    Result(const Error &error)
        : m_data(std::in_place_index<1>, error)
    {
    }
    Result(Error &&error)
        : m_data(std::in_place_index<1>, std::move(error))
    {
    }

    bool has_value() const { return m_data.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const Error &error() const { return std::get<1>(m_data); }

    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    template<typename U> T value_or(U &&fallback) const
    {
        return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, Error> m_data;
};

template<> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(const Error &error)
        : m_error(error)
    {
    }
    Result(Error &&error)
        : m_error(std::move(error))
    {
    }

    bool has_value() const { return !m_error.has_value(); }
    explicit operator bool() const { return has_value(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

} // namespace TokenTray
