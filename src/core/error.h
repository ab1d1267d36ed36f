/*
 * Error codes and the error record that crosses module boundaries.
 *
 * Internal failures are negative PZ_E* integers: a function returns 0 or one
 * of them, and logs once where the cause is known (pz_error). Failures the
 * user must hear about (a weak password, a duplicate e-mail) are described by
 * a struct pz_err: a stable dotted code that the API and UI translate, an
 * English message, and optionally the input field at fault. The HTTP status
 * for each code lives in one table in src/api/errors.c.
 */
#ifndef PZ_ERROR_H
#define PZ_ERROR_H

enum {
    PZ_OK = 0,
    PZ_ENOMEM = -1, /* out of memory */
    PZ_EIO = -2,    /* file or socket failure */
    PZ_EINVAL = -3, /* bad input; details in a struct pz_err */
    PZ_ENOTFOUND = -4,
    PZ_EEXIST = -5,
    PZ_EDB = -6, /* database failure */
    PZ_EPERM = -7,
    PZ_ELIMIT = -8,   /* rate or size limit reached */
    PZ_EAUTH = -9,    /* bad credentials */
    PZ_ETOOBIG = -10, /* a bounded buffer is full */
    PZ_EBUSY = -11,
};

struct pz_err {
    const char *code;  /* static, e.g. "password.too_short"; NULL when none */
    const char *field; /* static, the input field at fault, or NULL */
    char message[240]; /* English, for logs and API clients */
};

/* Logs "msg" at error level and returns CODE, for `return pz_error(...)`. */
int pz_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Fills ERR (which may be NULL) with CODE, FIELD and a formatted message and
 * returns PZ_EINVAL, for `return pz_err_set(err, ...)` in validation code.
 */
int pz_err_set(struct pz_err *err, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Returns a short English name for a PZ_E* code. */
const char *pz_strerror(int code);

#endif
