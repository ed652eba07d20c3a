/*
 * test_catalog.c - the catalog against real SQLite files in a temporary
 * directory: round trips, identity that never changes, history, order,
 * slugs, GUIDs, versions, and survival of SIGKILL and a full disk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "util.h"

#define NS "ead4c236-bf58-58c6-a2c6-a6b28d128cb6"

struct fixture {
	char dir[256];
	char *path;          /* dir/catalog.db */
	struct catalog *c;   /* open unless the test runs child processes */
};

/* Removes every file in dir, then dir. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static int setup_dir(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/revcast-catalog-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->path = path_join(f->dir, "catalog.db");
	*state = f;
	return 0;
}

static int setup(void **state)
{
	struct fixture *f;

	if (setup_dir(state))
		return -1;
	f = *state;
	return catalog_open(&f->c, f->path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	catalog_close(f->c);
	remove_dir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* Standard error redirected to a file, to check what was printed. */
struct capture {
	int saved;
	char path[300];
};

static void capture_start(struct capture *cap, const struct fixture *f)
{
	int fd;

	snprintf(cap->path, sizeof(cap->path), "%s/stderr-XXXXXX", f->dir);
	fd = mkstemp(cap->path);
	assert_true(fd >= 0);
	fflush(stderr);
	cap->saved = dup(2);
	assert_true(cap->saved >= 0);
	assert_true(dup2(fd, 2) == 2);
	close(fd);
}

/* Restores standard error; returns what was printed (new string). */
static char *capture_end(struct capture *cap)
{
	struct strbuf sb = STRBUF_INIT;

	fflush(stderr);
	dup2(cap->saved, 2);
	close(cap->saved);
	assert_int_equal(read_file(cap->path, &sb, 1 << 20), 0);
	unlink(cap->path);
	return strbuf_detach(&sb, NULL);
}

/* Asserts that msg contains needle. */
static void assert_contains(const char *msg, const char *needle)
{
	if (!strstr(msg, needle))
		fail_msg("'%s' does not contain '%s'", msg, needle);
}

/* A fully filled episode for key with the given identity. */
static void make_episode(struct episode *e, const char *key, const char *slug,
			 int64_t date, int number)
{
	episode_init(e);
	e->key = xstrdup(key);
	e->guid = catalog_make_guid(NS, key);
	e->slug = xstrdup(slug);
	e->pub_date = date;
	e->render_key = xasprintf("%064d", number);
	e->file = xasprintf("%s.mp3", slug);
	e->bytes = 1000 + number;
	e->samples = 44100LL * number;
	e->sample_rate = 44100;
	e->duration = number;
	e->title = xasprintf("Title %d", number);
	e->author = xstrdup("A. Critic");
	e->summary = xstrdup("summary");
	e->content_html = xstrdup("<p>text</p>");
	e->explicit_flag = number % 2;
	e->number = number;
	e->transcript_vtt = xasprintf("%s.vtt", slug);
	e->transcript_srt = xasprintf("%s.srt", slug);
	e->chapters = xasprintf("%s.chapters.json", slug);
	e->page = xasprintf("%s.html", slug);
}

/* Puts a fully filled episode; asserts success. */
static void put_new(struct catalog *c, const char *key, const char *slug,
		    int64_t date, int number)
{
	struct episode e;

	make_episode(&e, key, slug, date, number);
	assert_int_equal(catalog_put(c, &e), 0);
	episode_release(&e);
}

static void assert_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_episode_equal(const struct episode *a, const struct episode *b)
{
	assert_str_or_null(a->key, b->key);
	assert_str_or_null(a->guid, b->guid);
	assert_str_or_null(a->slug, b->slug);
	assert_true(a->pub_date == b->pub_date);
	assert_str_or_null(a->render_key, b->render_key);
	assert_str_or_null(a->file, b->file);
	assert_true(a->bytes == b->bytes);
	assert_true(a->samples == b->samples);
	assert_int_equal(a->sample_rate, b->sample_rate);
	assert_true(a->duration == b->duration);
	assert_str_or_null(a->title, b->title);
	assert_str_or_null(a->author, b->author);
	assert_str_or_null(a->summary, b->summary);
	assert_str_or_null(a->content_html, b->content_html);
	assert_int_equal(a->explicit_flag, b->explicit_flag);
	assert_int_equal(a->number, b->number);
	assert_str_or_null(a->transcript_vtt, b->transcript_vtt);
	assert_str_or_null(a->transcript_srt, b->transcript_srt);
	assert_str_or_null(a->chapters, b->chapters);
	assert_str_or_null(a->page, b->page);
	assert_str_or_null(a->source_stamp, b->source_stamp);
}

