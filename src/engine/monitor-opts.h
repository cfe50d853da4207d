#pragma once

/* The monitor's settings of a container: restart policy, --init, logging.
 * Parsed and checked at create (engine_create), recorded in HostConfig
 * (Docker's RestartPolicy, Init, LogConfig) and read back by the monitor. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "lib/error.h"
#include "oci/spec.h"

typedef enum RestartName {
        RESTART_NO,
        RESTART_ON_FAILURE,
        RESTART_ALWAYS,
        RESTART_UNLESS_STOPPED,
} RestartName;

typedef struct MonitorPolicy {
        RestartName restart;
        int max_retry; /* on-failure:N, 0: no limit */
        bool init;
        bool log_none;         /* --log-driver none */
        uint64_t log_max_size; /* 0: no rotation */
        int log_max_file;      /* >= 1 */
} MonitorPolicy;

/* Check the monitor flags of a create: Docker's messages, -EINVAL. */
int engine_monitor_check(const EngineCreateOpts *o, Error **ret_err);
/* Add HostConfig.RestartPolicy, Init and LogConfig to a new record. */
int engine_monitor_record(json_t *rec, const EngineCreateOpts *o);

/* Read them back from a record. */
int monitor_policy_load(json_t *rec, MonitorPolicy *ret, Error **ret_err);
void monitor_policy_clear(MonitorPolicy *p);
/* Whether a run that exited with `code` is restarted, `restarts` restarts
 * into the container's life. */
bool monitor_policy_restart(const MonitorPolicy *p, int code, int restarts);
/* --init: the command runs under husk-init, bind-mounted read-only at
 * /sbin/husk-init (docker-init's place is /sbin/docker-init). */
int monitor_adjust_spec(const MonitorPolicy *p, Spec *spec, Error **ret_err);

/* The program `name` next to this executable (husk, husk-monitor and
 * husk-init are installed together), malloc'd, or NULL. The first call
 * must come before a runtime create in this process (it seals
 * /proc/self/exe). */
char *monitor_sibling_path(const char *name);
/* The husk-init next to this executable, malloc'd, or NULL. */
char *monitor_init_path(void);
