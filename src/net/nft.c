/* husk's nftables table, through libnftables. See net.h for what it holds
 * and why. */
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

#include "lib/macros.h"
#include "net/net-internal.h"

/* One context for the process's life, never freed: closing its netlink
 * socket after a transaction that deleted elements (a published port's,
 * at teardown) waits for an RCU grace period, since nf_tables flushes its
 * deferred destroy work when the socket is released: 10 to 30 ms here.
 * Left open, the socket is closed as the process exits, and the kernel
 * finishes that without the process, or whoever waits for it, waiting.
 * The socket belongs to the network namespace the process is in at the
 * first call, which is the one husk's table is in (link.c enters a
 * container's namespace only around a socket() call of its own). */
static struct nft_ctx *nft_context(Error **ret_err)
{
        static struct nft_ctx *ctx;

        if (ctx)
                return ctx;
        ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx) {
                error_set(ret_err, ENOMEM, "nftables context");
                return NULL;
        }
        if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
                nft_ctx_free(ctx);
                ctx = NULL;
                error_set(ret_err, ENOMEM, "nftables buffers");
        }
        return ctx;
}

/* Run nft commands; 0, or -EIO with nft's own message. */
static int nft_run(const char *cmds, Error **ret_err)
{
        struct nft_ctx *n = nft_context(ret_err);
        const char *msg;
        size_t l;
        int r;

        if (!n)
                return -ENOMEM;
        r = nft_run_cmd_from_buffer(n, cmds);
        /* (each read of a buffer rewinds it for the next command) */
        (void)nft_ctx_get_output_buffer(n);
        msg = nft_ctx_get_error_buffer(n);
        if (r == 0)
                return 0;
        l = msg ? strlen(msg) : 0;
        while (l > 0 && msg[l - 1] == '\n')
                l--;
        return error_setx(ret_err, EIO, "nftables: %.*s", (int)l, msg ? msg : "failed");
}

int nft_ensure(Error **ret_err)
{
        int r;

        if (nft_run("list table ip husk", NULL) == 0)
                return 0;
        r = nft_run("table ip husk {\n"
                    /* published ports: proto . port, or address . proto . port */
                    "  map ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                    "  map ports_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                    /* every network's bridge; the subnets masqueraded (not
                     * the internal ones); per bridge, the chain that keeps
                     * its traffic off the other bridges */
                    "  set bridges { type ifname; }\n"
                    "  set masq { type ipv4_addr; flags interval; }\n"
                    "  map isolation { type ifname : verdict; }\n"
                    "  chain ports {\n"
                    "    dnat ip to ip daddr . meta l4proto . th dport map @ports_ip\n"
                    "    dnat ip to meta l4proto . th dport map @ports_any\n"
                    "  }\n"
                    "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
                    "    fib daddr type local jump ports\n"
                    "  }\n"
                    "  chain output { type nat hook output priority -100; policy accept;\n"
                    "    fib daddr type local jump ports\n"
                    "  }\n"
                    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
                    "    ip saddr @masq oifname != @bridges masquerade\n"
                    /* localhost and hairpin: the reply must come back here */
                    "    oifname @bridges ct status dnat masquerade\n"
                    "  }\n"
                    "  chain forward { type filter hook forward priority filter; policy accept;\n"
                    "    iifname vmap @isolation\n"
                    "    oifname @bridges ct state established,related accept\n"
                    "    iifname @bridges accept\n"
                    "    oifname @bridges ct status dnat accept\n"
                    "  }\n"
                    "}\n",
                    ret_err);
        return r < 0 ? r : 1;
}

/* Docker's isolation (DOCKER-ISOLATION-STAGE-1/2): what comes in from one
 * bridge may not go out to another, but for published ports (DNAT), which
 * are everyone's. An internal network's traffic goes nowhere but its own
 * bridge. */
int nft_network_add(const char *bridge, const char *subnet, bool internal, Error **ret_err)
{
        _cleanup_free_ char *masq = NULL, *closed = NULL, *cmds = NULL;
        int r = internal ? asprintf(&closed, "add rule ip husk iso_%s oifname != \"%s\" drop\n", bridge, bridge)
                         : asprintf(&masq, "add element ip husk masq { %s }\n", subnet);

        if (r < 0) {
                masq = closed = NULL;
                return error_set(ret_err, ENOMEM, "nftables");
        }
        if (asprintf(&cmds,
                     "add element ip husk bridges { \"%s\" }\n"
                     "%s"
                     "add chain ip husk iso_%s\n"
                     "flush chain ip husk iso_%s\n"
                     "add rule ip husk iso_%s ct status dnat return\n"
                     "add rule ip husk iso_%s oifname != \"%s\" oifname @bridges drop\n"
                     "%s"
                     "add element ip husk isolation { \"%s\" : jump iso_%s }\n",
                     bridge, masq ?: "", bridge, bridge, bridge, bridge, bridge, closed ?: "", bridge, bridge) < 0)
                return error_set(ret_err, ENOMEM, "nftables");
        return nft_run(cmds, ret_err);
}

void nft_network_remove(const char *bridge, const char *subnet, bool internal)
{
        char cmd[256];

        /* one by one: what is missing already does not stop the rest */
        snprintf(cmd, sizeof(cmd), "delete element ip husk isolation { \"%s\" }", bridge);
        (void)nft_run(cmd, NULL);
        snprintf(cmd, sizeof(cmd), "delete chain ip husk iso_%s", bridge);
        (void)nft_run(cmd, NULL);
        snprintf(cmd, sizeof(cmd), "delete element ip husk bridges { \"%s\" }", bridge);
        (void)nft_run(cmd, NULL);
        if (!internal) {
                snprintf(cmd, sizeof(cmd), "delete element ip husk masq { %s }", subnet);
                (void)nft_run(cmd, NULL);
        }
}

int nft_port(bool add, const NetPort *p, const char *ip, Error **ret_err)
{
        char key[64], cmd[256];

        if (p->host_ip[0])
                snprintf(key, sizeof(key), "%s . %s . %u", p->host_ip, p->proto, p->host_port);
        else
                snprintf(key, sizeof(key), "%s . %u", p->proto, p->host_port);
        if (add)
                snprintf(cmd, sizeof(cmd), "add element ip husk %s { %s : %s . %u }",
                         p->host_ip[0] ? "ports_ip" : "ports_any", key, ip, p->container_port);
        else
                snprintf(cmd, sizeof(cmd), "delete element ip husk %s { %s }", p->host_ip[0] ? "ports_ip" : "ports_any",
                         key);
        return nft_run(cmd, ret_err);
}
