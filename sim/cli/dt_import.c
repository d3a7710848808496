#include "sim/cli/dt_import.h"

#include <libfdt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"

/* Clocks the tree leaves out, by the kind of what they drive (the 4xx
 * family's usual values: a 400 MHz core, PLB 133 MHz, OPB 66 MHz, PCI
 * 33 MHz, PCI-X 133 MHz), and a memory node of size 0. */
#define DEF_CPU_HZ 400000000ull
#define DEF_PLB_HZ 133333333ull
#define DEF_OPB_HZ 66666666ull
#define DEF_PCI_HZ 33333333ull
#define DEF_PCIX_HZ 133333333ull
#define DEF_MEMORY (256ull << 20)
/* The data cache's ways when the tree gives no d-cache-sets: the 440's
 * (docs/timing.md, "Data cache"). */
#define DEF_DCACHE_WAYS 64u

#define MAX_NAMES 1024

typedef struct Imp {
    const void *fdt;
    const char *file;
    const DtDefaults *defs;
    FILE *warn;
    char *clk, *bus, *comp, *note; /* the YAML's parts */
    size_t clk_n, bus_n, comp_n, note_n;
    FILE *clocks, *buses, *comps, *notes;
    char *names[MAX_NAMES];        /* taken, for unique names */
    size_t n_names;
    uint64_t top;                  /* the highest address seen */
    char *err;
    size_t errn;
    bool failed;
    unsigned cpus, memories;
    unsigned dmas, coherent_dmas; /* DMA controllers, and those with
                                     dma-coherent on them or above */
} Imp;

static void node_path(const Imp *im, int node, char *buf, size_t n)
{
    if (fdt_get_path(im->fdt, node, buf, (int)n) < 0)
        snprintf(buf, n, "?");
}

static bool fail(Imp *im, int node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(Imp *im, int node, const char *fmt, ...)
{
    char path[256], msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    node_path(im, node, path, sizeof path);
    if (!im->failed)
        snprintf(im->err, im->errn, "%s: %s: %s", im->file, path, msg);
    im->failed = true;
    return false;
}

/* A warning or a note: on stderr, and the note in the file too. */
static void tell(Imp *im, int node, bool note, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void tell(Imp *im, int node, bool note, const char *fmt, ...)
{
    char path[256], msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    node_path(im, node, path, sizeof path);
    fprintf(im->warn, "%s: %s: %s: %s\n", im->file, path,
            note ? "not expressed" : "warning", msg);
    if (note)
        fprintf(im->notes, "#   %s: %s\n", path, msg);
}

static uint64_t cells(const fdt32_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

/* #address-cells or #size-cells of node: required where it matters. */
static bool cell_count(Imp *im, int node, const char *prop, int *out)
{
    int len;
    const fdt32_t *p = fdt_getprop(im->fdt, node, prop, &len);
    if (!p || len != 4)
        return fail(im, node, "missing %s", prop);
    uint32_t v = fdt32_to_cpu(*p);
    if (v > 3)
        return fail(im, node, "%s is %u; dmasim reads at most 3 cells",
                    prop, v);
    *out = (int)v;
    return true;
}

static bool compatible(const Imp *im, int node, const char *prefix)
{
    int len;
    const char *s = fdt_getprop(im->fdt, node, "compatible", &len);
    for (int i = 0; s && i < len; i += (int)strlen(s + i) + 1)
        if (!strncmp(s + i, prefix, strlen(prefix)))
            return true;
    return false;
}

static bool prop_is(const Imp *im, int node, const char *prop,
                    const char *value)
{
    int len;
    const char *s = fdt_getprop(im->fdt, node, prop, &len);
    return s && len > 0 && !strcmp(s, value);
}

/* A dmasim name for a node: its name without the unit address,
 * [A-Za-z0-9_.-], unique. */
static const char *unique_name(Imp *im, const char *raw)
{
    char base[64], name[80];
    size_t k = 0;
    for (const char *c = raw; *c && *c != '@' && k + 1 < sizeof base; c++)
        base[k++] = (char)((*c >= 'a' && *c <= 'z') ||
                                   (*c >= 'A' && *c <= 'Z') ||
                                   (*c >= '0' && *c <= '9') || *c == '_' ||
                                   *c == '.' || *c == '-'
                               ? *c
                               : '-');
    base[k] = '\0';
    if (!k)
        snprintf(base, sizeof base, "node");
    snprintf(name, sizeof name, "%s", base);
    for (unsigned i = 2;; i++) {
        bool taken = false;
        for (size_t j = 0; j < im->n_names && !taken; j++)
            taken = !strcmp(im->names[j], name);
        if (!taken)
            break;
        snprintf(name, sizeof name, "%s-%u", base, i);
    }
    if (im->n_names == MAX_NAMES)
        return im->names[im->n_names - 1];
    im->names[im->n_names] = strdup(name);
    if (!im->names[im->n_names])
        abort();
    return im->names[im->n_names++];
}

static uint64_t lookup(const DtDefault *v, size_t n, const char *name,
                       uint64_t fallback, bool *found)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name)) {
            *found = true;
            return v[i].value;
        }
    *found = false;
    return fallback;
}