/* Runs SQL on the file with a connection of its own; first value as text. */
static char *raw_query(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *ret = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		ret = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret ? ret : xstrdup("");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct episode e, g;

	episode_init(&e);
	e.key = xstrdup("café-noir.md");
	e.guid = catalog_make_guid(NS, e.key);
	e.slug = xstrdup("cafe-noir");
	e.pub_date = 4102444800LL;          /* beyond 32 bits */
	e.render_key = xstrdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	e.file = xstrdup("cafe-noir.mp3");
	e.bytes = 5000000000LL;
	e.samples = 9876543210LL;
	e.sample_rate = 44100;
	e.duration = 9876543210.0 / 44100.0;
	e.title = xstrdup("Café — “Noir” & Bone ★ 日本語 🎧");
	e.author = xstrdup("Zoë Ørsted");
	e.summary = xstrdup("A line with 'quotes', \"double\" and ; DROP TABLE episodes; --");
	e.content_html = xstrdup("<p>Ærø Straße</p>\n<p>second</p>");
	e.explicit_flag = 1;
	e.number = 7;
	e.transcript_vtt = xstrdup("cafe-noir.vtt");
	e.transcript_srt = xstrdup("cafe-noir.srt");
	e.chapters = xstrdup("cafe-noir.chapters.json");
	e.page = xstrdup("cafe-noir.html");
	e.source_stamp = xstrdup("stamp 1 2.3 4.5 6");
	assert_int_equal(catalog_put(f->c, &e), 0);

	episode_init(&g);
	assert_int_equal(catalog_get(f->c, "café-noir.md", &g), 1);
	assert_episode_equal(&e, &g);
	/* a second get into a filled episode releases what it held */
	assert_int_equal(catalog_get(f->c, "café-noir.md", &g), 1);
	assert_episode_equal(&e, &g);
	episode_release(&g);
	episode_release(&e);

	/* every optional string NULL */
	episode_init(&e);
	e.key = xstrdup("bare.md");
	e.guid = catalog_make_guid(NS, e.key);
	e.slug = xstrdup("bare");
	e.pub_date = -1;
	e.number = 8;
	assert_int_equal(catalog_put(f->c, &e), 0);
	assert_int_equal(catalog_get(f->c, "bare.md", &g), 1);
	assert_episode_equal(&e, &g);
	assert_null(g.title);
	assert_null(g.page);
	episode_release(&g);
	episode_release(&e);

	/* a missing key leaves e alone */
	episode_init(&g);
	g.title = xstrdup("kept");
	assert_int_equal(catalog_get(f->c, "missing.md", &g), 0);
	assert_string_equal(g.title, "kept");
	episode_release(&g);
}

static void test_identity_never_changes(void **state)
{
	struct fixture *f = *state;
	struct episode e, g;
	char *guid;

	make_episode(&e, "a.md", "a", 1000, 1);
	guid = xstrdup(e.guid);
	assert_int_equal(catalog_put(f->c, &e), 0);

	free(e.guid);
	e.guid = xstrdup("11111111-1111-5111-8111-111111111111");
	e.pub_date = 2000;
	e.number = 99;
	free(e.title);
	e.title = xstrdup("New title");
	free(e.slug);
	e.slug = xstrdup("a-new");
	assert_int_equal(catalog_put(f->c, &e), 0);
	/* the caller sees the stored identity */
	assert_string_equal(e.guid, guid);
	assert_true(e.pub_date == 1000);
	assert_int_equal(e.number, 1);

	episode_init(&g);
	assert_int_equal(catalog_get(f->c, "a.md", &g), 1);
	assert_string_equal(g.guid, guid);
	assert_true(g.pub_date == 1000);
	assert_int_equal(g.number, 1);
	assert_string_equal(g.title, "New title");
	assert_string_equal(g.slug, "a-new");
	/* 99 was never given */
	assert_int_equal(catalog_next_number(f->c), 2);
	episode_release(&g);
	episode_release(&e);
	free(guid);
}

