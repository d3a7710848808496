#include "sim/core/yaml_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ---- errors ------------------------------------------------------------ */

SrcPos ld_pos(const Loader *ld, const yaml_node_t *n)
{
    SrcPos p = {ld->file, 1, 1};
    if (n) {
        p.line = (unsigned)n->start_mark.line + 1;
        p.col = (unsigned)n->start_mark.column + 1;
    }
    return p;
}

static void fail_at(Loader *ld, SrcPos pos, const char *path,
                    const char *msg)
{
    if (ld->failed)
        return; /* the first error is the one worth reading */
    ld->failed = true;
    diag_add(ld->diag, SEV_FATAL, "input", pos, path, NULL, NULL, "%s", msg);
}

bool ld_fail_at(Loader *ld, SrcPos pos, const char *path, const char *msg)
{
    fail_at(ld, pos, path, msg);
    return false;
}

bool ld_fail(Loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail_at(ld, ld_pos(ld, n), ld->path, msg);
    return false;
}

/* ---- paths ------------------------------------------------------------- */

static size_t push(Loader *ld, const char *part)
{
    size_t old = ld->plen;
    int n = snprintf(ld->path + ld->plen, sizeof ld->path - ld->plen, "%s%s",
                     ld->plen ? "." : "", part);
    if (n > 0)
        ld->plen += (size_t)n;
    if (ld->plen >= sizeof ld->path)
        ld->plen = sizeof ld->path - 1; /* truncated: only in absurd files */
    return old;
}

size_t ld_push_key(Loader *ld, const char *key)
{
    return push(ld, key);
}

size_t ld_push_index(Loader *ld, size_t i)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%zu", i);
    return push(ld, buf);
}

void ld_pop(Loader *ld, size_t len)
{
    ld->plen = len;
    ld->path[len] = '\0';
}

char *ld_path(Loader *ld)
{
    return arena_strdup(ld->arena, ld->path);
}

/* ---- opening ----------------------------------------------------------- */

static const char *file_type(mode_t m)
{
    return S_ISDIR(m)    ? "a directory"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
                         : "not a regular file";
}

