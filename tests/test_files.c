/* Files: a save killed mid-write never leaves a partial model under the real name; a
 * model of a newer format or another kind is refused by a sentence naming both; bad data
 * files that the readers' own tests (test_io.c) leave out are refused. */
#define _POSIX_C_SOURCE 200809L

#include "helpers.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/file.h"

#include <udl/udl.h>

static char scratch[512];
static const char *at(const char *name) { return tmp_path(scratch, sizeof scratch, name); }

static unsigned char *slurp(const char *file, size_t *size)
{
    unsigned char *p;
    return udli_read_file(file, &p, size) == UDL_OK ? p : NULL;
}

static void spit(const char *file, const void *p, size_t n)
{
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Removes the temporary files a killed save left beside name in dir; returns how many. */
static int remove_temporaries(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char prefix[256], file[1024];
    snprintf(prefix, sizeof prefix, "%s.tmp", name);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
            assert_int_equal(remove(file), 0);
            n++;
        }
    closedir(d);
    return n;
}

/* An RBM of 1000 x 1000 weights: an 8 MB file that takes a while to write. */
static udl_rbm *big_rbm(void)
{
    udl_rbm_params p = udl_rbm_params_default();
    p.n_visible = 1000;
    p.n_hidden = 1000;
    udl_rbm *rbm;
    assert_int_equal(udl_rbm_create(&p, &rbm), UDL_OK);
    return rbm;
}

/* A child saves the model over and over under one name; the parent kills it with SIGKILL
 * at moments spread over a few saves' time. Each time, the name holds nothing (the first
 * save had not finished) or the whole model, byte for byte. */
static void test_a_killed_save_leaves_the_whole_model_or_none(void **state)
{
    (void)state;
    char dir[512], target[600];
    tmp_path(dir, sizeof dir, "killed-saves");
    mkdir(dir, 0755);
    snprintf(target, sizeof target, "%s/model.udl", dir);
    udl_rbm *rbm = big_rbm();
    double start = seconds_now();
    assert_int_equal(udl_rbm_save(rbm, target), UDL_OK);
    const double save_time = seconds_now() - start;
    size_t size;
    unsigned char *whole = slurp(target, &size);
    assert_non_null(whole);
    assert_true(size > 8000000);

    udli_rng rng;
    udli_rng_seed(&rng, (uint64_t)getpid());
    int absent = 0, complete = 0, leftovers = 0;
    for (int round = 0; round < 12; round++) {
        remove(target);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
            for (;;)
                udl_rbm_save(rbm, target);
        }
        /* the first quarter of the rounds within the first save, the rest anywhere in
         * the first three */
        double limit = (round < 3 ? 1.0 : 3.0) * save_time;
        struct timespec pause;
        double wait = udli_rng_uniform(&rng) * limit;
        pause.tv_sec = (time_t)wait;
        pause.tv_nsec = (long)((wait - (double)pause.tv_sec) * 1e9);
        nanosleep(&pause, NULL);
        assert_int_equal(kill(child, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFSIGNALED(status));
        size_t got_size;
        unsigned char *got = slurp(target, &got_size);
        if (!got) {
            absent++;
        } else {
            assert_int_equal(got_size, size);
            assert_memory_equal(got, whole, size);
            udl_model *m;
            assert_int_equal(udl_model_load(target, &m), UDL_OK);
            udl_model_free(m);
            complete++;
            free(got);
        }
        leftovers += remove_temporaries(dir, "model.udl");
    }
    print_message("save of %zu bytes in %.3f s; after 12 kills: %d absent, %d whole, %d "
                  "temporary files removed\n", size, save_time, absent, complete, leftovers);
    assert_int_equal(absent + complete, 12);
    assert_int_equal(remove_temporaries(dir, "model.udl"), 0);
    remove(target);
    free(whole);
    udl_rbm_free(rbm);
}

