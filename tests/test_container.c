#include "helpers.h"

#include <dirent.h>

#include "core/container.h"
#include "core/model.h"
#include "format1.h"
#include "core/file.h"

static const double w_values[6] = {1.5, -0.0, 1e-310, -1e308, 3.141592653589793, 42};
static const double b_values[3] = {0.1, 0.2, 0.3};

static udl_status save_sample(const char *path, uint32_t kind)
{
    udli_block blocks[3] = {
        {"weights", 2, 3, w_values},
        {"bias", 1, 3, b_values},
        {"empty", 0, 5, NULL},
    };
    return udli_container_save(path, kind, blocks, 3);
}

static unsigned char *slurp(const char *path, size_t *size)
{
    unsigned char *p;
    assert_int_equal(udli_read_file(path, &p, size), UDL_OK);
    return p;
}

static void spit(const char *path, const unsigned char *p, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, size, f), size);
    fclose(f);
}

static void test_round_trip_is_bit_exact(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "roundtrip.udl");
    assert_int_equal(save_sample(path, UDL_KIND_TEST), UDL_OK);
    udli_container *c;
    assert_int_equal(udli_container_load(path, UDL_KIND_TEST, &c), UDL_OK);
    udli_block b;
    assert_int_equal(udli_container_get(c, "weights", 2, 3, &b), UDL_OK);
    assert_memory_equal(b.data, w_values, sizeof w_values);
    assert_int_equal(udli_container_get(c, "bias", SIZE_MAX, SIZE_MAX, &b), UDL_OK);
    assert_int_equal(b.rows, 1);
    assert_int_equal(b.cols, 3);
    assert_memory_equal(b.data, b_values, sizeof b_values);
    assert_int_equal(udli_container_get(c, "empty", 0, 5, &b), UDL_OK);
    assert_int_equal(udli_container_get(c, "weights", 3, 2, &b), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "'weights' is 2 x 3"));
    assert_int_equal(udli_container_get(c, "missing", 1, 1, &b), UDL_EFORMAT);
    udli_container_free(c);
    udli_container_free(NULL);
}

static void test_layout_is_little_endian_as_documented(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "layout.udl");
    udli_record r;
    udli_record_init(&r);
    udli_record_matrix(&r, "x", 1, 1, b_values);
    udli_record_u64(&r, "n", 7);
    udli_record_f64(&r, "f", 0.1);
    assert_int_equal(udli_record_save(&r, path, UDL_KIND_TEST), UDL_OK);
    size_t size;
    unsigned char *p = slurp(path, &size);
    assert_int_equal(size, 24 + (8 + 1 + 16 + 8) + (8 + 1 + 8) + (8 + 1 + 8) + 4);
    assert_memory_equal(p, "UDLMODEL", 8);
    assert_int_equal(udli_get_u32le(p + 8), 2);
    assert_int_equal(udli_get_u32le(p + 12), UDL_KIND_TEST);
    assert_int_equal(udli_get_u32le(p + 16), 3);
    assert_int_equal(udli_get_u32le(p + 24), UDL_FIELD_MATRIX);
    assert_int_equal(udli_get_u32le(p + 28), 1);
    assert_int_equal(p[32], 'x');
    assert_int_equal(udli_get_u64le(p + 33), 1);
    assert_true(udli_get_f64le(p + 49) == 0.1);
    assert_int_equal(p[49], 0x9a); /* 0.1 = 0x3FB999999999999A, lowest byte first */
    assert_int_equal(udli_get_u32le(p + 57), UDL_FIELD_INTEGER);
    assert_int_equal(p[65], 'n');
    assert_int_equal(udli_get_u64le(p + 66), 7);
    assert_int_equal(udli_get_u32le(p + 74), UDL_FIELD_NUMBER);
    assert_int_equal(p[82], 'f');
    assert_true(udli_get_f64le(p + 83) == 0.1);
    free(p);
}