static void test_remove_and_restore(void **state)
{
	struct fixture *f = *state;
	struct episode e, g;
	struct episode *list;
	size_t nr;
	char *guid;

	make_episode(&e, "a.md", "a", 1000, 1);
	guid = xstrdup(e.guid);
	assert_int_equal(catalog_put(f->c, &e), 0);
	episode_release(&e);
	put_new(f->c, "b.md", "b", 2000, 2);

	assert_int_equal(catalog_remove(f->c, "a.md"), 0);
	assert_int_equal(catalog_remove(f->c, "never.md"), 0);
	episode_init(&g);
	assert_int_equal(catalog_get(f->c, "a.md", &g), 0);
	assert_int_equal(catalog_slug_taken(f->c, "a", NULL), 0);
	assert_int_equal(catalog_list(f->c, &list, &nr), 0);
	assert_int_equal(nr, 1);
	episode_release(&list[0]);
	free(list);
	assert_int_equal(catalog_next_number(f->c), 3);

	/* back again with a fresh identity: the old one wins */
	make_episode(&e, "a.md", "a-again", 5000, 3);
	free(e.guid);
	e.guid = xstrdup("22222222-2222-5222-8222-222222222222");
	assert_int_equal(catalog_put(f->c, &e), 0);
	assert_string_equal(e.guid, guid);
	assert_true(e.pub_date == 1000);
	assert_int_equal(e.number, 1);
	assert_int_equal(catalog_get(f->c, "a.md", &g), 1);
	assert_string_equal(g.guid, guid);
	assert_true(g.pub_date == 1000);
	assert_int_equal(g.number, 1);
	assert_string_equal(g.slug, "a-again");
	assert_int_equal(catalog_next_number(f->c), 3);
	episode_release(&g);
	episode_release(&e);
	free(guid);
}

static void test_numbers_never_reused(void **state)
{
	struct fixture *f = *state;
	struct capture cap;
	struct episode e;
	char *msg;

	assert_int_equal(catalog_next_number(f->c), 1);
	put_new(f->c, "a.md", "a", 1, 1);
	put_new(f->c, "b.md", "b", 2, 2);
	put_new(f->c, "c.md", "c", 3, 3);
	assert_int_equal(catalog_remove(f->c, "c.md"), 0);
	assert_int_equal(catalog_remove(f->c, "b.md"), 0);
	assert_int_equal(catalog_next_number(f->c), 4);

	/* a new key may not take a number that was given before */
	make_episode(&e, "d.md", "d", 4, 2);
	capture_start(&cap, f);
	assert_int_equal(catalog_put(f->c, &e), -1);
	msg = capture_end(&cap);
	assert_contains(msg, f->path);
	assert_contains(msg, "d.md");
	free(msg);
	assert_int_equal(e.number, 2);
	episode_release(&e);
	assert_int_equal(catalog_next_number(f->c), 4);
}

static void test_list_order(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = { "d.md", "b.md", "c.md", "a.md" };
	struct episode *list;
	size_t nr, i;

	assert_int_equal(catalog_list(f->c, &list, &nr), 0);
	assert_int_equal(nr, 0);
	free(list);

	put_new(f->c, "a.md", "a", 100, 1);
	put_new(f->c, "b.md", "b", 300, 2);
	put_new(f->c, "c.md", "c", 200, 3);
	put_new(f->c, "d.md", "d", 300, 4);
	assert_int_equal(catalog_list(f->c, &list, &nr), 0);
	assert_int_equal(nr, ARRAY_SIZE(want));
	for (i = 0; i < nr; i++) {
		assert_string_equal(list[i].key, want[i]);
		episode_release(&list[i]);
	}
	free(list);
}