/* A valid model file of each kind, small, at at(name). */
static void save_kind(udl_kind kind, const char *file)
{
    const size_t sizes[3] = {4, 3, 2};
    double x[8 * 4];
    for (size_t i = 0; i < 32; i++)
        x[i] = (double)((i * 7) % 10) / 10.0;
    udl_ae_params ap = udl_ae_params_default();
    ap.n_visible = 4;
    ap.n_hidden = 3;
    udl_rbm_params rp = udl_rbm_params_default();
    rp.n_visible = 4;
    rp.n_hidden = 3;
    udl_dnn_params dp = udl_dnn_params_default();
    switch (kind) {
    case UDL_KIND_PCA: {
        udl_pca *m;
        assert_int_equal(udl_pca_create(&(udl_pca_params){2, 0.9, 0}, &m), UDL_OK);
        assert_int_equal(udl_pca_fit(m, udl_mat_view(x, 8, 4), NULL, NULL), UDL_OK);
        assert_int_equal(udl_pca_save(m, file), UDL_OK);
        udl_pca_free(m);
        return;
    }
    case UDL_KIND_AUTOENCODER: {
        udl_ae *m;
        assert_int_equal(udl_ae_create(&ap, &m), UDL_OK);
        assert_int_equal(udl_ae_save(m, file), UDL_OK);
        udl_ae_free(m);
        return;
    }
    case UDL_KIND_STACKED_AUTOENCODER:
    case UDL_KIND_DEEP_AUTOENCODER: {
        udl_sae *m;
        udl_deep_ae *deep;
        assert_int_equal(udl_sae_create(&ap, sizes, 3, &m), UDL_OK);
        udl_deep_ae_params deep_p = udl_deep_ae_params_default();
        assert_int_equal(udl_deep_ae_create(m, &deep_p, &deep), UDL_OK);
        if (kind == UDL_KIND_STACKED_AUTOENCODER)
            assert_int_equal(udl_sae_save(m, file), UDL_OK);
        else
            assert_int_equal(udl_deep_ae_save(deep, file), UDL_OK);
        udl_sae_free(m);
        udl_deep_ae_free(deep);
        return;
    }
    case UDL_KIND_RBM: {
        udl_rbm *m;
        assert_int_equal(udl_rbm_create(&rp, &m), UDL_OK);
        assert_int_equal(udl_rbm_save(m, file), UDL_OK);
        udl_rbm_free(m);
        return;
    }
    case UDL_KIND_DBN: {
        udl_dbn *m;
        assert_int_equal(udl_dbn_create(&rp, sizes, 3, &m), UDL_OK);
        assert_int_equal(udl_dbn_save(m, file), UDL_OK);
        udl_dbn_free(m);
        return;
    }
    case UDL_KIND_DNN: {
        udl_dnn *m;
        assert_int_equal(udl_dnn_create(&dp, sizes, 3, &m), UDL_OK);
        assert_int_equal(udl_dnn_save(m, file), UDL_OK);
        udl_dnn_free(m);
        return;
    }
    }
    fail_msg("no kind %d", (int)kind);
}

/* Each kind's typed load, as a function of the generic shape. */
static udl_status load_typed(udl_kind kind, const char *file)
{
    void *m = NULL;
    udl_status s = UDL_EINVAL;
    switch (kind) {
    case UDL_KIND_PCA: s = udl_pca_load(file, (udl_pca **)&m); udl_pca_free(m); break;
    case UDL_KIND_AUTOENCODER: s = udl_ae_load(file, (udl_ae **)&m); udl_ae_free(m); break;
    case UDL_KIND_STACKED_AUTOENCODER:
        s = udl_sae_load(file, (udl_sae **)&m);
        udl_sae_free(m);
        break;
    case UDL_KIND_DEEP_AUTOENCODER:
        s = udl_deep_ae_load(file, (udl_deep_ae **)&m);
        udl_deep_ae_free(m);
        break;
    case UDL_KIND_RBM: s = udl_rbm_load(file, (udl_rbm **)&m); udl_rbm_free(m); break;
    case UDL_KIND_DBN: s = udl_dbn_load(file, (udl_dbn **)&m); udl_dbn_free(m); break;
    case UDL_KIND_DNN: s = udl_dnn_load(file, (udl_dnn **)&m); udl_dnn_free(m); break;
    }
    return s;
}

/* The title each kind's sentences use ("stacked autoencoder"), from the generic handle. */
static void kind_title(udl_kind kind, const char *file, char *title, size_t size)
{
    udl_model *m;
    assert_int_equal(udl_model_load(file, &m), UDL_OK);
    assert_int_equal(udl_model_kind(m), kind);
    snprintf(title, size, "%s", udl_model_kind_name(m));
    udl_model_free(m);
}

