#define _XOPEN_SOURCE 700 /* nftw */
#include "testutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[256], dir[512];

void tu_begin(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/dmasim-test-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        abort();
    }
    /* Every test's files, and whatever the dmasim it runs leaves behind
     * (a killed sweep's workers), go under it. */
    if (setenv("TMPDIR", root, 1)) {
        perror("setenv");
        abort();
    }
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path))
        perror(path);
    return 0;
}

void tu_end(void)
{
    if (root[0])
        nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *tmpdir(void)
{
    if (!dir[0]) {
        /* under tu_begin's folder: TMPDIR, unless a test changed it */
        snprintf(dir, sizeof dir, "%s/t-XXXXXX", root[0] ? root : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            abort();
        }
    }
    return dir;
}

const char *tu_dir(void) { return tmpdir(); }

const char *tu_write_bytes(const char *name, const void *data, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        perror(path);
        abort();
    }
    return path;
}

const char *tu_write(const char *name, const char *text)
{
    return tu_write_bytes(name, text, strlen(text));
}

const char *tu_first(const Diag *d, Severity sev)
{
    static char buf[2048];
    const Finding *f = diag_first(d, sev);
    if (!f)
        return "";
    FILE *m = fmemopen(buf, sizeof buf, "w");
    diag_print(m, f);
    fclose(m);
    buf[strcspn(buf, "\n")] = '\0';
    /* Drop the private directory wherever it appears. */
    char pre[300];
    snprintf(pre, sizeof pre, "%s/", tmpdir());
    size_t pl = strlen(pre);
    for (char *p; (p = strstr(buf, pre));)
        memmove(p, p + pl, strlen(p + pl) + 1);
    return buf;
}

Topology *tu_load(const char *yaml, Diag *d)
{
    return topology_load(tu_write("t.yaml", yaml), d);
}

static char *slurp_fd(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    return buf;
}

int tu_run(char **out, char **err, const char *const *args)
{
    const char *bin = getenv("DMASIM");
    if (!bin || !*bin)
        bin = "build/dmasim";
    char opath[512], epath[512];
    snprintf(opath, sizeof opath, "%s/run.out", tmpdir());
    snprintf(epath, sizeof epath, "%s/run.err", tmpdir());
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        size_t n = 0;
        while (args[n])
            n++;
        char **argv = calloc(n + 2, sizeof *argv);
        argv[0] = (char *)bin;
        for (size_t i = 0; i < n; i++)
            argv[i + 1] = (char *)args[i];
        execv(bin, argv);
        perror(bin);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    int fo = open(opath, O_RDONLY), fe = open(epath, O_RDONLY);
    *out = slurp_fd(fo);
    *err = slurp_fd(fe);
    close(fo);
    close(fe);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