static void test_slugs_in_catalog(void **state)
{
	struct fixture *f = *state;
	struct capture cap;
	struct episode e;
	char long_base[61];
	char *s, *msg;

	put_new(f->c, "a.md", "rust-and-bone", 1, 1);
	assert_int_equal(catalog_slug_taken(f->c, "rust-and-bone", "b.md"), 1);
	assert_int_equal(catalog_slug_taken(f->c, "rust-and-bone", "a.md"), 0);
	assert_int_equal(catalog_slug_taken(f->c, "rust-and-bone", NULL), 1);
	assert_int_equal(catalog_slug_taken(f->c, "other", NULL), 0);

	s = slug_unique(f->c, "rust-and-bone", "a.md");
	assert_string_equal(s, "rust-and-bone");
	free(s);
	s = slug_unique(f->c, "rust-and-bone", "b.md");
	assert_string_equal(s, "rust-and-bone-2");
	put_new(f->c, "b.md", s, 2, 2);
	free(s);
	s = slug_unique(f->c, "rust-and-bone", "c.md");
	assert_string_equal(s, "rust-and-bone-3");
	free(s);

	/* a 60-character base is shortened to make room for the suffix */
	memset(long_base, 'x', 60);
	long_base[60] = '\0';
	long_base[57] = '-';
	put_new(f->c, "l.md", long_base, 3, 3);
	s = slug_unique(f->c, long_base, "m.md");
	assert_true(strlen(s) <= 60);
	assert_string_equal(s + strlen(s) - 2, "-2");
	assert_null(strstr(s, "--"));
	free(s);

	capture_start(&cap, f);
	assert_null(slug_unique(f->c, "../etc", "x.md"));
	/* an existing slug of another key, a bad slug: nothing stored */
	make_episode(&e, "c.md", "rust-and-bone", 4, 4);
	assert_int_equal(catalog_put(f->c, &e), -1);
	free(e.slug);
	e.slug = xstrdup("../c");
	assert_int_equal(catalog_put(f->c, &e), -1);
	free(e.slug);
	e.slug = NULL;
	assert_int_equal(catalog_put(f->c, &e), -1);
	msg = capture_end(&cap);
	assert_contains(msg, f->path);
	assert_contains(msg, "UNIQUE");
	assert_contains(msg, "invalid slug '../c'");
	free(msg);
	episode_release(&e);
	/* the failed put did not use up number 4 */
	assert_int_equal(catalog_next_number(f->c), 4);
	episode_init(&e);
	assert_int_equal(catalog_get(f->c, "c.md", &e), 0);
}

/* Asserts that s is a slug: [a-z0-9-], at most 60, no edge or double hyphen. */
static void assert_slug_shape(const char *s)
{
	const char *p;

	assert_true(*s);
	assert_true(strlen(s) <= 60);
	assert_true(s[0] != '-' && s[strlen(s) - 1] != '-');
	assert_null(strstr(s, "--"));
	for (p = s; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
}

static void check_slug(const char *title, const char *want)
{
	char *s = slugify(title);

	assert_slug_shape(s);
	if (want && strcmp(s, want))
		fail_msg("slugify('%s') = '%s', want '%s'", title ? title : "(null)", s, want);
	free(s);
}

static void test_slugify(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	int i;

	check_slug("The Tenderness of Rust And Bone", "the-tenderness-of-rust-and-bone");
	check_slug("Café — “Noir” & Bone ★", "cafe-noir-bone");
	check_slug("../../etc/passwd", "etc-passwd");
	check_slug("", "episode");
	check_slug(NULL, "episode");
	check_slug("★★★", "episode");
	check_slug(".", "episode");
	check_slug("..", "episode");
	check_slug(".hidden", "hidden");
	check_slug("Ærø Straße", "aero-strasse");
	check_slug("Crème Brûlée: 10/10!", "creme-brulee-10-10");
	check_slug("Łódź, Kraków, Šibenik, Œuvre, İstanbul", "lodz-krakow-sibenik-oeuvre-istanbul");
	check_slug("Ñandú çà", "nandu-ca");
	check_slug("Tokyo—Osaka", "tokyo-osaka");
	check_slug("e\xcc\x81t\xc3\xa9", "ete");              /* decomposed é, then composed */
	check_slug("\xff\xfe" "abc\xc3", "abc");               /* invalid UTF-8 dropped */
	check_slug("日本語 review", "review");
	check_slug("--a--b--", "a-b");
	check_slug("A\tB\nC", "a-b-c");

	/* 300 characters of words: cut at a hyphen */
	for (i = 0; i < 60; i++)
		strbuf_addstr(&sb, "Word ");
	assert_int_equal(sb.len, 300);
	s = slugify(sb.buf);
	assert_slug_shape(s);
	assert_string_equal(s, "word-word-word-word-word-word-word-word-word-word-word-word");
	free(s);
	/* one 300-character word: cut at 60 */
	strbuf_reset(&sb);
	for (i = 0; i < 300; i++)
		strbuf_addch(&sb, 'x');
	s = slugify(sb.buf);
	assert_int_equal(strlen(s), 60);
	free(s);
	/* 300 accented letters fold to 300 letters, then 60 */
	strbuf_reset(&sb);
	for (i = 0; i < 150; i++)
		strbuf_addstr(&sb, "é");
	s = slugify(sb.buf);
	assert_int_equal(strlen(s), 60);
	assert_slug_shape(s);
	free(s);
	/* every Latin-1 and Latin Extended-A character, and then some */
	strbuf_reset(&sb);
	for (i = 0x20; i < 0x3100; i++)
		if (i < 0xd800 || i > 0xdfff)
			utf8_encode(&sb, i);
	check_slug(sb.buf, NULL);
	strbuf_release(&sb);
}

static void test_make_guid(void **state)
{
	struct fixture *f = *state;
	struct capture cap;
	char *a, *b, *c, *msg;

	a = catalog_make_guid(NS, "rust-and-bone.md");
	b = catalog_make_guid(NS, "rust-and-bone.md");
	c = catalog_make_guid(NS, "café.md");
	/* Python's uuid.uuid5(UUID(NS), key) */
	assert_string_equal(a, "f78c930b-0d09-5f2c-a904-f034bf47d448");
	assert_string_equal(c, "40b2929f-0b35-5763-aada-aac9622c814b");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '5');
	assert_non_null(strchr("89ab", c[19]));
	assert_non_null(strchr("89ab", a[19]));
	free(b);
	b = catalog_make_guid("EAD4C236-BF58-58C6-A2C6-A6B28D128CB6", "rust-and-bone.md");
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(c);

	capture_start(&cap, f);
	assert_null(catalog_make_guid("not-a-uuid", "x.md"));
	msg = capture_end(&cap);
	assert_contains(msg, "not-a-uuid");
	free(msg);
}

