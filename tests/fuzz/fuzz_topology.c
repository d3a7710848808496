/* libFuzzer target (`make fuzz`): a topology file to the loader, and a
 * topology that loads sound to the reachability lints and the router.
 * Bad input must give a NULL topology with exactly one fatal finding; any
 * crash, sanitizer report or leak is a bug. */
#include <stdio.h>
#include <stdlib.h>

#include "sim/hw/lint.h"
#include "sim/hw/route.h"
#include "sim/hw/topology.h"
#include "tests/fuzz/fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const char *path = fuzz_file("topology.yaml", data, len);
    Diag d;
    diag_init(&d);
    Topology *t = topology_load(path, &d);
    if (!t) {
        if (d.counts[SEV_FATAL] != 1) {
            fprintf(stderr, "fuzz: NULL topology with %zu fatal findings\n",
                    d.counts[SEV_FATAL]);
            abort();
        }
    } else if (topology_sound(&d)) {
        lint_reachability(t, &d);
        /* addresses from the input's bytes: the same input, the same
         * routes */
        uint64_t h = 1469598103934665603u;
        for (size_t i = 0; i < len; i++)
            h = (h ^ data[i]) * 1099511628211u;
        for (size_t m = 0; m < t->n_comps; m++) {
            if (!t->comps[m].is_master)
                continue;
            for (int k = 0; k < 4; k++) {
                h = h * 6364136223846793005u + 1442695040888963407u;
                uint64_t a = k == 0 ? 0 : h >> (h % 64);
                uint64_t n = 1 + (h >> 40) % 8192;
                if (a > UINT64_MAX - (n - 1))
                    a = UINT64_MAX - (n - 1);
                Route rt;
                route_access(t, (int)m, a, n, &rt);
            }
        }
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        diag_print_problems(null, &d);
        fclose(null);
    }
    topology_free(t);
    diag_free(&d);
    return 0;
}
