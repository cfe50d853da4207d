/* src/image/imgspec.c: the image config applied to a runtime spec with
 * Docker's rules, and User resolved against a rootfs' /etc/passwd and
 * /etc/group, hostile ones included. Each test makes its own rootfs dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/imgspec.h"
#include "image/tree.h"
#include "image/unpack.h"
#include "lib/util.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# a comment\n"
                             "\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                             "app:x:1000:1000:App:/home/app:/bin/sh\n"
                             "svc:x:1001:1001\n"
                             "dup:x:2000:2000::/first:/bin/sh\n"
                             "dup:x:2001:2001::/second:/bin/sh\n"
                             "1234:x:5000:5000::/numeric-name:/bin/sh\n";
static const char group[] = "root:x:0:\n"
                            "app:x:1000:\n"
                            "wheel:x:10:root,app\n"
                            "staff:x:50:app,svc\n"
                            "audio:x:29:svc,app,app\n"
                            "self:x:1000:app\n";

typedef struct Root {
        char dir[64];
        int fd;
} Root;

static void write_file(Root *r, const char *name, const char *content, size_t len)
{
        char p[128];
        FILE *f;

        snprintf(p, sizeof(p), "%s/%s", r->dir, name);
        f = fopen(p, "w");
        assert_non_null(f);
        assert_int_equal(fwrite(content, 1, len, f), len);
        fclose(f);
}

static int root_setup(void **state)
{
        Root *r = calloc(1, sizeof(*r));
        char p[128];

        if (!r) /* cmocka's asserts are not noreturn to the compiler */
                return -1;
        snprintf(r->dir, sizeof(r->dir), "/tmp/husk-imgspec.XXXXXX");
        assert_non_null(mkdtemp(r->dir));
        snprintf(p, sizeof(p), "%s/etc", r->dir);
        assert_int_equal(mkdir(p, 0755), 0);
        write_file(r, "etc/passwd", passwd, strlen(passwd));
        write_file(r, "etc/group", group, strlen(group));
        r->fd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(r->fd >= 0);
        *state = r;
        return 0;
}

static int root_teardown(void **state)
{
        Root *r = *state;

        close(r->fd);
        assert_int_equal(tree_remove(AT_FDCWD, r->dir), 0);
        free(r);
        return 0;
}

static void want_user(Root *r, const char *spec, uint32_t uid, uint32_t gid, const char *gids, const char *home)
{
        _cleanup_error_ Error *err = NULL;
        ImgSpecUser u = { 0 };
        char got[256] = "";
        size_t n = 0;

        if (imgspec_resolve_user(r->fd, spec, &u, &err) < 0)
                fail_msg("user \"%s\": %s", spec, err->msg);
        for (size_t i = 0; i < u.n_additional_gids; i++)
                n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%u", i ? "," : "", u.additional_gids[i]);
        if (u.uid != uid || u.gid != gid || !streq(got, gids) || !streq(u.home, home))
                fail_msg("user \"%s\": %u:%u [%s] %s, want %u:%u [%s] %s", spec, u.uid, u.gid, got, u.home, uid, gid,
                         gids, home);
        imgspec_user_clear(&u);
}

static void want_user_error(Root *r, const char *spec, const char *msg)
{
        _cleanup_error_ Error *err = NULL;
        ImgSpecUser u = { 0 };

        if (imgspec_resolve_user(r->fd, spec, &u, &err) >= 0)
                fail_msg("user \"%s\" resolved to %u:%u", spec, u.uid, u.gid);
        if (!strstr(err->msg, msg))
                fail_msg("user \"%s\": \"%s\", want \"%s\"", spec, err->msg, msg);
        assert_null(u.home);
}