static void test_reopen(void **state)
{
	struct fixture *f = *state;
	struct episode e, g;
	char *v;

	make_episode(&e, "a.md", "a", 1000, 1);
	assert_int_equal(catalog_put(f->c, &e), 0);
	put_new(f->c, "b.md", "b", 2000, 2);
	assert_int_equal(catalog_remove(f->c, "b.md"), 0);
	catalog_close(f->c);
	f->c = NULL;

	v = raw_query(f->path, "PRAGMA journal_mode");
	assert_string_equal(v, "wal");
	free(v);
	v = raw_query(f->path, "PRAGMA user_version");
	assert_string_equal(v, "2");
	free(v);

	assert_int_equal(catalog_open(&f->c, f->path), 0);
	episode_init(&g);
	assert_int_equal(catalog_get(f->c, "a.md", &g), 1);
	assert_episode_equal(&e, &g);
	assert_int_equal(catalog_next_number(f->c), 3);
	episode_release(&g);
	episode_release(&e);
}

/* catalog_set_stamp() sets and clears one row's stamp, and only that row's. */
static void test_source_stamp(void **state)
{
	struct fixture *f = *state;
	struct episode g;

	put_new(f->c, "a.md", "a", 1000, 1);
	put_new(f->c, "b.md", "b", 2000, 2);
	episode_init(&g);
	assert_int_equal(catalog_get(f->c, "a.md", &g), 1);
	assert_null(g.source_stamp);
	assert_int_equal(catalog_set_stamp(f->c, "a.md", "s1"), 0);
	assert_int_equal(catalog_get(f->c, "a.md", &g), 1);
	assert_string_equal(g.source_stamp, "s1");
	assert_int_equal(catalog_get(f->c, "b.md", &g), 1);
	assert_null(g.source_stamp);
	/* a put without a stamp clears it */
	assert_int_equal(catalog_get(f->c, "a.md", &g), 1);
	free(g.source_stamp);
	g.source_stamp = NULL;
	assert_int_equal(catalog_put(f->c, &g), 0);
	assert_int_equal(catalog_get(f->c, "a.md", &g), 1);
	assert_null(g.source_stamp);
	assert_int_equal(catalog_set_stamp(f->c, "a.md", "s2"), 0);
	assert_int_equal(catalog_set_stamp(f->c, "a.md", NULL), 0);
	assert_int_equal(catalog_get(f->c, "a.md", &g), 1);
	assert_null(g.source_stamp);
	assert_int_equal(catalog_set_stamp(f->c, "nobody.md", "s3"), 0);
	assert_int_equal(catalog_get(f->c, "nobody.md", &g), 0);
	episode_release(&g);
}

