#include "sim/core/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool write_atomic(const char *path, void (*fn)(FILE *out, const void *ctx),
                  const void *ctx, char *err, size_t n)
{
    size_t pl = strlen(path) + 32;
    char *tmp = malloc(pl);
    if (!tmp)
        abort();
    snprintf(tmp, pl, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, n, "cannot write %.300s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    fn(f, ctx);
    bool ok = !ferror(f);
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path)) {
        snprintf(err, n, "cannot write %.300s: %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return false;
    }
    free(tmp);
    return true;
}