static uint64_t clock_prop(const Imp *im, int node)
{
    int len;
    const fdt32_t *p = fdt_getprop(im->fdt, node, "clock-frequency", &len);
    return p && (len == 4 || len == 8) ? cells(p, len / 4) : 0;
}

/* The clock named `name` from node's clock-frequency (or, for the root
 * bus, the root's), else --defaults, else the family's default, with a
 * warning for either. */
static void clock_for(Imp *im, int node, const char *name, uint64_t dflt)
{
    uint64_t hz = clock_prop(im, node);
    if (!hz && fdt_parent_offset(im->fdt, node) == 0)
        hz = clock_prop(im, 0);
    if (!hz) {
        bool given;
        hz = lookup(im->defs->clocks, im->defs->n_clocks, name, dflt, &given);
        char a[32];
        snprintf(a, sizeof a, "%.6g MHz", (double)hz / 1e6);
        tell(im, node, false, "no clock-frequency: %s from %s", a,
             given ? "--defaults" : "the family's default");
    }
    fprintf(im->clocks, "  %s: %lluHz\n", name, (unsigned long long)hz);
}

static void seen(Imp *im, uint64_t last)
{
    if (last > im->top)
        im->top = last;
}

/* ---- nodes ---------------------------------------------------------------- */

static bool visit(Imp *im, int node, const char *bus, int ac, int sc);

typedef enum { K_PLB, K_OPB, K_PCI, K_PCIX } Kind;

static const char *kind_name(Kind k)
{
    static const char *const n[] = {"plb", "opb", "pci", "pcix"};
    return n[k];
}

static bool is_bus(const Imp *im, int node)
{
    return fdt_getprop(im->fdt, node, "ranges", NULL) ||
           prop_is(im, node, "device_type", "pci") ||
           compatible(im, node, "simple-bus") ||
           compatible(im, node, "ibm,plb") || compatible(im, node, "ibm,opb") ||
           compatible(im, node, "ibm,ebc");
}

static Kind bus_kind(const Imp *im, int node)
{
    if (prop_is(im, node, "device_type", "pci"))
        return compatible(im, node, "ibm,plb-pcix") ||
                       compatible(im, node, "ibm,plb-pciex")
                   ? K_PCIX
                   : K_PCI;
    if (compatible(im, node, "ibm,opb") || compatible(im, node, "ibm,ebc"))
        return K_OPB;
    return K_PLB;
}

/* A `ranges` or `dma-ranges` list as dmasim windows: entries of (child
 * address, parent address, size) in the child's and parent's cells; a PCI
 * child's address is three cells, whose first gives the space. */