/*
 * A catalog of schema version 1 (as revcast 1 wrote it, without the
 * source stamp) is upgraded in place: its rows stay, with no stamp.
 */
static void test_upgrade_from_1(void **state)
{
	struct fixture *f = *state;
	struct episode g;
	sqlite3 *db;
	char *v;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE history (key TEXT PRIMARY KEY NOT NULL, guid TEXT UNIQUE NOT NULL,"
		" number INTEGER UNIQUE NOT NULL, pub_date INTEGER NOT NULL,"
		" UNIQUE (key, guid, number, pub_date));"
		"CREATE TABLE episodes (key TEXT PRIMARY KEY NOT NULL, guid TEXT UNIQUE NOT NULL,"
		" slug TEXT UNIQUE NOT NULL, pub_date INTEGER NOT NULL, render_key TEXT, file TEXT,"
		" bytes INTEGER NOT NULL DEFAULT 0, samples INTEGER NOT NULL DEFAULT 0,"
		" sample_rate INTEGER NOT NULL DEFAULT 0, duration REAL NOT NULL DEFAULT 0,"
		" title TEXT, author TEXT, summary TEXT, content_html TEXT,"
		" explicit INTEGER NOT NULL DEFAULT 0, number INTEGER UNIQUE NOT NULL,"
		" transcript_vtt TEXT, transcript_srt TEXT, chapters TEXT, page TEXT,"
		" FOREIGN KEY (key, guid, number, pub_date)"
		" REFERENCES history (key, guid, number, pub_date));"
		"CREATE INDEX episodes_newest ON episodes (pub_date DESC, number DESC);"
		"INSERT INTO history VALUES ('old.md', 'g-old', 1, 1000);"
		"INSERT INTO episodes (key, guid, slug, pub_date, number, title, bytes)"
		" VALUES ('old.md', 'g-old', 'old', 1000, 1, 'Old', 42);"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(catalog_open(&f->c, f->path), 0);
	v = raw_query(f->path, "PRAGMA user_version");
	assert_string_equal(v, "2");
	free(v);
	episode_init(&g);
	assert_int_equal(catalog_get(f->c, "old.md", &g), 1);
	assert_string_equal(g.title, "Old");
	assert_true(g.bytes == 42);
	assert_null(g.source_stamp);
	assert_int_equal(catalog_set_stamp(f->c, "old.md", "s"), 0);
	assert_int_equal(catalog_get(f->c, "old.md", &g), 1);
	assert_string_equal(g.source_stamp, "s");
	assert_int_equal(catalog_next_number(f->c), 2);
	episode_release(&g);
	/* opening it again leaves it as it is */
	catalog_close(f->c);
	assert_int_equal(catalog_open(&f->c, f->path), 0);
	assert_int_equal(catalog_get(f->c, "old.md", &g), 1);
	assert_string_equal(g.source_stamp, "s");
	episode_release(&g);
}

static void test_newer_version_refused(void **state)
{
	struct fixture *f = *state;
	struct catalog *c = (struct catalog *)&c;
	struct capture cap;
	sqlite3 *db;
	char *msg, *v;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	capture_start(&cap, f);
	assert_int_equal(catalog_open(&c, f->path), -1);
	msg = capture_end(&cap);
	assert_null(c);
	assert_contains(msg, f->path);
	assert_contains(msg, "99");
	free(msg);
	/* refused before anything was changed */
	v = raw_query(f->path, "PRAGMA journal_mode");
	assert_string_equal(v, "delete");
	free(v);
}

static void test_not_a_catalog(void **state)
{
	struct fixture *f = *state;
	struct catalog *c = NULL;
	struct capture cap;
	struct strbuf sb = STRBUF_INIT;
	sqlite3 *db;
	char *msg;
	int i;

	for (i = 0; i < 200; i++)
		strbuf_addstr(&sb, "this is not a database\n");
	assert_int_equal(write_file_atomic(f->path, sb.buf, sb.len), 0);
	strbuf_release(&sb);
	capture_start(&cap, f);
	assert_int_equal(catalog_open(&c, f->path), -1);
	msg = capture_end(&cap);
	assert_null(c);
	assert_contains(msg, f->path);
	assert_contains(msg, "not a database");
	free(msg);
	unlink(f->path);

	/* somebody else's database */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	capture_start(&cap, f);
	assert_int_equal(catalog_open(&c, f->path), -1);
	msg = capture_end(&cap);
	assert_contains(msg, f->path);
	assert_contains(msg, "not a revcast catalog");
	free(msg);

	/* a directory */
	capture_start(&cap, f);
	assert_int_equal(catalog_open(&c, f->dir), -1);
	msg = capture_end(&cap);
	assert_contains(msg, f->dir);
	free(msg);
}

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct episode e;

	catalog_rollback(f->c);            /* nothing open: nothing happens */
	assert_int_equal(catalog_begin(f->c), 0);
	put_new(f->c, "a.md", "a", 1, 1);
	catalog_rollback(f->c);
	episode_init(&e);
	assert_int_equal(catalog_get(f->c, "a.md", &e), 0);
	assert_int_equal(catalog_next_number(f->c), 1);

	assert_int_equal(catalog_begin(f->c), 0);
	put_new(f->c, "a.md", "a", 1, 1);
	put_new(f->c, "b.md", "b", 2, 2);
	assert_int_equal(catalog_commit(f->c), 0);
	assert_int_equal(catalog_get(f->c, "b.md", &e), 1);
	episode_release(&e);
	assert_int_equal(catalog_next_number(f->c), 3);
}

