/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* mkostemp */
#include "cli_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cli_outfile {
    FILE *fp;
    char *path;
    char *tmp;    /* NULL: written directly (device, FIFO, standard output) */
    bool is_stdout;
    int write_errno; /* the first failed write's errno, 0 if none */
};

static void set_err(char *err, size_t errlen, const char *path, int e)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, strerror(e));
}

static void release(cli_outfile *f)
{
    free(f->path);
    free(f->tmp);
    free(f);
}

/* "DIR/.NAME.XXXXXX" beside path. */
static char *temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + sizeof "/..XXXXXX";
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
    return t;
}

cli_outfile *cli_outfile_open(const char *path, char *err, size_t errlen)
{
    cli_outfile *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        set_err(err, errlen, path, ENOMEM);
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        f->is_stdout = true;
        f->fp = stdout;
        return f;
    }
    struct stat st;
    /* /dev/stdout and the like name a descriptor, whatever it points at
     * (a regular file when redirected): never a name to rename over. */
    bool fd_name = !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/stderr") ||
                   !strncmp(path, "/dev/fd/", 8) || !strncmp(path, "/proc/", 6);
    if (stat(path, &st) == 0 && (fd_name || !S_ISREG(st.st_mode))) {
        if (S_ISDIR(st.st_mode)) {
            set_err(err, errlen, path, EISDIR);
            release(f);
            return NULL;
        }
        /* A device or FIFO (/dev/null, /dev/stdout): the name is not ours
         * to replace, so it is opened as it is, never created. */
        int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || !(f->fp = fdopen(fd, "w"))) {
            set_err(err, errlen, path, errno);
            if (fd >= 0)
                close(fd);
            release(f);
            return NULL;
        }
        return f;
    }
    if (!(f->tmp = temp_template(path))) {
        set_err(err, errlen, path, ENOMEM);
        release(f);
        return NULL;
    }
    /* O_EXCL creates a new name or fails: a link planted there is never
     * followed, a file planted there never reused. */
    int fd = mkostemp(f->tmp, O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        set_err(err, errlen, path, errno);
        free(f->tmp);
        f->tmp = NULL;
        release(f);
        return NULL;
    }
    /* mkostemp makes 0600; a finished file gets what open(2) would give. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(f->fp = fdopen(fd, "w"))) {
        set_err(err, errlen, path, errno);
        close(fd);
        unlink(f->tmp);
        release(f);
        return NULL;
    }
    return f;
}

FILE *cli_outfile_stream(cli_outfile *f)
{
    return f->fp;
}

int cli_outfile_failed(cli_outfile *f)
{
    if (!f->write_errno && ferror(f->fp))
        f->write_errno = errno ? errno : EIO;
    return f->write_errno != 0;
}

int cli_outfile_error(const cli_outfile *f, char *err, size_t errlen)
{
    if (f->write_errno)
        set_err(err, errlen, f->path, f->write_errno);
    return f->write_errno != 0;
}

int cli_outfile_commit(cli_outfile *f, char *err, size_t errlen)
{
    int e = f->write_errno;
    errno = 0;
    if (!e && fflush(f->fp) != 0)
        e = errno ? errno : EIO;
    if (!e && ferror(f->fp))
        e = EIO; /* a write failed unnoticed; its errno is gone */
    /* The data must be on disk before the name points at it. */
    if (!e && f->tmp && fsync(fileno(f->fp)) != 0)
        e = errno;
    if (f->is_stdout) {
        /* Standard output stays open for the messages after this. */
    } else if (fclose(f->fp) != 0 && !e) {
        e = errno;
    }
    f->fp = NULL;
    if (!e && f->tmp && rename(f->tmp, f->path) != 0)
        e = errno;
    if (e) {
        if (f->tmp)
            unlink(f->tmp);
        set_err(err, errlen, f->path, e);
    }
    release(f);
    return e ? -1 : 0;
}

void cli_outfile_abort(cli_outfile *f)
{
    if (!f)
        return;
    if (f->fp && !f->is_stdout)
        fclose(f->fp);
    if (f->tmp)
        unlink(f->tmp);
    release(f);
}
