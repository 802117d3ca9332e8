#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <udl/udl.h>

#include "core/error.h"

static void test_every_status_has_a_distinct_name(void **state)
{
    (void)state;
    const char *seen[UDL_ECANCELED + 1];
    for (int s = UDL_OK; s <= UDL_ECANCELED; s++) {
        seen[s] = udl_status_str((udl_status)s);
        assert_non_null(seen[s]);
        assert_string_not_equal(seen[s], "unknown status");
        for (int t = 0; t < s; t++)
            assert_string_not_equal(seen[s], seen[t]);
    }
    assert_string_equal(udl_status_str((udl_status)999), "unknown status");
    assert_int_equal(UDL_OK, 0);
}

static void test_failure_sets_the_sentence_and_success_keeps_it(void **state)
{
    (void)state;
    double a[4] = {0}, c[4];
    udl_status s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_view(a, 2, 2),
                            udl_mat_view(a, 1, 4), 0.0, udl_mat_view(c, 2, 2));
    assert_int_equal(s, UDL_ESHAPE);
    assert_non_null(strstr(udl_last_error(), "op(A) is 2 x 2 but op(B) is 1 x 4"));
    s = udl_gemm(UDL_NOTRANS, UDL_NOTRANS, 1.0, udl_mat_view(a, 2, 2), udl_mat_view(a, 2, 2),
                 0.0, udl_mat_view(c, 2, 2));
    assert_int_equal(s, UDL_OK);
    assert_non_null(strstr(udl_last_error(), "op(A) is 2 x 2"));
}

static void test_long_sentences_are_truncated_safely(void **state)
{
    (void)state;
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(udli_fail(UDL_EIO, "%s", big), UDL_EIO);
    assert_true(strlen(udl_last_error()) < sizeof big - 1);
    assert_true(strlen(udl_last_error()) > 100);
}

static void test_a_sentence_may_quote_the_previous_one(void **state)
{
    (void)state;
    udli_fail(UDL_EINVAL, "momentum must be in [0, 1)");
    assert_int_equal(udli_fail(UDL_EFORMAT, "m.udl: invalid: %s", udl_last_error()),
                     UDL_EFORMAT);
    assert_string_equal(udl_last_error(), "m.udl: invalid: momentum must be in [0, 1)");
}

static void *fail_in_thread(void *arg)
{
    udli_fail(UDL_EINVAL, "thread %d", *(int *)arg);
    static _Thread_local char copy[64];
    snprintf(copy, sizeof copy, "%s", udl_last_error());
    return strcmp(copy, *(int *)arg == 1 ? "thread 1" : "thread 2") == 0 ? arg : NULL;
}

static void test_last_error_is_per_thread(void **state)
{
    (void)state;
    udli_fail(UDL_EIO, "main thread");
    pthread_t t1, t2;
    int one = 1, two = 2;
    void *r1, *r2;
    assert_int_equal(pthread_create(&t1, NULL, fail_in_thread, &one), 0);
    assert_int_equal(pthread_create(&t2, NULL, fail_in_thread, &two), 0);
    pthread_join(t1, &r1);
    pthread_join(t2, &r2);
    assert_ptr_equal(r1, &one);
    assert_ptr_equal(r2, &two);
    assert_string_equal(udl_last_error(), "main thread");
}

static void test_runtime_version_matches_header(void **state)
{
    (void)state;
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", UDL_VERSION_MAJOR, UDL_VERSION_MINOR,
             UDL_VERSION_PATCH);
    assert_string_equal(udl_version(), want);
    assert_string_equal(UDL_VERSION_STRING, want);
    assert_int_equal(udl_version_number(),
                     UDL_VERSION_MAJOR * 10000 + UDL_VERSION_MINOR * 100 + UDL_VERSION_PATCH);
}

static void test_alloc_reports_overflow(void **state)
{
    (void)state;
    assert_null(udli_alloc((size_t)-1 / 2, 4, "huge"));
    assert_non_null(strstr(udl_last_error(), "huge"));
    assert_null(udli_calloc((size_t)-1 / 2, 4, "huge too"));
    void *p = udli_alloc(0, 8, "empty");
    assert_non_null(p);
    free(p);
}

/* Bindings and logs hold these numbers: a reordering of the enum must fail here. */
static void test_status_values_are_pinned(void **state)
{
    (void)state;
    const int values[] = {UDL_OK, UDL_EINVAL, UDL_ESHAPE, UDL_ENOMEM, UDL_ENUMERIC, UDL_EIO,
                          UDL_EFORMAT, UDL_EKIND, UDL_ESTATE, UDL_ECANCELED};
    for (int i = 0; i < 10; i++)
        assert_int_equal(values[i], i);
}

static void test_realloc_that_fails_leaves_the_block_whole(void **state)
{
    (void)state;
    unsigned char *p = udli_realloc(NULL, 4, 1, "first");
    assert_non_null(p);
    memcpy(p, "abcd", 4);
    assert_null(udli_realloc(p, (size_t)-1 / 2, 4, "grown"));
    assert_non_null(strstr(udl_last_error(), "grown"));
    assert_memory_equal(p, "abcd", 4);
    p = udli_realloc(p, 0, 8, "shrunk");
    assert_non_null(p); /* zero bytes is not a failure */
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_a_distinct_name),
        cmocka_unit_test(test_failure_sets_the_sentence_and_success_keeps_it),
        cmocka_unit_test(test_long_sentences_are_truncated_safely),
        cmocka_unit_test(test_a_sentence_may_quote_the_previous_one),
        cmocka_unit_test(test_last_error_is_per_thread),
        cmocka_unit_test(test_runtime_version_matches_header),
        cmocka_unit_test(test_alloc_reports_overflow),
        cmocka_unit_test(test_status_values_are_pinned),
        cmocka_unit_test(test_realloc_that_fails_leaves_the_block_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