/* A failed put inside a transaction undoes only itself. */
static void test_failed_put_in_transaction(void **state)
{
	struct fixture *f = *state;
	struct capture cap;
	struct episode e;
	char *msg;

	assert_int_equal(catalog_begin(f->c), 0);
	put_new(f->c, "a.md", "a", 1, 1);
	make_episode(&e, "b.md", "a", 2, 2);
	capture_start(&cap, f);
	assert_int_equal(catalog_put(f->c, &e), -1);
	msg = capture_end(&cap);
	free(msg);
	episode_release(&e);
	put_new(f->c, "c.md", "c", 3, 2);
	assert_int_equal(catalog_commit(f->c), 0);
	episode_init(&e);
	assert_int_equal(catalog_get(f->c, "b.md", &e), 0);
	assert_int_equal(catalog_get(f->c, "c.md", &e), 1);
	assert_int_equal(e.number, 2);
	episode_release(&e);
}

static void test_bulk(void **state)
{
	struct fixture *f = *state;
	struct episode *list;
	char key[32], slug[32];
	double t0, t1, t2;
	size_t nr, i;
	int n;

	t0 = now();
	assert_int_equal(catalog_begin(f->c), 0);
	for (n = 1; n <= 10000; n++) {
		snprintf(key, sizeof(key), "review-%05d.md", n);
		snprintf(slug, sizeof(slug), "review-%05d", n);
		put_new(f->c, key, slug, 1600000000 + (n % 997) * 86400, n);
	}
	assert_int_equal(catalog_commit(f->c), 0);
	t1 = now();
	assert_int_equal(catalog_list(f->c, &list, &nr), 0);
	t2 = now();
	assert_int_equal(nr, 10000);
	for (i = 1; i < nr; i++)
		assert_true(list[i - 1].pub_date > list[i].pub_date ||
			    (list[i - 1].pub_date == list[i].pub_date &&
			     list[i - 1].number > list[i].number));
	for (i = 0; i < nr; i++)
		episode_release(&list[i]);
	free(list);
	print_message("10000 puts in one transaction: %.3f s; list: %.4f s\n",
		      t1 - t0, t2 - t1);
	assert_int_equal(catalog_next_number(f->c), 10001);
}

/* Reads the last int the child wrote to the pipe, or 0. */
static int last_reported(int fd)
{
	int v, last = 0;

	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		last = v;
	return last;
}

/* Checks the database file with SQLite's own integrity check. */
static void assert_intact(const char *path)
{
	char *v = raw_query(path, "PRAGMA integrity_check");

	assert_string_equal(v, "ok");
	free(v);
	v = raw_query(path, "PRAGMA foreign_key_check");
	assert_string_equal(v, "");
	free(v);
}

#define BATCH 25

/*
 * A child writes batches of BATCH episodes, one transaction each, and
 * reports each commit; it is killed with SIGKILL mid-way. Every reported
 * commit must be there, no partial batch, and the file must be intact.
 */
