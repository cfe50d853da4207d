/* `husk image mount` and `husk image unmount`, podman's: the image's
 * layers mounted read-only (overlayfs, no upper) under the storage root,
 * for a user to look into an image from the host. */
#include <stdio.h>
#include <string.h>

#include "cli/husk-cli.h"
#include "image/rootfs.h"
#include "image/store.h"
#include "lib/macros.h"

/* Mount (or unmount) each image named; print its path (or its ID). One
 * failure does not stop the others; the exit status says there was one. */
static int mount_each(const Cmd *cmd, int argc, char **argv, bool mount)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_error_ Error *err = NULL;
        int c, rc = 0;

        for (optind = 1; (c = cli_getopt(cmd, argc, argv, "+", NULL)) != -1;)
                if (c == -2)
                        return EXIT_USAGE;
                else if (c == -3)
                        return 0;
        if (argc - optind < 1)
                return cli_args_error(cmd, "at least 1 argument");
        if (cli_open_store(&s, &err) < 0)
                return cli_fail(err);
        for (int i = optind; i < argc; i++) {
                _cleanup_store_image_ StoreImage *img = NULL;
                _cleanup_free_ char *path = NULL;
                _cleanup_error_ Error *e = NULL;

                if (store_lookup(s, argv[i], &img, NULL, &e) < 0 ||
                    (mount ? rootfs_image_mount(s, img, NULL, &path, NULL, &e)
                           : rootfs_image_unmount(s, img, argv[i], &e)) < 0) {
                        rc = cli_fail(e);
                        continue;
                }
                printf("%s\n", mount ? path : img->id + 7);
        }
        return rc;
}

int cmd_image_mount(const Cmd *cmd, int argc, char **argv)
{
        return mount_each(cmd, argc, argv, true);
}

int cmd_image_unmount(const Cmd *cmd, int argc, char **argv)
{
        return mount_each(cmd, argc, argv, false);
}