static void test_a_file_of_another_kind_is_refused_naming_both_kinds(void **state)
{
    (void)state;
    char files[UDL_KIND_COUNT + 1][512], titles[UDL_KIND_COUNT + 1][64];
    for (int k = 1; k <= UDL_KIND_COUNT; k++) {
        char name[64];
        snprintf(name, sizeof name, "kind-%d.udl", k);
        tmp_path(files[k], sizeof files[k], name);
        save_kind((udl_kind)k, files[k]);
        kind_title((udl_kind)k, files[k], titles[k], sizeof titles[k]);
        assert_int_equal(load_typed((udl_kind)k, files[k]), UDL_OK);
    }
    for (int want = 1; want <= UDL_KIND_COUNT; want++)
        for (int held = 1; held <= UDL_KIND_COUNT; held++) {
            if (want == held)
                continue;
            assert_int_equal(load_typed((udl_kind)want, files[held]), UDL_EKIND);
            char sentence[1024];
            snprintf(sentence, sizeof sentence, "%s holds a %s model, not a %s model",
                     files[held], titles[held], titles[want]);
            assert_string_equal(udl_last_error(), sentence);
        }
}

/* The header words of a model file: magic, version, kind, field count, reserved. */
static void put_u32(unsigned char *p, uint32_t v) { udli_put_u32le(p, v); }

static void fix_crc(unsigned char *p, size_t size)
{
    udli_put_u32le(p + size - 4, (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)(size - 4)));
}

static void test_a_newer_format_is_refused_naming_both_versions(void **state)
{
    (void)state;
    const char *file = at("newer.udl");
    save_kind(UDL_KIND_AUTOENCODER, file);
    size_t size;
    unsigned char *p = slurp(file, &size);
    assert_non_null(p);
    char sentence[1024];
    snprintf(sentence, sizeof sentence, "%s has format version 3; this udl reads versions 1 to "
             "2", file);
    /* version 3 with everything else as version 2 has it */
    put_u32(p + 8, 3);
    fix_crc(p, size);
    spit(file, p, size);
    udl_model *m;
    assert_int_equal(udl_model_load(file, &m), UDL_EFORMAT);
    assert_string_equal(udl_last_error(), sentence);
    assert_int_equal(udl_ae_load(file, (udl_ae **)&m), UDL_EFORMAT);
    assert_string_equal(udl_last_error(), sentence);
    /* a newer format may lay out what follows its version otherwise: another checksum,
     * the reserved word in use, a shorter header; the version is still what is named */
    put_u32(p + 20, 7);
    spit(file, p, size);
    assert_int_equal(udl_model_load(file, &m), UDL_EFORMAT);
    assert_string_equal(udl_last_error(), sentence);
    spit(file, p, 16);
    assert_int_equal(udl_model_load(file, &m), UDL_EFORMAT);
    assert_string_equal(udl_last_error(), sentence);
    /* a model kind this udl does not know is named, with the kinds it does know */
    free(p);
    save_kind(UDL_KIND_AUTOENCODER, file);
    p = slurp(file, &size);
    put_u32(p + 12, UDL_KIND_COUNT + 5);
    fix_crc(p, size);
    spit(file, p, size);
    assert_int_equal(udl_model_load(file, &m), UDL_EKIND);
    snprintf(sentence, sizeof sentence, "%s holds a model of kind 12, which this udl cannot "
             "read (it reads pca, ae, sae, deep-ae, rbm, dbn, dnn)", file);
    assert_string_equal(udl_last_error(), sentence);
    assert_int_equal(udl_rbm_load(file, (udl_rbm **)&m), UDL_EKIND);
    snprintf(sentence, sizeof sentence, "%s holds a model of kind 12, not a RBM model", file);
    assert_string_equal(udl_last_error(), sentence);
    free(p);
}

/* ---- data files ------------------------------------------------------------------------- */

static void write_gzip(const char *file, const void *p, size_t n)
{
    gzFile g = gzopen(file, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, p, (unsigned)n), (int)n);
    gzclose(g);
}

static void append(const char *file, const void *p, size_t n)
{
    FILE *f = fopen(file, "ab");
    assert_non_null(f);
    fwrite(p, 1, n, f);
    fclose(f);
}

static void assert_refused(udl_status (*read)(const char *, unsigned, udl_array *),
                           const char *file, const char *words)
{
    udl_array a = {(double *)1, 7, 7};
    udl_status s = read(file, 0, &a);
    if (s != UDL_EFORMAT)
        fail_msg("%s: %s (%s), not refused as malformed", file, udl_status_str(s),
                 udl_last_error());
    assert_null(a.data);
    assert_true(a.rows == 0 && a.cols == 0);
    if (!strstr(udl_last_error(), words))
        fail_msg("%s: the sentence '%s' lacks '%s'", file, udl_last_error(), words);
    /* and the reader that tells formats apart refuses it the same way */
    assert_int_equal(udl_data_read(file, 0, &a), UDL_EFORMAT);
    assert_null(a.data);
}

