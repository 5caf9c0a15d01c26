#pragma once

// The tests' name for the project's scripted loopback server (core/demo).
#include "core/demo/loopbackhttpserver.h"

using TokenTray::RecordedRequest;
using TokenTray::ScriptedReply;
using TestHttpServer = TokenTray::LoopbackHttpServer;
