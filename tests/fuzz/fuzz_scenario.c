/* libFuzzer target (`make fuzz`): a scenario file to the scenario loader
 * (which loads the topology it names: the shipped and test topologies are
 * there, see fuzz_files.h), and a scenario that loads and moves little to
 * every scheme's run and its expectations.  Bad input must give a NULL
 * scenario with a fatal finding; any crash, sanitizer report or leak is a
 * bug. */
#include <stdio.h>
#include <stdlib.h>

#include "sim/run/runner.h"
#include "sim/run/scenario.h"
#include "tests/fuzz/fuzz_files.h"

/* Runs that move more are skipped: a fuzzer wants many inputs a second. */
#define RUN_BYTES (256u * 1024)
#define RUN_OPS 512u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const char *path = fuzz_file("scenarios/scenario.yaml", data, len);
    Diag d;
    diag_init(&d);
    Scenario *s = scenario_load(path, &d);
    if (!s) {
        if (d.counts[SEV_FATAL] < 1) {
            fprintf(stderr, "fuzz: NULL scenario without a fatal finding\n");
            abort();
        }
        diag_free(&d);
        return 0;
    }
    uint64_t bytes = 0, ops = 0;
    for (size_t i = 0; i < s->n_streams; i++)
        for (size_t j = 0; j < s->streams[i].n_ops; j++) {
            uint64_t r = s->streams[i].ops[j].repeat;
            uint64_t l = s->streams[i].ops[j].len;
            ops += r;
            bytes += r > RUN_BYTES || l > RUN_BYTES ? RUN_BYTES + 1 : r * l;
            if (ops > RUN_OPS || bytes > RUN_BYTES)
                goto done;
        }
    SchemeResult res[RUN_MAX_SCHEMES];
    char *why[RUN_MAX_SCHEMES];
    size_t n = 0;
    run_schemes(s, NULL, 0, res, why, &n, &d, NULL);
    run_schemes_free(res, why, n);
done:
    scenario_free(s);
    diag_free(&d);
    return 0;
}
