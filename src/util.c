/*
 * util.c - see util.h.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int util_quiet;

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "revcast: %s%s\n", prefix, msg);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (util_quiet)
		return;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap);
	va_end(ap);
	exit(128);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("bad format string '%s'", fmt);
	strbuf_grow(&sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb.buf, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb.len = (size_t)n;
	return strbuf_detach(&sb, NULL);
}

/* strbuf */

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb)
{
	sb->buf = strbuf_slopbuf;
	sb->len = 0;
	sb->alloc = 0;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	strbuf_grow(sb, 0);
	res = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb);
	return res;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (!sb->buf)
		strbuf_init(sb);
	if (need < sb->len)
		die("string too long");
	if (need <= sb->alloc)
		return;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n *= 2;
	if (sb->alloc) {
		sb->buf = xrealloc(sb->buf, n);
	} else {
		sb->buf = xmalloc(n);
		sb->buf[0] = '\0';
	}
	sb->alloc = n;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	strbuf_add(sb, &ch, 1);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("bad format string '%s'", fmt);
	strbuf_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_rtrim(struct strbuf *sb)
{
	while (sb->len && isspace((unsigned char)sb->buf[sb->len - 1]))
		sb->len--;
	if (sb->alloc)
		sb->buf[sb->len] = '\0';
}

/* numbers */

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_bool(const char *s)
{
	static const char *yes[] = { "yes", "true", "1", "on" };
	static const char *no[] = { "no", "false", "0", "off" };
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

/* UTF-8 */

long utf8_decode(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	const unsigned char *e = (const unsigned char *)end;
	long cp;
	int n, i;

	if (p >= e)
		return -1;
	if (p[0] < 0x80) {
		*pp += 1;
		return p[0];
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 1;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 2;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 3;
		cp = p[0] & 0x07;
	} else {
		*pp += 1;
		return -1;
	}
	if (e - p <= n) {
		*pp += 1;
		return -1;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*pp += 1;
			return -1;
		}
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		*pp += 1;
		return -1;
	}
	*pp += n + 1;
	return cp;
}

size_t utf8_invalid_at(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *at = p;

		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		if (utf8_decode(&p, end) < 0)
			return (size_t)(at - s);
	}
	return len;
}

void utf8_encode(struct strbuf *sb, long cp)
{
	char b[4];

	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 4);
	}
}

size_t utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

