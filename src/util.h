/*
 * util.h - small helpers every module uses: error reporting in git's style,
 * checked allocation, a growable string buffer, strict number parsing,
 * UTF-8 checks and files that appear atomically.
 */
#ifndef REVCAST_UTIL_H
#define REVCAST_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

/* Verbosity, set once by the command level: 0 normal, 1 quiet. */
extern int util_quiet;

/*
 * Prints "revcast: error: MSG" to standard error and returns -1, so that a
 * caller can write: return error("cannot open '%s'", path);
 */
int error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Prints "revcast: warning: MSG" to standard error. */
void warning(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Prints "revcast: MSG" unless quiet. */
void info(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Prints "revcast: fatal: MSG" and exits with status 128. Command level only. */
NORETURN void die(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Allocation that dies on exhaustion: callers never check for NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xstrdup(s), or NULL when s is NULL. */
char *xstrdup_or_null(const char *s);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Grows array `a` of `alloc` elements so that it holds at least `nr`. */
#define ALLOC_GROW(a, nr, alloc) do { \
		if ((nr) > (alloc)) { \
			size_t n_ = (alloc) ? (alloc) * 2 : 16; \
			while (n_ < (nr)) n_ *= 2; \
			(a) = xrealloc((a), n_ * sizeof(*(a))); \
			(alloc) = n_; \
		} \
	} while (0)

/*
 * A growable NUL-terminated byte string. strbuf_init() allocates nothing;
 * buf is always a valid string. After strbuf_detach() the caller owns the
 * storage and the strbuf is empty again.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
extern char strbuf_slopbuf[1];
#define STRBUF_INIT { strbuf_slopbuf, 0, 0 }
void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Removes trailing ASCII white space. */
void strbuf_rtrim(struct strbuf *sb);

/*
 * Strict number parsing (no atoi): the whole string must be a number in
 * [min, max]. Return 0 on success, -1 otherwise (nothing printed, *out
 * untouched).
 */
int parse_long(const char *s, long min, long max, long *out);
int parse_double(const char *s, double min, double max, double *out);
/* "yes/no/true/false/1/0/on/off" (case-insensitive); -1 if none. */
int parse_bool(const char *s);

/*
 * Returns the byte offset of the first byte of s[0..len) that is not part
 * of valid UTF-8 (overlongs, surrogates and code points above U+10FFFF are
 * invalid), or len when all of it is valid.
 */
size_t utf8_invalid_at(const char *s, size_t len);
/*
 * Decodes one code point of valid UTF-8 at *p, advancing *p. Returns the
 * code point, or -1 (advancing one byte) on an invalid sequence.
 */
long utf8_decode(const char **p, const char *end);
/* Appends the UTF-8 encoding of code point cp. */
void utf8_encode(struct strbuf *sb, long cp);
/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t len);
/* 1-based line number of byte offset `at` in buf. */
int line_of_offset(const char *buf, size_t at);

/*
 * Reads the whole file at `path` into sb. Fails (printing an error that
 * names the file) when it cannot be read or is larger than max bytes.
 */
int read_file(const char *path, struct strbuf *sb, size_t max);

/*
 * A file that appears at its final path complete or not at all. It is
 * written under a temporary name in the same directory and renamed into
 * place by atomic_file_commit(), after an fsync. atomic_file_abort()
 * removes the temporary file; it is safe to call after a commit, and on a
 * file that was never opened (after atomic_file_init).
 */
struct atomic_file {
	char *path;     /* final path */
	char *tmp;      /* temporary path, NULL once committed or aborted */
	int fd;
	FILE *fp;       /* stdio stream on fd, opened by atomic_file_open */
};
void atomic_file_init(struct atomic_file *af);
/* Opens a new temporary file beside `path`, mode 0644. Prints an error. */
int atomic_file_open(struct atomic_file *af, const char *path);
/* Flushes, fsyncs, closes and renames into place. Prints an error. */
int atomic_file_commit(struct atomic_file *af);
void atomic_file_abort(struct atomic_file *af);
/* Writes a whole buffer to `path` atomically. */
int write_file_atomic(const char *path, const void *data, size_t len);

/*
 * A file read once per process for each version of it (path, device,
 * inode, size, modification time): later calls for an unchanged file
 * return the same contents without reading it again. `sha256` is the
 * digest of `data`. Returns NULL when it is not a regular file or is
 * larger than max, or (with an error printed) when it cannot be read. The result is valid until the next call for
 * the same path.
 */
struct cached_file {
	char *path;
	unsigned long long dev, ino;
	long long size, mtime_ns;
	struct strbuf data;
	unsigned char sha256[32];
};
const struct cached_file *file_cached(const char *path, size_t max);

/* FNV-1a hash of n bytes (for hash tables; not for security). */
uint64_t hash_fnv1a(const void *data, size_t n);
/*
 * 32-bit FNV-1a of a string: shards and cover seeds depend on its values,
 * so it must never change.
 */
uint32_t hash_fnv1a32(const char *s);

/*
 * Digests for change detection (the site's pages, feed.xml), fed field by
 * field from DIGEST_INIT: FNV-1a style over 64-bit words (a byte at a time
 * for the tail); each step (h ^ w) * prime is a bijection of w and of h, so
 * a difference in one word always shows. Fast enough to run over every
 * review's HTML. digest_str() puts the length first, so NULL, "" and
 * neighbouring strings differ.
 */
#define DIGEST_INIT UINT64_C(14695981039346656037)
uint64_t digest_bytes(uint64_t h, const void *data, size_t n);
uint64_t digest_num(uint64_t h, int64_t v);
uint64_t digest_str(uint64_t h, const char *s);

/* Adds a string and its terminating NUL to a SHA-256 (NULL as one 0xff). */
struct sha256_ctx;
void sha256_add_str(struct sha256_ctx *h, const char *s);

/*
 * Creates a pipe and forks, flushing stdio first. In the child returns 0
 * with *fd the pipe's write end; in the parent returns the child's pid
 * with *fd the read end. The pipe is close-on-exec. On failure returns -1
 * with an error printed ("cannot start WHAT: ...").
 */
int fork_piped(int *fd, const char *what);

/*
 * Writes / reads exactly n bytes on fd, retrying after EINTR and short
 * transfers. Return 0, or -1 (errno set; 0 for read_full_fd's early end of
 * file). Nothing is printed.
 */
int write_full(int fd, const void *buf, size_t n);
int read_full_fd(int fd, void *buf, size_t n);

/* The cores this process may run on (its CPU affinity), at least 1. */
int cores_available(void);

/*
 * stat() of file `name` in folder dir: against dir_fd (dir, opened) when
 * it is >= 0, which saves the walk down dir's path, else by the path.
 */
struct stat;
int stat_in(int dir_fd, const char *dir, const char *name, struct stat *st);

/* mkdir -p; prints an error naming the directory. */
int mkdir_p(const char *dir, int mode);
/* Whether path exists and is a directory / a regular file. */
int is_dir(const char *path);
int is_file(const char *path);
/* Joins two path parts with one '/'. */
char *path_join(const char *a, const char *b);
/* The extension of the last path component without the dot, or "". */
const char *path_ext(const char *path);
/* The last path component. */
const char *path_base(const char *path);

#endif