static udl_status csv_read(const char *file, unsigned flags, udl_array *a)
{
    (void)flags;
    return udl_csv_read(file, a);
}

/* gzip readers (zlib's gzread among them) skip whatever follows the last gzip member;
 * a file with bytes after its data is not the file that was meant. */
static void test_gzip_idx_with_bytes_after_the_stream_is_refused(void **state)
{
    (void)state;
    const unsigned char idx[12 + 4] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
    const char *file = at("junk.idx.gz");
    const char *tails[] = {"JUNK AFTER THE STREAM", "\0\0\0\0", "\x1f", "x"};
    const size_t lens[] = {21, 4, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        write_gzip(file, idx, sizeof idx);
        append(file, tails[i], lens[i]);
        assert_refused(udl_idx_read, file, "after the gzip stream");
    }
    /* two gzip members are one stream (gzip -c a b > c): the second's bytes are data */
    write_gzip(file, idx, 12);
    write_gzip(at("second.gz"), idx + 12, 4);
    size_t n;
    unsigned char *second = slurp(at("second.gz"), &n);
    append(at("junk.idx.gz"), second, n);
    free(second);
    udl_array a;
    assert_int_equal(udl_idx_read(file, 0, &a), UDL_OK);
    assert_true(a.rows == 2 && a.cols == 2 && a.data[3] == 4.0 / 255.0);
    udl_array_free(&a);
}

static void test_npy_with_other_dtypes_or_a_lying_header_is_refused(void **state)
{
    (void)state;
    const char *dtypes[] = {"'<U8'", "'|b1'", "'<f2'", "'<c8'", "'|O'", "'<M8[ns]'",
                            "'<u4'", "'<u8'", "[('a', '<f8')]"};
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++) {
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': %s, 'fortran_order': False, 'shape': (2,), }",
                 dtypes[i]);
        unsigned char p[128 + 16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        size_t len = strlen(dict);
        p[8] = (unsigned char)len;
        memcpy(p + 10, dict, len);
        spit(at("dtype.npy"), p, 10 + len + 16);
        assert_refused(udl_npy_read, scratch, "dtype");
    }
    /* a header length that runs past the end of the file */
    unsigned char p[64] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xff, 0x7f};
    memcpy(p + 10, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 54);
    spit(at("header-length.npy"), p, sizeof p);
    assert_refused(udl_npy_read, scratch, "truncated");
}

static void test_csv_cells_that_are_not_numbers_are_refused(void **state)
{
    (void)state;
    struct { const char *text, *words; } cases[] = {
        {"1,2\n3,4\ngarbage at the end\n", "line 3: field 1 is not a number"},
        {"1,2\n3,4\n5,6 7\n", "line 3: field 2"},
        {"1,2\n3,0x\n", "line 2: field 2"},
        {"1,2\n3,4,\n", "line 2: field 3"},
        {"1,2\n3,1e999\n", "line 2: field 2 is out of the range of a double"},
        {"1,2\n-1e400,4\n", "line 2: field 1 is out of the range of a double"},
        {"1,2\n3,4\n\x01\x02\x03\n", "line 3: field 1"},
        {"1,2\n3,4\n\0\n", "neither"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        spit(at("cells.csv"), cases[i].text,
             strlen(cases[i].text) + (strstr(cases[i].words, "neither") ? 2 : 0));
        assert_refused(csv_read, scratch, cases[i].words);
    }
    /* tiny values that round to zero or a subnormal are numbers still */
    spit(at("tiny.csv"), "1e-400,4.9e-324\n", 16);
    udl_array a;
    assert_int_equal(udl_csv_read(scratch, &a), UDL_OK);
    assert_true(a.data[0] == 0.0 && a.data[1] > 0.0);
    udl_array_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_killed_save_leaves_the_whole_model_or_none),
        cmocka_unit_test(test_a_file_of_another_kind_is_refused_naming_both_kinds),
        cmocka_unit_test(test_a_newer_format_is_refused_naming_both_versions),
        cmocka_unit_test(test_gzip_idx_with_bytes_after_the_stream_is_refused),
        cmocka_unit_test(test_npy_with_other_dtypes_or_a_lying_header_is_refused),
        cmocka_unit_test(test_csv_cells_that_are_not_numbers_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