static void test_user_forms(void **state)
{
        Root *r = *state;

        want_user(r, "", 0, 0, "10", "/root");
        want_user(r, NULL, 0, 0, "10", "/root");
        want_user(r, "root", 0, 0, "10", "/root");
        want_user(r, "0", 0, 0, "10", "/root");
        want_user(r, "app", 1000, 1000, "10,50,29", "/home/app");
        want_user(r, "1000", 1000, 1000, "10,50,29", "/home/app");
        /* "self" (gid 1000) lists app: a supplementary group once the
         * primary one is another */
        want_user(r, "app:staff", 1000, 50, "10,29,1000", "/home/app");
        want_user(r, "app:50", 1000, 50, "10,29,1000", "/home/app");
        want_user(r, "app:777", 1000, 777, "10,50,29,1000", "/home/app");
        want_user(r, "1000:1000", 1000, 1000, "10,50,29", "/home/app");
        want_user(r, "svc", 1001, 1001, "50,29", "/"); /* short line: no home */
        want_user(r, "daemon", 1, 1, "", "/usr/sbin");
        /* numeric and not in passwd: allowed, gid 0, no groups */
        want_user(r, "4242", 4242, 0, "", "/");
        want_user(r, "4242:4343", 4242, 4343, "", "/");
        want_user(r, "4242:staff", 4242, 50, "", "/");
        want_user(r, "2147483647", 2147483647u, 0, "", "/");
        /* first match wins; a name made of digits matches by name too */
        want_user(r, "dup", 2000, 2000, "", "/first");
        want_user(r, "1234", 5000, 5000, "", "/numeric-name");
}

static void test_user_errors(void **state)
{
        Root *r = *state;

        want_user_error(r, "nobody", "unable to find user nobody: no matching entries in passwd file");
        want_user_error(r, "app:nogroup", "unable to find group nogroup: no matching entries in group file");
        want_user_error(r, "nobody:staff", "unable to find user nobody");
        want_user_error(r, "2147483648", "uid 2147483648 is out of range");
        want_user_error(r, "99999999999999999999", "is out of range");
        want_user_error(r, "app:4294967295", "gid 4294967295 is out of range");
        want_user_error(r, ":staff", "expected USER[:GROUP]");
        want_user_error(r, "app:", "expected USER[:GROUP]");
        want_user_error(r, "-1", "unable to find user -1");
}

static void test_no_files(void **state)
{
        Root *r = *state;
        char p[128];

        snprintf(p, sizeof(p), "%s/etc/passwd", r->dir);
        unlink(p);
        snprintf(p, sizeof(p), "%s/etc/group", r->dir);
        unlink(p);
        want_user(r, "", 0, 0, "", "/");
        want_user(r, "1000:1000", 1000, 1000, "", "/");
        want_user_error(r, "root", "unable to find user root");
        want_user_error(r, "0:wheel", "unable to find group wheel");
}

static void test_hostile_passwd(void **state)
{
        Root *r = *state;
        static const char bad[] = "evil:x:-1:0::/:/bin/sh\n"          /* negative uid */
                                  "evil2:x:4294967295:0::/:/bin/sh\n" /* (uid_t)-1 */
                                  "evil3:x:1e3:0::/:/bin/sh\n"
                                  "evil4:x: 12:0::/:/bin/sh\n"
                                  "evil5:x:12\n"
                                  ":x:77:77::/:/bin/sh\n" /* empty name */
                                  "nul\0x:x:88:88::/:/bin/sh\n"
                                  "crlf:x:99:99::/crlf:/bin/sh\r\n"
                                  "rel:x:98:98::relative:/bin/sh\n"
                                  "ok:x:100:100::/ok:/bin/sh:extra:fields\n"
                                  "noline:x:101:101::/last:/bin/sh";
        char *big;
        size_t n;

        write_file(r, "etc/passwd", bad, sizeof(bad) - 1);
        want_user_error(r, "evil", "unable to find user evil");
        want_user_error(r, "evil2", "unable to find user evil2");
        want_user_error(r, "evil3", "unable to find user evil3");
        want_user_error(r, "evil4", "unable to find user evil4");
        want_user_error(r, "evil5", "unable to find user evil5");
        want_user(r, "77", 77, 0, "", "/"); /* the empty-named line is skipped */
        want_user_error(r, "nul", "unable to find user nul");
        want_user(r, "88", 88, 0, "", "/");
        want_user(r, "crlf", 99, 99, "", "/crlf");
        want_user(r, "rel", 98, 98, "", "/");
        want_user(r, "ok", 100, 100, "", "/ok");
        want_user(r, "noline", 101, 101, "", "/last");

        /* one line of 3 MiB, then a real entry: parsed by length */
        n = (size_t)3 << 20;
        big = malloc(n + 64);
        assert_non_null(big);
        memset(big, 'a', n);
        n += (size_t)sprintf(big + n, "\nlate:x:7:7::/late:/bin/sh\n");
        write_file(r, "etc/passwd", big, n);
        want_user(r, "late", 7, 7, "", "/late");
        /* past 4 MiB: refused, not read to the end */
        free(big);
        big = malloc((size_t)5 << 20);
        assert_non_null(big);
        memset(big, 'b', (size_t)5 << 20);
        write_file(r, "etc/passwd", big, (size_t)5 << 20);
        want_user_error(r, "late", "larger than");
        free(big);
}