static void test_typed_fields_are_read_by_name_with_their_ranges(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "typed.udl");
    udli_record r;
    udli_record_init(&r);
    udli_record_f64(&r, "rate", 0.25);
    udli_record_u64(&r, "width", 784);
    udli_record_prefix(&r, "L1.");
    udli_record_u64(&r, "width", 30);
    assert_int_equal(udli_record_save(&r, path, UDL_KIND_TEST), UDL_OK);
    udli_container *c;
    assert_int_equal(udli_container_load(path, UDL_KIND_TEST, &c), UDL_OK);
    size_t width;
    double rate;
    assert_int_equal(udli_container_size(c, "width", 1, 1000, &width), UDL_OK);
    assert_int_equal(width, 784);
    assert_int_equal(udli_container_f64(c, "rate", 0.0, 1.0, &rate), UDL_OK);
    assert_true(rate == 0.25);
    assert_int_equal(udli_container_size(c, "width", 1, 700, &width), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "'width' is 784, outside 1..700"));
    assert_int_equal(udli_container_f64(c, "width", 0.0, 1.0, &rate), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "'width' is not a number"));
    assert_int_equal(udli_container_size(c, "rate", 0, 9, &width), UDL_EFORMAT);
    assert_int_equal(udli_container_f64(c, "missing", 0.0, 1.0, &rate), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "no field 'missing'"));
    udli_container_prefix(c, "L1.");
    assert_int_equal(udli_container_size(c, "width", 1, 1000, &width), UDL_OK);
    assert_int_equal(width, 30);
    udli_container_free(c);
    /* two fields of one name are refused on writing */
    udli_record_init(&r);
    udli_record_u64(&r, "a", 1);
    udli_record_f64(&r, "a", 2);
    assert_int_equal(udli_record_save(&r, path, UDL_KIND_TEST), UDL_EINVAL);
}

static void test_format1_info_is_upgraded_to_named_fields(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "v1.udl");
    const double info[3] = {784, 0.5, 2.5};
    udli_block b = {"L0.info", 1, 3, info};
    assert_int_equal(save_format1(path, UDL_KIND_TEST, &b, 1), UDL_OK);
    udli_container *c;
    assert_int_equal(udli_container_load(path, UDL_KIND_TEST, &c), UDL_OK);
    assert_int_equal(udli_container_version(c), 1);
    static const char *const names[] = {"width", "rate", "half"};
    udli_container_prefix(c, "L0.");
    assert_int_equal(udli_container_upgrade(c, "info", names, 3), UDL_OK);
    size_t width;
    double rate;
    assert_int_equal(udli_container_size(c, "width", 1, 1000, &width), UDL_OK);
    assert_int_equal(width, 784);
    assert_int_equal(udli_container_f64(c, "rate", 0.0, 1.0, &rate), UDL_OK);
    assert_true(rate == 0.5);
    /* a format-1 integer had to be a whole number */
    assert_int_equal(udli_container_size(c, "half", 0, 10, &width), UDL_EFORMAT);
    assert_int_equal(udli_container_upgrade(c, "missing", names, 3), UDL_EFORMAT);
    udli_container_free(c);
}

static void test_every_single_byte_corruption_is_rejected(void **state)
{
    (void)state;
    char path[512], bad[512];
    tmp_path(path, sizeof path, "good.udl");
    tmp_path(bad, sizeof bad, "corrupt.udl");
    assert_int_equal(save_sample(path, UDL_KIND_TEST), UDL_OK);
    size_t size;
    unsigned char *p = slurp(path, &size);
    const unsigned char flips[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < size; i++)
        for (size_t f = 0; f < sizeof flips; f++) {
            p[i] ^= flips[f];
            spit(bad, p, size);
            udli_container *c = (udli_container *)1;
            assert_int_equal(udli_container_load(bad, UDL_KIND_TEST, &c), UDL_EFORMAT);
            assert_null(c);
            p[i] ^= flips[f];
        }
    free(p);
}