static bool windows(Imp *im, int node, const char *prop, int cac, int pac,
                    int csc, FILE *f, bool upstream)
{
    int len;
    const fdt32_t *p = fdt_getprop(im->fdt, node, prop, &len);
    int per = cac + pac + csc;
    if (len % (4 * per))
        return fail(im, node, "%s of %d bytes is not a whole number of "
                              "entries of %d cells (child %d, parent %d, "
                              "size %d)",
                    prop, len, per, cac, pac, csc);
    fprintf(f, "    %s:", upstream ? "dma_ranges" : "ranges");
    int n = len / (4 * per);
    if (!n) {
        fprintf(f, " []\n");
        return true;
    }
    fputc('\n', f);
    for (int i = 0; i < n; i++, p += per) {
        const char *space = "";
        uint64_t child = cells(p, cac), parent = cells(p + cac, pac),
                 size = cells(p + cac + pac, csc);
        if (pac == 3) /* below a PCI bus (a PCI-to-PCI bridge): 64 bits */
            parent = cells(p + cac + 1, 2);
        if (cac == 3) {
            uint32_t code = (fdt32_to_cpu(p[0]) >> 24) & 3;
            child = cells(p + 1, 2);
            if (code == 0 || (code == 1 && upstream)) {
                tell(im, node, true, "%s entry %d is in PCI %s space", prop,
                     i, code ? "I/O" : "configuration");
                continue;
            }
            if (code == 1)
                space = ", space: io";
        }
        if (!size) {
            tell(im, node, true, "%s entry %d has size 0", prop, i);
            continue;
        }
        seen(im, parent + (size - 1));
        fprintf(f, "      - {child: 0x%llx, parent: 0x%llx, size: 0x%llx%s}\n",
                (unsigned long long)child, (unsigned long long)parent,
                (unsigned long long)size, space);
    }
    return true;
}

/* A bus below `parent`: merged into it when its ranges are empty (1:1 both
 * ways), else a bus of its own behind a bridge. */
static bool bus_node(Imp *im, int node, const char *parent, int ac, int sc)
{
    int cac, csc, len;
    if (!cell_count(im, node, "#address-cells", &cac) ||
        !cell_count(im, node, "#size-cells", &csc))
        return false;
    const void *ranges = fdt_getprop(im->fdt, node, "ranges", &len);
    bool pci = prop_is(im, node, "device_type", "pci");
    if (ranges && !len && !pci)
        return visit(im, node, parent, cac, csc);
    char path[256];
    node_path(im, node, path, sizeof path);
    Kind k = bus_kind(im, node);
    const char *name = unique_name(im, fdt_get_name(im->fdt, node, NULL));
    clock_for(im, node, name,
              k == K_PCI    ? DEF_PCI_HZ
              : k == K_PCIX ? DEF_PCIX_HZ
              : k == K_OPB  ? DEF_OPB_HZ
                            : DEF_PLB_HZ);
    fprintf(im->buses, "  - {name: %s, kind: %s, clock: %s%s}  # %s\n", name,
            kind_name(k), name,
            pci && cac == 3 ? ", address_bits: 64" : "", path);
    fprintf(im->comps, "  - name: %s-bridge  # %s\n    kind: bridge\n"
                       "    parent: %s\n    child: %s\n",
            name, path, parent, name);
    /* the 4xx OPB (and EBC) bridge claims what no other PLB slave does:
     * trees give it windows over other slaves' (docs/topology.md) */
    if (k == K_OPB)
        fprintf(im->comps, "    decode: subtractive\n");
    if (!ranges)
        tell(im, node, true, "no ranges: nothing passes down to %s", name);
    else if (!len)
        fprintf(im->comps, "    ranges: identity\n");
    else if (!windows(im, node, "ranges", cac, ac, csc, im->comps, false))
        return false;
    const void *dma = fdt_getprop(im->fdt, node, "dma-ranges", &len);
    if (!dma) {
        fprintf(im->comps, "    dma_ranges: identity\n");
        tell(im, node, false, "no dma-ranges: DMA upstream taken as 1:1, as "
                              "Linux reads it");
    } else if (!len) {
        fprintf(im->comps, "    dma_ranges: identity\n");
    } else if (!windows(im, node, "dma-ranges", cac, ac, csc, im->comps,
                        true)) {
        return false;
    }
    (void)sc;
    return visit(im, node, name, cac, csc);
}

