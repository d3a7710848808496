/* dmasim route: follow one access hop by hop. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/core/json.h"
#include "sim/hw/route.h"
#include "sim/hw/topology.h"
#include "sim/core/units.h"

static const char route_help[] =
    "usage: dmasim route TOPOLOGY --from MASTER --addr A [--len N] [--json]\n"
    "\n"
    "Follows an access of N bytes (default 1) that bus master MASTER issues\n"
    "at address A on its own bus: each bus it crosses, its address there, the\n"
    "bridge window that translated it, and the target and offset it reaches,\n"
    "or where and why it dies (master abort, beyond an address width,\n"
    "straddling a decode boundary, beyond the master's dma_mask).\n"
    "A and N take hex with '_' and binary units: 0x3_8000_1000, 4KiB.\n"
    "\n"
    "  --json   one JSON object on stdout\n"
    "\n"
    "Exit status: 0 reached, 1 unreachable, 2 bad input.\n";

static void list_masters(const Topology *t, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_comps && n + 1 < len; i++)
        if (t->comps[i].is_master)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
                                  t->comps[i].name);
}

static void print_json(const Topology *t, const Route *r)
{
    JsonW w;
    jw_init(&w, stdout);
    jw_obj_begin(&w);
    jw_key(&w, "from");
    jw_str(&w, t->comps[r->master].name);
    jw_key(&w, "addr");
    jw_hex(&w, r->addr);
    jw_key(&w, "hops");
    jw_arr_begin(&w);
    for (size_t i = 0; i < r->n_hops; i++) {
        const RouteHop *h = &r->hops[i];
        jw_obj_begin(&w);
        jw_key(&w, "bus");
        jw_str(&w, t->buses[h->bus].name);
        jw_key(&w, "addr");
        jw_hex(&w, h->addr);
        jw_key(&w, "via");
        jw_str(&w, t->comps[h->via].name);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    if (r->status == ROUTE_OK) {
        jw_key(&w, "target");
        jw_obj_begin(&w);
        jw_key(&w, "component");
        jw_str(&w, t->comps[r->target_comp].name);
        jw_key(&w, "offset");
        jw_hex(&w, r->offset);
        jw_obj_end(&w);
    } else {
        jw_key(&w, "error");
        jw_str(&w, route_status_name(r->status));
        jw_key(&w, "reason");
        jw_str(&w, r->reason);
    }
    jw_obj_end(&w);
    jw_finish(&w);
}

static void print_text(const Topology *t, const Route *r)
{
    char a[32], b[32], c[32], s[32];
    printf("route from %s: %s, %s\n", t->comps[r->master].name,
           units_fmt_hex(r->addr, a, sizeof a),
           units_fmt_size(r->len, s, sizeof s));
    size_t wbus = 3;
    for (size_t i = 0; i < r->n_hops; i++) {
        size_t l = strlen(t->buses[r->hops[i].bus].name);
        if (l > wbus)
            wbus = l;
    }
    for (size_t i = 0; i < r->n_hops; i++) {
        const RouteHop *h = &r->hops[i];
        printf("  %-*s %-6s %-16s ", (int)wbus, t->buses[h->bus].name,
               space_name(h->space), units_fmt_hex(h->addr, a, sizeof a));
        if (!h->window) {
            printf("issued by %s\n", t->comps[h->via].name);
            continue;
        }
        const Decoder *d = h->window;
        char what[96];
        decoder_describe(t, d, what, sizeof what);
        printf("via %s: %s -> %s (%s)\n", what,
               units_fmt_hex(d->lo, b, sizeof b),
               units_fmt_hex(d->to_lo, c, sizeof c),
               d->hi - d->lo == UINT64_MAX
                   ? "16 EiB"
                   : units_fmt_size(d->hi - d->lo + 1, s, sizeof s));
    }
    if (r->status == ROUTE_OK) {
        const CompParams *tc = &t->comps[r->target_comp];
        printf("reached %s region %d (%s) at offset %s%s\n", tc->name,
               r->target_region,
               region_kind_name(tc->regions[r->target_region].kind),
               units_fmt_hex(r->offset, a, sizeof a),
               r->local ? ", locally: the master's own region, no bus "
                          "transaction"
                        : "");
    } else {
        printf("unreachable (%s): %s\n", route_status_name(r->status),
               r->reason);
    }
}

static int bad_arg(const char *fmt, const char *arg)
{
    fputs("dmasim route: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return EXIT_BAD_INPUT;
}

int cmd_route(int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'},
        {"addr", required_argument, NULL, 'a'},
        {"len", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *from = NULL, *addr_s = NULL, *len_s = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 'a': addr_s = optarg; break;
        case 'l': len_s = optarg; break;
        case 'j': json = true; break;
        case 'h': fputs(route_help, stdout); return EXIT_CLEAN;
        default: fputs(route_help, stderr); return EXIT_BAD_INPUT;
        }
    }
    if (argc - optind != 1 || !from || !addr_s) {
        fprintf(stderr, "dmasim route: need one TOPOLOGY, --from and "
                        "--addr\n");
        fputs(route_help, stderr);
        return EXIT_BAD_INPUT;
    }
    uint64_t addr, len = 1;
    char err[256];
    if (!units_parse_u64(addr_s, &addr, err, sizeof err))
        return bad_arg("--addr: %s", err);
    if (len_s) {
        if (!units_parse_u64(len_s, &len, err, sizeof err))
            return bad_arg("--len: %s", err);
        if (len == 0)
            return bad_arg("--len: %s", "must be at least 1 byte");
    }
    if (addr > UINT64_MAX - (len - 1))
        return bad_arg("%s", "the access wraps past the top of the 64-bit "
                             "address space");

    Diag d;
    diag_init(&d);
    Topology *t = topology_load(argv[optind], &d);
    int rc = EXIT_BAD_INPUT;
    if (!t || !topology_sound(&d)) {
        const Finding *f = diag_first(&d, SEV_FATAL);
        diag_print(stderr, f ? f : diag_first(&d, SEV_ERROR));
        if (t)
            fprintf(stderr, "dmasim route: the topology has errors; run "
                            "'dmasim check %s'\n",
                    argv[optind]);
        goto out;
    }
    int m = topo_find_comp(t, from);
    if (m < 0 || !t->comps[m].is_master) {
        char masters[512];
        list_masters(t, masters, sizeof masters);
        fprintf(stderr, "dmasim route: %s '%s' (masters: %s)\n",
                m < 0 ? "no component named" : "not a bus master:", from,
                masters);
        goto out;
    }
    Route r;
    route_access(t, m, addr, len, &r);
    if (json)
        print_json(t, &r);
    else
        print_text(t, &r);
    rc = r.status == ROUTE_OK ? EXIT_CLEAN : EXIT_FINDINGS;
out:
    topology_free(t);
    diag_free(&d);
    return rc;
}
