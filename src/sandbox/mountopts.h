#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

/* OCI mount options ("ro", "nosuid", "rbind", "rslave", "size=64m", ...)
 * split into what mount(2) takes. Unknown options are passed to the
 * filesystem as data, as runc and crun do. */
typedef struct MountOpts {
        unsigned long flags;       /* MS_RDONLY, MS_NOSUID, ... to set */
        unsigned long clear;       /* flags an option explicitly cleared (rw, suid, ...) */
        unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE, with MS_REC */
        bool bind;                 /* bind or rbind */
        bool recursive_bind;       /* rbind */
        /* Recursive attributes (rro, rnosuid, ...) through mount_setattr(2)
         * with AT_RECURSIVE (Linux 5.12). */
        uint64_t rec_attr_set;
        uint64_t rec_attr_clr;
        bool idmap;
        char *data; /* comma-joined filesystem options, malloc'd, may be NULL */
} MountOpts;

/* Parse options[0..n). Returns 0, or -EINVAL for a malformed entry (an empty
 * option). Caller frees o->data with mount_opts_done(). */
int mount_opts_parse(char *const *options, size_t n, MountOpts *o, Error **ret_err);
void mount_opts_done(MountOpts *o);

/* Propagation flag for a rootfsPropagation value ("rslave" -> MS_SLAVE|MS_REC),
 * 0 when unknown. */
unsigned long mount_propagation_from_string(const char *s);
