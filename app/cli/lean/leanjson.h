#pragma once

// The little JSON tokentray-cli's front needs (no Qt): writing the request, reading the reply.

#include <string>
#include <string_view>

namespace TokenTray::Lean {

// `text` as a JSON string literal, quotes included. The bytes must be valid UTF-8.
void appendJsonString(std::string &out, std::string_view text);
bool isValidUtf8(std::string_view text);

struct AgentReply
{
    long long version = 0;
    bool ok = false;
    long long exitCode = 1;
    std::string out;
    std::string err;
    std::string errorCode;
    std::string errorMessage;
};

// One JSON object (RFC 8259; a leading byte order mark is ignored); the fields above are read,
// any other member (of any type, nested up to QJsonDocument's depth) is skipped. Accepts what
// QJsonDocument accepts, with the same values (tests/core/tst_leanjson checks it): the last of
// duplicate names wins, a number a double cannot hold is refused, "v" and "exit" take any
// number whose value is whole within +-2^53. Stricter than Qt 6 where Qt strays from the RFC
// (raw control characters in strings, unknown escapes, "1." or ".5"). False on anything that
// is not such an object or has a field of the wrong type, and `reply` is then as default.
// Strings come back as UTF-8 (escapes and surrogate pairs decoded; a lone surrogate becomes
// U+FFFD).
bool parseAgentReply(std::string_view json, AgentReply &reply);

} // namespace TokenTray::Lean
