#define _POSIX_C_SOURCE 200809L /* mkdir, opendir */

#include "helpers.h"

#include <dirent.h>
#include <sys/stat.h>

#define _POSIX_C_SOURCE 200809L

#include "helpers.h"

#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "core/file.h"

#include <udl/io.h>

/* Writes a .npy file by hand from the format's definition: magic, version, header
 * length, the dict padded with spaces and ended by a newline, then the raw bytes. */
static void write_npy(const char *path, int major, const char *dict, const void *data,
                      size_t nbytes)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t len = strlen(dict) + 1, pre = major == 1 ? 10 : 12;
    size_t pad = (64 - (pre + len) % 64) % 64, hl = len + pad;
    fwrite("\x93NUMPY", 1, 6, f);
    fputc(major, f);
    fputc(0, f);
    for (size_t i = 0; i < pre - 8; i++)
        fputc((int)((hl >> (8 * i)) & 0xff), f);
    fputs(dict, f);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', f);
    fputc('\n', f);
    fwrite(data, 1, nbytes, f);
    fclose(f);
}

static char path[512];
static const char *npy(const char *name) { return tmp_path(path, sizeof path, name); }

static size_t read_bytes(const char *file, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void write_bytes(const char *file, const void *buf, size_t n)
{
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    fwrite(buf, 1, n, f);
    fclose(f);
}

/* Each proper prefix of the good scratch file, written to the cut one, is refused by
 * read with nothing handed out. */
static void assert_every_cut_is_refused(const char *good_name,
                                        udl_status (*read)(const char *, unsigned, udl_array *),
                                        const char *cut_name)
{
    char good[512], cut[512];
    tmp_path(good, sizeof good, good_name);
    tmp_path(cut, sizeof cut, cut_name);
    unsigned char whole[256];
    size_t n = read_bytes(good, whole, sizeof whole);
    assert_true(n < sizeof whole);
    for (size_t len = 0; len < n; len++) {
        write_bytes(cut, whole, len);
        udl_array a;
        assert_int_equal(read(cut, 0, &a), UDL_EFORMAT);
        assert_null(a.data);
    }
}

static void test_npy_round_trip_is_bit_exact_and_numpy_aligned(void **state)
{
    (void)state;
    double src[3 * 4] = {1, 2, 3, 99, -0.0, 1e-310, NAN, 99, 1e300, INFINITY, -7.25, 99};
    udl_mat m = {src, 3, 3, 4}; /* skip the padding column */
    assert_int_equal(udl_npy_write(npy("rt.npy"), m), UDL_OK);
    FILE *f = fopen(path, "rb");
    unsigned char head[10];
    assert_int_equal(fread(head, 1, 10, f), 10);
    fclose(f);
    size_t hl = head[8] | head[9] << 8;
    assert_int_equal((10 + hl) % 64, 0);
    udl_array a;
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    assert_int_equal(a.rows, 3);
    assert_int_equal(a.cols, 3);
    for (size_t i = 0; i < 3; i++)
        assert_memory_equal(a.data + 3 * i, src + 4 * i, 3 * sizeof(double));
    udl_mat v = udl_array_mat(&a);
    assert_ptr_equal(v.data, a.data);
    assert_int_equal(v.ld, 3);
    udl_array_free(&a);
    assert_null(a.data);
    udl_array_free(NULL);
}

static void test_npy_dtypes_orders_and_shapes(void **state)
{
    (void)state;
    udl_array a;
    float f32[6] = {0.5f, -1.5f, 2.25f, 3, 4, 5};
    write_npy(npy("f4.npy"), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
              f32, sizeof f32);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    assert_true(a.rows == 2 && a.cols == 3 && a.data[1] == -1.5 && a.data[5] == 5);
    udl_array_free(&a);

    unsigned char img[4] = {0, 51, 255, 128};
    write_npy(npy("u1.npy"), 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }",
              img, 4);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    assert_true(a.data[0] == 0.0 && a.data[1] == 0.2 && a.data[2] == 1.0);
    udl_array_free(&a);
    assert_int_equal(udl_npy_read(path, UDL_READ_RAW, &a), UDL_OK);
    assert_true(a.data[1] == 51 && a.data[3] == 128);
    udl_array_free(&a);

    /* one-dimensional uint8 is a label vector: n x 1, never scaled */
    write_npy(npy("labels.npy"), 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }",
              img, 4);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    assert_true(a.rows == 4 && a.cols == 1 && a.data[2] == 255);
    udl_array_free(&a);

    int64_t i8[3] = {-3, 0, 9007199254740992LL};
    write_npy(npy("i8.npy"), 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
              i8, sizeof i8);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    assert_true(a.data[0] == -3 && a.data[2] == 9007199254740992.0);
    udl_array_free(&a);
    i8[1] = 9007199254740993LL; /* 2^53 + 1 would round */
    write_npy(npy("i8big.npy"), 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
              i8, sizeof i8);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "value 1"));

    int32_t i4[2] = {-7, 7};
    write_npy(npy("i4.npy"), 2, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
              i4, sizeof i4);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    assert_true(a.data[0] == -7 && a.data[1] == 7);
    udl_array_free(&a);

    unsigned char be[16] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0};
    write_npy(npy("be.npy"), 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 2), }",
              be, 16);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    assert_true(a.data[0] == 1.0 && a.data[1] == -2.0);
    udl_array_free(&a);

    double colmajor[6] = {1, 4, 2, 5, 3, 6}; /* [[1,2,3],[4,5,6]] stored by columns */
    write_npy(npy("fortran.npy"), 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
              colmajor, sizeof colmajor);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    for (int i = 0; i < 6; i++)
        assert_true(a.data[i] == i + 1);
    udl_array_free(&a);

    unsigned char cube[8] = {0, 255, 0, 255, 255, 0, 255, 0};
    write_npy(npy("cube.npy"), 3, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }",
              cube, 8);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_OK);
    assert_true(a.rows == 2 && a.cols == 4 && a.data[1] == 1.0 && a.data[5] == 0.0);
    udl_array_free(&a);
}

