/* husk's side of the monitor (the seams are in engine-internal.h): start
 * the husk-monitor binary, and --rm for a monitor that runs in husk
 * itself (`husk run --rm` in the foreground). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/monitor-opts.h"
#include "engine/network.h"
#include "net/net.h"
#include "engine/volumes.h"
#include "image/rootfs.h"
#include "lib/macros.h"

const bool monitor_remove_reads_record = false;

int monitor_remove(Engine *e, const char *id, Error **ret_err)
{
        _cleanup_free_ char *lock = engine_monitor_lock_path(e, id), *p = engine_path(e, id, "container.json");
        json_t *rec = p ? json_load_file(p, 0, NULL) : NULL;
        int r = engine_lock(e, ret_err);

        if (r < 0) {
                json_decref(rec);
                return r;
        }
        r = rootfs_remove(e->store, id, ret_err);
        if (lock)
                (void)unlink(lock);
        /* --rm takes the anonymous volumes with it, as Docker */
        if (r >= 0 && rec)
                engine_volumes_drop_anonymous(e, rec);
        engine_unlock(e);
        json_decref(rec);
        return r;
}

int monitor_network(Engine *e, const char *id, bool up, Error **ret_err)
{
        net_locate_module(); /* before the create */
        if (up)
                return engine_network_up(e, id, ret_err);
        engine_network_down(e, id);
        return 0;
}

void engine_exec_monitor(Engine *e, const char *id, int ready_fd, int client_fd)
{
        _cleanup_free_ char *exe = monitor_sibling_path("husk-monitor");
        char ready[16], client[16];

        if (!exe)
                return;
        /* the two fds are the monitor's to keep across the exec */
        (void)fcntl(ready_fd, F_SETFD, 0);
        if (client_fd >= 0)
                (void)fcntl(client_fd, F_SETFD, 0);
        snprintf(ready, sizeof(ready), "%d", ready_fd);
        snprintf(client, sizeof(client), "%d", client_fd);
        execl(exe, "husk-monitor", store_root(e->store), e->state, id, ready, client, (char *)NULL);
        (void)fcntl(ready_fd, F_SETFD, FD_CLOEXEC);
        if (client_fd >= 0)
                (void)fcntl(client_fd, F_SETFD, FD_CLOEXEC);
}

void monitor_network_release(Engine *e, const char *id, json_t *rec)
{
        engine_network_stop(e, id, rec);
}
