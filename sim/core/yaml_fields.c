/* The loader's field parsers (sim/core/yaml_load.h): a scalar to a
 * string, a name, a reference, a number with or without units, a count,
 * a bool; each fails with the key path and what it wanted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/core/yaml_load.h"

/* ---- field parsers ----------------------------------------------------- */

bool ld_f_str(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "a string");
    if (!s)
        return false;
    *(char **)dst = arena_strdup(ld->arena, s);
    return true;
}

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

bool ld_f_name(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "a name");
    if (!s)
        return false;
    if (!valid_name(s) || strlen(s) > 64)
        return ld_fail(ld, v,
                       "bad name '%.64s': use 1 to 64 letters, digits, "
                       "'_', '-' or '.'",
                       s);
    *(char **)dst = arena_strdup(ld->arena, s);
    return true;
}

bool ld_f_ref(Loader *ld, yaml_node_t *v, void *dst)
{
    Ref *r = dst;
    if (!ld_f_name(ld, v, &r->name))
        return false;
    r->pos = ld_pos(ld, v);
    r->path = ld_path(ld);
    return true;
}

bool ld_u64(Loader *ld, yaml_node_t *v, uint64_t *out)
{
    const char *s = ld_scalar(ld, v, "an integer");
    if (!s)
        return false;
    char err[256];
    if (!units_parse_u64(s, out, err, sizeof err))
        return ld_fail(ld, v, "%s", err);
    return true;
}

bool ld_f_u64(Loader *ld, yaml_node_t *v, void *dst)
{
    return ld_u64(ld, v, dst);
}

bool ld_f_size(Loader *ld, yaml_node_t *v, void *dst)
{
    uint64_t x;
    if (!ld_u64(ld, v, &x))
        return false;
    if (x == 0)
        return ld_fail(ld, v, "size must be greater than zero");
    *(uint64_t *)dst = x;
    return true;
}

bool ld_f_freq(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "a frequency");
    if (!s)
        return false;
    char err[256];
    if (!units_parse_freq(s, dst, err, sizeof err))
        return ld_fail(ld, v, "%s", err);
    /* time is kept in picoseconds: a faster clock has no period */
    if (*(uint64_t *)dst > 1000000000000ull)
        return ld_fail(ld, v, "%s is above 1 THz: no bus or core runs that "
                              "fast, and its period would be under the "
                              "simulator's 1 ps",
                       s);
    return true;
}

bool ld_f_rate(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "a rate");
    if (!s)
        return false;
    char err[256];
    if (!units_parse_rate(s, dst, err, sizeof err))
        return ld_fail(ld, v, "%s", err);
    return true;
}

static bool bounded(Loader *ld, yaml_node_t *v, void *dst, uint64_t lo,
                    uint64_t hi, const char *what)
{
    uint64_t x;
    if (!ld_u64(ld, v, &x))
        return false;
    if (x < lo || x > hi)
        return ld_fail(ld, v, "%s must be between %llu and %llu, not %llu",
                       what, (unsigned long long)lo,
                       (unsigned long long)hi, (unsigned long long)x);
    *(unsigned *)dst = (unsigned)x;
    return true;
}

bool ld_f_bits(Loader *ld, yaml_node_t *v, void *dst)
{
    return bounded(ld, v, dst, 1, 64, "a bit count");
}

bool ld_f_count(Loader *ld, yaml_node_t *v, void *dst)
{
    return bounded(ld, v, dst, 1, 65536, "a count");
}

bool ld_f_cycles(Loader *ld, yaml_node_t *v, void *dst)
{
    return bounded(ld, v, dst, 0, 1000000, "a cycle count");
}

bool ld_f_bool(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "true or false");
    if (!s)
        return false;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
        *(bool *)dst = true;
    else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
        *(bool *)dst = false;
    else
        return ld_fail(ld, v, "expected true or false, got '%s'", s);
    return true;
}

bool ld_f_skip(Loader *ld, yaml_node_t *v, void *dst)
{
    (void)v;
    (void)dst;
    return !ld->failed;
}
