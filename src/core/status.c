#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <udl/status.h>
#include <udl/version.h>

#include "core/error.h"

static _Thread_local char last_error[512];

UDL_API const char *udl_version(void) { return UDL_VERSION_STRING; }

UDL_API unsigned udl_version_number(void) { return UDL_VERSION_NUMBER; }

UDL_API const char *udl_status_str(udl_status status)
{
    switch (status) {
    case UDL_OK: return "ok";
    case UDL_EINVAL: return "invalid argument";
    case UDL_ESHAPE: return "shape mismatch";
    case UDL_ENOMEM: return "out of memory";
    case UDL_ENUMERIC: return "numerical failure";
    case UDL_EIO: return "input/output error";
    case UDL_EFORMAT: return "bad file format";
    case UDL_EKIND: return "wrong kind of model";
    case UDL_ESTATE: return "wrong state";
    case UDL_ECANCELED: return "canceled";
    }
    return "unknown status";
}

UDL_API const char *udl_last_error(void) { return last_error; }

udl_status udli_fail(udl_status status, const char *fmt, ...)
{
    /* Format into a scratch buffer first: a caller may quote udl_last_error() itself. */
    char sentence[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sentence, sizeof sentence, fmt, ap);
    va_end(ap);
    memcpy(last_error, sentence, sizeof last_error);
    return status;
}

/* 0 with the sentence set when count * size does not fit in a size_t. */
static int fits(size_t count, size_t size, const char *what)
{
    if (size != 0 && count > SIZE_MAX / size) {
        udli_fail(UDL_ENOMEM, "%s: %zu x %zu bytes overflows the address space", what, count,
                  size);
        return 0;
    }
    return 1;
}

static void *allocated(void *p, const char *what, size_t bytes)
{
    if (!p)
        udli_fail(UDL_ENOMEM, "%s: could not allocate %zu bytes", what, bytes);
    return p;
}

#ifdef UDL_FAULT_INJECTION
/* Only in tests/test_alloc_fail.c's own copy of this file, never in libudl: the calling
 * thread's allocations are counted, and the one numbered fault_at fails as if malloc had
 * returned NULL (SQLite's test_malloc.c). Per thread, so OpenMP workers and other tests'
 * threads are untouched. */
static _Thread_local unsigned long fault_calls, fault_at;

void udli_fault_arm(unsigned long n)
{
    fault_calls = 0;
    fault_at = n;
}

unsigned long udli_fault_calls(void) { return fault_calls; }

static int fault_now(void) { return ++fault_calls == fault_at; }
#else
static int fault_now(void) { return 0; }
#endif

void *udli_alloc(size_t count, size_t size, const char *what)
{
    if (!fits(count, size, what))
        return NULL;
    size_t bytes = count * size;
    return allocated(fault_now() ? NULL : malloc(bytes ? bytes : 1), what, bytes);
}

void *udli_calloc(size_t count, size_t size, const char *what)
{
    if (!fits(count, size, what))
        return NULL;
    void *p = fault_now() ? NULL : calloc(count ? count : 1, size ? size : 1);
    return allocated(p, what, count * size);
}

void *udli_realloc(void *p, size_t count, size_t size, const char *what)
{
    if (!fits(count, size, what))
        return NULL;
    /* realloc(p, 0) may free p and return NULL, which would read as a failure. */
    size_t bytes = count * size;
    return allocated(fault_now() ? NULL : realloc(p, bytes ? bytes : 1), what, bytes);
}

int udli_all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}
