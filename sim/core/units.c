#include "sim/core/units.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned shift;
} size_units[] = {
    {"B", 0}, {"KiB", 10}, {"MiB", 20}, {"GiB", 30},
    {"TiB", 40}, {"PiB", 50}, {"EiB", 60},
};

static int digit_value(int c, unsigned base)
{
    int v;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    else
        return -1;
    return (unsigned)v < base ? v : -1;
}

/* Digits with '_' allowed only between two digits.  Stops at the first
 * character that is neither; *end points there. */
static bool parse_digits(const char *s, unsigned base, uint64_t *out,
                         const char **end, const char *whole, char *err,
                         size_t errlen)
{
    uint64_t v = 0;
    const char *p = s;
    bool any = false;
    for (;; p++) {
        if (*p == '_') {
            if (!any || digit_value((unsigned char)p[1], base) < 0) {
                snprintf(err, errlen,
                         "'%s': '_' must stand between two digits", whole);
                return false;
            }
            continue;
        }
        int d = digit_value((unsigned char)*p, base);
        if (d < 0)
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / base) {
            snprintf(err, errlen, "'%s' does not fit in 64 bits", whole);
            return false;
        }
        v = v * base + (uint64_t)d;
        any = true;
    }
    if (!any) {
        snprintf(err, errlen, "'%s' is not a number", whole);
        return false;
    }
    *out = v;
    *end = p;
    return true;
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

bool units_parse_u64(const char *s, uint64_t *out, char *err, size_t errlen)
{
    const char *p = skip_space(s);
    if (*p == '-') {
        snprintf(err, errlen, "negative value '%s' not allowed", s);
        return false;
    }
    if (*p == '+')
        p++;
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    uint64_t v;
    if (!parse_digits(p, base, &v, &p, s, err, errlen))
        return false;
    if (*p == '.') {
        snprintf(err, errlen, "'%s' must be a whole number", s);
        return false;
    }
    p = skip_space(p);
    if (*p) {
        const char *unit = p;
        size_t ulen = strlen(unit);
        while (ulen && (unit[ulen - 1] == ' ' || unit[ulen - 1] == '\t'))
            ulen--;
        size_t i;
        for (i = 0; i < sizeof size_units / sizeof size_units[0]; i++)
            if (strlen(size_units[i].name) == ulen &&
                !strncmp(size_units[i].name, unit, ulen))
                break;
        if (i == sizeof size_units / sizeof size_units[0]) {
            snprintf(err, errlen,
                     "'%s': unknown unit '%.*s' (sizes take B, KiB, MiB, "
                     "GiB, TiB, PiB or EiB)",
                     s, (int)ulen, unit);
            return false;
        }
        unsigned sh = size_units[i].shift;
        if (sh && v > (UINT64_MAX >> sh)) {
            snprintf(err, errlen, "'%s' does not fit in 64 bits", s);
            return false;
        }
        v <<= sh;
    }
    *out = v;
    return true;
}

typedef struct DecUnit {
    const char *name;
    uint64_t mult;
} DecUnit;

static const DecUnit freq_units[] = {
    {"Hz", 1}, {"kHz", 1000}, {"MHz", 1000000}, {"GHz", 1000000000},
};

static const DecUnit rate_units[] = {
    {"B/s", 1}, {"kB/s", 1000}, {"MB/s", 1000000}, {"GB/s", 1000000000},
};

/* A positive decimal ("133.33") with one of `units`, rounded to the
 * nearest whole base unit. */
