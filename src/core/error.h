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

#ifdef UDL_FAULT_INJECTION
/* The test build's allocation-failure hook (tests/test_alloc_fail.c): resets the calling
 * thread's count of allocations through the three functions above and makes the n-th
 * from now fail (0: none fails); udli_fault_calls says how many there have been since. */
void udli_fault_arm(unsigned long n);
unsigned long udli_fault_calls(void);
#endif

/* 1 when every value of the n doubles is finite. */
int udli_all_finite(const double *x, size_t n);

#endif
