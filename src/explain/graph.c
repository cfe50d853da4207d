/* The chain of a container, drawn from explain_container()'s object:
 *
 *     the monitor (husk-supervise, husk-monitor) → init (PID 1 inside) →
 *     its processes
 *     eth0 ⇄ veth (host) → bridge → NAT (published ports)
 *
 * as text for a terminal, as Graphviz dot, or as a self-contained SVG of
 * boxes and lines (no dot needed to read it). */
#include "explain/explain.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macros.h"

typedef struct Node {
        char id[16];
        char label[160];
        int depth; /* column in the SVG */
} Node;

typedef struct Graph {
        Node nodes[64];
        size_t n;
        struct {
                size_t from, to;
                const char *label;
        } edges[64];
        size_t n_edges;
} Graph;

static size_t node(Graph *g, int depth, const char *fmt, ...) _printf_(3, 4);
static size_t node(Graph *g, int depth, const char *fmt, ...)
{
        va_list ap;
        Node *x;

        if (g->n == ELEMENTSOF(g->nodes))
                return g->n - 1;
        x = &g->nodes[g->n];
        snprintf(x->id, sizeof(x->id), "n%zu", g->n);
        va_start(ap, fmt);
        vsnprintf(x->label, sizeof(x->label), fmt, ap);
        va_end(ap);
        x->depth = depth;
        return g->n++;
}

static void edge(Graph *g, size_t from, size_t to, const char *label)
{
        if (g->n_edges == ELEMENTSOF(g->edges))
                return;
        g->edges[g->n_edges].from = from;
        g->edges[g->n_edges].to = to;
        g->edges[g->n_edges].label = label;
        g->n_edges++;
}

/* A process's node, one column right of its parent's. */
static void proc_node(Graph *g, json_t *p, size_t parent, const char *how, size_t *ret)
{
        *ret = node(g, g->nodes[parent].depth + 1, "%s pid %lld (PID %lld inside)",
                    json_string_value(json_object_get(p, "command")), json_integer_value(json_object_get(p, "pid")),
                    json_integer_value(json_object_get(p, "nspid")));
        edge(g, parent, *ret, how);
}

/* The nodes and edges: processes by parent, then the network chain. */
static void build(json_t *x, Graph *g)
{
        json_t *procs = json_object_get(x, "processes"), *net = json_object_get(x, "network");
        json_int_t init = json_integer_value(json_object_get(x, "pid"));
        const char *veth = json_string_value(json_object_get(net, "veth"));
        const char *bridge = json_string_value(json_object_get(net, "bridge"));
        const char *ip = json_string_value(json_object_get(net, "ip"));
        const char *mode = json_string_value(json_object_get(net, "mode"));
        size_t mon, i, j, n, pidx[ELEMENTSOF(g->nodes)];
        json_t *ports = json_object_get(net, "ports"), *v;

        mon = node(g, 0, "%s pid %lld", json_string_value(json_object_get(x, "monitor_command")) ?: "husk-monitor",
                   json_integer_value(json_object_get(x, "monitor_pid")));
        /* the init under the monitor, then each process under its parent
         * once that is placed (a few passes: the list is in pid order) */
        for (i = 0; i < ELEMENTSOF(pidx); i++)
                pidx[i] = SIZE_MAX;
        n = json_array_size(procs) < 32 ? json_array_size(procs) : 32;
        for (i = 0; i < n; i++)
                if (json_integer_value(json_object_get(json_array_get(procs, i), "pid")) == init)
                        proc_node(g, json_array_get(procs, i), mon, "forks", &pidx[i]);
        for (int pass = 0; pass < 8; pass++)
                for (i = 0; i < n; i++) {
                        json_int_t ppid = json_integer_value(json_object_get(json_array_get(procs, i), "ppid"));
                        if (pidx[i] != SIZE_MAX)
                                continue;
                        for (j = 0; j < n; j++)
                                if (pidx[j] != SIZE_MAX &&
                                    json_integer_value(json_object_get(json_array_get(procs, j), "pid")) == ppid) {
                                        proc_node(g, json_array_get(procs, i), pidx[j], "", &pidx[i]);
                                        break;
                                }
                }
        /* exec'd processes: their parent is outside the container (the
         * runtime that joined them exited; the host's init reaped it) */
        for (i = 0; i < n; i++)
                if (pidx[i] == SIZE_MAX)
                        proc_node(g, json_array_get(procs, i), mon, "exec", &pidx[i]);
        if (veth) {
                size_t eth = node(g, 0, "eth0 %s (container)", ip ? ip : ""), ve, br, nat;
                ve = node(g, 1, "%s (host end)", veth);
                br = node(g, 2, "bridge %s", bridge ? bridge : "?");
                edge(g, eth, ve, "veth pair");
                edge(g, ve, br, "enslaved");
                nat = node(g, 3, "NAT: masquerade%s", json_array_size(ports) ? "" : ", no published port");
                edge(g, br, nat, "");
                json_array_foreach(ports, i, v)
                {
                        size_t pn = node(g, 4, "published %s", json_string_value(v));
                        edge(g, pn, nat, "DNAT");
                }
        } else
                node(g, 0, "network: %s (no veth)", mode ? mode : "?");
}

