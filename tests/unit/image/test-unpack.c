/* src/image/unpack.c: member names, whiteout translation, and the
 * hardening of a real unpack of tarballs built here with libarchive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <zlib.h>

#include "image/tree.h"
#include "image/unpack.h"
#include "../lib/test-helpers.h"

/* ---- member names ---- */

static void check_classify(const char *name, int want_r, const char *want_path, UnpackKind want_kind)
{
        _cleanup_free_ char *path = NULL;
        UnpackKind kind = UNPACK_PLAIN;
        int r = unpack_classify(name, &path, &kind);

        if (r != want_r)
                fail_msg("unpack_classify(\"%s\") = %d, want %d", name, r, want_r);
        if (r < 0)
                return;
        if (!streq(path, want_path) || kind != want_kind)
                fail_msg("unpack_classify(\"%s\") = (\"%s\", %d), want (\"%s\", %d)", name, path, kind, want_path,
                         want_kind);
}

static void test_classify(void **state)
{
        check_classify("a/b", 0, "a/b", UNPACK_PLAIN);
        check_classify("./a//b/", 0, "a/b", UNPACK_PLAIN);
        check_classify("/etc/passwd", 0, "etc/passwd", UNPACK_PLAIN);
        check_classify("./", 0, ".", UNPACK_PLAIN);
        check_classify("/", 0, ".", UNPACK_PLAIN);
        check_classify("a/../b", 0, "b", UNPACK_PLAIN);
        check_classify("..", -EXDEV, NULL, 0);
        check_classify("../x", -EXDEV, NULL, 0);
        check_classify("a/../../x", -EXDEV, NULL, 0);
        check_classify("./../../etc/x", -EXDEV, NULL, 0);
        /* a leading "/" is dropped, as tar does; what climbs from there is refused */
        check_classify("/../etc/x", -EXDEV, NULL, 0);
        check_classify("", -EINVAL, NULL, 0);
        check_classify("a/.wh.b", 0, "a/b", UNPACK_WHITEOUT);
        check_classify(".wh.b", 0, "b", UNPACK_WHITEOUT);
        check_classify("./a/.wh..wh..opq", 0, "a", UNPACK_OPAQUE);
        check_classify(".wh..wh..opq", 0, ".", UNPACK_OPAQUE);
        check_classify("a/.wh..wh.plnk", 0, "a/.wh..wh.plnk", UNPACK_SKIP);
        check_classify("a/.wh.", -EINVAL, NULL, 0);
        check_classify("a/.wh...", -EINVAL, NULL, 0);
        check_classify("a/x.wh.b", 0, "a/x.wh.b", UNPACK_PLAIN);
        check_classify("../.wh.x", -EXDEV, NULL, 0);
}

/* ---- tarballs ---- */

typedef struct Entry {
        const char *path;
        mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK; hardlink when link set and type 0 */
        const char *content_or_link;
        mode_t perm;
} Entry;

typedef struct Tar {
        char *data;
        size_t len;
} Tar;

static Tar make_tar(const Entry *es, size_t n, bool gzip)
{
        struct archive *a = archive_write_new();
        size_t cap = 1 << 20, used = 0;
        char *buf = calloc(1, cap);
        Tar t;

        assert_non_null(buf);
        archive_write_set_format_pax_restricted(a);
        if (gzip)
                archive_write_add_filter_gzip(a);
        assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                const Entry *x = &es[i];

                archive_entry_set_pathname(e, x->path);
                archive_entry_set_perm(e, x->perm ? x->perm : 0644);
                archive_entry_set_mtime(e, 1000000000, 0);
                if (x->type == 0) {
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_hardlink(e, x->content_or_link);
                } else {
                        archive_entry_set_filetype(e, x->type);
                        if (x->type == AE_IFLNK)
                                archive_entry_set_symlink(e, x->content_or_link);
                        if (x->type == AE_IFREG && x->content_or_link)
                                archive_entry_set_size(e, (la_int64_t)strlen(x->content_or_link));
                }
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (x->type == AE_IFREG && x->content_or_link)
                        archive_write_data(a, x->content_or_link, strlen(x->content_or_link));
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        t.data = buf;
        t.len = used;
        return t;
}

