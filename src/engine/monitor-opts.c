/* The monitor's settings: --restart, --init, --log-driver, --log-opt
 * (monitor-opts.h). */
#include "engine/monitor-opts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/util.h"

#define INIT_DEST "/sbin/husk-init"

static const char *const restart_names[] = {
        [RESTART_NO] = "no",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ALWAYS] = "always",
        [RESTART_UNLESS_STOPPED] = "unless-stopped",
};

/* "on-failure:3" -> RESTART_ON_FAILURE, 3; Docker's messages. */
static int parse_restart(const char *s, RestartName *ret_name, int *ret_max, Error **ret_err)
{
        _cleanup_free_ char *name = strdup(s ? s : "no");
        char *colon;
        int max = 0;

        if (!name)
                return error_set(ret_err, ENOMEM, "restart policy");
        colon = strchr(name, ':');
        if (colon) {
                *colon++ = 0;
                if (!*name)
                        return error_setx(ret_err, EINVAL,
                                          "invalid restart policy format: no policy provided before colon");
                if (*colon && parse_int(colon, &max) < 0)
                        return error_setx(ret_err, EINVAL,
                                          "invalid restart policy format: maximum retry count must be an integer");
        }
        if (!*name)
                strcpy(name, "no");
        for (size_t i = 0; i < ELEMENTSOF(restart_names); i++)
                if (streq(name, restart_names[i])) {
                        if (max != 0 && i != RESTART_ON_FAILURE)
                                return error_setx(ret_err, EINVAL,
                                                  "invalid restart policy: maximum retry count can only be used with "
                                                  "'on-failure'");
                        if (max < 0)
                                return error_setx(ret_err, EINVAL,
                                                  "invalid restart policy: maximum retry count cannot be negative");
                        *ret_name = (RestartName)i;
                        *ret_max = max;
                        return 0;
                }
        return error_setx(ret_err, EINVAL,
                          "invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or "
                          "'unless-stopped'",
                          name);
}

/* Docker's units.FromHumanSize: decimal multiples, "10m" = 10,000,000. */
static int parse_size(const char *s, uint64_t *ret)
{
        static const char units[] = "kmgtp";
        char *end;
        double v;
        uint64_t mult = 1;

        errno = 0;
        v = strtod(s, &end);
        if (end == s || errno || v < 0)
                return -EINVAL;
        if (*end) {
                const char *u = strchr(units, tolower((unsigned char)*end));
                if (!u)
                        return -EINVAL;
                for (long i = 0; i <= u - units; i++)
                        mult *= 1000;
                end++;
                if (*end == 'i' || *end == 'I')
                        end++;
                if (*end == 'b' || *end == 'B')
                        end++;
                if (*end)
                        return -EINVAL;
        }
        if (v * (double)mult > (double)UINT64_MAX / 2)
                return -ERANGE;
        *ret = (uint64_t)(v * (double)mult);
        return 0;
}