/* `reg` as regions: entries of (address, size) in the parent's cells. */
static bool regions(Imp *im, int node, int ac, int sc, bool fifo, FILE *f)
{
    int len;
    const fdt32_t *p = fdt_getprop(im->fdt, node, "reg", &len);
    int per = ac + sc;
    if (!per || len % (4 * per))
        return fail(im, node, "reg of %d bytes is not a whole number of "
                              "entries of %d cells (address %d, size %d)",
                    len, per, ac, sc);
    fprintf(f, "    regions:\n");
    for (int i = 0; i < len / (4 * per); i++, p += per) {
        uint64_t base = cells(p, ac), size = cells(p + ac, sc);
        const char *kind = "";
        if (ac == 3) { /* a PCI address: the space, then 64 bits */
            uint32_t code = (fdt32_to_cpu(p[0]) >> 24) & 3;
            base = cells(p + 1, 2);
            if (!code) {
                tell(im, node, true, "reg entry %d is in PCI configuration "
                                     "space",
                     i);
                continue;
            }
            kind = code == 1 ? ", kind: io" : "";
        }
        if (!size)
            continue;
        bool first_fifo = fifo && i == 0 && !*kind;
        if (first_fifo && size > 8)
            size = 8; /* the data register */
        seen(im, base + (size - 1));
        fprintf(f, "      - {base: 0x%llx, size: 0x%llx%s%s}\n",
                (unsigned long long)base, (unsigned long long)size,
                first_fifo ? ", kind: fifo" : "", kind);
    }
    return true;
}

static bool uart_like(const Imp *im, int node)
{
    return prop_is(im, node, "device_type", "serial") ||
           compatible(im, node, "ns16550") || compatible(im, node, "ns16750") ||
           compatible(im, node, "arm,pl011");
}

static bool memory_node(Imp *im, int node, const char *bus, int ac, int sc)
{
    int len;
    const fdt32_t *p = fdt_getprop(im->fdt, node, "reg", &len);
    int per = ac + sc;
    if (!p || !per || len % (4 * per))
        return fail(im, node, "a memory node needs reg entries of %d cells",
                    per);
    char path[256];
    node_path(im, node, path, sizeof path);
    for (int i = 0; i < len / (4 * per); i++, p += per) {
        uint64_t base = cells(p, ac), size = cells(p + ac, sc);
        const char *name = unique_name(im, im->memories++ ? "sdram-1"
                                                          : "sdram");
        if (!size) {
            bool given;
            size = lookup(im->defs->memory, im->defs->n_memory, name,
                          DEF_MEMORY, &given);
            tell(im, node, false, "memory size 0 (firmware fills it in): "
                                  "%llu MiB from %s",
                 (unsigned long long)(size >> 20),
                 given ? "--defaults" : "the family's default");
        }
        seen(im, base + (size - 1));
        fprintf(im->comps, "  - {name: %s, kind: sdram, bus: %s, base: "
                           "0x%llx, size: 0x%llx}  # %s\n",
                name, bus, (unsigned long long)base,
                (unsigned long long)size, path);
    }
    return true;
}

/* A u32 property, or 0 when absent or not one cell. */
static uint32_t prop_u32(const Imp *im, int node, const char *prop)
{
    int len;
    const fdt32_t *p = fdt_getprop(im->fdt, node, prop, &len);
    return p && len == 4 ? fdt32_to_cpu(*p) : 0;
}

static bool pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

/* The CPU's data cache from the ePAPR properties (d-cache-size,
 * d-cache-line-size or else d-cache-block-size, d-cache-sets), appended
 * to its YAML when they say one dmasim can hold; else a note. */
