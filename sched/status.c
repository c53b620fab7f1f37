/* Status codes and version: the one list of messages for the KP_E* codes. */
#include "kernpool.h"

static const char *const messages[] = {
    [-KP_OK] = "success",
    [-KP_EINVAL] = "invalid argument value",
    [-KP_ENOMEM] = "out of memory",
    [-KP_ENOTSUP] = "not supported by this build or CPU",
    [-KP_ENULL] = "required pointer is NULL",
    [-KP_ESTRIDE] = "invalid stride, increment or leading dimension",
    [-KP_EOVERFLOW] = "size or product of sizes overflows",
    [-KP_EEMPTY] = "result undefined for an empty input",
    [-KP_EOVERLAP] = "input and output overlap",
    [-KP_ENOENT] = "library not loaded",
};

_Static_assert(sizeof messages / sizeof messages[0] == 1 - KP_STATUS_MIN,
               "every status code down to KP_STATUS_MIN needs a message");

const char *kp_strerror(int status)
{
    if (status > 0 || status < KP_STATUS_MIN) return "unknown status code";
    return messages[-status];
}

const char *kp_version(void)
{
    return KP_VERSION_STRING;
}
