/* dmasim import: a topology from a device tree (docs/topology.md,
 * "Importing a device tree"). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/cli/dt_import.h"
#include "sim/core/outfile.h"
#include "sim/core/tempfile.h"
#include "sim/core/yaml_load.h"

static const char import_help[] =
    "usage: dmasim import BOARD.dts|BOARD.dtb [-I DIR]... [-o F]\n"
    "                     [--defaults F]\n"
    "\n"
    "Writes a topology (YAML) from a device tree: a .dts is run through cpp\n"
    "(for #include and macros; -I adds an include folder) and dtc, a .dtb\n"
    "is read as it is.  Buses come from simple-bus and the 4xx PLB, OPB and\n"
    "EBC nodes and from PCI host bridges, windows from ranges and\n"
    "dma-ranges, RAM from memory nodes, devices from reg, DMA controllers\n"
    "from #dma-cells, FIFO registers from UARTs.  Each bus, component and\n"
    "window cites its node.  What the tree leaves to firmware (a clock, a\n"
    "memory size of 0) comes from --defaults or the family's default, with\n"
    "a warning; what the topology cannot express is listed at the end and\n"
    "on stderr.\n"
    "\n"
    "  -I DIR         a folder for cpp's #include (repeatable)\n"
    "  -o F           write the topology to F (default: standard output)\n"
    "  --defaults F   YAML: clocks: {NAME: FREQ}, memory: {NAME: SIZE}, by\n"
    "                 the names the topology gives\n"
    "\n"
    "Exit status: 0 written, 2 bad input (nothing written).\n";

/* Runs argv with stdout and stderr to `log`; its exit status, or -1. */
static int run_tool(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first lines of a tool's log, for a message. */
static void log_head(const char *log, char *buf, size_t n)
{
    FILE *f = fopen(log, "r");
    size_t k = 0;
    buf[0] = '\0';
    if (!f)
        return;
    char line[512];
    for (int i = 0; i < 3 && fgets(line, sizeof line, f); i++) {
        line[strcspn(line, "\n")] = '\0';
        k += (size_t)snprintf(buf + k, k < n ? n - k : 0, "%s%s",
                              i ? "; " : "", line);
        if (k >= n)
            break;
    }
    fclose(f);
}

static void *slurp(const char *path, size_t *len, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, n, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0, got = 0;
    for (;;) {
        if (got == cap) {
            cap = cap ? 2 * cap : 65536;
            if (cap > LD_MAX_FILE_BYTES * 4u) {
                snprintf(err, n, "%s is too large for a device tree", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        size_t r = fread(buf + got, 1, cap - got, f);
        got += r;
        if (!r)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, n, "cannot read %s", path);
        free(buf);
        return NULL;
    }
    *len = got;
    return buf;
}

/* cpp, then dtc, into a blob in a fresh folder under TMPDIR. */
static void *compile_dts(const char *file, char **incs, size_t n_incs,
                         size_t *len, char *err, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    char dir[3800], pre[4096], dtb[4096], log[4096];
    snprintf(dir, sizeof dir, "%s/dmasim-import-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, n, "cannot make a folder in %s: %s",
                 tmp && *tmp ? tmp : "/tmp", strerror(errno));
        return NULL;
    }
    snprintf(pre, sizeof pre, "%s/board.dts", dir);
    snprintf(dtb, sizeof dtb, "%s/board.dtb", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    tempfile_hold(pre);
    tempfile_hold(dtb);
    tempfile_hold(log);
    /* the file's own folder first, then -I's, as dtc's build does */
    char own[4096];
    snprintf(own, sizeof own, "%s", file);
    char *slash = strrchr(own, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(own, sizeof own, ".");
    char **argv = calloc(12 + 2 * n_incs, sizeof *argv);
    if (!argv)
        abort();
    size_t a = 0;
    char *fixed[] = {"cpp", "-nostdinc", "-undef", "-D__DTS__", "-x",
                     "assembler-with-cpp", "-I", own};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        argv[a++] = fixed[i];
    for (size_t i = 0; i < n_incs; i++) {
        argv[a++] = "-I";
        argv[a++] = incs[i];
    }
    argv[a++] = (char *)file;
    argv[a++] = "-o";
    argv[a++] = pre;
    argv[a] = NULL;
    void *blob = NULL;
    char head[400];
    int rc = run_tool(argv, log);
    if (rc) {
        log_head(log, head, sizeof head);
        snprintf(err, n, "%s: cpp: %s", file,
                 rc < 0 || !head[0] ? "could not preprocess it" : head);
    } else {
        char *dtc[] = {"dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, pre,
                       NULL};
        rc = run_tool(dtc, log);
        if (rc) {
            log_head(log, head, sizeof head);
            /* dtc names the preprocessed file: name the input instead */
            char *at = strstr(head, pre);
            char msg[600];
            if (at)
                snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - head), head,
                         file, at + strlen(pre));
            else
                snprintf(msg, sizeof msg, "%s", head);
            snprintf(err, n, "%s: dtc: %s", file,
                     rc == 127 ? "dtc is not installed (Debian package "
                                 "device-tree-compiler)"
                               : msg);
        } else {
            blob = slurp(dtb, len, err, n);
        }
    }
    free(argv);
    remove(pre);
    remove(dtb);
    remove(log);
    tempfile_release(pre);
    tempfile_release(dtb);
    tempfile_release(log);
    rmdir(dir);
    return blob;
}

/* --defaults: two mappings of names to values. */
static bool read_defaults(const char *file, DtDefaults *d, Arena *arena,
                          Diag *diag)
{
    Loader ld;
    if (!loader_open(&ld, file, arena, diag))
        return false;
    yaml_node_t *root = loader_root(&ld);
    static const char *const keys[] = {"clocks", "memory"};
    bool ok = true;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         ok && p < root->data.mapping.pairs.top; p++) {
        const char *k = ld_scalar(&ld, ld_node(&ld, p->key), "a key");
        if (!k)
            break;
        int which = !strcmp(k, keys[0]) ? 0 : !strcmp(k, keys[1]) ? 1 : -1;
        if (which < 0) {
            ok = ld_fail(&ld, ld_node(&ld, p->key),
                         "unknown key '%s' (known here: clocks, memory)", k);
            break;
        }
        size_t old = ld_push_key(&ld, k);
        yaml_node_t *m = ld_node(&ld, p->value);
        if (!ld_expect_map(&ld, m, "a mapping of names to values")) {
            ok = false;
            break;
        }
        for (yaml_node_pair_t *q = m->data.mapping.pairs.start;
             ok && q < m->data.mapping.pairs.top; q++) {
            const char *name = ld_scalar(&ld, ld_node(&ld, q->key), "a name");
            if (!name) {
                ok = false;
                break;
            }
            size_t o2 = ld_push_key(&ld, name);
            uint64_t v;
            ok = which ? ld_f_size(&ld, ld_node(&ld, q->value), &v)
                       : ld_f_freq(&ld, ld_node(&ld, q->value), &v);
            ld_pop(&ld, o2);
            if (!ok)
                break;
            DtDefault **arr = which ? &d->memory : &d->clocks;
            size_t *cnt = which ? &d->n_memory : &d->n_clocks;
            *arr = realloc(*arr, (*cnt + 1) * sizeof **arr);
            if (!*arr)
                abort();
            (*arr)[*cnt].name = strdup(name);
            (*arr)[(*cnt)++].value = v;
        }
        ld_pop(&ld, old);
    }
    loader_close(&ld);
    return ok && !ld.failed;
}

typedef struct WriteCtx {
    const char *yaml;
} WriteCtx;

static void write_yaml(FILE *out, const void *ctx)
{
    fputs(((const WriteCtx *)ctx)->yaml, out);
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"defaults", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = "-", *defaults = NULL;
    char **incs = calloc((size_t)argc + 1, sizeof *incs);
    if (!incs)
        abort();
    size_t n_incs = 0;
    int c, rc = EXIT_BAD_INPUT;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "I:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'I':
            incs[n_incs++] = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'd':
            defaults = optarg;
            break;
        case 'h':
            fputs(import_help, stdout);
            free(incs);
            return EXIT_CLEAN;
        default:
            fprintf(stderr, "dmasim import: unknown option '%s'\n%s",
                    argv[optind - 1], import_help);
            free(incs);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "dmasim import: give one device tree\n%s",
                import_help);
        free(incs);
        return EXIT_BAD_INPUT;
    }
    const char *file = argv[optind];
    char err[1200];
    const char *inputs[] = {file, defaults};
    if (!outfile_check(out, inputs, defaults ? 2 : 1, err, sizeof err)) {
        fprintf(stderr, "dmasim import: %s\n", err);
        free(incs);
        return EXIT_BAD_INPUT;
    }
    DtDefaults defs = {0};
    Arena *arena = arena_new();
    Diag diag;
    diag_init(&diag);
    void *blob = NULL;
    char *yaml = NULL;
    size_t len = 0, ylen = 0;
    if (defaults && !read_defaults(defaults, &defs, arena, &diag)) {
        diag_print(stderr, &diag.v[0]);
        goto out;
    }
    size_t fl = strlen(file);
    bool is_dtb = fl > 4 && !strcmp(file + fl - 4, ".dtb");
    blob = is_dtb ? slurp(file, &len, err, sizeof err)
                  : compile_dts(file, incs, n_incs, &len, err, sizeof err);
    if (!blob) {
        fprintf(stderr, "dmasim import: %s\n", err);
        goto out;
    }
    /* warnings and notes are told only when the import succeeds: a
     * failure is one message */
    char *said = NULL;
    size_t said_n = 0;
    FILE *y = open_memstream(&yaml, &ylen), *w = open_memstream(&said,
                                                                &said_n);
    if (!y || !w)
        abort();
    bool ok = dt_import(blob, len, file, &defs, y, w, err, sizeof err);
    fclose(y);
    fclose(w);
    if (ok)
        fputs(said, stderr);
    free(said);
    if (!ok) {
        fprintf(stderr, "dmasim import: %s\n", err);
        goto out;
    }
    WriteCtx wc = {yaml};
    if (!write_atomic(out, write_yaml, &wc, err, sizeof err)) {
        fprintf(stderr, "dmasim import: %s\n", err);
        goto out;
    }
    rc = EXIT_CLEAN;
out:
    for (size_t i = 0; i < defs.n_clocks; i++)
        free(defs.clocks[i].name);
    for (size_t i = 0; i < defs.n_memory; i++)
        free(defs.memory[i].name);
    free(defs.clocks);
    free(defs.memory);
    free(blob);
    free(yaml);
    free(incs);
    diag_free(&diag);
    arena_free(arena);
    return rc;
}
