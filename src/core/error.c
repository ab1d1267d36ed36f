/*
 * Error reporting helpers. See error.h.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/log.h"
#include "core/banned.h"

int pz_error(int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pz_log(PZ_LOG_ERROR, "%s (%s)", msg, pz_strerror(code));
    return code;
}

int pz_err_set(struct pz_err *err, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return PZ_EINVAL;
    err->code = code;
    err->field = field;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return PZ_EINVAL;
}

const char *pz_strerror(int code)
{
    switch (code) {
    case PZ_OK:
        return "ok";
    case PZ_ENOMEM:
        return "out of memory";
    case PZ_EIO:
        return "input/output error";
    case PZ_EINVAL:
        return "invalid input";
    case PZ_ENOTFOUND:
        return "not found";
    case PZ_EEXIST:
        return "already exists";
    case PZ_EDB:
        return "database error";
    case PZ_EPERM:
        return "not permitted";
    case PZ_ELIMIT:
        return "limit reached";
    case PZ_EAUTH:
        return "bad credentials";
    case PZ_ETOOBIG:
        return "too big";
    case PZ_EBUSY:
        return "busy";
    default:
        return "unknown error";
    }
}
