#pragma once

// The tests' name for the demo OAuth authority (core/demo).
#include "core/demo/demoauthority.h"
#include "testhttpserver.h"

using FakeAuthority = TokenTray::DemoAuthority;
