/* sim/core/outfile: the one writer of outputs — regular files through a
 * temporary file and a rename, links followed to their file, FIFOs and
 * names under /dev written in place and never replaced, every write
 * checked; and the check before a run that an output can be written and
 * is no input. */
#define _DEFAULT_SOURCE /* mkfifo, symlink */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/core/outfile.h"
#include "testutil.h"

static void hello(FILE *out, const void *ctx)
{
    fputs(ctx, out);
}

/* A fresh folder of its own for a test. */
static const char *folder(const char *name)
{
    static char dir[512];
    snprintf(dir, sizeof dir, "%s", tu_write("probe", ""));
    *strrchr(dir, '/') = '\0';
    size_t n = strlen(dir);
    snprintf(dir + n, sizeof dir - n, "/%s", name);
    mkdir(dir, 0777);
    return dir;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = NULL;
    size_t n = 0;
    ck_assert(getdelim(&buf, &n, '\0', f) >= 0 || feof(f));
    fclose(f);
    return buf ? buf : strdup("");
}

/* The folder holds exactly `want` entries (no temporary file left). */
static void entries(const char *dir, int want)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(n, want);
}

START_TEST(regular_and_links)
{
    const char *dir = folder("reg");
    char path[600], link[600], err[400];
    snprintf(path, sizeof path, "%s/out.json", dir);
    ck_assert(write_atomic(path, hello, "one\n", err, sizeof err));
    ck_assert(write_atomic(path, hello, "two\n", err, sizeof err));
    char *got = slurp(path);
    ck_assert_str_eq(got, "two\n");
    free(got);
    /* a link stays a link; its file gets the bytes */
    snprintf(link, sizeof link, "%s/link.json", dir);
    ck_assert_int_eq(symlink("out.json", link), 0);
    ck_assert(write_atomic(link, hello, "three\n", err, sizeof err));
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    got = slurp(path);
    ck_assert_str_eq(got, "three\n");
    free(got);
    entries(dir, 2);
    /* a directory is refused */
    ck_assert(!write_atomic(dir, hello, "x", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "it is a directory"));
}
END_TEST

/* A FIFO is written in place: the reader gets the bytes and the FIFO is
 * still a FIFO afterwards (it used to be replaced by a regular file). */
START_TEST(fifo_in_place)
{
    const char *dir = folder("fifo");
    char path[600], got_path[600], err[400];
    snprintf(path, sizeof path, "%s/pipe", dir);
    snprintf(got_path, sizeof got_path, "%s/got", dir);
    ck_assert_int_eq(mkfifo(path, 0666), 0);
    pid_t pid = fork();
    if (pid == 0) { /* the reader */
        FILE *in = fopen(path, "r"), *out = fopen(got_path, "w");
        int c;
        while (in && out && (c = fgetc(in)) != EOF)
            fputc(c, out);
        _exit(!in || !out || fclose(out));
    }
    ck_assert(write_atomic(path, hello, "through the pipe\n", err,
                           sizeof err));
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && !WEXITSTATUS(st));
    struct stat sb;
    ck_assert_int_eq(lstat(path, &sb), 0);
    ck_assert(S_ISFIFO(sb.st_mode));
    char *got = slurp(got_path);
    ck_assert_str_eq(got, "through the pipe\n");
    free(got);
    entries(dir, 2);
}
END_TEST

/* A write that fails (a file size limit: EFBIG) is an error, and the old
 * file stays whole. */
START_TEST(write_errors)
{
    const char *dir = folder("full");
    char path[600];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("old\n", f);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        char err[400], *big = malloc(100000);
        memset(big, 'x', 99999);
        big[99999] = '\0';
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {8192, 8192};
        setrlimit(RLIMIT_FSIZE, &rl);
        bool ok = write_atomic(path, hello, big, err, sizeof err);
        _exit(ok ? 1 : strstr(err, "File too large") ? 0 : 2);
    }
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 0);
    char *got = slurp(path);
    ck_assert_str_eq(got, "old\n");
    free(got);
    entries(dir, 1);
}
END_TEST

/* Before a run: an output that is an input, by any name, is refused; so
 * is one whose folder does not exist. */
START_TEST(check_before_run)
{
    const char *dir = folder("check");
    char in[600], alias[600], link[600], err[700];
    snprintf(in, sizeof in, "%s/s.yaml", dir);
    snprintf(alias, sizeof alias, "%s/../check/./s.yaml", dir);
    snprintf(link, sizeof link, "%s/l.yaml", dir);
    FILE *f = fopen(in, "w");
    fputs("name: s\n", f);
    fclose(f);
    ck_assert_int_eq(symlink("s.yaml", link), 0);
    const char *inputs[2] = {"topologies/ebony.yaml", in};
    const char *outs[3] = {in, alias, link};
    for (int i = 0; i < 3; i++) {
        ck_assert(!outfile_check(outs[i], inputs, 2, err, sizeof err));
        char want[1400];
        snprintf(want, sizeof want,
                 "%s is an input (%s): refusing to write over it", outs[i],
                 in);
        ck_assert_str_eq(err, want);
    }
    char other[600];
    snprintf(other, sizeof other, "%s/new.json", dir);
    ck_assert(outfile_check(other, inputs, 2, err, sizeof err));
    ck_assert(outfile_check("-", inputs, 2, err, sizeof err));
    ck_assert(!outfile_check("/nonexistent/dir/x.csv", inputs, 2, err,
                             sizeof err));
    ck_assert_str_eq(err, "cannot write /nonexistent/dir/x.csv: "
                          "/nonexistent/dir: No such file or directory");
    ck_assert(!outfile_check(dir, inputs, 2, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "it is a directory"));
    ck_assert(outfile_is_stdout("/dev/stdout") && outfile_is_stdout("-"));
    ck_assert(!outfile_is_stdout("/dev/stderr"));
}
END_TEST

Suite *outfile_suite(void)
{
    Suite *s = suite_create("outfile");
    TCase *tc = tcase_create("write");
    tcase_add_test(tc, regular_and_links);
    tcase_add_test(tc, fifo_in_place);
    tcase_add_test(tc, write_errors);
    tcase_add_test(tc, check_before_run);
    suite_add_tcase(s, tc);
    return s;
}
