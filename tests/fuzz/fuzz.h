/*
 * fuzz.h - shared by the libFuzzer targets: a scratch file for the readers
 * that take a path. (The error messages the targets provoke on purpose are
 * silenced by running them with -close_fd_mask=2, which keeps libFuzzer's
 * and the sanitizers' own reports.)
 */
#ifndef REVCAST_FUZZ_H
#define REVCAST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* A scratch directory, made once per process. */
const char *fuzz_dir(void);
/* Writes data to fuzz_dir()/name and returns the path (static). */
const char *fuzz_file(const char *name, const uint8_t *data, size_t len);

#endif