static bool parse_decimal(const char *s, const DecUnit *units, size_t nu,
                          const char *noun, const char *nouns,
                          const char *known, uint64_t *out,
                          char *err, size_t errlen)
{
    const char *p = skip_space(s);
    if (*p == '-') {
        snprintf(err, errlen, "negative %s '%s' not allowed", noun, s);
        return false;
    }
    uint64_t ip = 0, frac = 0, frac_scale = 1;
    if (!parse_digits(p, 10, &ip, &p, s, err, errlen))
        return false;
    if (*p == '.') {
        p++;
        int nd = 0;
        while (isdigit((unsigned char)*p)) {
            if (nd < 9) { /* beyond a billionth is noise */
                frac = frac * 10 + (uint64_t)(*p - '0');
                frac_scale *= 10;
                nd++;
            }
            p++;
        }
        if (nd == 0) {
            snprintf(err, errlen, "'%s' is not a %s", s, noun);
            return false;
        }
    }
    p = skip_space(p);
    if (!*p) {
        snprintf(err, errlen, "'%s' has no unit (%s take %s)", s, nouns,
                 known);
        return false;
    }
    size_t i;
    for (i = 0; i < nu; i++)
        if (!strcmp(units[i].name, p))
            break;
    if (i == nu) {
        snprintf(err, errlen, "'%s': unknown unit '%s' (%s take %s)", s, p,
                 nouns, known);
        return false;
    }
    uint64_t m = units[i].mult;
    if (ip > UINT64_MAX / m) {
        snprintf(err, errlen, "'%s' does not fit in 64 bits", s);
        return false;
    }
    /* frac/frac_scale * m, rounded: frac < 1e9 and m <= 1e9, so the
     * product fits in 64 bits. */
    uint64_t fv = (frac * m + frac_scale / 2) / frac_scale;
    uint64_t v = ip * m;
    if (v > UINT64_MAX - fv) {
        snprintf(err, errlen, "'%s' does not fit in 64 bits", s);
        return false;
    }
    v += fv;
    if (v == 0) {
        snprintf(err, errlen, "%s must be greater than zero", noun);
        return false;
    }
    *out = v;
    return true;
}

bool units_parse_freq(const char *s, uint64_t *hz, char *err, size_t errlen)
{
    return parse_decimal(s, freq_units, sizeof freq_units / sizeof *freq_units,
                         "frequency", "frequencies", "Hz, kHz, MHz or GHz", hz, err, errlen);
}

bool units_parse_rate(const char *s, uint64_t *bps, char *err, size_t errlen)
{
    return parse_decimal(s, rate_units, sizeof rate_units / sizeof *rate_units,
                         "rate", "rates", "B/s, kB/s, MB/s or GB/s", bps, err, errlen);
}

char *units_fmt_hex_plain(uint64_t v, char *buf, size_t len)
{
    snprintf(buf, len, "0x%llx", (unsigned long long)v);
    return buf;
}

char *units_fmt_hex(uint64_t v, char *buf, size_t len)
{
    char digits[17];
    snprintf(digits, sizeof digits, "%llx", (unsigned long long)v);
    size_t nd = strlen(digits);
    char tmp[40];
    size_t o = 0;
    tmp[o++] = '0';
    tmp[o++] = 'x';
    for (size_t i = 0; i < nd; i++) {
        if (i && (nd - i) % 4 == 0)
            tmp[o++] = '_';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    snprintf(buf, len, "%s", tmp);
    return buf;
}

char *units_fmt_size(uint64_t v, char *buf, size_t len)
{
    for (int i = (int)(sizeof size_units / sizeof size_units[0]) - 1; i > 0;
         i--) {
        unsigned sh = size_units[i].shift;
        if (v && (v & ((1ULL << sh) - 1)) == 0) {
            snprintf(buf, len, "%llu %s", (unsigned long long)(v >> sh),
                     size_units[i].name);
            return buf;
        }
    }
    snprintf(buf, len, "%llu byte%s", (unsigned long long)v, v == 1 ? "" : "s");
    return buf;
}

char *units_fmt_freq(uint64_t hz, char *buf, size_t len)
{
    for (int i = 3; i >= 0; i--) {
        uint64_t m = freq_units[i].mult;
        if (hz >= m || i == 0) {
            if (hz % m == 0)
                snprintf(buf, len, "%llu %s", (unsigned long long)(hz / m),
                         freq_units[i].name);
            else
                snprintf(buf, len, "%.3f %s", (double)hz / (double)m,
                         freq_units[i].name);
            return buf;
        }
    }
    return buf;
}
