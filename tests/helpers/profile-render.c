/* profile-render: print what src/oci/profile.c renders, for the bats tests
 * to put into a config.json. A test tool: not installed, not part of any
 * husk command line.
 *
 *     profile-render seccomp [--arch SCMP_ARCH_X]... [CAP_X]...
 *         the linux.seccomp object for a bounding set of exactly CAP_X...
 *         (none when no cap is given), for this machine's architectures or
 *         the --arch ones
 *     profile-render seccomp --default-caps
 *         the same for Docker's 14 default capabilities
 *     profile-render config
 *         the engine's whole default config.json */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "oci/profile.h"

static int usage(void)
{
        fputs("usage: profile-render seccomp [--arch SCMP_ARCH_X]... [--default-caps | CAP_X...]\n"
              "       profile-render config\n",
              stderr);
        return 2;
}

static int render_seccomp(int argc, char **argv, char **ret, Error **ret_err)
{
        _cleanup_free_ const char **caps = calloc((size_t)argc + 1, sizeof(char *));
        _cleanup_free_ const char **arches = calloc((size_t)argc + 1, sizeof(char *));
        size_t n_caps = 0, n_arches = 0;
        bool default_caps = false;

        if (!caps || !arches)
                return error_set(ret_err, ENOMEM, "profile-render");
        for (int i = 0; i < argc; i++) {
                if (streq(argv[i], "--arch") && i + 1 < argc)
                        arches[n_arches++] = argv[++i];
                else if (streq(argv[i], "--default-caps"))
                        default_caps = true;
                else if (strncmp(argv[i], "CAP_", 4) == 0)
                        caps[n_caps++] = argv[i];
                else
                        return error_setx(ret_err, EINVAL, "unexpected argument \"%s\"", argv[i]);
        }
        if (default_caps && n_caps > 0)
                return error_setx(ret_err, EINVAL, "--default-caps and CAP_* names exclude each other");
        return profile_seccomp_render(default_caps ? profile_default_caps : caps, n_arches ? arches : NULL, ret,
                                      ret_err);
}

int main(int argc, char **argv)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *json = NULL;
        int r;

        if (argc < 2)
                return usage();
        if (streq(argv[1], "seccomp"))
                r = render_seccomp(argc - 2, argv + 2, &json, &err);
        else if (streq(argv[1], "config") && argc == 2)
                r = profile_default_config(&json, &err);
        else
                return usage();
        if (r < 0) {
                fprintf(stderr, "profile-render: %s\n", err ? err->msg : strerror(-r));
                return 1;
        }
        puts(json);
        return 0;
}