/* The --log-opt list (or the recorded LogConfig.Config) into p. */
static int parse_log_opts(json_t *config, MonitorPolicy *p, Error **ret_err)
{
        const char *k;
        json_t *v;

        p->log_max_file = 1;
        json_object_foreach(config, k, v)
        {
                const char *s = json_string_value(v) ?: "";
                if (streq(k, "max-size")) {
                        if (parse_size(s, &p->log_max_size) < 0)
                                return error_setx(ret_err, EINVAL, "invalid size: '%s'", s);
                } else if (streq(k, "max-file")) {
                        if (parse_int(s, &p->log_max_file) < 0)
                                return error_setx(ret_err, EINVAL, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
                        if (p->log_max_file < 1)
                                return error_setx(ret_err, EINVAL, "max-file cannot be less than 1");
                } else if (!p->log_none) {
                        return error_setx(ret_err, EINVAL, "unknown log opt '%s' for json-file log driver", k);
                }
        }
        return 0;
}

static json_t *log_config_json(const EngineCreateOpts *o)
{
        json_t *c = json_object();

        for (char *const *kv = o->log_opts; c && kv && *kv; kv++) {
                const char *eq = strchr(*kv, '=');
                _cleanup_free_ char *key = eq ? strndup(*kv, (size_t)(eq - *kv)) : NULL;
                if (key)
                        json_object_set_new(c, key, json_string(eq + 1));
        }
        return c;
}

int engine_monitor_check(const EngineCreateOpts *o, Error **ret_err)
{
        MonitorPolicy p = { 0 };
        json_t *config;
        int r;

        r = parse_restart(o->restart, &p.restart, &p.max_retry, ret_err);
        if (r < 0)
                return r;
        if (o->auto_remove && p.restart != RESTART_NO)
                return error_setx(ret_err, EINVAL, "conflicting options: cannot specify both --restart and --rm");
        if (o->log_driver && !streq(o->log_driver, "json-file") && !streq(o->log_driver, "none"))
                return error_setx(ret_err, EINVAL, "error looking up logging plugin %s: plugin \"%s\" not found",
                                  o->log_driver, o->log_driver);
        p.log_none = o->log_driver && streq(o->log_driver, "none");
        for (char *const *kv = o->log_opts; kv && *kv; kv++)
                if (!strchr(*kv, '='))
                        return error_setx(ret_err, EINVAL, "invalid key value pair format in log-opt: %s", *kv);
        config = log_config_json(o);
        if (!config)
                return error_set(ret_err, ENOMEM, "log options");
        r = parse_log_opts(config, &p, ret_err);
        json_decref(config);
        if (r < 0)
                return r;
        if (o->init) {
                _cleanup_free_ char *init = monitor_init_path();
                if (!init || access(init, X_OK) < 0)
                        return error_setx(ret_err, ENOENT, "husk-init binary not found (looked for %s)",
                                          init ? init : "husk-init next to husk");
        }
        return 0;
}

int engine_monitor_record(json_t *rec, const EngineCreateOpts *o)
{
        json_t *hc = json_object_get(rec, "HostConfig");
        RestartName name = RESTART_NO;
        int max = 0;

        if (!hc || parse_restart(o->restart, &name, &max, NULL) < 0)
                return -EINVAL;
        json_object_set_new(hc, "RestartPolicy",
                            json_pack("{s:s,s:i}", "Name", restart_names[name], "MaximumRetryCount", max));
        json_object_set_new(hc, "Init", o->init ? json_true() : json_null());
        json_object_set_new(hc, "LogConfig",
                            json_pack("{s:s,s:o}", "Type", o->log_driver ? o->log_driver : "json-file", "Config",
                                      log_config_json(o)));
        return 0;
}

int monitor_policy_load(json_t *rec, MonitorPolicy *ret, Error **ret_err)
{
        json_t *hc = json_object_get(rec, "HostConfig"), *rp = json_object_get(hc, "RestartPolicy"),
               *lc = json_object_get(hc, "LogConfig");
        const char *name = json_string_value(json_object_get(rp, "Name")),
                   *type = json_string_value(json_object_get(lc, "Type"));

        *ret = (MonitorPolicy){ .log_max_file = 1 };
        for (size_t i = 0; name && i < ELEMENTSOF(restart_names); i++)
                if (streq(name, restart_names[i]))
                        ret->restart = (RestartName)i;
        ret->max_retry = (int)json_integer_value(json_object_get(rp, "MaximumRetryCount"));
        ret->init = json_is_true(json_object_get(hc, "Init"));
        ret->log_none = type && streq(type, "none");
        return parse_log_opts(json_object_get(lc, "Config"), ret, ret_err);
}

void monitor_policy_clear(MonitorPolicy *p)
{
        *p = (MonitorPolicy){ 0 };
}

bool monitor_policy_restart(const MonitorPolicy *p, int code, int restarts)
{
        switch (p->restart) {
        case RESTART_ALWAYS:
        case RESTART_UNLESS_STOPPED: return true;
        case RESTART_ON_FAILURE: return code != 0 && (p->max_retry == 0 || restarts < p->max_retry);
        case RESTART_NO: break;
        }
        return false;
}

char *monitor_sibling_path(const char *name)
{
        /* Read once, early (engine_monitor, husk-monitor's main): the
         * runtime's create seals /proc/self/exe, which then names a
         * sealed copy rather than the file next to its siblings. */
        const char *dir = self_exe_dir();
        char *r = NULL;

        if (!dir || asprintf(&r, "%s/%s", dir, name) < 0)
                return NULL;
        return r;
}

char *monitor_init_path(void)
{
        return monitor_sibling_path("husk-init");
}

int monitor_adjust_spec(const MonitorPolicy *p, Spec *spec, Error **ret_err)
{
        _cleanup_free_ char *init = NULL;
        SpecMount *mounts, *nm;
        char **args;

        if (!p->init)
                return 0;
        init = monitor_init_path();
        if (!init || access(init, X_OK) < 0)
                return error_setx(ret_err, ENOENT, "husk-init binary not found (looked for %s)",
                                  init ? init : "husk-init next to husk");
        args = calloc(spec->process.n_args + 3, sizeof(char *));
        if (!args)
                return error_set(ret_err, ENOMEM, "--init");
        args[0] = strdup(INIT_DEST);
        args[1] = strdup("--");
        for (size_t i = 0; i < spec->process.n_args; i++)
                args[i + 2] = spec->process.args[i];
        free(spec->process.args);
        spec->process.args = args;
        spec->process.n_args += 2;
        mounts = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(SpecMount));
        if (!mounts)
                return error_set(ret_err, ENOMEM, "--init");
        spec->mounts = mounts;
        nm = &mounts[spec->n_mounts++];
        *nm = (SpecMount){ .destination = strdup(INIT_DEST), .type = strdup("bind"), .source = TAKE_PTR(init) };
        nm->options = calloc(3, sizeof(char *));
        if (nm->options) {
                nm->options[0] = strdup("bind");
                nm->options[1] = strdup("ro");
                nm->n_options = 2;
        }
        if (!args[0] || !args[1] || !nm->destination || !nm->type || !nm->options || !nm->options[0] || !nm->options[1])
                return error_set(ret_err, ENOMEM, "--init");
        return 0;
}
