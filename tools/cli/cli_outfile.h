/* SPDX-License-Identifier: MIT */
/* The one writer of every output file (-w): a regular file (or a name that
 * does not exist yet) is written to a temporary created exclusively beside
 * it (never through a link) and renamed into place only when every write,
 * the flush, the fsync and the close succeeded; a device, a FIFO, "-" or
 * /dev/stdout is written directly and never renamed over or removed. */
#ifndef MS_TOOLS_CLI_OUTFILE_H
#define MS_TOOLS_CLI_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct cli_outfile cli_outfile;

/* NULL with err ("PATH: strerror") when it cannot be created. */
cli_outfile *cli_outfile_open(const char *path, char *err, size_t errlen);
/* The stream to write to; it stays the writer's (never fclose it). */
FILE *cli_outfile_stream(cli_outfile *f);
/* True once a write to the stream failed; call it right after writing,
 * while errno still says why (ENOSPC), so commit can name the cause. */
int cli_outfile_failed(cli_outfile *f);
/* "PATH: strerror" of the failed write into err; 0 when none failed. */
int cli_outfile_error(const cli_outfile *f, char *err, size_t errlen);
/* Flush, check, fsync, close and rename into place; frees f. 0, or -1
 * with err ("PATH: strerror") and nothing left at PATH that was not
 * there before. */
int cli_outfile_commit(cli_outfile *f, char *err, size_t errlen);
/* Close and remove the temporary (a direct target is left alone); frees
 * f. NULL is fine. */
void cli_outfile_abort(cli_outfile *f);

#endif