static void test_npy_malformed_files_are_rejected(void **state)
{
    (void)state;
    udl_array a;
    double d[4] = {1, 2, 3, 4};
    const char *bad_dicts[] = {
        "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 2), }",
        "{'descr': '<f8', 'fortran_order': False, }",
        "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 2), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 2), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
        "{'descr': '<f8', 'fortran_order': True, 'shape': (1, 2, 2), }",
        "not a dict at all",
    };
    for (size_t i = 0; i < sizeof bad_dicts / sizeof bad_dicts[0]; i++) {
        write_npy(npy("bad.npy"), 1, bad_dicts[i], d, sizeof d);
        assert_int_equal(udl_npy_read(path, 0, &a), UDL_EFORMAT);
        assert_null(a.data);
    }
    const char *good = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
    write_npy(npy("short.npy"), 1, good, d, sizeof d - 1);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "truncated"));
    double d5[5] = {0};
    write_npy(npy("long.npy"), 1, good, d5, sizeof d5);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_EFORMAT);
    write_npy(npy("v9.npy"), 9, good, d, sizeof d);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_EFORMAT);
    FILE *f = fopen(npy("magic.npy"), "wb");
    fputs("\x93NUMPZ\x01\x00", f);
    fclose(f);
    assert_int_equal(udl_npy_read(path, 0, &a), UDL_EFORMAT);
    /* every truncation of a good file fails cleanly */
    write_npy(npy("whole.npy"), 1, good, d, sizeof d);
    assert_every_cut_is_refused("whole.npy", udl_npy_read, "cut.npy");
    assert_int_equal(udl_npy_read(npy("missing.npy"), 0, &a), UDL_EIO);
    assert_int_equal(udl_npy_read(NULL, 0, &a), UDL_EINVAL);
    assert_int_equal(udl_npy_read(path, 0, NULL), UDL_EINVAL);
    udl_mat null_view = {NULL, 2, 2, 2};
    assert_int_equal(udl_npy_write(npy("never.npy"), null_view), UDL_EINVAL);
    assert_null(fopen(path, "rb"));
}

static void write_idx(const char *p, int gz, unsigned char type, int ndim,
                      const uint32_t *dims, const void *data, size_t nbytes)
{
    unsigned char head[4 + 4 * 8] = {0, 0, type, (unsigned char)ndim};
    for (int d = 0; d < ndim; d++) {
        head[4 + 4 * d] = (unsigned char)(dims[d] >> 24);
        head[5 + 4 * d] = (unsigned char)(dims[d] >> 16);
        head[6 + 4 * d] = (unsigned char)(dims[d] >> 8);
        head[7 + 4 * d] = (unsigned char)dims[d];
    }
    if (gz) {
        gzFile g = gzopen(p, "wb");
        gzwrite(g, head, 4 + 4 * (unsigned)ndim);
        if (nbytes)
            gzwrite(g, data, (unsigned)nbytes);
        gzclose(g);
    } else {
        FILE *f = fopen(p, "wb");
        fwrite(head, 1, 4 + 4 * (size_t)ndim, f);
        if (nbytes)
            fwrite(data, 1, nbytes, f);
        fclose(f);
    }
}

