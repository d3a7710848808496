/* libFuzzer target (`make fuzz`): sweep CSVs to `dmasim merge`, which
 * reads them with the reader that `sweep --resume` uses (RFC 4180 records,
 * cut last lines, headers), checks them, sorts and de-duplicates their
 * lines and writes the merged file.  The input is split at its first NUL
 * byte into two files.  Any crash, sanitizer report or leak is a bug; a
 * refusal is fine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "tests/fuzz/fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const uint8_t *nul = memchr(data, 0, len);
    size_t a = nul ? (size_t)(nul - data) : len;
    char pa[4096], pb[4096], po[4096];
    snprintf(pa, sizeof pa, "%s", fuzz_file("a.csv", data, a));
    snprintf(pb, sizeof pb, "%s",
             fuzz_file("b.csv", nul ? nul + 1 : data, nul ? len - a - 1 : 0));
    snprintf(po, sizeof po, "%s", fuzz_file("out.csv", data, 0));
    char *argv[] = {"merge", pa, pb, "-o", po, NULL};
    cmd_merge(5, argv);
    return 0;
}
