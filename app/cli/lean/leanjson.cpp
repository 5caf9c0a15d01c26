#include "app/cli/lean/leanjson.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace TokenTray::Lean {

namespace {

// Objects and arrays nested deeper than this are refused, as QJsonDocument refuses them.
constexpr int kMaxNesting = 1024;
constexpr long long kMaxInteger = 1LL << 53; // what a double holds exactly
constexpr std::size_t kAbsent = std::string_view::npos;

void appendUtf8(std::string &out, std::uint32_t codePoint)
{
    if (codePoint < 0x80) {
        out += static_cast<char>(codePoint);
    } else if (codePoint < 0x800) {
        out += static_cast<char>(0xC0 | (codePoint >> 6));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else if (codePoint < 0x10000) {
        out += static_cast<char>(0xE0 | (codePoint >> 12));
        out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (codePoint >> 18));
        out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    }
}

class Parser
{
public:
    explicit Parser(std::string_view text, std::size_t pos = 0)
        : m_text(text)
        , m_pos(pos)
    {
    }

    [[nodiscard]] std::size_t position()
    {
        skipSpace();
        return m_pos;
    }

    // A UTF-8 byte order mark at the very start is ignored (RFC 8259 allows it; Qt does it).
    void skipByteOrderMark()
    {
        if (m_pos == 0 && m_text.substr(0, 3) == "\xEF\xBB\xBF")
            m_pos = 3;
    }

    bool atEnd()
    {
        skipSpace();
        return m_pos == m_text.size();
    }

    bool consume(char c)
    {
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    bool peek(char c)
    {
        skipSpace();
        return m_pos < m_text.size() && m_text[m_pos] == c;
    }

    bool parseString(std::string &out)
    {
        out.clear();
        if (!consume('"'))
            return false;
        while (m_pos < m_text.size()) {
            const unsigned char c = static_cast<unsigned char>(m_text[m_pos++]);
            if (c == '"')
                return true;
            if (c < 0x20)
                return false;
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            if (m_pos >= m_text.size())
                return false;
            switch (m_text[m_pos++]) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                std::uint32_t unit = 0;
                if (!parseHex4(unit))
                    return false;
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    std::uint32_t low = 0;
                    const std::size_t save = m_pos;
                    if (m_pos + 1 < m_text.size() && m_text[m_pos] == '\\'
                        && m_text[m_pos + 1] == 'u') {
                        m_pos += 2;
                        if (!parseHex4(low))
                            return false;
                        if (low >= 0xDC00 && low <= 0xDFFF) {
                            appendUtf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                            break;
                        }
                        m_pos = save; // not a pair: the next escape stands on its own
                    }
                    appendUtf8(out, 0xFFFD);
                } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
                    appendUtf8(out, 0xFFFD);
                } else {
                    appendUtf8(out, unit);
                }
                break;
            }
            default:
                return false;
            }
        }
        return false;
    }

    // A number whose value is a whole number of magnitude 2^53 at most ("3", "3.0", "3e0");
    // false for any other number.
    bool parseInteger(long long &value)
    {
        skipSpace();
        const std::size_t start = m_pos;
        if (!skipNumber())
            return false;
        const std::string_view number = m_text.substr(start, m_pos - start);
        if (number.find_first_of(".eE") == std::string_view::npos) {
            // Digits only: exact, so 2^53 + 1 is refused rather than rounded to 2^53.
            const bool negative = number.front() == '-';
            long long magnitude = 0;
            for (std::size_t i = negative ? 1 : 0; i < number.size(); ++i) {
                magnitude = magnitude * 10 + (number[i] - '0');
                if (magnitude > kMaxInteger)
                    return false;
            }
            value = negative ? -magnitude : magnitude;
            return true;
        }
        double real = 0;
        std::from_chars(number.data(), number.data() + number.size(), real); // checked by skip
        if (std::trunc(real) != real || std::fabs(real) > double(kMaxInteger))
            return false;
        value = static_cast<long long>(real);
        return true;
    }

    bool parseBool(bool &value)
    {
        skipSpace();
        if (m_text.substr(m_pos, 4) == "true") {
            m_pos += 4;
            value = true;
            return true;
        }
        if (m_text.substr(m_pos, 5) == "false") {
            m_pos += 5;
            value = false;
            return true;
        }
        return false;
    }

    // Any one value; `depth` is the nesting of the value's container (the top object is 1).
    bool skipValue(int depth)
    {
        skipSpace();
        if (m_pos >= m_text.size())
            return false;
        const char c = m_text[m_pos];
        if (c == '"') {
            std::string ignored;
            return parseString(ignored);
        }
        if (c == '{') {
            std::array<std::string_view, 0> none;
            std::array<std::size_t, 0> at;
            return scanObject(none, at, depth + 1);
        }
        if (c == '[') {
            if (depth + 1 > kMaxNesting)
                return false;
            ++m_pos;
            if (consume(']'))
                return true;
            do {
                if (!skipValue(depth + 1))
                    return false;
            } while (consume(','));
            return consume(']');
        }
        if (c == 't' || c == 'f') {
            bool ignored = false;
            return parseBool(ignored);
        }
        if (m_text.substr(m_pos, 4) == "null") {
            m_pos += 4;
            return true;
        }
        return skipNumber();
    }

    // Skips one object at nesting `nesting` and notes where the value of each of `names` last
    // begins (kAbsent if never): the last of duplicate names wins, as in QJsonObject.
    template<std::size_t N>
    bool scanObject(const std::array<std::string_view, N> &names, std::array<std::size_t, N> &at,
                    int nesting)
    {
        at.fill(kAbsent);
        if (nesting > kMaxNesting || !consume('{'))
            return false;
        if (consume('}'))
            return true;
        do {
            std::string key;
            if (!parseString(key) || !consume(':'))
                return false;
            const std::size_t valueAt = position();
            for (std::size_t i = 0; i < N; ++i) {
                if (key == names[i])
                    at[i] = valueAt;
            }
            if (!skipValue(nesting))
                return false;
        } while (consume(','));
        return consume('}');
    }