static void test_idx_plain_and_gzip_images_and_labels(void **state)
{
    (void)state;
    unsigned char pixels[3 * 2 * 2] = {0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8};
    unsigned char labels[3] = {9, 0, 4};
    uint32_t idims[3] = {3, 2, 2}, ldims[1] = {3};
    for (int gz = 0; gz < 2; gz++) {
        udl_array a;
        write_idx(npy(gz ? "img.idx.gz" : "img.idx"), gz, 0x08, 3, idims, pixels, 12);
        assert_int_equal(udl_idx_read(path, 0, &a), UDL_OK);
        assert_true(a.rows == 3 && a.cols == 4);
        assert_true(a.data[1] == 1.0 && a.data[2] == 0.2 && a.data[3] == 0.4);
        udl_array_free(&a);
        assert_int_equal(udl_data_read(path, UDL_READ_RAW, &a), UDL_OK);
        assert_true(a.data[11] == 8);
        udl_array_free(&a);
        write_idx(npy(gz ? "lab.idx.gz" : "lab.idx"), gz, 0x08, 1, ldims, labels, 3);
        assert_int_equal(udl_data_read(path, 0, &a), UDL_OK);
        assert_true(a.rows == 3 && a.cols == 1 && a.data[0] == 9 && a.data[2] == 4);
        udl_array_free(&a);
    }
    /* big-endian float64 and int16 */
    unsigned char f64[16] = {0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18,
                             0xbf, 0xf0, 0, 0, 0, 0, 0, 0};
    uint32_t two[2] = {1, 2};
    udl_array a;
    write_idx(npy("f64.idx"), 0, 0x0E, 2, two, f64, 16);
    assert_int_equal(udl_idx_read(path, 0, &a), UDL_OK);
    assert_true(a.data[0] == 3.141592653589793 && a.data[1] == -1.0);
    udl_array_free(&a);
    unsigned char i16[4] = {0xff, 0xfe, 0x01, 0x00};
    write_idx(npy("i16.idx"), 0, 0x0B, 2, two, i16, 4);
    assert_int_equal(udl_idx_read(path, 0, &a), UDL_OK);
    assert_true(a.data[0] == -2 && a.data[1] == 256);
    udl_array_free(&a);
}

static void test_idx_malformed_files_are_rejected(void **state)
{
    (void)state;
    udl_array a;
    unsigned char pixels[12] = {0};
    uint32_t dims[3] = {3, 2, 2}, zero[1] = {0};
    for (int gz = 0; gz < 2; gz++) {
        write_idx(npy("short.idx"), gz, 0x08, 3, dims, pixels, 11);
        assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
        assert_non_null(strstr(udl_last_error(), "truncated"));
        write_idx(npy("type.idx"), gz, 0x07, 3, dims, pixels, 12);
        assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
        write_idx(npy("ndim.idx"), gz, 0x08, 0, dims, pixels, 12);
        assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
        write_idx(npy("extra.idx"), gz, 0x08, 1, zero, pixels, 1);
        assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
        write_idx(npy("hdr.idx"), gz, 0x08, 3, dims, NULL, 0);
        assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
        /* a short file that claims 2^40 values is truncated, not out of memory */
        uint32_t huge[3] = {1u << 20, 1u << 10, 1u << 10};
        write_idx(npy("huge.idx"), gz, 0x08, 3, huge, pixels, 12);
        assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
        assert_non_null(strstr(udl_last_error(), "truncated"));
    }
    FILE *f = fopen(npy("text.txt"), "wb");
    fputs("hello, world\n", f);
    fclose(f);
    assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
    assert_int_equal(udl_data_read(path, 0, &a), UDL_EFORMAT); /* read as CSV: no numbers */
    assert_non_null(strstr(udl_last_error(), "no rows of numbers"));
    /* a gzip stream cut in the middle */
    unsigned char big[4000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7919 % 251);
    uint32_t bigdims[1] = {4000};
    write_idx(npy("cut.idx.gz"), 1, 0x08, 1, bigdims, big, sizeof big);
    f = fopen(path, "rb");
    unsigned char gzbytes[8192];
    size_t n = fread(gzbytes, 1, sizeof gzbytes, f);
    fclose(f);
    f = fopen(npy("cut2.idx.gz"), "wb");
    fwrite(gzbytes, 1, n / 2, f);
    fclose(f);
    assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
    assert_int_equal(udl_idx_read(npy("missing.idx"), 0, &a), UDL_EIO);
}