static void cache_of(Imp *im, int node, char *buf, size_t n)
{
    uint32_t size = prop_u32(im, node, "d-cache-size");
    uint32_t line = prop_u32(im, node, "d-cache-line-size");
    uint32_t sets = prop_u32(im, node, "d-cache-sets");
    if (!line)
        line = prop_u32(im, node, "d-cache-block-size");
    buf[0] = '\0';
    if (!size && !line && !sets)
        return; /* the family's defaults (docs/topology.md) */
    if (size && line && !sets && line <= size / DEF_DCACHE_WAYS) {
        /* a common case (ppc trees give no sets): the family's ways */
        tell(im, node, false, "no d-cache-sets: %u ways, the family's "
                              "default",
             DEF_DCACHE_WAYS);
        sets = size / line / DEF_DCACHE_WAYS;
    }
    uint64_t ways = size && line && sets ? size / line / sets : 0;
    if (!pow2(line) || line > 256 || !pow2(size) || !pow2(sets) ||
        !pow2(ways) || (uint64_t)line * sets * ways != size ||
        size > (64u << 20) || size / line > (1u << 20)) {
        tell(im, node, true, "a data cache of d-cache-size %u, line %u, "
                             "%u sets: not one dmasim holds (powers of two, "
                             "lines up to 256 bytes, up to 64 MiB); the "
                             "defaults stand",
             size, line, sets);
        return;
    }
    snprintf(buf, n, ", line_size: %u, dcache_size: %u, dcache_ways: %llu",
             line, size, (unsigned long long)ways);
}

static bool cpus_node(Imp *im, int cpus, const char *bus)
{
    int c;
    fdt_for_each_subnode(c, im->fdt, cpus)
    {
        if (!prop_is(im, c, "device_type", "cpu"))
            continue;
        char path[256];
        node_path(im, c, path, sizeof path);
        const char *name = unique_name(im, im->cpus++ ? "cpu" : "cpu0");
        clock_for(im, c, name, DEF_CPU_HZ);
        char cache[128];
        cache_of(im, c, cache, sizeof cache);
        fprintf(im->comps, "  - {name: %s, kind: cpu, bus: %s, clock: %s%s}"
                           "  # %s\n",
                name, bus, name, cache, path);
    }
    return true;
}

static bool visit(Imp *im, int node, const char *bus, int ac, int sc)
{
    int c;
    fdt_for_each_subnode(c, im->fdt, node)
    {
        const char *raw = fdt_get_name(im->fdt, c, NULL);
        char path[256];
        node_path(im, c, path, sizeof path);
        bool ok = true;
        if (!strcmp(raw, "cpus")) {
            ok = cpus_node(im, c, bus);
        } else if (prop_is(im, c, "device_type", "memory")) {
            ok = memory_node(im, c, bus, ac, sc);
        } else if (is_bus(im, c)) {
            ok = bus_node(im, c, bus, ac, sc);
        } else if (fdt_getprop(im->fdt, c, "#dma-cells", NULL) ||
                   compatible(im, c, "ibm,dma-4")) {
            const char *name = unique_name(im, raw);
            fprintf(im->comps, "  - {name: %s, kind: dma, bus: %s}  # %s\n",
                    name, bus, path);
            /* dma-coherent on it or a bus above (of_dma_is_coherent) */
            im->dmas++;
            for (int a = c; a > 0; a = fdt_parent_offset(im->fdt, a))
                if (fdt_getprop(im->fdt, a, "dma-coherent", NULL)) {
                    im->coherent_dmas++;
                    break;
                }
        } else if (fdt_getprop(im->fdt, c, "reg", NULL)) {
            const char *name = unique_name(im, raw);
            fprintf(im->comps, "  - name: %s  # %s\n    kind: device\n"
                               "    bus: %s\n",
                    name, path, bus);
            ok = regions(im, c, ac, sc, uart_like(im, c), im->comps);
        } else if (fdt_getprop(im->fdt, c, "compatible", NULL)) {
            tell(im, c, true, "a device without reg");
        }
        if (!ok)
            return false;
    }
    return true;
}

