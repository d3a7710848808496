/* Reading YAML files into plain params structs, on libyaml's document
 * API.  A Loader walks the document under a schema given as Field tables,
 * keeps the key path it is at, and reports the first error as one fatal
 * finding "FILE:LINE:COL: key.path: message".  After an error every ld_*
 * call returns false, so callers just propagate. */
#ifndef DMASIM_YAML_LOAD_H
#define DMASIM_YAML_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "sim/core/arena.h"
#include "sim/core/diag.h"

#define LD_MAX_FILE_BYTES (16u << 20) /* larger inputs are refused */
#define LD_MAX_VISITS 1000000u        /* nodes read, aliases expanded */
#define LD_MAX_NESTING 1000u          /* flow levels ([ and {) */
#define LD_MAX_NESTING_STR "1000"

typedef struct Loader {
    const char *file; /* arena copy of the file name */
    Arena *arena;     /* where parsed values go; not owned */
    Diag *diag;       /* where the error goes; not owned */
    yaml_document_t doc;
    bool have_doc;
    bool failed;
    size_t visits_left;
    bool shared; /* a node has several parents: the file has aliases */
    char path[512];
    size_t plen;
} Loader;

/* A name that refers to something else, with where it was written. */
typedef struct Ref {
    char *name;
    SrcPos pos;
    char *path;
} Ref;

/* One value set from the command line (sweep --vary): a dotted path of
 * mapping keys and list indices ("workload.0.size"), and a scalar. */
typedef struct Override {
    const char *path;
    const char *value;
} Override;

/* Reads and parses FILE.  Returns false (with a fatal finding) on I/O or
 * syntax errors, an empty document, more than one document, or a root
 * that is not a mapping. */
bool loader_open(Loader *ld, const char *file, Arena *arena, Diag *diag);
/* The same, then sets each override's value in the document before
 * anything reads it: an existing scalar is replaced, a missing last key
 * of a mapping is added.  A path that leads nowhere, or to a list or
 * mapping, is a fatal finding naming the path. */
bool loader_open_ov(Loader *ld, const char *file, Arena *arena, Diag *diag,
                    const Override *ov, size_t n_ov);
void loader_close(Loader *ld);
yaml_node_t *loader_root(Loader *ld);

/* Key path handling: push returns the length to pop back to. */
size_t ld_push_key(Loader *ld, const char *key);
size_t ld_push_index(Loader *ld, size_t i);
void ld_pop(Loader *ld, size_t len);
char *ld_path(Loader *ld); /* arena copy of the current path */

SrcPos ld_pos(const Loader *ld, const yaml_node_t *n);
/* Records the fatal error at node n (or the file start) with the current
 * key path; always returns false. */
bool ld_fail(Loader *ld, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same at a position and path given outright, with a finished
 * message; always returns false. */
bool ld_fail_at(Loader *ld, SrcPos pos, const char *path, const char *msg);

/* Counts one node read against LD_MAX_VISITS; false once exhausted. */
bool ld_visit(Loader *ld, const yaml_node_t *n);

yaml_node_t *ld_node(Loader *ld, int index);
bool ld_is_null(const yaml_node_t *n);
const char *ld_type_name(const yaml_node_t *n);
/* The scalar's text, or NULL after an error naming `what` was expected. */
const char *ld_scalar(Loader *ld, yaml_node_t *n, const char *what);
/* Type checks; on mismatch fail with "expected WHAT, got ...". */
bool ld_expect_map(Loader *ld, yaml_node_t *n, const char *what);
bool ld_expect_seq(Loader *ld, yaml_node_t *n, const char *what);
size_t ld_seq_len(const yaml_node_t *seq);
yaml_node_t *ld_seq_item(Loader *ld, yaml_node_t *seq, size_t i);

/* Reads a list into a new arena array of elem_size-byte elements (zeroed):
 * item() reads each entry, with its index pushed on the path.  Returns the
 * array (never NULL for an empty list) and its length in *n, or NULL after
 * an error; `what` names the list in the type error. */
typedef bool (*ItemFn)(Loader *ld, yaml_node_t *item, void *elem, void *ctx);
void *ld_list(Loader *ld, yaml_node_t *v, const char *what, size_t elem_size,
              size_t *n, ItemFn item, void *ctx);

/* Schema tables: a field parser reads `val` into base + off. */
typedef bool (*FieldFn)(Loader *ld, yaml_node_t *val, void *dst);
typedef struct Field {
    const char *key;
    FieldFn fn;
    size_t off;
    bool required;
} Field;
#define FIELD_END {NULL, NULL, 0, false}

typedef struct FieldSet {
    const Field *fields; /* terminated by FIELD_END */
    void *base;
} FieldSet;

/* Reads a mapping against one or more field tables: rejects unknown and
 * duplicate keys (suggesting the nearest known key) and missing required
 * ones, and calls each field's parser with the key pushed on the path. */
bool ld_map_fields(Loader *ld, yaml_node_t *map, const FieldSet *sets,
                   size_t nsets);
/* Looks a key up in a mapping without consuming it. */
yaml_node_t *ld_map_get(Loader *ld, yaml_node_t *map, const char *key);

/* Field parsers. */
bool ld_f_str(Loader *ld, yaml_node_t *v, void *dst);   /* char * */
bool ld_f_name(Loader *ld, yaml_node_t *v, void *dst);  /* char *, [A-Za-z0-9_.-]+ */
bool ld_f_ref(Loader *ld, yaml_node_t *v, void *dst);   /* Ref */
bool ld_f_u64(Loader *ld, yaml_node_t *v, void *dst);   /* uint64_t, 0 ok */
bool ld_f_size(Loader *ld, yaml_node_t *v, void *dst);  /* uint64_t, > 0 */
bool ld_f_freq(Loader *ld, yaml_node_t *v, void *dst);  /* uint64_t Hz > 0 */
bool ld_f_rate(Loader *ld, yaml_node_t *v, void *dst);  /* uint64_t B/s > 0 */
bool ld_f_bits(Loader *ld, yaml_node_t *v, void *dst);  /* unsigned 1..64 */
bool ld_f_count(Loader *ld, yaml_node_t *v, void *dst); /* unsigned 1..65536 */
bool ld_f_bool(Loader *ld, yaml_node_t *v, void *dst);  /* bool */
bool ld_f_cycles(Loader *ld, yaml_node_t *v, void *dst); /* unsigned 0..1e6 */
bool ld_f_skip(Loader *ld, yaml_node_t *v, void *dst);  /* read elsewhere */

/* Parses a scalar as an integer (units allowed) with the usual message. */
bool ld_u64(Loader *ld, yaml_node_t *v, uint64_t *out);

#endif