static void write_text(const char *p, const char *text)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_csv_with_header_comments_and_blank_lines(void **state)
{
    (void)state;
    udl_array a;
    write_text(npy("data.csv"), "x,y,z\r\n# a comment\n1, 2.5 ,-3e2\n\n4,5,6\n7,8,9");
    assert_int_equal(udl_data_read(path, 0, &a), UDL_OK);
    assert_true(a.rows == 3 && a.cols == 3);
    assert_true(a.data[1] == 2.5 && a.data[2] == -300 && a.data[8] == 9);
    udl_array_free(&a);
    write_text(npy("plain.csv"), "0.5\n1.5\n");
    assert_int_equal(udl_csv_read(path, &a), UDL_OK);
    assert_true(a.rows == 2 && a.cols == 1 && a.data[1] == 1.5);
    udl_array_free(&a);
}

static void test_csv_malformed_files_are_rejected(void **state)
{
    (void)state;
    udl_array a;
    write_text(npy("ragged.csv"), "1,2,3\n4,5\n");
    assert_int_equal(udl_csv_read(path, &a), UDL_EFORMAT);
    assert_string_equal(strstr(udl_last_error(), "line"), "line 2 has 2 fields, line 1 has 3");
    write_text(npy("word.csv"), "a,b\n1,2\n3,oops\n");
    assert_int_equal(udl_csv_read(path, &a), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "line 3: field 2"));
    write_text(npy("empty-field.csv"), "1,,3\n");
    assert_int_equal(udl_csv_read(path, &a), UDL_EFORMAT);
    write_text(npy("only-header.csv"), "a,b\n");
    assert_int_equal(udl_csv_read(path, &a), UDL_EFORMAT);
    assert_non_null(strstr(udl_last_error(), "no rows"));
    write_text(npy("empty.csv"), "");
    assert_int_equal(udl_csv_read(path, &a), UDL_EFORMAT);
    assert_int_equal(udl_csv_read(npy("missing.csv"), &a), UDL_EIO);
    assert_null(a.data);
}

static void test_fashion_mnist_test_set_loads(void **state)
{
    (void)state;
    const char *dir = "/usr/share/datasets/fashion-mnist";
    char labels[256], images[256];
    snprintf(labels, sizeof labels, "%s/t10k-labels-idx1-ubyte.gz", dir);
    snprintf(images, sizeof images, "%s/t10k-images-idx3-ubyte.gz", dir);
    FILE *f = fopen(labels, "rb");
    if (!f)
        skip(); /* dataset-fashion-mnist is not installed */
    fclose(f);
    udl_array y, x;
    assert_int_equal(udl_data_read(labels, 0, &y), UDL_OK);
    assert_true(y.rows == 10000 && y.cols == 1);
    int count[10] = {0};
    for (size_t i = 0; i < y.rows; i++) {
        assert_true(y.data[i] >= 0 && y.data[i] <= 9 && y.data[i] == floor(y.data[i]));
        count[(int)y.data[i]]++;
    }
    for (int k = 0; k < 10; k++)
        assert_int_equal(count[k], 1000);
    assert_int_equal(udl_data_read(images, 0, &x), UDL_OK);
    assert_true(x.rows == 10000 && x.cols == 784);
    double lo = 1, hi = 0;
    for (size_t i = 0; i < x.rows * x.cols; i++) {
        lo = fmin(lo, x.data[i]);
        hi = fmax(hi, x.data[i]);
    }
    assert_true(lo == 0.0 && hi == 1.0);
    udl_array_free(&x);
    udl_array_free(&y);
}