static char *read_file(Loader *ld, const char *file, size_t *len)
{
    /* Opened without waiting (a FIFO would block until a writer came) and
     * refused unless it is a regular file: an input is read whole. */
    int fd = open(file, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        ld_fail(ld, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        ld_fail(ld, NULL, "cannot read it: it is %s, not a file",
                file_type(st.st_mode));
        close(fd);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        ld_fail(ld, NULL, "cannot open: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > LD_MAX_FILE_BYTES) {
            ld_fail(ld, NULL, "file is larger than %u MiB",
                    LD_MAX_FILE_BYTES >> 20);
            free(buf);
            fclose(f);
            return NULL;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        ld_fail(ld, NULL, "cannot read: %s", strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Reader errors carry a byte offset rather than a mark. */
static SrcPos offset_pos(const Loader *ld, const char *buf, size_t len,
                         size_t off)
{
    SrcPos p = {ld->file, 1, 1};
    for (size_t i = 0; i < off && i < len; i++) {
        if (buf[i] == '\n') {
            p.line++;
            p.col = 1;
        } else {
            p.col++;
        }
    }
    return p;
}

static void syntax_error(Loader *ld, yaml_parser_t *pr, const char *buf,
                         size_t len)
{
    char msg[512];
    SrcPos pos;
    if (pr->error == YAML_READER_ERROR) {
        pos = offset_pos(ld, buf, len, pr->problem_offset);
        snprintf(msg, sizeof msg, "not a YAML text: %s",
                 pr->problem ? pr->problem : "unreadable input");
    } else if (pr->error == YAML_MEMORY_ERROR) {
        pos = (SrcPos){ld->file, 1, 1};
        snprintf(msg, sizeof msg, "out of memory while parsing YAML");
    } else {
        pos = (SrcPos){ld->file, (unsigned)pr->problem_mark.line + 1,
                       (unsigned)pr->problem_mark.column + 1};
        if (pr->context)
            snprintf(msg, sizeof msg,
                     "YAML syntax error: %s (%s at line %u column %u)",
                     pr->problem ? pr->problem : "invalid YAML", pr->context,
                     (unsigned)pr->context_mark.line + 1,
                     (unsigned)pr->context_mark.column + 1);
        else
            snprintf(msg, sizeof msg, "YAML syntax error: %s",
                     pr->problem ? pr->problem : "invalid YAML");
    }
    fail_at(ld, pos, "", msg);
}

/* libyaml's scanner rescans its stack of flow levels on every token, so
 * nesting costs O(depth^2): 50,000 levels take seconds.  This linear
 * pre-scan refuses deep flow nesting first.  It skips comments and quoted
 * scalars; brackets inside plain scalars balance in any sane file. */
static bool check_nesting(Loader *ld, const char *buf, size_t len)
{
    unsigned depth = 0;
    char quote = 0;
    bool comment = false, prev_space = true;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (comment) {
            comment = c != '\n';
        } else if (quote) {
            if (quote == '"' && c == '\\')
                i++;
            else if (c == quote)
                quote = 0;
        } else if (c == '#' && prev_space) {
            comment = true;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[' || c == '{') {
            if (++depth > LD_MAX_NESTING) {
                fail_at(ld, offset_pos(ld, buf, len, i), "",
                        "nesting deeper than " LD_MAX_NESTING_STR " levels");
                return false;
            }
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
        prev_space = c == ' ' || c == '\t' || c == '\n';
    }
    return true;
}

/* Some node is the child of more than one: the document has aliases
 * (libyaml resolves an alias to the anchored node itself). */
static bool has_shared_nodes(yaml_document_t *doc)
{
    size_t n = (size_t)(doc->nodes.top - doc->nodes.start);
    unsigned char *seen = calloc(n + 1, 1);
    if (!seen)
        abort();
    bool shared = false;
#define SEE(i)                                                                \
    do {                                                                      \
        if ((i) >= 1 && (size_t)(i) <= n && seen[(i)]++)                      \
            shared = true;                                                    \
    } while (0)
    for (yaml_node_t *nd = doc->nodes.start; nd < doc->nodes.top && !shared;
         nd++) {
        if (nd->type == YAML_SEQUENCE_NODE)
            for (yaml_node_item_t *it = nd->data.sequence.items.start;
                 it < nd->data.sequence.items.top; it++)
                SEE(*it);
        else if (nd->type == YAML_MAPPING_NODE)
            for (yaml_node_pair_t *pr = nd->data.mapping.pairs.start;
                 pr < nd->data.mapping.pairs.top; pr++) {
                SEE(pr->key);
                SEE(pr->value);
            }
    }
#undef SEE
    free(seen);
    return shared;
}

bool loader_open(Loader *ld, const char *file, Arena *arena, Diag *diag)
{
    memset(ld, 0, sizeof *ld);
    ld->arena = arena;
    ld->diag = diag;
    ld->file = arena_strdup(arena, file);
    ld->visits_left = LD_MAX_VISITS;

    size_t len;
    char *buf = read_file(ld, file, &len);
    if (!buf)
        return false;
    if (!check_nesting(ld, buf, len)) {
        free(buf);
        return false;
    }

    yaml_parser_t pr;
    if (!yaml_parser_initialize(&pr))
        abort();
    yaml_parser_set_input_string(&pr, (const unsigned char *)buf, len);
    bool ok = yaml_parser_load(&pr, &ld->doc);
    if (!ok) {
        syntax_error(ld, &pr, buf, len);
    } else {
        ld->have_doc = true;
        if (!yaml_document_get_root_node(&ld->doc)) {
            ok = ld_fail(ld, NULL, "empty document: expected a mapping");
        } else {
            yaml_document_t extra;
            if (!yaml_parser_load(&pr, &extra)) {
                syntax_error(ld, &pr, buf, len);
                ok = false;
            } else {
                yaml_node_t *r = yaml_document_get_root_node(&extra);
                if (r) {
                    SrcPos p = {ld->file, (unsigned)r->start_mark.line + 1,
                                (unsigned)r->start_mark.column + 1};
                    fail_at(ld, p, "",
                            "more than one YAML document in the file");
                    ok = false;
                }
                yaml_document_delete(&extra);
            }
        }
    }
    yaml_parser_delete(&pr);
    free(buf);
    if (ok)
        ld->shared = has_shared_nodes(&ld->doc);
    if (ok)
        ok = ld_expect_map(ld, loader_root(ld), "a mapping at the top");
    return ok;
}

void loader_close(Loader *ld)
{
    if (ld->have_doc)
        yaml_document_delete(&ld->doc);
    ld->have_doc = false;
}

yaml_node_t *loader_root(Loader *ld)
{
    return ld->have_doc ? yaml_document_get_root_node(&ld->doc) : NULL;
}

/* ---- nodes ------------------------------------------------------------- */

bool ld_visit(Loader *ld, const yaml_node_t *n)
{
    if (ld->failed)
        return false;
    if (ld->visits_left == 0)
        return ld->shared
                   ? ld_fail(ld, n,
                             "the document expands to more than %u nodes "
                             "through its aliases (aliases of aliases "
                             "multiply: an alias bomb?)",
                             LD_MAX_VISITS)
                   : ld_fail(ld, n,
                             "the document has more than %u nodes to read, "
                             "the limit",
                             LD_MAX_VISITS);
    ld->visits_left--;
    return true;
}

yaml_node_t *ld_node(Loader *ld, int index)
{
    return yaml_document_get_node(&ld->doc, index);
}

bool ld_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE)
        return false;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
           !strcmp(s, "Null") || !strcmp(s, "NULL");
}

const char *ld_type_name(const yaml_node_t *n)
{
    if (ld_is_null(n))
        return "nothing (null)";
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    default:
        return "a scalar";
    }
}

const char *ld_scalar(Loader *ld, yaml_node_t *n, const char *what)
{
    if (ld->failed)
        return NULL;
    if (n->type != YAML_SCALAR_NODE || ld_is_null(n)) {
        ld_fail(ld, n, "expected %s, got %s", what, ld_type_name(n));
        return NULL;
    }
    const char *s = (const char *)n->data.scalar.value;
    if (strlen(s) != n->data.scalar.length) {
        ld_fail(ld, n, "NUL byte inside a value");
        return NULL;
    }
    return s;
}

bool ld_expect_map(Loader *ld, yaml_node_t *n, const char *what)
{
    if (ld->failed)
        return false;
    if (n->type != YAML_MAPPING_NODE)
        return ld_fail(ld, n, "expected %s, got %s", what, ld_type_name(n));
    return true;
}

bool ld_expect_seq(Loader *ld, yaml_node_t *n, const char *what)
{
    if (ld->failed)
        return false;
    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail(ld, n, "expected %s, got %s", what, ld_type_name(n));
    return true;
}

size_t ld_seq_len(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top -
                    seq->data.sequence.items.start);
}

yaml_node_t *ld_seq_item(Loader *ld, yaml_node_t *seq, size_t i)
{
    yaml_node_t *n = ld_node(ld, seq->data.sequence.items.start[i]);
    return ld_visit(ld, n) ? n : NULL;
}

void *ld_list(Loader *ld, yaml_node_t *v, const char *what, size_t elem_size,
              size_t *n, ItemFn item, void *ctx)
{
    if (!ld_expect_seq(ld, v, what))
        return NULL;
    size_t len = ld_seq_len(v);
    char *arr = arena_calloc(ld->arena, len ? len : 1, elem_size);
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *m = ld_seq_item(ld, v, i);
        size_t old = ld_push_index(ld, i);
        if (!m || !item(ld, m, arr + i * elem_size, ctx))
            return NULL;
        ld_pop(ld, old);
        (*n)++;
    }
    return arr;
}

/* ---- mappings ---------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    size_t d[32][32];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static bool unknown_key(Loader *ld, yaml_node_t *keynode, const char *key,
                        const FieldSet *sets, size_t nsets)
{
    char known[512] = "";
    size_t kl = 0;
    const char *best = NULL;
    size_t best_d = 3; /* suggest only close misspellings */
    for (size_t s = 0; s < nsets; s++)
        for (const Field *f = sets[s].fields; f->key; f++) {
            int n = snprintf(known + kl, sizeof known - kl, "%s%s",
                             kl ? ", " : "", f->key);
            if (n > 0 && (size_t)n < sizeof known - kl)
                kl += (size_t)n;
            size_t d = edit_distance(key, f->key);
            if (d < best_d) {
                best_d = d;
                best = f->key;
            }
        }
    if (best)
        return ld_fail(ld, keynode, "unknown key '%s' (did you mean '%s'?)",
                       key, best);
    return ld_fail(ld, keynode, "unknown key '%s' (known here: %s)", key,
                   known);
}

yaml_node_t *ld_map_get(Loader *ld, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = ld_node(ld, p->key);
        if (k->type == YAML_SCALAR_NODE &&
            !strcmp((const char *)k->data.scalar.value, key))
            return ld_node(ld, p->value);
    }
    return NULL;
}

