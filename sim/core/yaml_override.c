/* Values set from the command line (sweep --vary) into a loaded YAML
 * document before anything reads it (sim/yaml_load.h, Override). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/yaml_load.h"

static bool override_fail(Loader *ld, const Override *o, const char *fmt,
                          const char *a, const char *b)
{
    char msg[600];
    snprintf(msg, sizeof msg, fmt, a, b);
    SrcPos p = {ld->file, 1, 1};
    return ld_fail_at(ld, p, o->path, msg);
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
            char *end;
            unsigned long i = strtoul(tok, &end, 10);
            size_t len = (size_t)(n->data.sequence.items.top -
                                  n->data.sequence.items.start);
            if (*end || end == tok)
                return override_fail(ld, o, "'%s' in %s is a list: give an "
                                            "index",
                                     tok, where[0] ? where : "the file");
            if (i < len)
                child = yaml_document_get_node(
                    &ld->doc, n->data.sequence.items.start[i]);
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

