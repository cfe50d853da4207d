/* libFuzzer target: the image config parser and the passwd/group parsers
 * of src/image/imgspec.c, all fed by the image's author. The input is the
 * config JSON and also, split at the first "\n--\n", the rootfs'
 * /etc/passwd and /etc/group. Beyond not crashing: a resolved user has
 * ids in runc's range, and no supplementary gid twice or equal to the
 * primary one. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/imgspec.h"
#include "image/tree.h"
#include "image/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int root_fd = -1;
static char root_dir[] = "/tmp/husk-fuzz-imgspec.XXXXXX";

static void remove_root(void)
{
        (void)tree_remove(AT_FDCWD, root_dir);
}

static void put(const char *name, const void *buf, size_t len)
{
        int fd = openat(root_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0 || (len && write(fd, buf, len) != (ssize_t)len))
                abort();
        close(fd);
}

static void check_user(const char *spec)
{
        ImgSpecUser u = { 0 };
        Error *err = NULL;

        if (imgspec_resolve_user(root_fd, spec, &u, &err) < 0) {
                if (!err || u.home)
                        abort();
                error_free(err);
                return;
        }
        if (u.uid > 2147483647u || u.gid > 2147483647u || !u.home)
                abort();
        for (size_t i = 0; i < u.n_additional_gids; i++) {
                if (u.additional_gids[i] == u.gid)
                        abort();
                for (size_t k = 0; k < i; k++)
                        if (u.additional_gids[k] == u.additional_gids[i])
                                abort();
        }
        imgspec_user_clear(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const users[] = { "", "root", "0", "app", "1000", "app:staff", "1000:50", "x:y" };
        ImageConfig *c = NULL;
        Error *err = NULL;
        const uint8_t *sep;

        if (root_fd < 0) {
                if (!mkdtemp(root_dir))
                        abort();
                atexit(remove_root);
                root_fd = open(root_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0 || mkdirat(root_fd, "etc", 0755) < 0)
                        abort();
        }
        if (imgspec_parse_config((const char *)data, size, "fuzz", &c, &err) < 0)
                error_free(err);
        else
                imgspec_config_free(c);

        sep = memmem(data, size, "\n--\n", 4);
        put("etc/passwd", data, sep ? (size_t)(sep - data) : size);
        put("etc/group", sep ? sep + 4 : data, sep ? size - (size_t)(sep + 4 - data) : size);
        for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
                check_user(users[i]);
        if (c == NULL && size < 64) {
                char spec[64];
                memcpy(spec, data, size);
                spec[size] = '\0';
                check_user(spec);
        }
        return 0;
}
