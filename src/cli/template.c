/* Go text/template, the subset Docker's --format users write (template.h).
 *
 * The text is parsed once into a tree of nodes (text, action, if, range,
 * with), each action holding a pipeline: commands separated by '|', each a
 * list of operands (fields, variables, literals, function names, or a
 * parenthesised pipeline). Execution walks the tree with JSON values,
 * holding a reference to every value it keeps, and a stack of variables
 * that each block unwinds when it ends. The functions it calls are in
 * template-funcs.c. */
#include "cli/template.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template-internal.h"
#include "lib/util.h"

typedef struct Command {
        Operand *args;
        size_t n;
} Command;

struct Pipe {
        char *decl[2]; /* $a, $b := */
        size_t n_decl;
        bool assign; /* = instead of := */
        Command *cmds;
        size_t n;
};

typedef enum { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH } NodeType;

typedef struct Node Node;
typedef struct List {
        Node **v;
        size_t n;
} List;

struct Node {
        NodeType type;
        char *text; /* N_TEXT */
        Pipe *pipe;
        List body, alt; /* alt: the else branch */
};

struct Template {
        List root;
};

/* ---- freeing ---- */

static void pipe_free(Pipe *p);

static void operand_clear(Operand *o)
{
        free(o->str);
        free(o->text);
        strv_free(o->names);
        json_decref(o->num);
        pipe_free(o->pipe);
}

static void pipe_free(Pipe *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++) {
                for (size_t k = 0; k < p->cmds[i].n; k++)
                        operand_clear(&p->cmds[i].args[k]);
                free(p->cmds[i].args);
        }
        free(p->cmds);
        free(p->decl[0]);
        free(p->decl[1]);
        free(p);
}

static void list_clear(List *l);

static void node_free(Node *n)
{
        if (!n)
                return;
        free(n->text);
        pipe_free(n->pipe);
        list_clear(&n->body);
        list_clear(&n->alt);
        free(n);
}

static void list_clear(List *l)
{
        for (size_t i = 0; i < l->n; i++)
                node_free(l->v[i]);
        free(l->v);
        l->v = NULL;
        l->n = 0;
}

void template_free(Template *t)
{
        if (!t)
                return;
        list_clear(&t->root);
        free(t);
}

/* ---- parsing ---- */

typedef struct Parser {
        const char *src; /* whole text */
        const char *p;   /* in it */
        const char *end; /* of the current action's inside */
        int line;        /* of p */
        Error **err;
} Parser;

static int perr(Parser *ps, const char *fmt, ...) _printf_(2, 3);
static int perr(Parser *ps, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return error_setx(ps->err, EINVAL, "template: :%d: %s", ps->line, msg);
}

static int list_add(List *l, Node *n)
{
        Node **v = realloc(l->v, (l->n + 1) * sizeof(Node *));

        if (!v) {
                node_free(n);
                return -ENOMEM;
        }
        l->v = v;
        l->v[l->n++] = n;
        return 0;
}

static int count_lines(const char *a, const char *b)
{
        int n = 0;

        for (; a < b; a++)
                n += *a == '\n';
        return n;
}

static int column_of(const Parser *ps, const char *at)
{
        const char *l = at;

        while (l > ps->src && l[-1] != '\n')
                l--;
        return (int)(at - l);
}

static void skip_space(Parser *ps)
{
        while (ps->p < ps->end && isspace((unsigned char)*ps->p)) {
                if (*ps->p == '\n')
                        ps->line++;
                ps->p++;
        }
}

static bool ident_char(char c)
{
        return isalnum((unsigned char)c) || c == '_';
}

