#include "core/util/logging.h"

Q_LOGGING_CATEGORY(lcStore, "tokentray.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSecrets, "tokentray.secrets", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCli, "tokentray.cli", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOAuth, "tokentray.oauth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSts, "tokentray.sts", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRefresh, "tokentray.refresh", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIpc, "tokentray.ipc", QtInfoMsg)
