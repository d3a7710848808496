/* The fuzz folder (fuzz_files.h). */
#include "tests/fuzz/fuzz_files.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[4096];

static void die(const char *what, const char *path)
{
    perror(path);
    fprintf(stderr, "fuzz: cannot %s\n", what);
    exit(2);
}

/* Links every .yaml of repo/sub into dir. */
static void link_all(const char *repo, const char *sub, const char *dir)
{
    char from[8192], to[8192];
    snprintf(from, sizeof from, "%s/%s", repo, sub);
    DIR *d = opendir(from);
    if (!d)
        die("read the topologies", from);
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml"))
            continue;
        snprintf(from, sizeof from, "%s/%s/%s", repo, sub, e->d_name);
        snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
        if (symlink(from, to) && access(to, F_OK))
            die("link a topology", to);
    }
    closedir(d);
}

static void remove_all(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        for (struct dirent *e; (e = readdir(d));) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[8192];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat st;
            if (!lstat(sub, &st) && S_ISDIR(st.st_mode))
                remove_all(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

static void cleanup(void)
{
    if (root[0])
        remove_all(root);
}

static void setup(void)
{
    char repo[4096];
    if (!getcwd(repo, sizeof repo))
        die("find the source tree", ".");
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/dmasim-fuzz.%ld",
             tmp && *tmp ? tmp : "/tmp", (long)getpid());
    char p[8192];
    if (mkdir(root, 0700))
        die("make the fuzz folder", root);
    atexit(cleanup);
    snprintf(p, sizeof p, "%s/topologies", root);
    link_all(repo, "topologies", (mkdir(p, 0700), p));
    snprintf(p, sizeof p, "%s/w", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/w/scenarios", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/w/topologies", root);
    mkdir(p, 0700);
    link_all(repo, "topologies", p);
    link_all(repo, "tests/topologies", p);
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t len)
{
    static char path[8192];
    if (!root[0])
        setup();
    snprintf(path, sizeof path, "%s/w/%s", root, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f))
        die("write the input", path);
    return path;
}