/* ".A.B" after an operand: names into *names. */
static int parse_chain(Parser *ps, char ***names)
{
        while (ps->p < ps->end && *ps->p == '.' && ps->p + 1 < ps->end && ident_char(ps->p[1])) {
                const char *s = ++ps->p;
                _cleanup_free_ char *n = NULL;

                while (ps->p < ps->end && ident_char(*ps->p))
                        ps->p++;
                n = strndup(s, (size_t)(ps->p - s));
                if (!n || strv_push(names, n) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_pipe(Parser *ps, bool in_paren, Pipe **ret);

static bool at_word(Parser *ps, const char *w)
{
        size_t l = strlen(w);

        return (size_t)(ps->end - ps->p) >= l && strncmp(ps->p, w, l) == 0 &&
               (ps->p + l == ps->end || !ident_char(ps->p[l]));
}

static int parse_string(Parser *ps, Operand *o)
{
        char q = *ps->p++;
        FILE *f;
        char *buf = NULL;
        size_t len = 0;

        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        while (ps->p < ps->end && *ps->p != q) {
                char c = *ps->p++;
                if (q == '"' && c == '\\' && ps->p < ps->end) {
                        c = *ps->p++;
                        c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == '0' ? '\0' : c;
                } else if (q == '"' && c == '\n') {
                        fclose(f);
                        free(buf);
                        return perr(ps, "unterminated quoted string");
                }
                fputc(c, f);
        }
        fclose(f);
        if (ps->p >= ps->end) {
                free(buf);
                return perr(ps, q == '"' ? "unterminated quoted string" : "unterminated raw quoted string");
        }
        ps->p++;
        o->type = OP_STRING;
        o->str = buf;
        return 0;
}

static int parse_operand(Parser *ps, Operand *o)
{
        const char *s = ps->p;
        char c = *ps->p;
        int r = 0;

        o->line = ps->line;
        o->col = column_of(ps, s);
        if (c == '.') {
                o->type = OP_FIELD;
                if (ps->p + 1 < ps->end && ident_char(ps->p[1]))
                        r = parse_chain(ps, &o->names);
                else
                        ps->p++;
        } else if (c == '$') {
                s = ps->p++;
                while (ps->p < ps->end && ident_char(*ps->p))
                        ps->p++;
                o->type = OP_VAR;
                o->str = strndup(s, (size_t)(ps->p - s));
                r = o->str ? parse_chain(ps, &o->names) : -ENOMEM;
        } else if (c == '"' || c == '`') {
                r = parse_string(ps, o);
        } else if (c == '(') {
                ps->p++;
                o->type = OP_PIPE;
                r = parse_pipe(ps, true, &o->pipe);
                if (r >= 0)
                        r = parse_chain(ps, &o->names);
        } else if (isdigit((unsigned char)c) ||
                   ((c == '-' || c == '+') && ps->p + 1 < ps->end && isdigit((unsigned char)ps->p[1]))) {
                char *e;
                double d;
                long long ll;
                bool too_big;

                errno = 0;
                ll = strtoll(s, NULL, 0);
                too_big = errno == ERANGE;
                d = strtod(s, &e);
                if (e > ps->end)
                        e = (char *)ps->end;
                ps->p = e;
                o->type = OP_NUMBER;
                /* jansson has no infinity: Go's constants cannot be one either */
                if (!isfinite(d))
                        return perr(ps, "illegal number syntax: \"%.*s\"", (int)(e - s), s);
                o->num = too_big || memchr(s, '.', (size_t)(e - s)) || memchr(s, 'e', (size_t)(e - s))
                                 ? json_real(d)
                                 : json_integer(ll);
                if (!o->num)
                        return -ENOMEM;
        } else if (ident_char(c)) {
                while (ps->p < ps->end && ident_char(*ps->p))
                        ps->p++;
                o->str = strndup(s, (size_t)(ps->p - s));
                if (!o->str)
                        return -ENOMEM;
                if (streq(o->str, "true") || streq(o->str, "false")) {
                        o->type = OP_BOOL;
                        o->num = json_boolean(streq(o->str, "true"));
                } else if (streq(o->str, "nil"))
                        o->type = OP_NIL;
                else
                        o->type = OP_IDENT;
        } else
                return perr(ps, "unexpected \"%c\" in command", c);
        if (r < 0)
                return r;
        o->text = strndup(s, (size_t)(ps->p - s));
        if (!o->text)
                return -ENOMEM;
        if (ps->p < ps->end && !isspace((unsigned char)*ps->p) && !strchr("|)", *ps->p))
                return perr(ps, "unexpected \"%c\" in operand", *ps->p);
        return 0;
}

static const char *const funcs[] = { "json",    "index", "join",   "split", "upper",    "lower", "title", "len",
                                     "println", "print", "printf", "pad",   "truncate", "eq",    "ne",    "lt",
                                     "le",      "gt",    "ge",     "not",   "and",      "or",    "slice", NULL };

static int parse_pipe(Parser *ps, bool in_paren, Pipe **ret)
{
        Pipe *p = calloc(1, sizeof(Pipe));
        int r = 0;

        if (!p)
                return -ENOMEM;
        skip_space(ps);
        /* $a := / $a, $b := / $a = */
        if (ps->p < ps->end && *ps->p == '$') {
                const char *save = ps->p;
                int save_line = ps->line;
                char *names[2] = { NULL, NULL };
                size_t n = 0;

                for (;;) {
                        const char *s = ps->p;
                        if (ps->p >= ps->end || *ps->p != '$')
                                break;
                        ps->p++;
                        while (ps->p < ps->end && ident_char(*ps->p))
                                ps->p++;
                        if (n < 2)
                                names[n++] = strndup(s, (size_t)(ps->p - s));
                        skip_space(ps);
                        if (ps->p < ps->end && *ps->p == ',' && n < 2) {
                                ps->p++;
                                skip_space(ps);
                                continue;
                        }
                        break;
                }
                if (ps->p + 1 < ps->end && ps->p[0] == ':' && ps->p[1] == '=') {
                        ps->p += 2;
                        p->decl[0] = names[0];
                        p->decl[1] = names[1];
                        p->n_decl = n;
                } else if (ps->p < ps->end && ps->p[0] == '=' && n == 1) {
                        ps->p += 1;
                        p->decl[0] = names[0];
                        p->n_decl = 1;
                        p->assign = true;
                } else {
                        free(names[0]);
                        free(names[1]);
                        ps->p = save;
                        ps->line = save_line;
                }
        }
        for (;;) {
                Command *cmds, *cmd;

                skip_space(ps);
                cmds = realloc(p->cmds, (p->n + 1) * sizeof(Command));
                if (!cmds) {
                        r = -ENOMEM;
                        goto fail;
                }
                p->cmds = cmds;
                cmd = &p->cmds[p->n++];
                *cmd = (Command){ 0 };
                for (;;) {
                        Operand *a;
                        skip_space(ps);
                        if (ps->p >= ps->end || *ps->p == '|' || *ps->p == ')')
                                break;
                        a = realloc(cmd->args, (cmd->n + 1) * sizeof(Operand));
                        if (!a) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        cmd->args = a;
                        a = &cmd->args[cmd->n++];
                        *a = (Operand){ 0 };
                        r = parse_operand(ps, a);
                        if (r < 0)
                                goto fail;
                        if (a->type == OP_IDENT) {
                                bool known = false;
                                for (size_t i = 0; funcs[i]; i++)
                                        known = known || streq(funcs[i], a->str);
                                if (!known) {
                                        r = perr(ps, "function \"%s\" not defined", a->str);
                                        goto fail;
                                }
                        }
                }
                if (cmd->n == 0) {
                        r = perr(ps, p->n > 1 ? "missing command" : "missing value for command");
                        goto fail;
                }
                if (ps->p < ps->end && *ps->p == '|') {
                        ps->p++;
                        continue;
                }
                break;
        }
        if (in_paren) {
                if (ps->p >= ps->end || *ps->p != ')') {
                        r = perr(ps, "unclosed left paren");
                        goto fail;
                }
                ps->p++;
        } else if (ps->p < ps->end) {
                r = perr(ps, "unexpected right paren");
                goto fail;
        }
        *ret = p;
        return 0;
fail:
        pipe_free(p);
        return r;
}

typedef enum { END_EOF, END_END, END_ELSE } EndKind;

static int parse_list(Parser *ps, List *l, EndKind *ret_end, const char **ret_else_rest);

/* A node of type t with the pipeline at ps->p, appended to l (which owns
 * it from then on). */
static int add_pipe_node(Parser *ps, List *l, NodeType t, Node **ret)
{
        Node *n = calloc(1, sizeof(Node));
        int r;

        if (!n)
                return -ENOMEM;
        n->type = t;
        r = parse_pipe(ps, false, &n->pipe);
        if (r < 0) {
                node_free(n);
                return r;
        }
        r = list_add(l, n);
        if (r < 0)
                return r;
        *ret = n;
        return 0;
}

/* After {{if P}} (with, range) made n: its body up to {{end}}, with an
 * {{else}} branch, or an {{else if P}} chain as a nested node in the else
 * branch that takes the {{end}} itself. */
static int parse_branches(Parser *ps, Node *n)
{
        const char *rest = NULL;
        EndKind ek;
        Node *m;
        int r = parse_list(ps, &n->body, &ek, &rest);

        if (r < 0)
                return r;
        if (ek == END_EOF)
                return perr(ps, "unexpected EOF");
        if (ek == END_END)
                return 0;
        if (ps->p == ps->end) {
                ps->p = rest;
                r = parse_list(ps, &n->alt, &ek, &rest);
                if (r < 0)
                        return r;
                if (ek != END_END)
                        return perr(ps, ek == END_EOF ? "unexpected EOF" : "expected end; found {{else}}");
                return 0;
        }
        if (!(n->type == N_IF && at_word(ps, "if")) && !(n->type == N_WITH && at_word(ps, "with")))
                return perr(ps, "unexpected %.*s in else", (int)(ps->end - ps->p), ps->p);
        ps->p += n->type == N_IF ? 2 : 4;
        r = add_pipe_node(ps, &n->alt, n->type, &m);
        if (r < 0)
                return r;
        ps->p = rest;
        return parse_branches(ps, m);
}

/* Parse nodes until {{end}}, {{else ...}} or the end of the text. *ret_end
 * says which; for else, ps->p/end are left on the rest of its action. */
static int parse_list(Parser *ps, List *l, EndKind *ret_end, const char **ret_else_rest)
{
        for (;;) {
                const char *open = strstr(ps->p, "{{"), *close, *in, *txt_end, *after;
                bool trim_left, trim_right;
                Node *n;
                int r;

                if (!open) {
                        if (*ps->p) {
                                n = calloc(1, sizeof(Node));
                                if (!n || !(n->text = strdup(ps->p))) {
                                        free(n);
                                        return -ENOMEM;
                                }
                                n->type = N_TEXT;
                                if ((r = list_add(l, n)) < 0)
                                        return r;
                                ps->line += count_lines(ps->p, ps->p + strlen(ps->p));
                                ps->p += strlen(ps->p);
                        }
                        *ret_end = END_EOF;
                        return 0;
                }
                trim_left = open[2] == '-' && (open[3] == ' ' || open[3] == '\t' || open[3] == '\n');
                in = open + (trim_left ? 3 : 2);
                ps->line += count_lines(ps->p, open);
                /* a comment may hold "}}" */
                {
                        const char *x = in;
                        while (*x == ' ' || *x == '\t' || *x == '\n')
                                x++;
                        if (strncmp(x, "/*", 2) == 0) {
                                const char *ce = strstr(x + 2, "*/");
                                if (!ce)
                                        return perr(ps, "unclosed comment");
                                close = strstr(ce, "}}");
                        } else {
                                /* "}}" outside quotes */
                                char q = 0;
                                close = NULL;
                                for (; *x; x++) {
                                        if (q) {
                                                if (*x == '\\' && q == '"' && x[1])
                                                        x++;
                                                else if (*x == q)
                                                        q = 0;
                                        } else if (*x == '"' || *x == '`')
                                                q = *x;
                                        else if (x[0] == '}' && x[1] == '}') {
                                                close = x;
                                                break;
                                        }
                                }
                        }
                }
                if (!close)
                        return perr(ps, "unclosed action");
                trim_right = close - in >= 2 && close[-1] == '-' && isspace((unsigned char)close[-2]);
                after = close + 2;
                txt_end = open;
                if (trim_left)
                        while (txt_end > ps->p && isspace((unsigned char)txt_end[-1]))
                                txt_end--;
                if (txt_end > ps->p) {
                        n = calloc(1, sizeof(Node));
                        if (!n || !(n->text = strndup(ps->p, (size_t)(txt_end - ps->p)))) {
                                free(n);
                                return -ENOMEM;
                        }
                        n->type = N_TEXT;
                        if ((r = list_add(l, n)) < 0)
                                return r;
                }
                ps->p = in;
                ps->end = trim_right ? close - 1 : close;
                skip_space(ps);
                if (strncmp(ps->p, "/*", 2) == 0) {
                        /* comment */
                } else if (at_word(ps, "end")) {
                        ps->p += 3;
                        skip_space(ps);
                        if (ps->p != ps->end)
                                return perr(ps, "unexpected %.*s in end", (int)(ps->end - ps->p), ps->p);
                        ps->line += count_lines(in, after);
                        ps->p = after;
                        if (trim_right)
                                while (isspace((unsigned char)*ps->p))
                                        ps->line += *ps->p++ == '\n';
                        *ret_end = END_END;
                        return 0;
                } else if (at_word(ps, "else")) {
                        ps->p += 4;
                        skip_space(ps);
                        *ret_else_rest = after;
                        *ret_end = END_ELSE;
                        /* the caller reads the rest of the action (if ...) */
                        if (trim_right) {
                                const char *a = after;
                                while (isspace((unsigned char)*a))
                                        a++;
                                *ret_else_rest = a;
                        }
                        return 0;
                } else if (at_word(ps, "if") || at_word(ps, "range") || at_word(ps, "with")) {
                        NodeType t = at_word(ps, "if") ? N_IF : at_word(ps, "range") ? N_RANGE : N_WITH;

                        ps->p += t == N_IF ? 2 : t == N_RANGE ? 5 : 4;
                        r = add_pipe_node(ps, l, t, &n);
                        if (r < 0)
                                return r;
                        ps->line += count_lines(in, after);
                        ps->p = after;
                        if (trim_right)
                                while (isspace((unsigned char)*ps->p))
                                        ps->line += *ps->p++ == '\n';
                        r = parse_branches(ps, n);
                        if (r < 0)
                                return r;
                        ps->end = NULL;
                        continue;
                } else if (at_word(ps, "define") || at_word(ps, "template") || at_word(ps, "block") ||
                           at_word(ps, "break") || at_word(ps, "continue")) {
                        return perr(ps, "{{%.*s}} is not supported here", (int)(ps->end - ps->p), ps->p);
                } else {
                        if (ps->p == ps->end)
                                return perr(ps, "missing value for command");
                        r = add_pipe_node(ps, l, N_ACTION, &n);
                        if (r < 0)
                                return r;
                }
                ps->line += count_lines(in, after);
                ps->p = after;
                ps->end = NULL;
                if (trim_right)
                        while (isspace((unsigned char)*ps->p))
                                ps->line += *ps->p++ == '\n';
        }
}

int template_parse(const char *text, Template **ret, Error **ret_err)
{
        Template *t = calloc(1, sizeof(Template));
        Parser ps = { .src = text, .p = text, .line = 1, .err = ret_err };
        const char *rest = NULL;
        EndKind ek;
        int r;

        if (!t)
                return error_set(ret_err, ENOMEM, "template");
        r = parse_list(&ps, &t->root, &ek, &rest);
        if (r >= 0 && ek != END_EOF)
                r = perr(&ps, ek == END_END ? "unexpected {{end}}" : "unexpected {{else}}");
        if (r < 0) {
                if (r == -ENOMEM)
                        error_set(ret_err, ENOMEM, "template");
                template_free(t);
                return -EINVAL;
        }
        *ret = t;
        return 0;
}

/* ---- execution ---- */

json_t template_missing = { JSON_NULL, (size_t)-1 };

json_t *template_ref(json_t *v)
{
        return v == MISSING ? MISSING : json_incref(v);
}

void template_unref(json_t *v)
{
        if (v != MISSING)
                json_decref(v);
}

int template_xerr(Exec *x, const Operand *at, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (at)
                return error_setx(x->err, EINVAL, "template: :%d:%d: executing \"\" at <%s>: %s", at->line, at->col,
                                  at->text, msg);
        return error_setx(x->err, EINVAL, "template: executing \"\": %s", msg);
}

static int var_push(Exec *x, const char *name, json_t *v)
{
        Var *nv = realloc(x->vars, (x->n_vars + 1) * sizeof(Var));

        if (!nv)
                return -ENOMEM;
        x->vars = nv;
        x->vars[x->n_vars].name = strdup(name);
        x->vars[x->n_vars].v = template_ref(v);
        x->n_vars++;
        return 0;
}

static void vars_pop(Exec *x, size_t to)
{
        while (x->n_vars > to) {
                x->n_vars--;
                free(x->vars[x->n_vars].name);
                template_unref(x->vars[x->n_vars].v);
        }
}

const char *template_type_of(json_t *v)
{
        switch (v == MISSING ? JSON_NULL : json_typeof(v)) {
        case JSON_STRING: return "string";
        case JSON_INTEGER: return "int";
        case JSON_REAL: return "float64";
        case JSON_TRUE:
        case JSON_FALSE: return "bool";
        case JSON_ARRAY: return "[]interface {}";
        case JSON_OBJECT: return "map[string]interface {}";
        default: return "interface {}";
        }
}

/* Follow names from v (a new reference in *ret). top: v is the dot of the
 * template's data (strict mode applies there). */
static int walk(Exec *x, const Operand *at, json_t *v, char **names, bool top, json_t **ret)
{
        json_t *cur = template_ref(v);

        for (char **n = names; n && *n; n++) {
                json_t *next;

                if (cur == MISSING || json_is_null(cur)) {
                        if (cur == MISSING)
                                break; /* Go: <no value> stays */
                        template_unref(cur);
                        return template_xerr(x, at, "nil pointer evaluating interface {}.%s", *n);
                }
                if (!json_is_object(cur)) {
                        int r = template_xerr(x, at, "can't evaluate field %s in type %s", *n, template_type_of(cur));
                        template_unref(cur);
                        return r;
                }
                next = json_object_get(cur, *n);
                if (!next && top && n == names && x->o && x->o->strict && cur == x->root) {
                        template_unref(cur);
                        return template_xerr(x, at, "can't evaluate field %s in type %s", *n,
                                             x->o->type_name ? x->o->type_name : "struct");
                }
                template_unref(cur);
                cur = next ? json_incref(next) : MISSING;
        }
        *ret = cur;
        return 0;
}

static int eval_pipe(Exec *x, const Pipe *p, json_t *dot, json_t **ret);

static int eval_operand(Exec *x, const Operand *o, json_t *dot, json_t **ret)
{
        json_t *base = NULL;
        int r;

        switch (o->type) {
        case OP_FIELD: return walk(x, o, dot, o->names, true, ret);
        case OP_VAR:
                for (size_t i = x->n_vars; i > 0; i--)
                        if (streq(x->vars[i - 1].name, o->str))
                                return walk(x, o, x->vars[i - 1].v, o->names, false, ret);
                return template_xerr(x, o, "undefined variable: %s", o->str);
        case OP_STRING: *ret = json_string(o->str); return *ret ? 0 : -ENOMEM;
        case OP_NUMBER:
        case OP_BOOL: *ret = json_incref(o->num); return 0;
        case OP_NIL: *ret = json_null(); return 0;
        case OP_PIPE:
                r = eval_pipe(x, o->pipe, dot, &base);
                if (r < 0)
                        return r;
                r = walk(x, o, base, o->names, false, ret);
                template_unref(base);
                return r;
        case OP_IDENT: break;
        }
        return template_xerr(x, o, "%s is not a value", o->str);
}

static int eval_command(Exec *x, const Command *c, json_t *dot, json_t *piped, json_t **ret)
{
        const Operand *first = &c->args[0];
        json_t **a = NULL;
        size_t n = 0;
        int r = 0;

        if (first->type != OP_IDENT && c->n == 1 && !piped)
                return eval_operand(x, first, dot, ret);
        if (first->type != OP_IDENT) {
                /* a method with arguments: Docker's {{.Label "k"}}, a map's
                 * key here; a string is a header row's ("LABEL") */
                json_t *v = NULL, *arg = NULL;
                if (first->type != OP_FIELD || c->n != 2 || piped)
                        return template_xerr(x, first, "can't give argument to non-function %s", first->text);
                r = eval_operand(x, first, dot, &v);
                if (r < 0)
                        return r;
                r = eval_operand(x, &c->args[1], dot, &arg);
                if (r >= 0 && json_is_object(v) && json_is_string(arg)) {
                        json_t *e = json_object_get(v, json_string_value(arg));
                        *ret = e ? json_incref(e) : json_string("");
                } else if (r >= 0 && json_is_string(v) && json_is_string(arg)) {
                        *ret = json_incref(v);
                } else if (r >= 0)
                        r = template_xerr(x, first, "can't give argument to non-function %s", first->text);
                template_unref(v);
                template_unref(arg);
                return r;
        }
        a = calloc(c->n + 1, sizeof(json_t *));
        if (!a)
                return -ENOMEM;
        for (size_t i = 1; i < c->n && r >= 0; i++) {
                r = eval_operand(x, &c->args[i], dot, &a[n]);
                if (r >= 0)
                        n++;
        }
        if (r >= 0 && piped)
                a[n++] = template_ref(piped);
        if (r >= 0)
                r = template_call(x, first, a, n, ret);
        for (size_t i = 0; i < n; i++)
                template_unref(a[i]);
        free(a);
        return r;
}

static int set_var(Exec *x, const char *name, json_t *v, bool assign)
{
        if (assign) {
                for (size_t i = x->n_vars; i > 0; i--)
                        if (streq(x->vars[i - 1].name, name)) {
                                template_unref(x->vars[i - 1].v);
                                x->vars[i - 1].v = template_ref(v);
                                return 0;
                        }
                return template_xerr(x, NULL, "undefined variable: %s", name);
        }
        return var_push(x, name, v);
}

static int eval_pipe(Exec *x, const Pipe *p, json_t *dot, json_t **ret)
{
        json_t *v = NULL;
        int r;

        for (size_t i = 0; i < p->n; i++) {
                json_t *next = NULL;
                r = eval_command(x, &p->cmds[i], dot, v, &next);
                if (v)
                        template_unref(v);
                if (r < 0)
                        return r;
                v = next;
        }
        *ret = v;
        return 0;
}

static int exec_list(Exec *x, const List *l, json_t *dot);

static int exec_node(Exec *x, const Node *n, json_t *dot)
{
        json_t *v = NULL;
        size_t mark = x->n_vars;
        int r;

        if (n->type == N_TEXT) {
                fputs(n->text, x->out);
                return 0;
        }
        if (n->type == N_RANGE && n->pipe->n_decl > 0 && !n->pipe->assign) {
                /* {{range $i, $v := P}}: the variables are per element */
                Pipe tmp = *n->pipe;
                tmp.n_decl = 0;
                r = eval_pipe(x, &tmp, dot, &v);
        } else
                r = eval_pipe(x, n->pipe, dot, &v);
        if (r < 0)
                return r;
        if (n->pipe->n_decl > 0 && n->type != N_RANGE) {
                r = set_var(x, n->pipe->decl[0], v, n->pipe->assign);
                if (r < 0)
                        goto out;
                if (n->type == N_ACTION)
                        goto out_keep; /* a declaration prints nothing and lives on */
        }
        switch (n->type) {
        case N_ACTION:
                if (v == MISSING)
                        fputs("<no value>", x->out);
                else
                        template_print_value(x->out, v);
                break;
        case N_IF: r = exec_list(x, template_truth(v) ? &n->body : &n->alt, dot); break;
        case N_WITH:
                if (v != MISSING && template_truth(v))
                        r = exec_list(x, &n->body, v);
                else
                        r = exec_list(x, &n->alt, dot);
                break;
        case N_RANGE: {
                const Pipe *p = n->pipe;
                size_t len = json_is_array(v) ? json_array_size(v) : json_is_object(v) ? json_object_size(v) : 0;
                _cleanup_free_ const char **keys = NULL;
                if (v != MISSING && !json_is_array(v) && !json_is_object(v) && !json_is_null(v)) {
                        r = template_xerr(x, &p->cmds[0].args[0], "range can't iterate over %s", template_type_of(v));
                        break;
                }
                if (len == 0) {
                        r = exec_list(x, &n->alt, dot);
                        break;
                }
                if (json_is_object(v) && !(keys = template_sorted_keys(v, &len))) {
                        r = -ENOMEM;
                        break;
                }
                for (size_t i = 0; i < len && r >= 0; i++) {
                        json_t *e = keys ? json_object_get(v, keys[i]) : json_array_get(v, i);
                        size_t m = x->n_vars;
                        if (p->n_decl == 1)
                                r = var_push(x, p->decl[0], e);
                        else if (p->n_decl == 2) {
                                json_t *k = keys ? json_string(keys[i]) : json_integer((json_int_t)i);
                                r = var_push(x, p->decl[0], k);
                                json_decref(k);
                                if (r >= 0)
                                        r = var_push(x, p->decl[1], e);
                        }
                        if (r >= 0)
                                r = exec_list(x, &n->body, e);
                        vars_pop(x, m);
                }
                break;
        }
        default: break;
        }
out:
        vars_pop(x, mark);
out_keep:
        template_unref(v);
        return r;
}

static int exec_list(Exec *x, const List *l, json_t *dot)
{
        size_t mark = x->n_vars;
        int r = 0;

        for (size_t i = 0; i < l->n && r >= 0; i++)
                r = exec_node(x, l->v[i], dot);
        vars_pop(x, mark);
        return r;
}

int template_exec(const Template *t, json_t *data, const TemplateExecOpts *o, FILE *out, Error **ret_err)
{
        Exec x = { .o = o, .root = data, .out = out, .err = ret_err };
        int r;

        r = var_push(&x, "$", data);
        if (r >= 0)
                r = exec_list(&x, &t->root, data);
        vars_pop(&x, 0);
        free(x.vars);
        if (r == -ENOMEM)
                return error_set(ret_err, ENOMEM, "template");
        return r < 0 ? -EINVAL : 0;
}

int template_exec_string(const Template *t, json_t *data, const TemplateExecOpts *o, char **ret, Error **ret_err)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        int r;

        if (!f)
                return error_set(ret_err, ENOMEM, "template");
        r = template_exec(t, data, o, f, ret_err);
        fclose(f);
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}