static void test_every_truncation_and_extension_is_rejected(void **state)
{
    (void)state;
    char path[512], bad[512];
    tmp_path(path, sizeof path, "good2.udl");
    tmp_path(bad, sizeof bad, "truncated.udl");
    assert_int_equal(save_sample(path, UDL_KIND_TEST), UDL_OK);
    size_t size;
    unsigned char *p = slurp(path, &size);
    for (size_t len = 0; len < size; len++) {
        spit(bad, p, len);
        udli_container *c;
        assert_int_equal(udli_container_load(bad, UDL_KIND_TEST, &c), UDL_EFORMAT);
    }
    unsigned char *longer = malloc(size + 1);
    memcpy(longer, p, size);
    longer[size] = 0;
    spit(bad, longer, size + 1);
    udli_container *c;
    assert_int_equal(udli_container_load(bad, UDL_KIND_TEST, &c), UDL_EFORMAT);
    free(longer);
    free(p);
}

static void test_wrong_kind_and_missing_file(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "kind.udl");
    assert_int_equal(save_sample(path, UDL_KIND_RBM), UDL_OK);
    udli_container *c;
    assert_int_equal(udli_container_load(path, UDL_KIND_PCA, &c), UDL_EKIND);
    assert_non_null(strstr(udl_last_error(), "holds a RBM model, not a PCA model"));
    tmp_path(path, sizeof path, "does-not-exist.udl");
    assert_int_equal(udli_container_load(path, UDL_KIND_PCA, &c), UDL_EIO);
    assert_int_equal(udli_container_load(NULL, UDL_KIND_PCA, &c), UDL_EINVAL);
}

static void test_bad_blocks_are_refused_before_writing(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "refused.udl");
    remove(path);
    udli_block dup[2] = {{"a", 1, 1, b_values}, {"a", 1, 1, b_values}};
    assert_int_equal(udli_container_save(path, UDL_KIND_TEST, dup, 2), UDL_EINVAL);
    udli_block unnamed = {"", 1, 1, b_values};
    assert_int_equal(udli_container_save(path, UDL_KIND_TEST, &unnamed, 1), UDL_EINVAL);
    udli_block nodata = {"x", 2, 2, NULL};
    assert_int_equal(udli_container_save(path, UDL_KIND_TEST, &nodata, 1), UDL_EINVAL);
    FILE *f = fopen(path, "rb");
    assert_null(f);
}

static int count_entries_starting_with(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static void test_save_replaces_atomically_and_leaves_no_temporary(void **state)
{
    (void)state;
    char path[512], dir[512];
    tmp_path(dir, sizeof dir, "");
    tmp_path(path, sizeof path, "atomic.udl");
    assert_int_equal(save_sample(path, UDL_KIND_TEST), UDL_OK);
    udli_block one = {"only", 1, 1, b_values};
    assert_int_equal(udli_container_save(path, UDL_KIND_TEST, &one, 1), UDL_OK);
    udli_container *c;
    udli_block b;
    assert_int_equal(udli_container_load(path, UDL_KIND_TEST, &c), UDL_OK);
    assert_int_equal(udli_container_get(c, "only", 1, 1, &b), UDL_OK);
    assert_int_equal(udli_container_get(c, "weights", 2, 3, &b), UDL_EFORMAT);
    udli_container_free(c);
    assert_int_equal(count_entries_starting_with(dir, "atomic.udl"), 1);
    /* a directory that does not exist: an I/O error and nothing created */
    tmp_path(path, sizeof path, "no-such-dir/model.udl");
    assert_int_equal(save_sample(path, UDL_KIND_TEST), UDL_EIO);
    assert_non_null(strstr(udl_last_error(), "no-such-dir"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_is_bit_exact),
        cmocka_unit_test(test_layout_is_little_endian_as_documented),
        cmocka_unit_test(test_typed_fields_are_read_by_name_with_their_ranges),
        cmocka_unit_test(test_format1_info_is_upgraded_to_named_fields),
        cmocka_unit_test(test_every_single_byte_corruption_is_rejected),
        cmocka_unit_test(test_every_truncation_and_extension_is_rejected),
        cmocka_unit_test(test_wrong_kind_and_missing_file),
        cmocka_unit_test(test_bad_blocks_are_refused_before_writing),
        cmocka_unit_test(test_save_replaces_atomically_and_leaves_no_temporary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
