#pragma once

/* A subset of Go's text/template, the language of Docker's --format flags,
 * evaluated over JSON values (jansson):
 *
 *   text {{.A.B}} {{.}} {{$}} {{$v.A}} {{"lit"}} {{42}} {{true}} {{nil}}
 *   {{json .X}} {{index .M "k"}} {{join .L ","}} {{split .S ","}}
 *   {{upper .S}} {{lower .S}} {{title .S}} {{len .L}} {{println ...}}
 *   {{print ...}} {{printf "%s=%d" .A .B}} {{pad .S 1 2}} {{truncate .S 5}}
 *   {{eq a b c}} {{ne}} {{lt}} {{le}} {{gt}} {{ge}} {{not}} {{and}} {{or}}
 *   {{.A | json}} {{(index .M "k").X}} {{$x := .A}} {{$x = .B}}
 *   {{if P}}..{{else if P}}..{{else}}..{{end}} {{with P}}..{{else}}..{{end}}
 *   {{range P}}..{{else}}..{{end}} {{range $i, $v := P}}..{{end}}
 *   {{- trim -}} markers, and comments (a slash-star comment in an action)
 *
 * Values print as Go's fmt %v prints what encoding/json decodes: a string
 * as is, numbers, true/false, null as <nil>, objects as map[k:v ...] with
 * sorted keys, arrays as [a b]. A missing key prints "<no value>" (Go on a
 * map) unless TEMPLATE_STRICT asks for Go's error on a struct field, which
 * is what Docker's ps/images contexts are. Messages follow Go's:
 * "template: :1: unclosed action",
 * "template: :1:3: executing \"\" at <.Foo>: can't evaluate field Foo in type X". */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/error.h"

typedef struct Template Template;

/* Parse `text`. -EINVAL with Go's parse error in *ret_err. */
int template_parse(const char *text, Template **ret, Error **ret_err);
void template_free(Template *t);
static inline void template_freep(Template **t)
{
        template_free(*t);
}
#define _cleanup_template_ __attribute__((cleanup(template_freep)))

typedef struct TemplateExecOpts {
        /* A missing key of the top-level object is an error naming
         * `type_name` (Go's struct), not "<no value>". */
        bool strict;
        const char *type_name; /* "*formatter.ContainerContext" */
} TemplateExecOpts;

/* Run t over data, writing to out. -EINVAL with Go's execution error. */
int template_exec(const Template *t, json_t *data, const TemplateExecOpts *o, FILE *out, Error **ret_err);

/* The same, into a malloc'd string (*ret). */
int template_exec_string(const Template *t, json_t *data, const TemplateExecOpts *o, char **ret, Error **ret_err);

/* Print v as Go's %v does (see above). */
void template_print_value(FILE *out, json_t *v);

/* Align text whose cells are separated by '\t' as Go's text/tabwriter with
 * Docker's settings (padding 3, spaces; minwidth 10 for lists, 20 for
 * top): each column is as wide as its widest cell plus 3, at least
 * minwidth; the last cell of a line is not padded. Widths count UTF-8
 * characters. */
void template_tabwrite(const char *text, size_t minwidth, FILE *out);

/* Docker's format prefixes: "table X" (aligned, with a header row) and
 * "json" ({{json .}}). Returns the template text to run after the prefix
 * is taken off (pointing into fmt, or "{{json .}}"), and *ret_table. */
const char *template_format_body(const char *fmt, bool *ret_table);