static void test_sigkill(void **state)
{
	struct fixture *f = *state;
	struct catalog *c;
	struct episode *list;
	size_t nr, i;
	int fds[2], status, reported, first;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char key[32], slug[32];
		int n = 0, b;

		close(fds[0]);
		if (catalog_open(&c, f->path))
			_exit(2);
		for (;;) {
			if (catalog_begin(c))
				_exit(3);
			for (b = 0; b < BATCH; b++) {
				n++;
				snprintf(key, sizeof(key), "k%d.md", n);
				snprintf(slug, sizeof(slug), "k%d", n);
				put_new(c, key, slug, n, n);
			}
			if (catalog_commit(c))
				_exit(4);
			if (write(fds[1], &n, sizeof(n)) != (ssize_t)sizeof(n))
				_exit(5);
		}
	}
	close(fds[1]);
	/* wait for the first commit, so the kill lands in the middle of work */
	assert_int_equal(read(fds[0], &reported, sizeof(reported)), (ssize_t)sizeof(reported));
	usleep(200 * 1000);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	first = reported;
	reported = last_reported(fds[0]);
	if (reported < first)
		reported = first;
	close(fds[0]);

	assert_intact(f->path);
	assert_int_equal(catalog_open(&c, f->path), 0);
	f->c = c;
	assert_int_equal(catalog_list(c, &list, &nr), 0);
	print_message("killed after %d reported, %zu stored\n", reported, nr);
	assert_true(nr >= (size_t)reported);
	assert_true(nr <= (size_t)reported + BATCH);
	assert_int_equal(nr % BATCH, 0);
	for (i = 0; i < nr; i++)
		episode_release(&list[i]);
	free(list);
	assert_int_equal(catalog_next_number(c), (int)nr + 1);
}

/*
 * A child fills 20 episodes, then may only grow its files by a little
 * (RLIMIT_FSIZE, as on a full disk) and tries a big batch: the batch
 * must fail with an error naming the file, and the catalog must keep
 * exactly the 20 and stay usable.
 */
static void test_full_disk(void **state)
{
	struct fixture *f = *state;
	struct catalog *c;
	struct episode *list;
	struct strbuf errs = STRBUF_INIT;
	char errpath[300];
	size_t nr, i;
	int status;
	pid_t pid;

	/* on the stack: the child _exits, and must leave nothing allocated */
	snprintf(errpath, sizeof(errpath), "%s/child-stderr", f->dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		struct stat st;
		struct episode e;
		char key[32];
		int n, fd, failed = 0;

		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) != 2)
			_exit(2);
		signal(SIGXFSZ, SIG_IGN);
		if (catalog_open(&c, f->path))
			_exit(3);
		for (n = 1; n <= 20; n++) {
			snprintf(key, sizeof(key), "k%d", n);
			put_new(c, key, key, n, n);
		}
		if (stat(f->path, &st))
			_exit(4);
		rl.rlim_cur = rl.rlim_max = (rlim_t)st.st_size + 64 * 1024;
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(5);
		if (catalog_begin(c))
			_exit(6);
		for (; n <= 400 && !failed; n++) {
			snprintf(key, sizeof(key), "k%d", n);
			make_episode(&e, key, key, n, n);
			free(e.content_html);
			e.content_html = xmalloc(20000);
			memset(e.content_html, 'x', 19999);
			e.content_html[19999] = '\0';
			failed = catalog_put(c, &e) != 0;
			episode_release(&e);
		}
		if (!failed)
			failed = catalog_commit(c) != 0;
		catalog_rollback(c);
		catalog_close(c);
		_exit(failed ? 0 : 7);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(read_file(errpath, &errs, 1 << 20), 0);
	print_message("child said: %s", errs.buf);
	assert_contains(errs.buf, f->path);
	strbuf_release(&errs);

	assert_intact(f->path);
	assert_int_equal(catalog_open(&c, f->path), 0);
	f->c = c;
	assert_int_equal(catalog_list(c, &list, &nr), 0);
	assert_int_equal(nr, 20);
	for (i = 0; i < nr; i++)
		episode_release(&list[i]);
	free(list);
	assert_int_equal(catalog_next_number(c), 21);
	put_new(c, "after.md", "after", 1, 21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_never_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers_never_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slugs_in_catalog, setup, teardown),
		cmocka_unit_test(test_slugify),
		cmocka_unit_test_setup_teardown(test_make_guid, setup_dir, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused, setup_dir, teardown),
		cmocka_unit_test_setup_teardown(test_source_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_1, setup_dir, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_catalog, setup_dir, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_put_in_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill, setup_dir, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup_dir, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
