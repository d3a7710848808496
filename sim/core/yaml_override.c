/* Values set from the command line (sweep --vary) into a loaded YAML
 * document before anything reads it (sim/yaml_load.h, Override). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/yaml_load.h"

static bool override_fail(Loader *ld, const Override *o, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));
static bool override_fail(Loader *ld, const Override *o, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    SrcPos p = {ld->file, 1, 1};
    return ld_fail_at(ld, p, o->path, msg);
}

/* The value of a mapping's scalar key, or NULL. */
static const char *map_scalar(Loader *ld, const yaml_node_t *map,
                              const char *key)
{
    if (map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
         pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(&ld->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(&ld->doc, pr->value);
        if (k && v && k->type == YAML_SCALAR_NODE &&
            v->type == YAML_SCALAR_NODE &&
            !strcmp((const char *)k->data.scalar.value, key))
            return (const char *)v->data.scalar.value;
    }
    return NULL;
}

/* A list's item by index (digits) or by its `name`; NULL after saying
 * why not. */
static yaml_node_t *list_item(Loader *ld, const Override *o, yaml_node_t *n,
                              const char *tok, const char *where)
{
    size_t len = (size_t)(n->data.sequence.items.top -
                          n->data.sequence.items.start);
    const char *w = where[0] ? where : "the file";
    if (tok[strspn(tok, "0123456789")] == '\0') {
        unsigned long long i = strtoull(tok, NULL, 10);
        if (i < len)
            return yaml_document_get_node(&ld->doc,
                                          n->data.sequence.items.start[i]);
        if (len)
            override_fail(ld, o, "%s has %zu item%s (0 to %zu): no item %s",
                          w, len, len == 1 ? "" : "s", len - 1, tok);
        else
            override_fail(ld, o, "%s is an empty list: no item %s", w, tok);
        return NULL;
    }
    char names[300] = "";
    size_t nl = 0;
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *it =
            yaml_document_get_node(&ld->doc, n->data.sequence.items.start[i]);
        const char *name = it ? map_scalar(ld, it, "name") : NULL;
        if (name && !strcmp(name, tok))
            return it;
        if (name && nl < sizeof names)
            nl += (size_t)snprintf(names + nl, sizeof names - nl, "%s%s",
                                   nl ? ", " : "", name);
    }
    if (nl >= sizeof names)
        snprintf(names + sizeof names - 5, 5, "...");
    if (nl)
        override_fail(ld, o, "no item named '%s' in %s (its names: %s; or "
                             "give an index from 0 to %zu)",
                      tok, w, names, len - 1);
    else
        override_fail(ld, o, "'%s' in %s: its items have no names; give an "
                             "index%s",
                      tok, w, len ? "" : " (it is empty)");
    return NULL;
}

static int node_index(Loader *ld, const yaml_node_t *n)
{
    return (int)(n - ld->doc.nodes.start) + 1;
}

static yaml_char_t *ydup(const char *s)
{
    yaml_char_t *d = (yaml_char_t *)strdup(s);
    if (!d)
        abort();
    return d;
}

/* Sets one override in the document. */
static bool apply_override(Loader *ld, const Override *o)
{
    char path[512];
    snprintf(path, sizeof path, "%s", o->path);
    yaml_node_t *n = loader_root(ld);
    char *save = NULL, *tok = strtok_r(path, ".", &save);
    char where[512] = "";
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        yaml_node_t *child = NULL;
        if (n->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
                 pr < n->data.mapping.pairs.top; pr++) {
                yaml_node_t *k = yaml_document_get_node(&ld->doc, pr->key);
                if (k && k->type == YAML_SCALAR_NODE &&
                    !strcmp((const char *)k->data.scalar.value, tok)) {
                    child = yaml_document_get_node(&ld->doc, pr->value);
                    break;
                }
            }
            if (!child && !next) { /* a new key */
                int m = node_index(ld, n);
                int k = yaml_document_add_scalar(
                    &ld->doc, NULL, (yaml_char_t *)tok, (int)strlen(tok),
                    YAML_PLAIN_SCALAR_STYLE);
                int v = yaml_document_add_scalar(
                    &ld->doc, NULL, (yaml_char_t *)o->value,
                    (int)strlen(o->value), YAML_PLAIN_SCALAR_STYLE);
                if (!k || !v ||
                    !yaml_document_append_mapping_pair(&ld->doc, m, k, v))
                    abort();
                return true;
            }
        } else if (n->type == YAML_SEQUENCE_NODE) {
            child = list_item(ld, o, n, tok, where);
            if (!child)
                return false;
        }
        if (!child)
            return override_fail(ld, o, "no '%s' in %s", tok,
                                 where[0] ? where : "the file");
        size_t wl = strlen(where);
        snprintf(where + wl, sizeof where - wl, "%s%s", wl ? "." : "", tok);
        n = child;
        tok = next;
    }
    if (n->type != YAML_SCALAR_NODE)
        return override_fail(ld, o, "%s is a %s, not a single value", where,
                             n->type == YAML_MAPPING_NODE ? "mapping"
                                                          : "list");
    free(n->data.scalar.value);
    n->data.scalar.value = ydup(o->value);
    n->data.scalar.length = strlen(o->value);
    n->data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
    return true;
}

bool loader_open_ov(Loader *ld, const char *file, Arena *arena, Diag *diag,
                    const Override *ov, size_t n_ov)
{
    if (!loader_open(ld, file, arena, diag))
        return false;
    for (size_t i = 0; i < n_ov; i++)
        if (!apply_override(ld, &ov[i]))
            return false;
    return true;
}

