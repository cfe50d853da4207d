#pragma once

#include "lib/error.h"
#include "oci/spec.h"

/* Run the hooks of one kind in order, each with the OCI state JSON on its
 * stdin, its args and env, and its timeout (SIGKILL when it runs over).
 * A hook that exits non-zero or times out fails the whole call; the error
 * names the hook kind, index, path and its exit status. The hook's stdout and
 * stderr are inherited. */
int hooks_run(const Spec *spec, HookKind kind, const char *state_json, Error **ret_err);

/* Run every hook of `kind`, whether or not the ones before it failed: for
 * poststart and poststop, whose failures the spec wants logged as warnings
 * with "the remaining hooks and lifecycle" going on. `warn` gets each
 * failure (its message names the hook). Returns how many failed. */
size_t hooks_run_all(const Spec *spec, HookKind kind, const char *state_json,
                     void (*warn)(const Error *e, void *userdata), void *userdata);