static void draw_text(FILE *f, const Graph *g)
{
        fprintf(f, "%s\n", g->nodes[0].label);
        /* processes: indented by depth, each under its parent */
        for (size_t i = 1; i < g->n && strstr(g->nodes[i].label, " pid "); i++)
                fprintf(f, "%*s└─ %s\n", (g->nodes[i].depth - 1) * 3, "", g->nodes[i].label);
        fputc('\n', f);
        for (size_t e = 0; e < g->n_edges; e++) {
                const Node *a = &g->nodes[g->edges[e].from], *b = &g->nodes[g->edges[e].to];
                if (strstr(a->label, " pid ") || strstr(b->label, " pid "))
                        continue;
                fprintf(f, "%s ──%s%s%s──> %s\n", a->label, g->edges[e].label[0] ? "(" : "", g->edges[e].label,
                        g->edges[e].label[0] ? ")" : "", b->label);
        }
        for (size_t i = 1; i < g->n; i++)
                if (strncmp(g->nodes[i].label, "network: ", 9) == 0)
                        fprintf(f, "%s\n", g->nodes[i].label);
}

/* Quote for dot and XML alike: only what the labels may hold. */
static void put_escaped(FILE *f, const char *s, bool xml)
{
        for (; *s; s++)
                if (xml && *s == '<')
                        fputs("&lt;", f);
                else if (xml && *s == '>')
                        fputs("&gt;", f);
                else if (xml && *s == '&')
                        fputs("&amp;", f);
                else if (!xml && (*s == '"' || *s == '\\'))
                        fprintf(f, "\\%c", *s);
                else
                        fputc(*s, f);
}

static void draw_dot(FILE *f, const Graph *g)
{
        fputs("digraph husk {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n", f);
        for (size_t i = 0; i < g->n; i++) {
                fprintf(f, "  %s [label=\"", g->nodes[i].id);
                put_escaped(f, g->nodes[i].label, false);
                fputs("\"];\n", f);
        }
        for (size_t e = 0; e < g->n_edges; e++)
                fprintf(f, "  %s -> %s [label=\"%s\"];\n", g->nodes[g->edges[e].from].id, g->nodes[g->edges[e].to].id,
                        g->edges[e].label);
        fputs("}\n", f);
}

static void draw_svg(FILE *f, const Graph *g)
{
        enum { W = 300, H = 28, GAPX = 40, GAPY = 14 };
        int x0[ELEMENTSOF(g->nodes)] = { 0 }, y0[ELEMENTSOF(g->nodes)] = { 0 }, rows = (int)g->n, cols = 0;

        /* one row per node, its column its depth: a tree read left to right */
        for (size_t i = 0; i < g->n; i++) {
                x0[i] = 10 + g->nodes[i].depth * (W + GAPX);
                y0[i] = 10 + (int)i * (H + GAPY);
                if (g->nodes[i].depth + 1 > cols)
                        cols = g->nodes[i].depth + 1;
        }
        fprintf(f,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"monospace\" "
                "font-size=\"11\">\n",
                20 + cols * (W + GAPX), 20 + rows * (H + GAPY));
        for (size_t e = 0; e < g->n_edges; e++) {
                size_t a = g->edges[e].from, b = g->edges[e].to;
                int ax = x0[a] + (x0[b] > x0[a] ? W : W / 2), ay = y0[a] + (x0[b] > x0[a] ? H / 2 : H);
                int bx = x0[b] + (x0[b] > x0[a] ? 0 : W / 2), by = y0[b] + (x0[b] > x0[a] ? H / 2 : 0);
                fprintf(f, "  <line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", ax, ay, bx, by);
                if (g->edges[e].label[0])
                        fprintf(f, "  <text x=\"%d\" y=\"%d\" font-size=\"9\">%s</text>\n", (ax + bx) / 2,
                                (ay + by) / 2 - 2, g->edges[e].label);
        }
        for (size_t i = 0; i < g->n; i++) {
                fprintf(f,
                        "  <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eef\" stroke=\"black\"/>\n"
                        "  <text x=\"%d\" y=\"%d\">",
                        x0[i], y0[i], W, H, x0[i] + 6, y0[i] + 18);
                put_escaped(f, g->nodes[i].label, true);
                fputs("</text>\n", f);
        }
        fputs("</svg>\n", f);
}

/* Build the graph of x and draw it into a malloc'd string. */
static char *render(json_t *x, void (*draw)(FILE *f, const Graph *g))
{
        Graph g = { 0 };
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        build(x, &g);
        draw(f, &g);
        /* open_memstream sets buf at fclose */
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

char *explain_graph_text(json_t *x)
{
        return render(x, draw_text);
}

char *explain_graph_dot(json_t *x)
{
        return render(x, draw_dot);
}

char *explain_graph_svg(json_t *x)
{
        return render(x, draw_svg);
}
