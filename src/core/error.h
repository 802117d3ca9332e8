/* Internal: setting the thread's error sentence, and checked allocation. */
#ifndef UDL_CORE_ERROR_H
#define UDL_CORE_ERROR_H

#include <stddef.h>

#include <udl/status.h>

/* Records a printf-style sentence for udl_last_error() and returns status, so a
 * failure reads: return udli_fail(UDL_EINVAL, "k must be positive, got %zu", k); */
udl_status udli_fail(udl_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* malloc of count * size bytes with overflow checked; NULL (and the error sentence
 * set, naming what) when it fails. Zero bytes allocate one byte so NULL means failure. */
void *udli_alloc(size_t count, size_t size, const char *what);
void *udli_calloc(size_t count, size_t size, const char *what);
/* Resizes p (NULL allocates) to count * size bytes; on failure returns NULL with the
 * sentence set and leaves p allocated and unchanged, so the caller still frees it. */
void *udli_realloc(void *p, size_t count, size_t size, const char *what);

/* 1 when every value of the n doubles is finite. */
int udli_all_finite(const double *x, size_t n);

#endif