static void test_hostile_group(void **state)
{
        Root *r = *state;
        static const char bad[] = "g1:x:-5:app\n"
                                  "g2:x:11\n" /* no member field */
                                  "g3:x:12:apple,xapp,app2\n"
                                  "g4:x:13:,,app,,\n"
                                  "g5:x:14:app\n"
                                  "g5:x:15:app\n"; /* same name, another gid */

        write_file(r, "etc/group", bad, sizeof(bad) - 1);
        want_user(r, "app", 1000, 1000, "13,14,15", "/home/app");
        want_user(r, "app:g5", 1000, 14, "13,15", "/home/app");
        want_user(r, "app:g2", 1000, 11, "13,14,15", "/home/app");
        want_user_error(r, "app:g1", "unable to find group g1");
}

static void test_hostile_file_types(void **state)
{
        Root *r = *state;
        char p[128];

        /* a symlink out of the rootfs resolves inside it */
        snprintf(p, sizeof(p), "%s/etc/passwd", r->dir);
        unlink(p);
        write_file(r, "inside", "in:x:3:3::/in:/bin/sh\n", 22);
        assert_int_equal(symlink("../../../../../../../../inside", p), 0);
        want_user(r, "in", 3, 3, "", "/in");
        unlink(p);
        /* no /proc inside this rootfs: the magic link is not reached */
        assert_int_equal(symlink("/proc/self/root/etc/passwd", p), 0);
        want_user_error(r, "root", "unable to find user root");
        unlink(p);
        /* a FIFO would block a plain open; a directory is no file */
        assert_int_equal(mkfifo(p, 0644), 0);
        want_user_error(r, "root", "/etc/passwd in the image is not a regular file");
        unlink(p);
        assert_int_equal(mkdir(p, 0755), 0);
        want_user_error(r, "root", "/etc/passwd in the image is not a regular file");
        rmdir(p);
}

static ImageConfig *parse(const char *json)
{
        _cleanup_error_ Error *err = NULL;
        ImageConfig *c = NULL;

        if (imgspec_parse_config(json, strlen(json), "cfg", &c, &err) < 0)
                fail_msg("parse %s: %s", json, err->msg);
        return c;
}

static void parse_error(const char *json, const char *msg)
{
        _cleanup_error_ Error *err = NULL;
        ImageConfig *c = NULL;

        if (imgspec_parse_config(json, strlen(json), "cfg", &c, &err) >= 0)
                fail_msg("parse %s: accepted", json);
        if (!strstr(err->msg, msg))
                fail_msg("parse %s: \"%s\", want \"%s\"", json, err->msg, msg);
}

