#pragma once

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

/* Whether any rule (or the default) uses SCMP_ACT_NOTIFY. */
bool seccomp_uses_notify(const SpecSeccomp *s);

/* Send the notify fd and the container state to listenerPath as the spec
 * says: a SOCK_STREAM unix socket, the fd as SCM_RIGHTS, and the
 * "containerProcessState" JSON (state_json is the OCI state). */
int seccomp_send_listener(const char *listener_path, int notify_fd, const char *process_state_json, Error **ret_err);