/* Names in the scratch directory that begin with prefix. */
static int count_entries(const char *prefix)
{
    char dir[512];
    tmp_path(dir, sizeof dir, "");
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static void test_file_write_appears_whole_or_not_at_all(void **state)
{
    (void)state;
    unsigned char data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 1);
    assert_int_equal(udl_file_write(npy("fw.bin"), "old contents", 12), UDL_OK);
    assert_int_equal(udl_file_write(path, data, sizeof data), UDL_OK);
    unsigned char back[4000];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(back, 1, sizeof back, f), sizeof data);
    fclose(f);
    assert_memory_equal(back, data, sizeof data);
    assert_int_equal(udl_file_write(path, NULL, 0), UDL_OK);
    f = fopen(path, "rb");
    assert_int_equal(fread(back, 1, sizeof back, f), 0);
    fclose(f);

    assert_int_equal(udl_file_write(npy("fw-no-such-dir/out.bin"), data, 10), UDL_EIO);
    assert_non_null(strstr(udl_last_error(), "fw-no-such-dir"));
    assert_int_equal(count_entries("fw-no-such-dir"), 0);
    /* The rename fails onto a directory: the temporary beside it must be gone too. */
    mkdir(npy("fw-dir"), 0755);
    assert_int_equal(udl_file_write(path, data, 10), UDL_EIO);
    assert_int_equal(count_entries("fw-dir"), 1);
    assert_int_equal(udl_file_write(NULL, data, 10), UDL_EINVAL);
    assert_int_equal(udl_file_write(npy("fw-null.bin"), NULL, 10), UDL_EINVAL);
    assert_int_equal(count_entries("fw-null"), 0);
}

/* 2^40 values: a reader that believed the header would ask for 8 TiB and fail with
 * UDL_ENOMEM (or abort under a sanitizer) instead of reporting the truncation. */
#define CLAIMED "1099511627776"

static void test_npy_header_claiming_more_rows_than_the_body_is_refused(void **state)
{
    (void)state;
    double d[4] = {1, 2, 3, 4};
    const char *dicts[] = {
        "{'descr': '<f8', 'fortran_order': False, 'shape': (" CLAIMED ", 1), }",
        "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 549755813888), }",
    };
    for (size_t i = 0; i < 2; i++) {
        write_npy(npy("claims.npy"), 1, dicts[i], d, sizeof d);
        udl_array a;
        assert_int_equal(udl_npy_read(path, 0, &a), UDL_EFORMAT);
        assert_null(a.data);
        assert_non_null(strstr(udl_last_error(), "truncated: it holds 4 of " CLAIMED " values"));
    }
}

static void test_idx_header_claiming_more_rows_than_the_body_is_refused(void **state)
{
    (void)state;
    static unsigned char body[100000];
    uint32_t huge[3] = {1u << 20, 1u << 10, 1u << 10};
    for (int gz = 0; gz < 2; gz++) {
        write_idx(npy(gz ? "claims.idx.gz" : "claims.idx"), gz, 0x08, 3, huge, body,
                  sizeof body);
        udl_array a;
        assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
        assert_null(a.data);
        assert_non_null(
            strstr(udl_last_error(), "truncated: it holds 100000 of " CLAIMED " values"));
    }
}

static void test_gzip_idx_that_ends_early_or_has_trailing_bytes_is_refused(void **state)
{
    (void)state;
    unsigned char pixels[13] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    uint32_t dims[3] = {3, 2, 2};
    udl_array a;
    write_idx(npy("early.idx.gz"), 1, 0x08, 3, dims, pixels, 11);
    assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
    assert_null(a.data);
    assert_non_null(strstr(udl_last_error(), "holds 11 of 12 values"));
    write_idx(npy("trailing.idx.gz"), 1, 0x08, 3, dims, pixels, 13);
    assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
    assert_null(a.data);
    assert_non_null(strstr(udl_last_error(), "has bytes after the 3 x 4 array"));
    /* every cut of the compressed file, header, deflate data or trailer, is refused */
    write_idx(npy("whole.idx.gz"), 1, 0x08, 3, dims, pixels, 12);
    assert_int_equal(udl_idx_read(path, 0, &a), UDL_OK);
    udl_array_free(&a);
    assert_every_cut_is_refused("whole.idx.gz", udl_idx_read, "cut.idx.gz");
    unsigned char whole[256];
    size_t n = read_bytes(npy("whole.idx.gz"), whole, sizeof whole);
    whole[n - 6] ^= 1; /* inside the CRC-32 of the trailer */
    write_bytes(npy("crc.idx.gz"), whole, n);
    assert_int_equal(udl_idx_read(path, 0, &a), UDL_EFORMAT);
    assert_null(a.data);
}

/* Opens a path that delivers the bytes of file through a pipe fed by a child process:
 * a pipe has no size, so a reader cannot size its buffer from it. */