bool dt_import(const void *fdt, size_t len, const char *file,
               const DtDefaults *defs, FILE *out, FILE *warn, char *err,
               size_t n)
{
    Imp im = {.fdt = fdt, .file = file, .defs = defs, .warn = warn,
              .err = err, .errn = n};
    if (len < FDT_V1_SIZE || fdt_check_header(fdt) ||
        fdt_totalsize(fdt) > len || fdt_check_full(fdt, len)) {
        snprintf(err, n, "%s: not a device tree blob", file);
        return false;
    }
    im.clocks = open_memstream(&im.clk, &im.clk_n);
    im.buses = open_memstream(&im.bus, &im.bus_n);
    im.comps = open_memstream(&im.comp, &im.comp_n);
    im.notes = open_memstream(&im.note, &im.note_n);
    if (!im.clocks || !im.buses || !im.comps || !im.notes)
        abort();
    int root = fdt_path_offset(fdt, "/"), ac = 0, sc = 0;
    /* The root bus: the one PLB-like child with empty ranges, if there is
     * one (its contents merge into it), else the root itself. */
    const char *rname = "root";
    int only = -1, c, buses = 0;
    fdt_for_each_subnode(c, fdt, root)
    {
        int rl;
        if (is_bus(&im, c) && fdt_getprop(fdt, c, "ranges", &rl) && !rl) {
            only = c;
            buses++;
        }
    }
    if (buses == 1)
        rname = fdt_get_name(fdt, only, NULL);
    rname = unique_name(&im, rname);
    bool ok = cell_count(&im, root, "#address-cells", &ac) &&
              cell_count(&im, root, "#size-cells", &sc);
    if (ok) {
        clock_for(&im, buses == 1 ? only : root, rname, DEF_PLB_HZ);
        fprintf(im.buses, "  - {name: %s, kind: plb, clock: %s}  # /\n",
                rname, rname);
        ok = visit(&im, root, rname, ac, sc);
    }
    if (ok && im.coherent_dmas && im.coherent_dmas < im.dmas)
        tell(&im, root, true, "dma-coherent on %u of %u DMA controllers: "
                              "kernel.coherent is one setting for the "
                              "board, left false",
             im.coherent_dmas, im.dmas);
    fclose(im.clocks);
    fclose(im.buses);
    fclose(im.comps);
    fclose(im.notes);
    if (ok) {
        int ml;
        const char *model = fdt_getprop(fdt, root, "model", &ml);
        unsigned bits = 32;
        while (bits < 64 && (im.top >> bits))
            bits++;
        char base[128];
        const char *slash = strrchr(file, '/');
        snprintf(base, sizeof base, "%s", slash ? slash + 1 : file);
        char *dot = strrchr(base, '.');
        if (dot)
            *dot = '\0';
        fprintf(out, "# Imported by `dmasim import` from %s; each bus, "
                     "component and\n# window cites its device-tree node.\n",
                file);
        fprintf(out, "name: %s\n", unique_name(&im, base));
        if (model && ml > 0) {
            fputs("description: \"", out);
            for (const char *s = model; *s; s++)
                if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
                    fputc(*s, out);
            fputs("\"\n", out);
        }
        fprintf(out, "address_bits: %u\n", bits);
        if (im.dmas && im.coherent_dmas == im.dmas)
            fputs("kernel: {coherent: true}  # dma-coherent on every DMA "
                  "controller\n",
                  out);
        fprintf(out, "clocks:\n%s", im.clk);
        fprintf(out, "buses:\n%scomponents:\n%s", im.bus, im.comp);
        if (im.note_n)
            fprintf(out, "# Not expressed in this topology:\n%s", im.note);
    }
    free(im.clk);
    free(im.bus);
    free(im.comp);
    free(im.note);
    for (size_t i = 0; i < im.n_names; i++)
        free(im.names[i]);
    return ok;
}
