#pragma once

/* Private to template.c (parsing, execution) and template-funcs.c (the
 * functions, value printing, the tabwriter). */
#include <jansson.h>
#include <stdbool.h>

#include "cli/template.h"
#include "lib/macros.h"

typedef enum {
        OP_FIELD,  /* .A.B (names; none: ".") */
        OP_VAR,    /* $x.A.B */
        OP_STRING, /* "x" */
        OP_NUMBER,
        OP_BOOL,
        OP_NIL,
        OP_IDENT, /* a function */
        OP_PIPE,  /* ( pipeline ).A.B */
} OpType;

typedef struct Pipe Pipe;

typedef struct Operand {
        OpType type;
        char *str;    /* OP_VAR name, OP_STRING value, OP_IDENT name */
        char **names; /* the field chain after it */
        json_t *num;  /* OP_NUMBER, OP_BOOL */
        Pipe *pipe;   /* OP_PIPE */
        int line, col;
        char *text; /* as written, for messages */
} Operand;

typedef struct Var {
        char *name;
        json_t *v;
} Var;

typedef struct Exec {
        const TemplateExecOpts *o;
        json_t *root;
        Var *vars;
        size_t n_vars;
        FILE *out;
        Error **err;
} Exec;

/* A missing value: Go's "<no value>" (a map's zero reflect.Value). A null
 * that is never counted (refcount -1, as jansson's own null), told apart
 * by its address. */
extern json_t template_missing;
#define MISSING (&template_missing)

/* A new reference to v (MISSING stays itself); drop one. */
json_t *template_ref(json_t *v);
void template_unref(json_t *v);
/* Go's execution error at an operand (NULL: none); returns -EINVAL. */
int template_xerr(Exec *x, const Operand *at, const char *fmt, ...) _printf_(3, 4);
/* Go's name of v's type ("string", "map[string]interface {}"). */
const char *template_type_of(json_t *v);

/* template-funcs.c */
/* Go's truth: false, 0, "", nil and empty lists and maps are false. */
bool template_truth(json_t *v);
/* An object's keys, sorted, in a malloc'd array (the keys are o's). */
const char **template_sorted_keys(json_t *o, size_t *ret_n);
/* v as %v prints it ("<no value>" for MISSING), malloc'd. */
char *template_to_string(json_t *v);
/* Call the function fn names with a[0..n) (the piped value last): a new
 * reference in *ret, or -EINVAL with Go's message. */
int template_call(Exec *x, const Operand *fn, json_t **a, size_t n, json_t **ret);
