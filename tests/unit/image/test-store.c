/* src/image/store.c: what a writer that dies mid-way leaves (nothing
 * listed, its staging swept by the next writer), and layer sharing and
 * freeing across images. Images are made with image_import() from tars
 * written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <string.h>
#include <sys/wait.h>

#include "image/load.h"
#include "image/store.h"
#include "../lib/test-helpers.h"

/* A one-file tar (name, content) as an fd. */
static int tar_fd(const char *dir, const char *name, const char *content)
{
        _cleanup_free_ char *path = NULL;
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        int fd;

        assert_true(asprintf(&path, "%s/%s.tar", dir, name) > 0);
        archive_write_set_format_pax_restricted(a);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)strlen(content));
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        archive_write_data(a, content, strlen(content));
        archive_entry_free(e);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static size_t count_dir(const char *root, const char *sub)
{
        _cleanup_free_ char *p = NULL;
        struct dirent *de;
        size_t n = 0;
        DIR *d;

        assert_true(asprintf(&p, "%s/%s", root, sub) > 0);
        d = opendir(p);
        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static size_t count_images(Store *s)
{
        _cleanup_error_ Error *err = NULL;
        StoreImage **imgs = NULL;
        size_t n = 0;

        assert_int_equal(store_list(s, &imgs, &n, &err), 0);
        store_image_list_free(imgs, n);
        return n;
}

static void test_dead_writer(void **state)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *root = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_free_ char *id = NULL;
        int status, fd;
        pid_t pid;

        assert_true(asprintf(&root, "%s/store", dir) > 0);
        assert_int_equal(store_open(root, NULL, &s, &err), 0);

        /* a writer that stages a blob and a layer, then dies before commit */
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                StoreTxn *t = NULL;
                char *digest = NULL;
                int f = tar_fd(dir, "dead", "d");

                if (store_txn_begin(s, &t, NULL) < 0 || store_txn_add_blob_fd(t, f, NULL, &digest, NULL, NULL) < 0 ||
                    store_txn_add_layer(t, digest, NULL, NULL, NULL) < 0)
                        _exit(1);
                _exit(0); /* no commit, no abort: as if killed */
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(status, 0);
        assert_int_equal(count_images(s), 0);
        assert_int_equal(count_dir(root, "tmp"), 1);
        assert_int_equal(count_dir(root, "layers"), 0);

        /* the next writer sweeps it, and commits its own */
        fd = tar_fd(dir, "live", "l");
        assert_int_equal(image_import(s, fd, "live.tar", "live:1", &id, &err), 0);
        close(fd);
        assert_int_equal(count_dir(root, "tmp"), 0);
        assert_int_equal(count_images(s), 1);
        assert_int_equal(count_dir(root, "layers"), 1);
        test_rm_rf(dir);
}

static void test_shared_layer_freed_last(void **state)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *root = NULL, *a = NULL, *b = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_strv_ char **freed = NULL;
        int fd;

        assert_true(asprintf(&root, "%s/store", dir) > 0);
        assert_int_equal(store_open(root, NULL, &s, &err), 0);
        /* the same tarball twice: two images (their configs differ in time),
         * one layer */
        fd = tar_fd(dir, "same", "s");
        assert_int_equal(image_import(s, fd, "same.tar", "a:1", &a, &err), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        usleep(2000);
        assert_int_equal(image_import(s, fd, "same.tar", "b:1", &b, &err), 0);
        close(fd);
        assert_string_not_equal(a, b);
        assert_int_equal(count_images(s), 2);
        assert_int_equal(count_dir(root, "layers"), 1);

        assert_int_equal(store_delete(s, a, &freed, &err), 0);
        assert_null(freed ? freed[0] : NULL);
        assert_int_equal(count_dir(root, "layers"), 1);
        assert_int_equal(store_delete(s, b, &freed, &err), 0);
        assert_non_null(freed);
        assert_non_null(freed[0]);
        assert_int_equal(count_dir(root, "layers"), 0);
        assert_int_equal(count_dir(root, "blobs/sha256"), 0);
        assert_int_equal(count_images(s), 0);
        test_rm_rf(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dead_writer),
                cmocka_unit_test(test_shared_layer_freed_last),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