static void test_parse(void **state)
{
        _cleanup_(imgspec_config_freep) ImageConfig *c = NULL;
        (void)state;

        c = parse("{\"config\": {\"Entrypoint\": [\"/bin/sh\", \"-c\"], \"Cmd\": \"echo hi\", \"Env\": [\"A=1\"],"
                  "\"WorkingDir\": \"/w\", \"User\": \"app\", \"ExposedPorts\": {\"8080/tcp\": {}, \"53/udp\": {}},"
                  "\"Volumes\": {\"/data\": {}}, \"StopSignal\": \"SIGQUIT\","
                  "\"Labels\": {\"b\": \"2\", \"a\": \"1\"}}}");
        assert_string_equal(c->entrypoint[1], "-c");
        assert_string_equal(c->cmd[0], "echo hi");
        assert_null(c->cmd[1]);
        assert_string_equal(c->exposed_ports[0], "53/udp");
        assert_string_equal(c->exposed_ports[1], "8080/tcp");
        assert_string_equal(c->volumes[0], "/data");
        assert_int_equal(c->stop_signo, SIGQUIT);
        assert_string_equal(c->labels[0], "a=1");
        assert_string_equal(c->labels[1], "b=2");
        imgspec_config_free(TAKE_PTR(c));

        c = parse("{\"architecture\": \"amd64\"}");
        assert_null(c->cmd);
        assert_int_equal(c->stop_signo, SIGTERM);
        imgspec_config_free(TAKE_PTR(c));
        c = parse("{\"config\": {\"StopSignal\": \"9\", \"Cmd\": null}}");
        assert_int_equal(c->stop_signo, 9);

        parse_error("[]", "must be a JSON object");
        parse_error("{\"config\": []}", "config must be an object");
        parse_error("{\"config\": {\"Env\": \"A=1\"}}", "config.Env must be an array of strings");
        parse_error("{\"config\": {\"Cmd\": [1]}}", "config.Cmd[0] must be a string");
        parse_error("{\"config\": {\"Labels\": {\"a\": 1}}}", "config.Labels.a must be a string");
        parse_error("{\"config\": {\"StopSignal\": \"SIGNOPE\"}}", "\"SIGNOPE\" is not a signal");
        parse_error("{\"config\": {\"User\": 0}}", "config.User must be a string");
        parse_error("{\"config\": ", "cfg:1:");
        parse_error("{\"config\": {}, \"config\": {}}", "duplicate");
}

static Spec *build(Root *r, const char *json, const ImgSpecOverrides *o, const char *want_err)
{
        _cleanup_(imgspec_config_freep) ImageConfig *c = parse(json);
        _cleanup_error_ Error *err = NULL;
        Spec *spec = NULL;
        int k = imgspec_build(c, r->fd, o, &spec, &err);

        if (want_err) {
                if (k >= 0)
                        fail_msg("%s: built", json);
                if (!strstr(err->msg, want_err))
                        fail_msg("%s: \"%s\", want \"%s\"", json, err->msg, want_err);
                return NULL;
        }
        if (k < 0)
                fail_msg("%s: %s", json, err->msg);
        return spec;
}

static char *joined(char **v)
{
        size_t n = 0;
        char *s = calloc(1, 4096);

        for (; v && *v; v++)
                n += (size_t)snprintf(s + n, 4096 - n, "%s%s", n ? "|" : "", *v);
        return s;
}

