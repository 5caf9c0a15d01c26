// libFuzzer target: the lean CLI's Qt-free reader of agent replies (app/cli/lean/leanjson).
// Whatever it accepts, QJsonDocument must accept with the same values (it may refuse more: Qt
// 6 also takes raw control characters, unknown escapes and "1." that RFC 8259 forbids), and
// its strings written back with appendJsonString() must read the same again.
#include "app/cli/lean/leanjson.h"
#include "tests/support/leanjsonoracle.h"

#include <cstddef>
#include <cstdint>
#include <string>

using TokenTray::Lean::AgentReply;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view json(reinterpret_cast<const char *>(data), size);
    AgentReply reply;
    if (!TokenTray::Lean::parseAgentReply(json, reply))
        return 0;
    const std::optional<AgentReply> qt
        = LeanJsonOracle::readAgentReply(QByteArray(json.data(), qsizetype(json.size())));
    if (!qt || !LeanJsonOracle::difference(reply, *qt).isEmpty())
        __builtin_trap();

    std::string again = "{\"v\":" + std::to_string(reply.version)
        + (reply.ok ? ",\"ok\":true" : ",\"ok\":false")
        + ",\"exit\":" + std::to_string(reply.exitCode) + ",\"stdout\":";
    TokenTray::Lean::appendJsonString(again, reply.out);
    again += ",\"stderr\":";
    TokenTray::Lean::appendJsonString(again, reply.err);
    again += ",\"error\":{\"code\":";
    TokenTray::Lean::appendJsonString(again, reply.errorCode);
    again += ",\"message\":";
    TokenTray::Lean::appendJsonString(again, reply.errorMessage);
    again += "}}";
    AgentReply back;
    if (!TokenTray::Lean::parseAgentReply(again, back)
        || !LeanJsonOracle::difference(reply, back).isEmpty())
        __builtin_trap();
    return 0;
}