typedef struct Fixture {
        char *dir;    /* the test's temp dir */
        char *layer;  /* dir/layer */
        char *canary; /* dir/canary: what a hostile layer must not reach */
        int layer_fd;
} Fixture;

static int setup(void **state)
{
        Fixture *f = calloc(1, sizeof(*f));

        f->dir = test_mkdtemp();
        assert_non_null(f->dir);
        assert_true(asprintf(&f->layer, "%s/layer", f->dir) > 0);
        assert_true(asprintf(&f->canary, "%s/canary", f->dir) > 0);
        assert_int_equal(mkdir(f->layer, 0755), 0);
        assert_int_equal(mkdir(f->canary, 0755), 0);
        f->layer_fd = open(f->layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->layer_fd >= 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        Fixture *f = *state;

        close(f->layer_fd);
        test_rm_rf(f->dir);
        free(f->dir);
        free(f->layer);
        free(f->canary);
        free(f);
        return 0;
}

/* Unpack `t` into the fixture's layer; returns unpack_layer's result and
 * the error message (malloc'd) in *msg when it fails. */
static int unpack_tar(Fixture *f, Tar t, const UnpackOpts *o, UnpackStats *st, char **msg)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *path = NULL;
        int fd, r;

        assert_true(asprintf(&path, "%s/layer.tar", f->dir) > 0);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, t.data, t.len), (ssize_t)t.len);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        r = unpack_layer(fd, f->layer_fd, o, st, &err);
        close(fd);
        if (msg)
                *msg = err ? strdup(err->msg) : NULL;
        return r;
}

static bool canary_empty(Fixture *f)
{
        _cleanup_free_ char *cmd = NULL;

        assert_true(asprintf(&cmd, "test -z \"$(ls -A '%s')\"", f->canary) > 0);
        return system(cmd) == 0;
}

static char *sha256_hex(const void *data, size_t len)
{
        unsigned char h[32];
        unsigned hl = 0;
        char *out = malloc(72);

        assert_int_equal(EVP_Digest(data, len, h, &hl, EVP_sha256(), NULL), 1);
        strcpy(out, "sha256:");
        for (int i = 0; i < 32; i++)
                snprintf(out + 7 + 2 * i, 3, "%02x", h[i]);
        return out;
}