#define MAX_FIELDS 64

bool ld_map_fields(Loader *ld, yaml_node_t *map, const FieldSet *sets,
                   size_t nsets)
{
    if (!ld_expect_map(ld, map, "a mapping"))
        return false;
    /* seen[] is indexed by the field's position over all sets; a key is
     * matched once, so a map with a thousand keys stops at the first
     * unknown or repeated one: linear in what is read. */
    yaml_node_t *seen[MAX_FIELDS] = {0};
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = ld_node(ld, p->key);
        if (!ld_visit(ld, k))
            return false;
        const char *key = ld_scalar(ld, k, "a key");
        if (!key)
            return false;
        size_t idx = 0;
        const Field *hit = NULL;
        void *base = NULL;
        for (size_t s = 0; s < nsets && !hit; s++)
            for (const Field *f = sets[s].fields; f->key; f++, idx++)
                if (!strcmp(f->key, key)) {
                    hit = f;
                    base = sets[s].base;
                    break;
                }
        if (!hit)
            return unknown_key(ld, k, key, sets, nsets);
        if (idx >= MAX_FIELDS)
            abort(); /* a schema table too long: our bug */
        size_t old = ld_push_key(ld, key);
        if (seen[idx]) {
            SrcPos first = ld_pos(ld, seen[idx]);
            return ld_fail(ld, k, "duplicate key '%s' (first at line %u)",
                           key, first.line);
        }
        seen[idx] = k;
        yaml_node_t *v = ld_node(ld, p->value);
        if (!ld_visit(ld, v))
            return false;
        if (!hit->fn(ld, v, (char *)base + hit->off))
            return false;
        ld_pop(ld, old);
    }
    size_t idx = 0;
    for (size_t s = 0; s < nsets; s++)
        for (const Field *f = sets[s].fields; f->key; f++, idx++)
            if (f->required && !seen[idx])
                return ld_fail(ld, map, "missing required key '%s'", f->key);
    return true;
}
