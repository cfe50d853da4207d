#pragma once

#include <linux/filter.h>

#include "lib/error.h"
#include "oci/spec.h"

/* linux.seccomp through libseccomp.
 *
 * seccomp_validate() checks names, actions, ops, architectures and flags up
 * front (in `create`, before anything is set up), so a typo is a clear error
 * and not a failure deep in the child.
 *
 * seccomp_spec_load() builds (named apart from libseccomp's seccomp_load()) and loads the filter into the calling
 * process. For SCMP_ACT_NOTIFY rules it returns the listener fd in *ret_notify_fd (else -EBADF); the caller passes it
 * to listenerPath. */
int seccomp_validate(const SpecSeccomp *s, Error **ret_err);
int seccomp_spec_load(const SpecSeccomp *s, int *ret_notify_fd, Error **ret_err);

/* A filter compiled to classic BPF, for seccomp(2) as it is: compiling
 * Docker's default profile with libseccomp takes ~10 ms here, loading it
 * microseconds. */
typedef struct SeccompProgram {
        struct sock_filter *insns; /* NULL: none compiled */
        unsigned short len;
        unsigned flags; /* SECCOMP_FILTER_FLAG_* */
} SeccompProgram;

/* Compile `s` (validated first) into *ret, through a cache of compiled
 * programs in cache_dir (NULL: none) when given: one file per profile,
 * holding the profile and what else the program depends on (libseccomp's
 * version and API level, the kernel) byte for byte, so a file is used only
 * for the same input. A profile with NOTIFY rules is not compiled (*ret
 * stays empty: seccomp_spec_load() makes its listener). The cache is best
 * effort: a file that cannot be read or written means a compile. */
int seccomp_spec_compile(const SpecSeccomp *s, const char *cache_dir, SeccompProgram *ret, Error **ret_err);
/* Load a compiled program into the calling process. */
int seccomp_program_load(const SeccompProgram *p, Error **ret_err);
void seccomp_program_clear(SeccompProgram *p);

/* Whether any rule (or the default) uses SCMP_ACT_NOTIFY. */
bool seccomp_uses_notify(const SpecSeccomp *s);

/* Send the notify fd and the container state to listenerPath as the spec
 * says: a SOCK_STREAM unix socket, the fd as SCM_RIGHTS, and the
 * "containerProcessState" JSON (state_json is the OCI state). */
int seccomp_send_listener(const char *listener_path, int notify_fd, const char *process_state_json, Error **ret_err);