static void test_whiteouts(void **state)
{
        Fixture *f = *state;
        const Entry es[] = {
                { "a/", AE_IFDIR, NULL, 0755 },          { "a/.wh.gone", AE_IFREG, NULL, 0 },
                { "c/.wh..wh..opq", AE_IFREG, NULL, 0 }, { "c/kept", AE_IFREG, "k", 0600 },
                { ".wh.top", AE_IFREG, NULL, 0 },        { "d/.wh..wh.plnk", AE_IFREG, NULL, 0 },
        };
        Tar t = make_tar(es, ELEMENTSOF(es), false);
        UnpackOpts o = { .privileged = geteuid() == 0 };
        _cleanup_free_ char *msg = NULL, *p = NULL;
        struct stat st;
        char v[4] = { 0 };

        if (unpack_tar(f, t, &o, NULL, &msg) < 0)
                fail_msg("unpack: %s", msg);
        assert_int_equal(fstatat(f->layer_fd, "a/gone", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(0, 0));
        assert_int_equal(fstatat(f->layer_fd, "top", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        /* no ".wh." names are left in the tree */
        assert_int_equal(fstatat(f->layer_fd, "a/.wh.gone", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(fstatat(f->layer_fd, "c/.wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(fstatat(f->layer_fd, "d/.wh..wh.plnk", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_true(asprintf(&p, "%s/c", f->layer) > 0);
        assert_int_equal(getxattr(p, o.privileged ? "trusted.overlay.opaque" : "user.overlay.opaque", v, sizeof(v)), 1);
        assert_string_equal(v, "y");
        assert_int_equal(fstatat(f->layer_fd, "c/kept", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(st.st_mtim.tv_sec, 1000000000);
        free(t.data);
}

static void test_diff_id_plain_and_gzip(void **state)
{
        Fixture *f = *state;
        const Entry es[] = {
                { "bin/", AE_IFDIR, NULL, 0755 },
                { "bin/sh", AE_IFREG, "#!binary", 0755 },
                { "bin/ls", AE_IFLNK, "sh", 0777 },
                { "bin/sh2", 0, "bin/sh", 0 },
        };
        Tar t = make_tar(es, ELEMENTSOF(es), false), tz = make_tar(es, ELEMENTSOF(es), true);
        _cleanup_free_ char *want = sha256_hex(t.data, t.len), *msg = NULL, *msgz = NULL;
        UnpackStats st, stz;
        struct stat a, b;
        char target[16] = { 0 };

        if (unpack_tar(f, t, NULL, &st, &msg) < 0)
                fail_msg("unpack: %s", msg);
        assert_string_equal(st.diff_id, want);
        assert_int_equal(st.entries, 4);
        assert_int_equal(st.bytes, strlen("#!binary"));
        assert_int_equal(fstatat(f->layer_fd, "bin/sh", &a, 0), 0);
        assert_int_equal(fstatat(f->layer_fd, "bin/sh2", &b, 0), 0);
        assert_int_equal(a.st_ino, b.st_ino);
        assert_int_equal(readlinkat(f->layer_fd, "bin/ls", target, sizeof(target) - 1), 2);
        assert_string_equal(target, "sh");

        /* the same tar gzip'd: the same tree and the same diffID */
        assert_int_equal(tree_remove(f->layer_fd, "bin"), 0);
        if (unpack_tar(f, tz, NULL, &stz, &msgz) < 0)
                fail_msg("unpack gzip: %s", msgz);
        assert_string_equal(stz.diff_id, want);
        assert_int_equal(fstatat(f->layer_fd, "bin/sh2", &b, 0), 0);
        free(t.data);
        free(tz.data);
}

/* `data` as one gzip member (zlib, as registries' layers are made). */
static Tar gzip_member(const char *data, size_t len)
{
        z_stream z = { 0 };
        Tar t = { .data = malloc(len + 1024) };

        assert_non_null(t.data);
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (Bytef *)data;
        z.avail_in = (uInt)len;
        z.next_out = (Bytef *)t.data;
        z.avail_out = (uInt)len + 1024;
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        t.len = z.total_out;
        deflateEnd(&z);
        return t;
}

/* A layer gzip'd in two members (as pigz -i or a concatenation makes it)
 * is one stream; a flipped byte or a cut stream is an error, never a
 * partial layer taken for whole. */
static void test_gzip_members_and_corruption(void **state)
{
        Fixture *f = *state;
        const Entry es[] = {
                { "etc/", AE_IFDIR, NULL, 0755 },
                { "etc/motd", AE_IFREG, "hello from the first half", 0644 },
                { "etc/issue", AE_IFREG, "and the second", 0644 },
        };
        Tar t = make_tar(es, ELEMENTSOF(es), false);
        size_t half = 1536; /* inside the tar: the members split an entry */
        Tar a = gzip_member(t.data, half), b = gzip_member(t.data + half, t.len - half), cat, bad, cut;
        _cleanup_free_ char *want = sha256_hex(t.data, t.len), *msg = NULL, *msg_bad = NULL, *msg_cut = NULL;
        char buf[64] = { 0 };
        UnpackStats st;
        int fd;

        assert_true(t.len > half);
        cat.len = a.len + b.len;
        cat.data = malloc(cat.len);
        assert_non_null(cat.data);
        memcpy(cat.data, a.data, a.len);
        memcpy(cat.data + a.len, b.data, b.len);
        if (unpack_tar(f, cat, NULL, &st, &msg) < 0)
                fail_msg("unpack of two gzip members: %s", msg);
        assert_string_equal(st.diff_id, want);
        fd = openat(f->layer_fd, "etc/issue", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen("and the second"));
        close(fd);
        assert_string_equal(buf, "and the second");

        /* a byte of the second member's deflate data flipped */
        assert_int_equal(tree_remove(f->layer_fd, "etc"), 0);
        bad.len = cat.len;
        bad.data = malloc(bad.len);
        assert_non_null(bad.data);
        memcpy(bad.data, cat.data, cat.len);
        bad.data[a.len + b.len / 2] ^= 0x5a;
        assert_true(unpack_tar(f, bad, NULL, NULL, &msg_bad) < 0);
        assert_non_null(msg_bad);

        /* the stream cut short of its second member's end */
        (void)tree_remove(f->layer_fd, "etc");
        cut.data = cat.data;
        cut.len = cat.len - 6;
        assert_true(unpack_tar(f, cut, NULL, NULL, &msg_cut) < 0);
        assert_non_null(msg_cut);

        free(t.data);
        free(a.data);
        free(b.data);
        free(cat.data);
        free(bad.data);
}

static void expect_refused(Fixture *f, const Entry *es, size_t n, const char *want_msg)
{
        Tar t = make_tar(es, n, false);
        _cleanup_free_ char *msg = NULL;

        if (unpack_tar(f, t, NULL, NULL, &msg) >= 0)
                fail_msg("unpack of a hostile layer succeeded (want \"%s\")", want_msg);
        if (!msg || !strstr(msg, want_msg))
                fail_msg("error \"%s\" does not say \"%s\"", msg ? msg : "(none)", want_msg);
        free(t.data);
}

static void test_dotdot_refused(void **state)
{
        Fixture *f = *state;
        const Entry es[] = { { "../canary/x", AE_IFREG, "pwned", 0 } };

        expect_refused(f, es, 1, "entry ../canary/x: path escapes the layer");
        assert_true(canary_empty(f));
}

static void test_hardlink_escape_refused(void **state)
{
        Fixture *f = *state;
        const Entry up[] = { { "x", 0, "../canary/y", 0 } };
        _cleanup_free_ char *abs = NULL;

        expect_refused(f, up, 1, "hard link target ../canary/y escapes the layer");
        /* an absolute target names a path inside the layer, which is not there */
        assert_true(asprintf(&abs, "%s/secret", f->canary) > 0);
        assert_int_equal(test_write(f->canary, "secret", "s"), 0);
        const Entry ab[] = { { "y", 0, abs, 0 } };
        expect_refused(f, ab, 1, "is not in the layer");
        assert_int_equal(faccessat(f->layer_fd, "y", F_OK, AT_SYMLINK_NOFOLLOW), -1);
}

static void test_symlink_contained(void **state)
{
        Fixture *f = *state;
        _cleanup_free_ char *msg = NULL;
        struct stat st;
        /* an absolute symlink to the host's canary, then writes through it:
         * they land inside the layer, at the canary's path there */
        const Entry es[] = {
                { "root", AE_IFLNK, "/", 0777 },
                { "root/etc/x", AE_IFREG, "inside", 0 },
                { "up", AE_IFLNK, "../../../../../../..", 0777 },
                { "up/y", AE_IFREG, "inside", 0 },
                { "l", AE_IFLNK, f->canary, 0777 },
                { "l", AE_IFREG, "replaced, not followed", 0 },
        };
        Tar t = make_tar(es, ELEMENTSOF(es), false);

        if (unpack_tar(f, t, NULL, NULL, &msg) < 0)
                fail_msg("unpack: %s", msg);
        assert_int_equal(fstatat(f->layer_fd, "etc/x", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(fstatat(f->layer_fd, "y", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(fstatat(f->layer_fd, "l", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_true(canary_empty(f));
        free(t.data);

        /* a symlink to the host's canary dir, then a file under it */
        const Entry es2[] = {
                { "c", AE_IFLNK, f->canary, 0777 },
                { "c/pwned", AE_IFREG, "x", 0 },
        };
        t = make_tar(es2, ELEMENTSOF(es2), false);
        free(msg);
        msg = NULL;
        (void)unpack_tar(f, t, NULL, NULL, &msg);
        assert_true(canary_empty(f));
        free(t.data);
}

static void test_entry_limit(void **state)
{
        Fixture *f = *state;
        Entry es[50];
        char names[50][8];
        UnpackOpts o = { .max_entries = 40 };
        Tar t;
        _cleanup_free_ char *msg = NULL;

        for (int i = 0; i < 50; i++) {
                snprintf(names[i], sizeof(names[i]), "f%d", i);
                es[i] = (Entry){ names[i], AE_IFREG, "", 0 };
        }
        t = make_tar(es, 50, false);
        assert_true(unpack_tar(f, t, &o, NULL, &msg) < 0);
        assert_non_null(strstr(msg, "more than 40 entries"));
        free(msg);
        msg = NULL;
        o.max_entries = 50;
        if (unpack_tar(f, t, &o, NULL, &msg) < 0)
                fail_msg("unpack of 50 entries with a limit of 50: %s", msg);
        free(t.data);
}

static void test_size_limit(void **state)
{
        Fixture *f = *state;
        const Entry es[] = { { "big", AE_IFREG, "0123456789", 0 } };
        UnpackOpts o = { .max_bytes = 9 };
        Tar t = make_tar(es, 1, false);
        _cleanup_free_ char *msg = NULL;

        assert_true(unpack_tar(f, t, &o, NULL, &msg) < 0);
        assert_non_null(strstr(msg, "larger than 9 bytes"));
        free(t.data);
}

/* What an unprivileged unpack (rootless) does, forced here even as root:
 * no owners from the archive, devices skipped and counted, the opaque
 * marker in the user.overlay namespace (overlayfs's userxattr). */
static void test_unprivileged(void **state)
{
        Fixture *f = *state;
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        size_t cap = 1 << 16, used = 0;
        char *buf = calloc(1, cap), v[4] = { 0 };
        UnpackOpts o = { .privileged = false };
        UnpackStats st;
        _cleanup_free_ char *msg = NULL, *p = NULL;
        struct stat sb;

        archive_write_set_format_pax_restricted(a);
        assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
        archive_entry_set_pathname(e, "dev/null");
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_perm(e, 0666);
        archive_entry_set_rdev(e, makedev(1, 3));
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        archive_entry_clear(e);
        archive_entry_set_pathname(e, "owned");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_uid(e, 4242);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        archive_entry_clear(e);
        archive_entry_set_pathname(e, "o/.wh..wh..opq");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        archive_entry_free(e);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);

        if (unpack_tar(f, (Tar){ buf, used }, &o, &st, &msg) < 0)
                fail_msg("unpack: %s", msg);
        assert_int_equal(st.skipped_devices, 1);
        assert_int_equal(faccessat(f->layer_fd, "dev/null", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(fstatat(f->layer_fd, "owned", &sb, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(sb.st_uid, geteuid());
        assert_true(asprintf(&p, "%s/o", f->layer) > 0);
        assert_int_equal(getxattr(p, "user.overlay.opaque", v, sizeof(v)), 1);
        assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), -1);
        free(buf);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classify),
                cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_diff_id_plain_and_gzip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gzip_members_and_corruption, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dotdot_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hardlink_escape_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlink_contained, setup, teardown),
                cmocka_unit_test_setup_teardown(test_entry_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unprivileged, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
