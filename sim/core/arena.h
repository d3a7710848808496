/* Arena allocator: many small allocations freed together.  A loaded
 * topology keeps all its params in one arena, so an error anywhere in the
 * three load passes frees everything with one call. */
#ifndef DMASIM_ARENA_H
#define DMASIM_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct Arena Arena;

Arena *arena_new(void);
void arena_free(Arena *a);                     /* NULL is fine */
void *arena_alloc(Arena *a, size_t size);      /* zeroed, max-aligned */
void *arena_calloc(Arena *a, size_t n, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
