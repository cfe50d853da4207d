#include "sandbox/mountopts.h"

#include <string.h>
#include <sys/mount.h>

#include "lib/util.h"

typedef enum OptKind { OPT_FLAG, OPT_CLEAR, OPT_PROP, OPT_BIND, OPT_REC_SET, OPT_REC_CLR, OPT_IDMAP } OptKind;

static const struct {
        const char *name;
        OptKind kind;
        unsigned long flag;
        uint64_t attr;
} opt_table[] = {
        { "defaults", OPT_FLAG, 0, 0 },
        { "ro", OPT_FLAG, MS_RDONLY, 0 },
        { "rw", OPT_CLEAR, MS_RDONLY, 0 },
        { "suid", OPT_CLEAR, MS_NOSUID, 0 },
        { "nosuid", OPT_FLAG, MS_NOSUID, 0 },
        { "dev", OPT_CLEAR, MS_NODEV, 0 },
        { "nodev", OPT_FLAG, MS_NODEV, 0 },
        { "exec", OPT_CLEAR, MS_NOEXEC, 0 },
        { "noexec", OPT_FLAG, MS_NOEXEC, 0 },
        { "sync", OPT_FLAG, MS_SYNCHRONOUS, 0 },
        { "async", OPT_CLEAR, MS_SYNCHRONOUS, 0 },
        { "dirsync", OPT_FLAG, MS_DIRSYNC, 0 },
        { "remount", OPT_FLAG, MS_REMOUNT, 0 },
        { "mand", OPT_FLAG, MS_MANDLOCK, 0 },
        { "nomand", OPT_CLEAR, MS_MANDLOCK, 0 },
        { "atime", OPT_CLEAR, MS_NOATIME, 0 },
        { "noatime", OPT_FLAG, MS_NOATIME, 0 },
        { "diratime", OPT_CLEAR, MS_NODIRATIME, 0 },
        { "nodiratime", OPT_FLAG, MS_NODIRATIME, 0 },
        { "relatime", OPT_FLAG, MS_RELATIME, 0 },
        { "norelatime", OPT_CLEAR, MS_RELATIME, 0 },
        { "strictatime", OPT_FLAG, MS_STRICTATIME, 0 },
        { "nostrictatime", OPT_CLEAR, MS_STRICTATIME, 0 },
        { "lazytime", OPT_FLAG, MS_LAZYTIME, 0 },
        { "nolazytime", OPT_CLEAR, MS_LAZYTIME, 0 },
        { "iversion", OPT_FLAG, MS_I_VERSION, 0 },
        { "noiversion", OPT_CLEAR, MS_I_VERSION, 0 },
        { "silent", OPT_FLAG, MS_SILENT, 0 },
        { "loud", OPT_CLEAR, MS_SILENT, 0 },
        { "nosymfollow", OPT_FLAG, MS_NOSYMFOLLOW, 0 },
        { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW, 0 },
        { "bind", OPT_BIND, 0, 0 },
        { "rbind", OPT_BIND, MS_REC, 0 },
        { "private", OPT_PROP, MS_PRIVATE, 0 },
        { "rprivate", OPT_PROP, MS_PRIVATE | MS_REC, 0 },
        { "shared", OPT_PROP, MS_SHARED, 0 },
        { "rshared", OPT_PROP, MS_SHARED | MS_REC, 0 },
        { "slave", OPT_PROP, MS_SLAVE, 0 },
        { "rslave", OPT_PROP, MS_SLAVE | MS_REC, 0 },
        { "unbindable", OPT_PROP, MS_UNBINDABLE, 0 },
        { "runbindable", OPT_PROP, MS_UNBINDABLE | MS_REC, 0 },
        { "rro", OPT_REC_SET, 0, MOUNT_ATTR_RDONLY },
        { "rrw", OPT_REC_CLR, 0, MOUNT_ATTR_RDONLY },
        { "rnosuid", OPT_REC_SET, 0, MOUNT_ATTR_NOSUID },
        { "rsuid", OPT_REC_CLR, 0, MOUNT_ATTR_NOSUID },
        { "rnodev", OPT_REC_SET, 0, MOUNT_ATTR_NODEV },
        { "rdev", OPT_REC_CLR, 0, MOUNT_ATTR_NODEV },
        { "rnoexec", OPT_REC_SET, 0, MOUNT_ATTR_NOEXEC },
        { "rexec", OPT_REC_CLR, 0, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", OPT_REC_SET, 0, MOUNT_ATTR_NODIRATIME },
        { "rdiratime", OPT_REC_CLR, 0, MOUNT_ATTR_NODIRATIME },
        { "rrelatime", OPT_REC_SET, 0, MOUNT_ATTR_RELATIME },
        { "rnorelatime", OPT_REC_CLR, 0, MOUNT_ATTR_RELATIME },
        { "rnoatime", OPT_REC_SET, 0, MOUNT_ATTR_NOATIME },
        { "ratime", OPT_REC_CLR, 0, MOUNT_ATTR_NOATIME },
        { "rstrictatime", OPT_REC_SET, 0, MOUNT_ATTR_STRICTATIME },
        { "rnostrictatime", OPT_REC_CLR, 0, MOUNT_ATTR_STRICTATIME },
        { "rnosymfollow", OPT_REC_SET, 0, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", OPT_REC_CLR, 0, MOUNT_ATTR_NOSYMFOLLOW },
        { "idmap", OPT_IDMAP, 0, 0 },
        { "ridmap", OPT_IDMAP, 0, 0 },
};

int mount_opts_parse(char *const *options, size_t n, MountOpts *o, Error **ret_err)
{
        char *data = NULL;
        size_t dlen = 0;
        FILE *f = NULL;

        memset(o, 0, sizeof(*o));
        for (size_t i = 0; i < n; i++) {
                const char *opt = options[i];
                bool found = false;

                if (!opt || !*opt) {
                        if (f)
                                fclose(f);
                        free(data);
                        return error_setx(ret_err, EINVAL, "options[%zu] is empty", i);
                }
                for (size_t j = 0; j < ELEMENTSOF(opt_table); j++) {
                        if (!streq(opt, opt_table[j].name))
                                continue;
                        found = true;
                        switch (opt_table[j].kind) {
                        case OPT_FLAG:
                                o->flags |= opt_table[j].flag;
                                o->clear &= ~opt_table[j].flag;
                                break;
                        case OPT_CLEAR:
                                o->flags &= ~opt_table[j].flag;
                                o->clear |= opt_table[j].flag;
                                break;
                        case OPT_PROP: o->propagation = opt_table[j].flag; break;
                        case OPT_BIND:
                                o->bind = true;
                                o->recursive_bind = opt_table[j].flag & MS_REC;
                                break;
                        case OPT_REC_SET:
                                o->rec_attr_set |= opt_table[j].attr;
                                o->rec_attr_clr &= ~opt_table[j].attr;
                                break;
                        case OPT_REC_CLR:
                                o->rec_attr_clr |= opt_table[j].attr;
                                o->rec_attr_set &= ~opt_table[j].attr;
                                break;
                        case OPT_IDMAP: o->idmap = true; break;
                        }
                        break;
                }
                if (found)
                        continue;
                if (!f) {
                        f = open_memstream(&data, &dlen);
                        if (!f)
                                return error_set(ret_err, ENOMEM, "mount options");
                } else {
                        fputc(',', f);
                }
                fputs(opt, f);
        }
        if (f)
                fclose(f);
        o->data = data;
        return 0;
}

void mount_opts_done(MountOpts *o)
{
        free(o->data);
        o->data = NULL;
}

unsigned long mount_propagation_from_string(const char *s)
{
        for (size_t j = 0; j < ELEMENTSOF(opt_table); j++)
                if (opt_table[j].kind == OPT_PROP && streq(s, opt_table[j].name))
                        return opt_table[j].flag;
        return 0;
}
