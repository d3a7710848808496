#define _DEFAULT_SOURCE /* realpath */
#include "sim/core/outfile.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/core/tempfile.h"

/* Flushes and checks a stream the caller keeps open. */
static bool finish_open(FILE *f, const char *path, char *err, size_t n)
{
    if (fflush(f) || ferror(f)) {
        snprintf(err, n, "cannot write %.300s: %s", path,
                 strerror(errno ? errno : EIO));
        return false;
    }
    return true;
}

bool outfile_is_stdout(const char *path)
{
    return !strcmp(path, "-") || !strcmp(path, "/dev/stdout") ||
           !strcmp(path, "/dev/fd/1") || !strcmp(path, "/proc/self/fd/1");
}

static bool under_dev(const char *p)
{
    return !strncmp(p, "/dev/", 5) || !strncmp(p, "/proc/", 6);
}

/* What is written in place: a device, a FIFO, a socket, or a name under
 * /dev or /proc (or a link there), such as /dev/stderr. */
static bool special(const char *path, const struct stat *st)
{
    if (under_dev(path) || (st && !S_ISREG(st->st_mode)))
        return true;
    char target[PATH_MAX];
    ssize_t l = readlink(path, target, sizeof target - 1);
    if (l <= 0)
        return false;
    target[l] = '\0';
    return under_dev(target);
}

/* Writes in place, appending: a device, a FIFO, a terminal, a file behind
 * /dev/fd/N — never replaced, never cut. */
static bool write_in_place(const char *path,
                           void (*fn)(FILE *, const void *), const void *ctx,
                           char *err, size_t n)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        snprintf(err, n, "cannot write %.300s: %s", path, strerror(errno));
        return false;
    }
    errno = 0;
    fn(f, ctx);
    bool ok = !ferror(f);
    int e = errno;
    if (fclose(f) && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        snprintf(err, n, "cannot write %.300s: %s", path,
                 strerror(e ? e : EIO));
    return ok;
}

/* A temporary file beside `target`, renamed over it once complete. */
static bool write_renamed(const char *path, const char *target,
                          void (*fn)(FILE *, const void *), const void *ctx,
                          char *err, size_t n)
{
    size_t pl = strlen(target) + 32;
    char *tmp = malloc(pl);
    if (!tmp)
        abort();
    snprintf(tmp, pl, "%s.tmp.%ld", target, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, n, "cannot write %.300s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    tempfile_hold(tmp);
    errno = 0;
    fn(f, ctx);
    bool ok = !ferror(f) && fflush(f) == 0;
    int e = errno;
    if (fclose(f) && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, target)) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        snprintf(err, n, "cannot write %.300s: %s", path,
                 strerror(e ? e : EIO));
        remove(tmp);
    }
    tempfile_release(tmp);
    free(tmp);
    return ok;
}

bool write_atomic(const char *path, void (*fn)(FILE *out, const void *ctx),
                  const void *ctx, char *err, size_t n)
{
    if (outfile_is_stdout(path)) {
        errno = 0;
        fn(stdout, ctx);
        return finish_open(stdout, "standard output", err, n);
    }
    struct stat st;
    bool exists = !stat(path, &st);
    if (exists && S_ISDIR(st.st_mode)) {
        snprintf(err, n, "cannot write %.300s: it is a directory", path);
        return false;
    }
    if (special(path, exists ? &st : NULL))
        return write_in_place(path, fn, ctx, err, n);
    if (!exists) { /* nothing there yet (or a dangling link) */
        struct stat lst;
        if (!lstat(path, &lst)) /* a link to a file not made yet */
            return write_in_place(path, fn, ctx, err, n);
        return write_renamed(path, path, fn, ctx, err, n);
    }
    char real[PATH_MAX];
    if (!realpath(path, real)) { /* the link's target moved meanwhile */
        snprintf(err, n, "cannot write %.300s: %s", path, strerror(errno));
        return false;
    }
    return write_renamed(path, real, fn, ctx, err, n);
}

/* The folder a new file at path would go in. */
static void folder_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

bool outfile_check(const char *path, const char *const *inputs, size_t n,
                   char *err, size_t errlen)
{
    if (outfile_is_stdout(path))
        return true;
    struct stat st;
    char dir[PATH_MAX + 1];
    bool exists = !stat(path, &st);
    if (!exists && special(path, NULL)) {
        snprintf(err, errlen, "cannot write %.300s: %s", path,
                 strerror(ENOENT));
        return false;
    }
    if (exists) {
        for (size_t i = 0; i < n; i++) {
            struct stat in;
            if (inputs[i] && !stat(inputs[i], &in) &&
                in.st_dev == st.st_dev && in.st_ino == st.st_ino) {
                snprintf(err, errlen,
                         "%.300s is an input (%.300s): refusing to write "
                         "over it",
                         path, inputs[i]);
                return false;
            }
        }
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "cannot write %.300s: it is a directory",
                     path);
            return false;
        }
        if (special(path, &st)) {
            if (access(path, W_OK)) {
                snprintf(err, errlen, "cannot write %.300s: %s", path,
                         strerror(errno));
                return false;
            }
            return true;
        }
        char real[PATH_MAX];
        if (!realpath(path, real)) {
            snprintf(err, errlen, "cannot write %.300s: %s", path,
                     strerror(errno));
            return false;
        }
        folder_of(real, dir, sizeof dir);
    } else {
        folder_of(path, dir, sizeof dir);
    }
    if (access(dir, W_OK | X_OK)) {
        snprintf(err, errlen, "cannot write %.300s: %.300s: %s", path, dir,
                 strerror(errno));
        return false;
    }
    return true;
}