private:
    void skipSpace()
    {
        while (m_pos < m_text.size()
               && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n'
                   || m_text[m_pos] == '\r'))
            ++m_pos;
    }

    bool isDigit() const
    {
        return m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9';
    }

    // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool skipNumber()
    {
        const std::size_t start = m_pos;
        if (m_pos < m_text.size() && m_text[m_pos] == '-')
            ++m_pos;
        if (!isDigit())
            return false;
        if (m_text[m_pos] == '0') {
            ++m_pos;
        } else {
            while (isDigit())
                ++m_pos;
        }
        if (m_pos < m_text.size() && m_text[m_pos] == '.') {
            ++m_pos;
            if (!isDigit())
                return false;
            while (isDigit())
                ++m_pos;
        }
        if (m_pos < m_text.size() && (m_text[m_pos] == 'e' || m_text[m_pos] == 'E')) {
            ++m_pos;
            if (m_pos < m_text.size() && (m_text[m_pos] == '+' || m_text[m_pos] == '-'))
                ++m_pos;
            if (!isDigit())
                return false;
            while (isDigit())
                ++m_pos;
        }
        // QJsonDocument refuses a number a double cannot hold (1e400, or 1e-400 but not 0e-400).
        double ignored = 0;
        const char *first = m_text.data() + start;
        const char *last = m_text.data() + m_pos;
        const auto [end, error] = std::from_chars(first, last, ignored);
        return error == std::errc() && end == last;
    }

    bool parseHex4(std::uint32_t &unit)
    {
        if (m_pos + 4 > m_text.size())
            return false;
        unit = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_text[m_pos++];
            unit <<= 4;
            if (c >= '0' && c <= '9')
                unit |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                unit |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                unit |= static_cast<std::uint32_t>(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

// Reads the last occurrence of each member into `reply`, from positions a scan recorded in text
// already known to be well-formed JSON.
bool readError(std::string_view json, std::size_t at, AgentReply &reply)
{
    static constexpr std::array<std::string_view, 2> kNames {"code", "message"};
    std::array<std::size_t, 2> member {};
    Parser error(json, at);
    if (!error.scanObject(kNames, member, 2))
        return false;
    return (member[0] == kAbsent || Parser(json, member[0]).parseString(reply.errorCode))
        && (member[1] == kAbsent || Parser(json, member[1]).parseString(reply.errorMessage));
}

} // namespace

void appendJsonString(std::string &out, std::string_view text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : text) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c == 0x7F) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else {
            out += ch;
        }
    }
    out += '"';
}

bool isValidUtf8(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        std::uint32_t codePoint = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
            codePoint = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            codePoint = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            codePoint = c & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size())
            return false;
        for (std::size_t k = 1; k < length; ++k) {
            const unsigned char next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (next & 0x3F);
        }
        if ((length == 3 && (codePoint < 0x800 || (codePoint >= 0xD800 && codePoint <= 0xDFFF)))
            || (length == 4 && (codePoint < 0x10000 || codePoint > 0x10FFFF)))
            return false;
        i += length;
    }
    return true;
}

bool parseAgentReply(std::string_view json, AgentReply &reply)
{
    reply = AgentReply {};
    // Qt refuses invalid UTF-8 inside strings; outside them any byte above 0x7F is an error
    // anyway, so checking the whole text is the same rule.
    if (!isValidUtf8(json))
        return false;
    // First the whole text as JSON, noting where each member the reply uses last begins; then
    // those members with their types.
    enum Member { Version, Ok, Exit, Out, Err, ErrorObject, Count };
    static constexpr std::array<std::string_view, Count> kNames {"v",      "ok",     "exit",
                                                                 "stdout", "stderr", "error"};
    std::array<std::size_t, Count> at {};
    Parser parser(json);
    parser.skipByteOrderMark();
    if (!parser.scanObject(kNames, at, 1) || !parser.atEnd())
        return false;
    auto member = [&json, &at](Member m) {
        return Parser(json, at[m]);
    };
    const bool read = (at[Version] == kAbsent || member(Version).parseInteger(reply.version))
        && (at[Ok] == kAbsent || member(Ok).parseBool(reply.ok))
        && (at[Exit] == kAbsent || member(Exit).parseInteger(reply.exitCode))
        && (at[Out] == kAbsent || member(Out).parseString(reply.out))
        && (at[Err] == kAbsent || member(Err).parseString(reply.err))
        && (at[ErrorObject] == kAbsent || readError(json, at[ErrorObject], reply));
    if (!read)
        reply = AgentReply {}; // nothing half read
    return read;
}

} // namespace TokenTray::Lean