#define ASSERT_STRV(v, want)                                                \
        do {                                                                \
                _cleanup_free_ char *_j = joined(v);                        \
                if (!streq(_j, want))                                       \
                        fail_msg("%s = \"%s\", want \"%s\"", #v, _j, want); \
        } while (0)

static void test_args(void **state)
{
        Root *r = *state;
        static const char img[] = "{\"config\": {\"Entrypoint\": [\"/ep\", \"-x\"], \"Cmd\": [\"c1\", \"c2\"]}}";
        char *cmd[] = { "o1", NULL }, *ep[] = { "/other", NULL }, *empty[] = { NULL };
        Spec *s;

        s = build(r, img, NULL, NULL);
        ASSERT_STRV(s->process.args, "/ep|-x|c1|c2");
        assert_int_equal(s->process.n_args, 4);
        spec_free(s);
        s = build(r, img, &(ImgSpecOverrides){ .cmd = cmd }, NULL);
        ASSERT_STRV(s->process.args, "/ep|-x|o1");
        spec_free(s);
        /* --entrypoint drops the image's Cmd */
        s = build(r, img, &(ImgSpecOverrides){ .entrypoint = ep }, NULL);
        ASSERT_STRV(s->process.args, "/other");
        spec_free(s);
        s = build(r, img, &(ImgSpecOverrides){ .entrypoint = ep, .cmd = cmd }, NULL);
        ASSERT_STRV(s->process.args, "/other|o1");
        spec_free(s);
        /* --entrypoint '' and a command */
        s = build(r, img, &(ImgSpecOverrides){ .entrypoint = empty, .cmd = cmd }, NULL);
        ASSERT_STRV(s->process.args, "o1");
        spec_free(s);
        s = build(r, "{\"config\": {\"Cmd\": [\"sh\"]}}", NULL, NULL);
        ASSERT_STRV(s->process.args, "sh");
        spec_free(s);
        build(r, img, &(ImgSpecOverrides){ .entrypoint = empty }, "no command specified");
        build(r, "{}", NULL, "no command specified");
        build(r, "{\"config\": {\"Cmd\": []}}", NULL, "no command specified");
}

static void test_env_cwd_user_hostname(void **state)
{
        Root *r = *state;
        char *env[] = { "B=over", "C=new", NULL }, *badenv[] = { "NOEQ", NULL };
        Spec *s;

        s = build(r, "{\"config\": {\"Cmd\": [\"x\"], \"Env\": [\"A=1\", \"B=2\"]}}",
                  &(ImgSpecOverrides){ .env = env, .id = "0123456789abcdef" }, NULL);
        ASSERT_STRV(s->process.env,
                    "A=1|B=over|C=new|PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|"
                    "HOSTNAME=0123456789ab|HOME=/root");
        assert_string_equal(s->hostname, "0123456789ab");
        assert_string_equal(s->process.cwd, "/");
        assert_int_equal(s->process.user.uid, 0);
        assert_int_equal(s->process.user.n_additional_gids, 1);
        assert_int_equal(s->process.user.additional_gids[0], 10);
        /* the rest is Docker's profile */
        assert_true(s->has_linux);
        assert_true(s->linux_.has_seccomp);
        spec_free(s);

        s = build(r,
                  "{\"config\": {\"Cmd\": [\"x\"], \"Env\": [\"PATH=/mine\", \"HOME=/h\"], \"User\": \"app\","
                  "\"WorkingDir\": \"/srv//app/\"}}",
                  &(ImgSpecOverrides){ .hostname = "web" }, NULL);
        ASSERT_STRV(s->process.env, "PATH=/mine|HOME=/h|HOSTNAME=web");
        assert_string_equal(s->process.cwd, "/srv/app");
        assert_int_equal(s->process.user.uid, 1000);
        assert_int_equal(s->process.user.gid, 1000);
        assert_int_equal(s->process.user.n_additional_gids, 3);
        assert_string_equal(s->hostname, "web");
        spec_free(s);

        s = build(r, "{\"config\": {\"Cmd\": [\"x\"], \"User\": \"app\", \"WorkingDir\": \"/w\"}}",
                  &(ImgSpecOverrides){ .user = "daemon", .workdir = "/o" }, NULL);
        assert_int_equal(s->process.user.uid, 1);
        assert_string_equal(s->process.cwd, "/o");
        spec_free(s);

        build(r, "{\"config\": {\"Cmd\": [\"x\"], \"WorkingDir\": \"rel\"}}", NULL, "needs to be an absolute path");
        build(r, "{\"config\": {\"Cmd\": [\"x\"], \"User\": \"ghost\"}}", NULL, "unable to find user ghost");
        build(r, "{\"config\": {\"Cmd\": [\"x\"]}}", &(ImgSpecOverrides){ .env = badenv },
              "invalid environment variable \"NOEQ\"");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_user_forms, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_user_errors, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_no_files, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_hostile_passwd, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_hostile_group, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_hostile_file_types, root_setup, root_teardown),
                cmocka_unit_test(test_parse),
                cmocka_unit_test_setup_teardown(test_args, root_setup, root_teardown),
                cmocka_unit_test_setup_teardown(test_env_cwd_user_hostname, root_setup, root_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
