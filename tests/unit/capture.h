/*
 * capture.h - for the cmocka tests: standard error captured into a
 * temporary file while a call runs, so that tests can check the message a
 * failure prints. Include after cmocka.h.
 */
#ifndef REVCAST_TEST_CAPTURE_H
#define REVCAST_TEST_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

#include "util.h"

struct capture {
	FILE *tmp;
	int saved;
};

/* Sends fd 2 into a temporary file until capture_end(). */
static inline void capture_begin(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved = dup(2);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->tmp), 2) >= 0);
}

/* Restores fd 2 and returns what was written to it; the caller frees it. */
static inline char *capture_end(struct capture *c)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[4096];
	size_t n;

	fflush(stderr);
	assert_true(dup2(c->saved, 2) >= 0);
	close(c->saved);
	rewind(c->tmp);
	while ((n = fread(chunk, 1, sizeof(chunk), c->tmp)) > 0)
		strbuf_add(&sb, chunk, n);
	fclose(c->tmp);
	return strbuf_detach(&sb, NULL);
}

#endif