int line_of_offset(const char *buf, size_t at)
{
	int line = 1;
	size_t i;

	for (i = 0; i < at; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

/* files */

int read_file(const char *path, struct strbuf *sb, size_t max)
{
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return error("'%s' is a directory, not a file", path);
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
		close(fd);
		return error("'%s' is too large (%lld bytes; the limit is %zu)",
			     path, (long long)st.st_size, max);
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return error("cannot read '%s': %s", path, strerror(e));
		}
		if (n == 0)
			break;
		if (sb->len + (size_t)n > max) {
			close(fd);
			return error("'%s' is too large (the limit is %zu bytes)", path, max);
		}
		strbuf_add(sb, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

void atomic_file_init(struct atomic_file *af)
{
	af->path = NULL;
	af->tmp = NULL;
	af->fd = -1;
	af->fp = NULL;
}

int atomic_file_open(struct atomic_file *af, const char *path)
{
	const char *base = path_base(path);
	size_t dirlen = (size_t)(base - path);

	atomic_file_init(af);
	af->path = xstrdup(path);
	af->tmp = xasprintf("%.*s.%s.tmp-XXXXXX", (int)dirlen, path, base);
	af->fd = mkostemp(af->tmp, O_CLOEXEC);
	if (af->fd < 0) {
		int e = errno;
		free(af->tmp);
		af->tmp = NULL;
		return error("cannot write '%s': %s", path, strerror(e));
	}
	fchmod(af->fd, 0644);
	af->fp = fdopen(af->fd, "w+b");
	if (!af->fp) {
		int e = errno;
		atomic_file_abort(af);
		return error("cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	const char *base = path_base(path);
	char *dir = base == path ? xstrdup(".") : xstrndup(path, (size_t)(base - path));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	free(dir);
	if (fd < 0)
		return -1;
	fsync(fd);
	close(fd);
	return 0;
}

/* Reports a failed commit for `path` and removes the temporary file. */
static int commit_failed(struct atomic_file *af, const char *what, int e)
{
	error("%s '%s': %s", what, af->path, strerror(e));
	atomic_file_abort(af);
	return -1;
}

int atomic_file_commit(struct atomic_file *af)
{
	if (!af->tmp)
		return error("internal: committing '%s' twice", af->path ? af->path : "?");
	if (fflush(af->fp) || fsync(af->fd))
		return commit_failed(af, "cannot write", errno);
	if (fclose(af->fp)) {
		int e = errno;

		af->fp = NULL;
		af->fd = -1;
		return commit_failed(af, "cannot write", e);
	}
	af->fp = NULL;
	af->fd = -1;
	if (rename(af->tmp, af->path))
		return commit_failed(af, "cannot rename into", errno);
	fsync_dir_of(af->path);
	free(af->tmp);
	af->tmp = NULL;
	free(af->path);
	af->path = NULL;
	return 0;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->fp)
		fclose(af->fp);
	else if (af->fd >= 0)
		close(af->fd);
	af->fp = NULL;
	af->fd = -1;
	if (af->tmp) {
		unlink(af->tmp);
		free(af->tmp);
		af->tmp = NULL;
	}
	free(af->path);
	af->path = NULL;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	struct atomic_file af;

	if (atomic_file_open(&af, path))
		return -1;
	if (len && fwrite(data, 1, len, af.fp) != len) {
		int e = errno;
		atomic_file_abort(&af);
		return error("cannot write '%s': %s", path, strerror(e));
	}
	return atomic_file_commit(&af);
}

const struct cached_file *file_cached(const char *path, size_t max)
{
	static struct cached_file *files;
	static size_t nr, alloc;
	struct cached_file *f = NULL;
	struct sha256_ctx ctx;
	struct stat st;
	size_t i;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > max)
		return NULL;
	for (i = 0; i < nr && !f; i++)
		if (!strcmp(files[i].path, path))
			f = &files[i];
	if (f && f->dev == st.st_dev && f->ino == st.st_ino && f->size == st.st_size &&
	    f->mtime_ns == st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec)
		return f;
	if (!f) {
		ALLOC_GROW(files, nr + 1, alloc);
		f = &files[nr++];
		f->path = xstrdup(path);
		strbuf_init(&f->data);
	}
	strbuf_reset(&f->data);
	f->size = -1;   /* no version matches until the read succeeds */
	if (read_file(path, &f->data, max))
		return NULL;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	sha256_init(&ctx);
	sha256_update(&ctx, f->data.len, (const uint8_t *)f->data.buf);
	sha256_digest(&ctx, sizeof(f->sha256), f->sha256);
	return f;
}

uint64_t hash_fnv1a(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

uint32_t hash_fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int fork_piped(int *fd, const char *what)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return error("cannot start %s: cannot create a pipe: %s", what, strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		return error("cannot start %s: %s", what, strerror(e));
	}
	close(pid ? fds[1] : fds[0]);
	*fd = pid ? fds[0] : fds[1];
	return (int)pid;
}

#define DIGEST_PRIME UINT64_C(1099511628211)

uint64_t digest_bytes(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t w;

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * DIGEST_PRIME;
	}
	while (n--)
		h = (h ^ *p++) * DIGEST_PRIME;
	return h;
}

uint64_t digest_num(uint64_t h, int64_t v)
{
	return digest_bytes(h, &v, sizeof(v));
}

uint64_t digest_str(uint64_t h, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	h = digest_num(h, s ? (int64_t)n : -1);
	return s ? digest_bytes(h, s, n) : h;
}

void sha256_add_str(struct sha256_ctx *h, const char *s)
{
	static const uint8_t none = 0xff;

	if (!s)
		sha256_update(h, 1, &none);
	else
		sha256_update(h, strlen(s) + 1, (const uint8_t *)s);
}

int cores_available(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int stat_in(int dir_fd, const char *dir, const char *name, struct stat *st)
{
	char *path;
	int ret;

	if (dir_fd >= 0)
		return fstatat(dir_fd, name, st, 0);
	path = path_join(dir, name);
	ret = stat(path, st);
	free(path);
	return ret;
}

int write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int read_full_fd(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int mkdir_p(const char *dir, int mode)
{
	char *p, *s;
	int ret = 0;

	if (!*dir)
		return 0;
	p = xstrdup(dir);

	for (s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = '\0';
			if (mkdir(p, (mode_t)mode) && errno != EEXIST) {
				ret = error("cannot create directory '%s': %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (!ret && !is_dir(dir))
		ret = error("'%s' is not a directory", dir);
	free(p);
	return ret;
}

int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (!la)
		return xstrdup(b);
	if (a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

const char *path_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

const char *path_ext(const char *path)
{
	const char *base = path_base(path);
	const char *dot = strrchr(base, '.');

	return (dot && dot != base) ? dot + 1 : "";
}
