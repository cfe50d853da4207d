/* rootfs-prepare: drive src/image/rootfs.c and imgspec.c from tests, as the
 * engine will (containers are a later part of husk; this is not a user
 * command and is never installed).
 *
 *     rootfs-prepare [--legacy] STORE IMAGE ID...   prepare each container's
 *                                                    rootfs, print its merged path
 *     rootfs-prepare --remove STORE ID...            unmount and remove
 *     rootfs-prepare --process STORE ID IMAGE [USER] the process imgspec makes
 *                                                    for ID's rootfs, as JSON */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image/imgspec.h"
#include "image/rootfs.h"
#include "image/store.h"

static int fail(Error *err)
{
        fprintf(stderr, "rootfs-prepare: %s\n", err && err->msg ? err->msg : "failed");
        return 1;
}

static int print_process(Store *s, const char *id, const char *name, const char *user)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_image_ StoreImage *img = NULL;
        _cleanup_(imgspec_config_freep) ImageConfig *ic = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_free_ char *cfg = NULL, *merged = NULL;
        _cleanup_close_ int fd = -EBADF;
        ImgSpecOverrides o = { .user = user, .id = id };
        json_t *j, *a;
        size_t len;

        if (store_lookup(s, name, &img, NULL, &err) < 0 || store_read_blob(s, img->id, &cfg, &len, &err) < 0 ||
            imgspec_parse_config(cfg, len, img->id, &ic, &err) < 0)
                return fail(err);
        if (asprintf(&merged, "%s/containers/%s/merged", store_root(s), id) < 0)
                return 1;
        fd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                perror(merged);
                return 1;
        }
        if (imgspec_build(ic, fd, &o, &spec, &err) < 0)
                return fail(err);
        j = json_pack("{s:o, s:o, s:s, s:I, s:I, s:o, s:s*}", "args", json_array(), "env", json_array(), "cwd",
                      spec->process.cwd, "uid", (json_int_t)spec->process.user.uid, "gid",
                      (json_int_t)spec->process.user.gid, "additionalGids", json_array(), "hostname", spec->hostname);
        for (size_t i = 0; i < spec->process.n_args; i++)
                json_array_append_new(json_object_get(j, "args"), json_string(spec->process.args[i]));
        for (size_t i = 0; i < spec->process.n_env; i++)
                json_array_append_new(json_object_get(j, "env"), json_string(spec->process.env[i]));
        a = json_object_get(j, "additionalGids");
        for (size_t i = 0; i < spec->process.user.n_additional_gids; i++)
                json_array_append_new(a, json_integer(spec->process.user.additional_gids[i]));
        json_dumpf(j, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(j);
        return 0;
}

int main(int argc, char **argv)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_store_image_ StoreImage *img = NULL;
        StoreOpts so = { .privileged = geteuid() == 0 };
        RootfsOpts ro = { 0 };
        int i = 1, rc = 0;

        if (argc > 1 && streq(argv[1], "--legacy")) {
                ro.legacy_mount = true;
                i++;
        }
        if (argc - i < 2) {
                fprintf(stderr, "usage: rootfs-prepare [--legacy|--remove|--process] STORE ...\n");
                return 2;
        }
        if (streq(argv[i], "--remove")) {
                if (store_open(argv[i + 1], &so, &s, &err) < 0)
                        return fail(err);
                for (i += 2; i < argc; i++)
                        if (rootfs_remove(s, argv[i], &err) < 0)
                                rc = fail(err);
                return rc;
        }
        if (streq(argv[i], "--process")) {
                if (argc - i < 4 || store_open(argv[i + 1], &so, &s, &err) < 0)
                        return err ? fail(err) : 2;
                return print_process(s, argv[i + 2], argv[i + 3], argc - i > 4 ? argv[i + 4] : NULL);
        }
        if (argc - i < 3)
                return 2;
        if (store_open(argv[i], &so, &s, &err) < 0 || store_lookup(s, argv[i + 1], &img, NULL, &err) < 0)
                return fail(err);
        for (i += 2; i < argc; i++) {
                _cleanup_free_ char *merged = NULL;
                if (rootfs_prepare(s, img, argv[i], &ro, &merged, &err) < 0)
                        return fail(err);
                printf("%s\n", merged);
        }
        return 0;
}
