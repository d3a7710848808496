/* make fuzz: feeds mutated topology files to the loader, the lints and the
 * router, and mutated scenario files to the scenario loader and (when
 * they load and move little) to every scheme's run, for a while, in one
 * process, under the sanitizer build.  Any
 * crash, sanitizer report or leak fails it; bad input must only ever give
 * a fatal finding.  Mutations: byte flips, deletions, truncations, and
 * insertions of YAML punctuation and numbers that stress the schema.
 *
 * usage: fuzz_topology SECONDS SEED FILE...   (a FILE under a directory
 * named scenarios is a scenario; its mutants are written beside it, as
 * dot files, so that its relative topology path still resolves) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/hw/lint.h"
#include "sim/run/runner.h"
#include "sim/hw/route.h"
#include "sim/hw/topology.h"

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    return buf;
}

static const char *const tokens[] = {
    "[", "]", "{", "}", ":", ", ", "- ", "&a ", "*a", "\n", "  ", "'", "\"",
    "0x", "_", "-1", "0", "64KiB", "99999999999999999999", "identity",
    "kind: io", "space: io", "dma_mask: 1", "size: 0", "~", "#", "\t",
    "parent: plb", "child: plb", "0xFFFF_FFFF_FFFF_FFFF", "16EiB",
    "alloc: vmalloc", "alloc: highmem", "fifo: uart0", "mmio: card",
    "engine: auto", "engine: cpu", "map: sg", "repeat: 3", "size: 1",
    "offset: 0xFFF", "op: copy", "dev: dma0", "region: 1",
};

/* A mutated scenario: loading gives a scenario or exactly one fatal
 * finding; a small one runs under every scheme. */
static int fuzz_scenario(const char *path, unsigned long *sound,
                         unsigned long *fatal, unsigned long *runs_done)
{
    Diag d;
    diag_init(&d);
    Scenario *s = scenario_load(path, &d);
    if (!s) {
        bool ok = d.counts[SEV_FATAL] >= 1;
        diag_free(&d);
        if (!ok) {
            fprintf(stderr, "fuzz: NULL scenario without a fatal finding\n");
            return 1;
        }
        (*fatal)++;
        return 0;
    }
    (*sound)++;
    uint64_t bytes = 0;
    for (size_t i = 0; i < s->n_streams; i++)
        for (size_t j = 0; j < s->streams[i].n_ops; j++)
            bytes += s->streams[i].ops[j].len * s->streams[i].ops[j].repeat;
    if (bytes <= 256 * 1024) {
        for (size_t i = 0; i < s->n_schemes; i++) {
            SchemeResult r;
            if (run_scheme(s, dma_api_find(s->schemes[i]), &r, &d)) {
                scheme_result_free(&r);
                (*runs_done)++;
            }
        }
    }
    scenario_free(s);
    diag_free(&d);
    return 0;
}

static size_t mutate(char *buf, size_t len, size_t cap)
{
    int n = 1 + (int)(next() % 4);
    for (int k = 0; k < n && len; k++) {
        size_t at = next() % len;
        switch (next() % 4) {
        case 0: /* flip */
            buf[at] ^= (char)(1u << (next() % 8));
            break;
        case 1: { /* delete a run */
            size_t run = 1 + next() % 16;
            if (at + run > len)
                run = len - at;
            memmove(buf + at, buf + at + run, len - at - run);
            len -= run;
            break;
        }
        case 2: /* truncate */
            len = at;
            break;
        default: { /* insert a token */
            const char *t = tokens[next() % (sizeof tokens / sizeof *tokens)];
            size_t tl = strlen(t);
            if (len + tl < cap) {
                memmove(buf + at + tl, buf + at, len - at);
                memcpy(buf + at, t, tl);
                len += tl;
            }
        }
        }
    }
    return len;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s SECONDS SEED FILE...\n", argv[0]);
        return 2;
    }
    double secs = atof(argv[1]);
    rng = strtoull(argv[2], NULL, 0) | 1;
    int nfiles = argc - 3;
    size_t *lens = calloc((size_t)nfiles, sizeof *lens);
    char **orig = calloc((size_t)nfiles, sizeof *orig);
    for (int i = 0; i < nfiles; i++)
        orig[i] = slurp(argv[3 + i], &lens[i]);

    char path[] = "/tmp/dmasim-fuzz-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    char scen_path[4096];
    unsigned long scen_sound = 0, scen_fatal = 0, scen_runs = 0;
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    unsigned long runs = 0, fatal = 0, sound = 0, routes = 0;
    time_t end = time(NULL) + (time_t)secs;
    while (time(NULL) < end) {
        for (int r = 0; r < 200; r++, runs++) {
            int i = (int)(next() % (uint64_t)nfiles);
            memcpy(buf, orig[i], lens[i]);
            size_t len = mutate(buf, lens[i], cap);
            const char *dir = strstr(argv[3 + i], "scenarios/");
            if (dir) {
                snprintf(scen_path, sizeof scen_path, "%.*s.fuzz-%d.yaml",
                         (int)(dir - argv[3 + i]) + 10, argv[3 + i],
                         (int)getpid());
                FILE *f = fopen(scen_path, "wb");
                fwrite(buf, 1, len, f);
                fclose(f);
                if (fuzz_scenario(scen_path, &scen_sound, &scen_fatal,
                                  &scen_runs))
                    return 1;
                continue;
            }
            FILE *f = fopen(path, "wb");
            fwrite(buf, 1, len, f);
            fclose(f);
            Diag d;
            diag_init(&d);
            Topology *t = topology_load(path, &d);
            if (!t) {
                if (d.counts[SEV_FATAL] != 1) {
                    fprintf(stderr, "fuzz: NULL topology with %zu fatal "
                                    "findings\n",
                            d.counts[SEV_FATAL]);
                    return 1;
                }
                fatal++;
            } else if (topology_sound(&d)) {
                sound++;
                lint_reachability(t, &d);
                for (size_t m = 0; m < t->n_comps; m++) {
                    if (!t->comps[m].is_master)
                        continue;
                    Route rt;
                    uint64_t a = next() >> (next() % 64);
                    uint64_t n = 1 + next() % 8192;
                    if (a > UINT64_MAX - (n - 1))
                        a = UINT64_MAX - (n - 1);
                    route_access(t, (int)m, a, n, &rt);
                    routes++;
                }
            }
            topology_free(t);
            diag_free(&d);
        }
    }
    unlink(path);
    if (scen_sound + scen_fatal)
        unlink(scen_path);
    printf("fuzz runs=%lu rejected=%lu sound=%lu routes=%lu\n", runs, fatal,
           sound, routes);
    printf("fuzz scenarios: rejected=%lu loaded=%lu scheme_runs=%lu\n",
           scen_fatal, scen_sound, scen_runs);
    for (int i = 0; i < nfiles; i++)
        free(orig[i]);
    free(orig);
    free(lens);
    free(buf);
    return 0;
}
