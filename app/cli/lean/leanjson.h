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

// One JSON object; the fields above are read, any other member (of any type, nested or not)
// is skipped. False on anything that is not a well-formed JSON object or has a field of the
// wrong type. Strings come back as UTF-8 (escapes and surrogate pairs decoded; a lone
// surrogate becomes U+FFFD).
bool parseAgentReply(std::string_view json, AgentReply &reply);

} // namespace TokenTray::Lean
