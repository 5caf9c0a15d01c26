#include "app/cli/lean/leanjson.h"

#include <cstdint>

namespace TokenTray::Lean {

namespace {

constexpr int kMaxDepth = 64;

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
    explicit Parser(std::string_view text)
        : m_text(text)
    {
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

    // An integer ("3", also "3.0"); false for any other number or a magnitude above 2^53.
    bool parseInteger(long long &value)
    {
        skipSpace();
        const std::size_t start = m_pos;
        if (!skipNumber())
            return false;
        const std::string_view number = m_text.substr(start, m_pos - start);
        bool negative = false;
        std::size_t i = 0;
        if (number[i] == '-') {
            negative = true;
            ++i;
        }
        long long magnitude = 0;
        for (; i < number.size() && number[i] >= '0' && number[i] <= '9'; ++i) {
            if (magnitude > (1LL << 53))
                return false;
            magnitude = magnitude * 10 + (number[i] - '0');
        }
        if (i < number.size()) {
            // Fraction or exponent: accept only ".0…" without an exponent.
            if (number[i] != '.')
                return false;
            for (++i; i < number.size(); ++i) {
                if (number[i] != '0')
                    return false;
            }
        }
        value = negative ? -magnitude : magnitude;
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

    bool skipValue(int depth = 0)
    {
        if (depth > kMaxDepth)
            return false;
        skipSpace();
        if (m_pos >= m_text.size())
            return false;
        const char c = m_text[m_pos];
        if (c == '"') {
            std::string ignored;
            return parseString(ignored);
        }
        if (c == '{') {
            ++m_pos;
            if (consume('}'))
                return true;
            do {
                std::string key;
                if (!parseString(key) || !consume(':') || !skipValue(depth + 1))
                    return false;
            } while (consume(','));
            return consume('}');
        }
        if (c == '[') {
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
        return true;
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

bool parseError(Parser &parser, AgentReply &reply)
{
    if (!parser.consume('{'))
        return false;
    if (parser.consume('}'))
        return true;
    do {
        std::string key;
        if (!parser.parseString(key) || !parser.consume(':'))
            return false;
        bool ok = false;
        if (key == "code")
            ok = parser.parseString(reply.errorCode);
        else if (key == "message")
            ok = parser.parseString(reply.errorMessage);
        else
            ok = parser.skipValue(1);
        if (!ok)
            return false;
    } while (parser.consume(','));
    return parser.consume('}');
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
    Parser parser(json);
    if (!parser.consume('{'))
        return false;
    if (!parser.peek('}')) {
        do {
            std::string key;
            if (!parser.parseString(key) || !parser.consume(':'))
                return false;
            bool ok = false;
            if (key == "v")
                ok = parser.parseInteger(reply.version);
            else if (key == "ok")
                ok = parser.parseBool(reply.ok);
            else if (key == "exit")
                ok = parser.parseInteger(reply.exitCode);
            else if (key == "stdout")
                ok = parser.parseString(reply.out);
            else if (key == "stderr")
                ok = parser.parseString(reply.err);
            else if (key == "error")
                ok = parseError(parser, reply);
            else
                ok = parser.skipValue(1);
            if (!ok)
                return false;
        } while (parser.consume(','));
    }
    return parser.consume('}') && parser.atEnd();
}

} // namespace TokenTray::Lean