static int open_piped(const char *file, char *pipe_path, size_t size, pid_t *child)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    *child = fork();
    assert_true(*child >= 0);
    if (*child == 0) {
        close(fd[0]);
        FILE *in = fopen(file, "rb");
        char buf[4096];
        size_t n;
        while (in && (n = fread(buf, 1, sizeof buf, in)) > 0)
            if (write(fd[1], buf, n) != (ssize_t)n)
                _exit(1);
        _exit(in ? 0 : 1);
    }
    close(fd[1]);
    snprintf(pipe_path, size, "/dev/fd/%d", fd[0]);
    return fd[0];
}

static void close_piped(int fd, pid_t child)
{
    close(fd);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_files_read_through_a_pipe_arrive_whole(void **state)
{
    (void)state;
    /* more values than a reader of unknown size starts with, so its buffer must grow */
    enum { N = 100000 };
    static double values[N];
    static unsigned char bytes[N];
    for (size_t i = 0; i < N; i++) {
        values[i] = 0.5 * (double)i;
        bytes[i] = (unsigned char)(i * 7919 % 251);
    }
    char dict[128], file[512], piped[64];
    snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }",
             N);
    write_npy(tmp_path(file, sizeof file, "piped.npy"), 1, dict, values, sizeof values);
    pid_t child;
    int fd = open_piped(file, piped, sizeof piped, &child);
    udl_array a;
    assert_int_equal(udl_npy_read(piped, 0, &a), UDL_OK);
    close_piped(fd, child);
    assert_true(a.rows == N && a.cols == 1);
    assert_memory_equal(a.data, values, sizeof values);
    udl_array_free(&a);

    uint32_t dims[1] = {N};
    for (int gz = 0; gz < 2; gz++) {
        write_idx(tmp_path(file, sizeof file, gz ? "piped.idx.gz" : "piped.idx"), gz, 0x08, 1,
                  dims, bytes, sizeof bytes);
        fd = open_piped(file, piped, sizeof piped, &child);
        assert_int_equal(udl_idx_read(piped, 0, &a), UDL_OK);
        close_piped(fd, child);
        assert_true(a.rows == N && a.cols == 1);
        for (size_t i = 0; i < N; i++)
            assert_true(a.data[i] == bytes[i]);
        udl_array_free(&a);
    }

    FILE *f = fopen(tmp_path(file, sizeof file, "piped.csv"), "wb");
    for (size_t i = 0; i < N; i++)
        fprintf(f, "%zu,%u\n", i, bytes[i]);
    fclose(f);
    unsigned char *text;
    size_t size;
    fd = open_piped(file, piped, sizeof piped, &child);
    assert_int_equal(udli_read_file(piped, &text, &size), UDL_OK);
    close_piped(fd, child);
    f = fopen(file, "rb");
    unsigned char *want = malloc(size + 1);
    assert_int_equal(fread(want, 1, size + 1, f), size); /* the same bytes, no more */
    fclose(f);
    assert_memory_equal(text, want, size);
    free(want);
    free(text);
    fd = open_piped(file, piped, sizeof piped, &child);
    assert_int_equal(udl_csv_read(piped, &a), UDL_OK);
    close_piped(fd, child);
    assert_true(a.rows == N && a.cols == 2);
    assert_true(a.data[2 * (N - 1)] == N - 1 && a.data[2 * N - 1] == bytes[N - 1]);
    udl_array_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_npy_round_trip_is_bit_exact_and_numpy_aligned),
        cmocka_unit_test(test_npy_dtypes_orders_and_shapes),
        cmocka_unit_test(test_npy_malformed_files_are_rejected),
        cmocka_unit_test(test_idx_plain_and_gzip_images_and_labels),
        cmocka_unit_test(test_idx_malformed_files_are_rejected),
        cmocka_unit_test(test_csv_with_header_comments_and_blank_lines),
        cmocka_unit_test(test_csv_malformed_files_are_rejected),
        cmocka_unit_test(test_fashion_mnist_test_set_loads),
        cmocka_unit_test(test_file_write_appears_whole_or_not_at_all),
        cmocka_unit_test(test_npy_header_claiming_more_rows_than_the_body_is_refused),
        cmocka_unit_test(test_idx_header_claiming_more_rows_than_the_body_is_refused),
        cmocka_unit_test(test_gzip_idx_that_ends_early_or_has_trailing_bytes_is_refused),
        cmocka_unit_test(test_files_read_through_a_pipe_arrive_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
