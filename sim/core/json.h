/* A small streaming JSON writer with two-space indentation.  Output is
 * deterministic: keys come out in the order they are written. */
#ifndef DMASIM_JSON_H
#define DMASIM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 32

typedef struct JsonW {
    FILE *out;
    int depth;
    bool first[JW_MAX_DEPTH]; /* no member written yet at this depth */
    bool after_key;
    bool compact;
} JsonW;

void jw_init(JsonW *w, FILE *out);
/* For large outputs (traces): no indentation, a line per member of the
 * two outer levels. */
void jw_init_compact(JsonW *w, FILE *out);
void jw_obj_begin(JsonW *w);
void jw_obj_end(JsonW *w);
void jw_arr_begin(JsonW *w);
void jw_arr_end(JsonW *w);
void jw_key(JsonW *w, const char *key);
void jw_str(JsonW *w, const char *s);
void jw_uint(JsonW *w, uint64_t v);
void jw_bool(JsonW *w, bool v);
void jw_null(JsonW *w);
void jw_hex(JsonW *w, uint64_t v); /* "0x1f" as a string */
void jw_double(JsonW *w, double v);
/* v / 10^decimals written exactly, with all its decimals ("1234.000500"
 * for 1234000500 and 6): picoseconds as microseconds, say. */
void jw_fixed(JsonW *w, uint64_t v, unsigned decimals);
/* Ends the document with a newline. */
void jw_finish(JsonW *w);

#endif
