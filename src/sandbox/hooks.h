#pragma once

#include "lib/error.h"
#include "oci/spec.h"

/* Run the hooks of one kind in order, each with the OCI state JSON on its
 * stdin, its args and env, and its timeout (SIGKILL when it runs over).
 * A hook that exits non-zero or times out fails the whole call; the error
 * names the hook kind, index, path and its exit status. The hook's stdout and
 * stderr are inherited. */
int hooks_run(const Spec *spec, HookKind kind, const char *state_json, Error **ret_err);
