/* Strict parsing of the KERNPOOL_* environment variables. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "sched/internal.h"

kp__env_status kp__env_long(const char *name, long min, long max, long *out)
{
    const char *s = getenv(name);
    if (s == NULL) return KP_ENV_UNSET;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0') return KP_ENV_UNSET;

    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno == ERANGE) return KP_ENV_MALFORMED;
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0' || v < min || v > max) return KP_ENV_MALFORMED;
    *out = v;
    return KP_ENV_VALID;
}
