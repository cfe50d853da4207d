#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "oci/spec.h"

/* Capabilities, applied in two steps around the uid switch:
 *
 *   caps_drop_bounding()      while still uid 0 with CAP_SETPCAP
 *   prctl(PR_SET_KEEPCAPS, 1); setresgid/setresuid (process_switch_user)
 *   caps_apply()              permitted, effective, inheritable, then ambient
 *
 * Names are "CAP_*" as the spec writes them. */

/* Check every name in every set; an unknown name (CAP_TEST) is an error
 * naming the set: `process.capabilities.bounding: unknown capability "CAP_TEST"`.
 * Names the running kernel does not know (newer than cap_last_cap) are
 * accepted and ignored, as runc does. */
int caps_validate(const SpecCapabilities *caps, Error **ret_err);

/* Cap number for a name, -EINVAL if unknown to husk. */
int caps_from_name(const char *name);
/* The highest capability the running kernel knows (what
 * /proc/sys/kernel/cap_last_cap says, asked of prctl(2) instead). */
int caps_last_cap(void);

/* Drop every capability not in caps->bounding from the bounding set.
 * caps NULL: leave the bounding set alone. */
int caps_drop_bounding(const SpecCapabilities *caps, Error **ret_err);

/* Set effective/permitted/inheritable with capset(2), then raise ambient
 * capabilities. caps NULL: clear all (a process with no capabilities block
 * gets none, like runc). */
int caps_apply(const SpecCapabilities *caps, Error **ret_err);
