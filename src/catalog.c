/*
 * catalog.c - the feed's memory in SQLite. See catalog.h.
 *
 * Durability. The catalog has to come through a SIGKILL at any moment
 * and a full disk without corruption, and it must not forget an episode
 * that an already published feed announces. It runs in WAL mode with
 * synchronous=FULL:
 *
 *  - WAL never overwrites the database in place before a commit is
 *    complete, so a killed process or a failed write (SQLITE_FULL,
 *    SQLITE_IOERR) leaves the last committed state; the next open
 *    recovers from the log. This holds with NORMAL too.
 *  - NORMAL would only fsync at checkpoints, so after a power cut the
 *    last commits can be lost even though the feed written after them
 *    (fsynced by atomic_file_commit) survived: an episode could then come
 *    back with a new date and number. FULL fsyncs the log at every
 *    commit, so a commit that returned is on disk before the feed is
 *    written. Builds commit once per batch, so the extra fsync costs
 *    nothing that matters. FULL also keeps the rollback journal safe in
 *    the rare case that WAL cannot be used (see set_pragmas).
 *
 * Identity. Table `history` remembers the GUID, number and first
 * publication date ever given to each key and is never deleted from;
 * `episodes` holds what is published now. A composite foreign key makes
 * every episode's (key, guid, number, pub_date) a row of history, so the
 * database itself refuses an identity that changed.
 *
 * All SQL is constant; values are only ever bound. Statements are
 * prepared once at open and reset after each use, so no read
 * transaction stays open between calls.
 */
#include "catalog.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uuid/uuid.h>

#define CATALOG_VERSION 2
#define BUSY_TIMEOUT_MS 10000
#define SLUG_MAX 60
#define SLUG_TRIES 10000

static const char schema_sql[] =
	"CREATE TABLE history (\n"
	"	key TEXT PRIMARY KEY NOT NULL,\n"
	"	guid TEXT UNIQUE NOT NULL,\n"
	"	number INTEGER UNIQUE NOT NULL,\n"
	"	pub_date INTEGER NOT NULL,\n"
	"	UNIQUE (key, guid, number, pub_date)\n"
	");\n"
	"CREATE TABLE episodes (\n"
	"	key TEXT PRIMARY KEY NOT NULL,\n"
	"	guid TEXT UNIQUE NOT NULL,\n"
	"	slug TEXT UNIQUE NOT NULL,\n"
	"	pub_date INTEGER NOT NULL,\n"
	"	render_key TEXT,\n"
	"	file TEXT,\n"
	"	bytes INTEGER NOT NULL DEFAULT 0,\n"
	"	samples INTEGER NOT NULL DEFAULT 0,\n"
	"	sample_rate INTEGER NOT NULL DEFAULT 0,\n"
	"	duration REAL NOT NULL DEFAULT 0,\n"
	"	title TEXT,\n"
	"	author TEXT,\n"
	"	summary TEXT,\n"
	"	content_html TEXT,\n"
	"	explicit INTEGER NOT NULL DEFAULT 0,\n"
	"	number INTEGER UNIQUE NOT NULL,\n"
	"	transcript_vtt TEXT,\n"
	"	transcript_srt TEXT,\n"
	"	chapters TEXT,\n"
	"	page TEXT,\n"
	"	source_stamp TEXT,\n"
	"	FOREIGN KEY (key, guid, number, pub_date)\n"
	"		REFERENCES history (key, guid, number, pub_date)\n"
	");\n"
	"CREATE INDEX episodes_newest ON episodes (pub_date DESC, number DESC);\n"
	"PRAGMA user_version = 2;\n";

/* Version 1 to 2: the source stamp (see catalog.h), unknown for every row. */
static const char upgrade_1_to_2_sql[] =
	"ALTER TABLE episodes ADD COLUMN source_stamp TEXT;\n"
	"PRAGMA user_version = 2;\n";

/* The columns of episodes, in the order of enum column. */
#define EPISODE_COLUMNS \
	"key, guid, slug, pub_date, render_key, file, bytes, samples, " \
	"sample_rate, duration, title, author, summary, content_html, " \
	"explicit, number, transcript_vtt, transcript_srt, chapters, page, source_stamp"

enum column {
	COL_KEY, COL_GUID, COL_SLUG, COL_PUB_DATE, COL_RENDER_KEY, COL_FILE,
	COL_BYTES, COL_SAMPLES, COL_SAMPLE_RATE, COL_DURATION, COL_TITLE,
	COL_AUTHOR, COL_SUMMARY, COL_CONTENT_HTML, COL_EXPLICIT, COL_NUMBER,
	COL_TRANSCRIPT_VTT, COL_TRANSCRIPT_SRT, COL_CHAPTERS, COL_PAGE,
	COL_SOURCE_STAMP, COL_NR
};

enum stmt_id {
	ST_GET, ST_HIST_GET, ST_HIST_PUT, ST_UPSERT, ST_REMOVE, ST_LIST,
	ST_MAX_NUMBER, ST_SLUG_TAKEN, ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
	ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO, ST_SET_STAMP,
	ST_NR
};

static const char *const stmt_sql[ST_NR] = {
	[ST_GET] = "SELECT " EPISODE_COLUMNS " FROM episodes WHERE key = ?1",
	[ST_HIST_GET] = "SELECT guid, pub_date, number FROM history WHERE key = ?1",
	[ST_HIST_PUT] = "INSERT INTO history (key, guid, number, pub_date) "
		"VALUES (?1, ?2, ?3, ?4)",
	/* guid, pub_date and number are left alone on update: they equal history's. */
	[ST_UPSERT] = "INSERT INTO episodes (" EPISODE_COLUMNS ") VALUES ("
		"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) "
		"ON CONFLICT (key) DO UPDATE SET "
		"slug = excluded.slug, render_key = excluded.render_key, "
		"file = excluded.file, bytes = excluded.bytes, "
		"samples = excluded.samples, sample_rate = excluded.sample_rate, "
		"duration = excluded.duration, title = excluded.title, "
		"author = excluded.author, summary = excluded.summary, "
		"content_html = excluded.content_html, explicit = excluded.explicit, "
		"transcript_vtt = excluded.transcript_vtt, "
		"transcript_srt = excluded.transcript_srt, "
		"chapters = excluded.chapters, page = excluded.page, "
		"source_stamp = excluded.source_stamp",
	[ST_REMOVE] = "DELETE FROM episodes WHERE key = ?1",
	[ST_LIST] = "SELECT " EPISODE_COLUMNS " FROM episodes "
		"ORDER BY pub_date DESC, number DESC",
	[ST_MAX_NUMBER] = "SELECT COALESCE(MAX(number), 0) FROM history",
	[ST_SLUG_TAKEN] = "SELECT 1 FROM episodes WHERE slug = ?1 AND key IS NOT ?2 LIMIT 1",
	/* IMMEDIATE: take the write lock now, under the busy timeout. */
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT catalog_put",
	[ST_RELEASE] = "RELEASE catalog_put",
	[ST_ROLLBACK_TO] = "ROLLBACK TO catalog_put",
	[ST_SET_STAMP] = "UPDATE episodes SET source_stamp = ?2 WHERE key = ?1",
};

struct catalog {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_NR];
};

/*
 * Prints "catalog 'PATH': WHAT: SQLITE MESSAGE" and returns -1. Call it
 * before resetting the statement that failed, while the message is still
 * the connection's last one.
 */
PRINTF_LIKE(2, 3)
static int db_error(struct catalog *c, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return error("catalog '%s': %s: %s", c->path, what,
		     c->db ? sqlite3_errmsg(c->db) : "out of memory");
}

/* Resets a statement and drops its bindings, so it holds no lock or pointer. */
static void stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/*
 * Runs prepared statement `id` (already bound) to completion, ignoring
 * rows, then resets it. Returns 0, or -1 after printing "WHAT: reason".
 */
PRINTF_LIKE(3, 4)
static int run(struct catalog *c, enum stmt_id id, const char *fmt, ...)
{
	sqlite3_stmt *st = c->st[id];
	char what[512];
	va_list ap;
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		ret = db_error(c, "%s", what);
	}
	stmt_done(st);
	return ret;
}

/*
 * Runs constant SQL (schema, pragmas without a result) that is used once.
 * Returns 0, or -1 after printing "WHAT: reason".
 */
static int exec_sql(struct catalog *c, const char *sql, const char *what)
{
	char *msg = NULL;
	int ret = 0;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ret = error("catalog '%s': %s: %s", c->path, what,
			    msg ? msg : sqlite3_errmsg(c->db));
	sqlite3_free(msg);
	return ret;
}

/*
 * Runs constant SQL that yields one value (a pragma, a count) and puts
 * the first column of its first row in sb as text ("" when there is no
 * row or the value is NULL). Returns 0, or -1 after printing an error.
 */
static int query_text(struct catalog *c, const char *sql, struct strbuf *sb)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *text;
	int rc, ret = -1;

	strbuf_reset(sb);
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(c, "cannot run '%s'", sql);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		text = sqlite3_column_text(st, 0);
		if (text)
			strbuf_add(sb, text, (size_t)sqlite3_column_bytes(st, 0));
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
	}
	if (rc != SQLITE_DONE) {
		ret = db_error(c, "cannot run '%s'", sql);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/*
 * Reads the schema version (PRAGMA user_version) into *out and refuses
 * one newer than this program's. This is the first read of the file, so
 * it is also where a file that is not a database is caught. Returns 0
 * or -1 (printed).
 */
static int read_version(struct catalog *c, long *out)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	if (query_text(c, "PRAGMA user_version", &sb))
		goto out;
	if (parse_long(sb.buf, LONG_MIN, LONG_MAX, out) || *out < 0) {
		ret = error("catalog '%s': unknown schema version '%s'",
			    c->path, sb.buf);
		goto out;
	}
	if (*out > CATALOG_VERSION) {
		ret = error("catalog '%s' has schema version %ld, newer than "
			    "this revcast understands (%d): use a newer revcast",
			    c->path, *out, CATALOG_VERSION);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

/*
 * Sets the connection's journal, sync and foreign-key modes (see the top
 * of this file). When the file system cannot do WAL (some network file
 * systems) SQLite keeps the rollback journal, which is just as safe with
 * synchronous=FULL, so that is only a warning. temp_store=MEMORY keeps
 * the journal of catalog_put's savepoint in memory rather than in a
 * temporary file, which halves the time of a batch of new episodes; it
 * only serves rollbacks inside a live transaction, never crash recovery.
 * Returns 0 or -1 (printed).
 */
static int set_pragmas(struct catalog *c)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	if (query_text(c, "PRAGMA journal_mode = WAL", &sb))
		goto out;
	if (strcasecmp(sb.buf, "wal"))
		warning("catalog '%s': cannot use a write-ahead log, journal mode is '%s'",
			c->path, sb.buf);
	if (exec_sql(c, "PRAGMA synchronous = FULL", "cannot set synchronous mode") ||
	    exec_sql(c, "PRAGMA temp_store = MEMORY", "cannot set temporary storage") ||
	    exec_sql(c, "PRAGMA foreign_keys = ON", "cannot enable foreign keys") ||
	    query_text(c, "PRAGMA foreign_keys", &sb))
		goto out;
	if (strcmp(sb.buf, "1")) {
		ret = error("catalog '%s': this SQLite does not enforce foreign keys",
			    c->path);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

/*
 * Creates the tables in a new (empty) database, under the write lock so
 * that two programs opening the same new file do not both create them.
 * An existing catalog of the current version is left alone; one of
 * version 1 is upgraded in place (a nullable column added); a database
 * of version 0 that already holds tables is not a catalog and is
 * refused. Returns 0 or -1 (printed; nothing created).
 */
static int create_schema(struct catalog *c)
{
	struct strbuf sb = STRBUF_INIT;
	long version;
	int begun = 0, ret = -1;

	if (exec_sql(c, "BEGIN IMMEDIATE", "cannot lock the database"))
		goto out;
	begun = 1;
	if (read_version(c, &version))
		goto out;
	if (version == 0) {
		if (query_text(c, "SELECT count(*) FROM sqlite_master", &sb))
			goto out;
		if (strcmp(sb.buf, "0")) {
			ret = error("'%s' is not a revcast catalog (it has tables "
				    "but no schema version)", c->path);
			goto out;
		}
		if (exec_sql(c, schema_sql, "cannot create the tables"))
			goto out;
	} else if (version == 1) {
		if (exec_sql(c, upgrade_1_to_2_sql, "cannot upgrade the tables"))
			goto out;
	}
	begun = 0;
	if (exec_sql(c, "COMMIT", "cannot create the tables"))
		goto out;
	ret = 0;
out:
	if (begun || !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	strbuf_release(&sb);
	return ret;
}

void episode_init(struct episode *e)
{
	memset(e, 0, sizeof(*e));
}

void episode_release(struct episode *e)
{
	free(e->key);
	free(e->guid);
	free(e->slug);
	free(e->render_key);
	free(e->file);
	free(e->title);
	free(e->author);
	free(e->summary);
	free(e->content_html);
	free(e->transcript_vtt);
	free(e->transcript_srt);
	free(e->chapters);
	free(e->page);
	free(e->source_stamp);
	episode_init(e);
}

/*
 * Opens the database, checks its version before changing anything in it,
 * sets the modes, creates the schema if needed and prepares every
 * statement. On failure everything is closed and *out is NULL.
 */
int catalog_open(struct catalog **out, const char *path)
{
	struct catalog *c = xcalloc(1, sizeof(*c));
	long version;
	size_t i;
	int rc, ret = -1;

	*out = NULL;
	c->path = xstrdup(path);
	rc = sqlite3_open_v2(path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		ret = error("cannot open catalog '%s': %s", path,
			    c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto out;
	}
	/*
	 * Builds of one feed are serialised with flock elsewhere; this is
	 * a safety net so that a second writer waits rather than fails.
	 */
	if (sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS) != SQLITE_OK) {
		ret = db_error(c, "cannot set the busy timeout");
		goto out;
	}
	if (read_version(c, &version) || set_pragmas(c) || create_schema(c))
		goto out;
	for (i = 0; i < ST_NR; i++) {
		if (sqlite3_prepare_v3(c->db, stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &c->st[i],
				       NULL) != SQLITE_OK) {
			ret = db_error(c, "cannot prepare '%s'", stmt_sql[i]);
			goto out;
		}
	}
	*out = c;
	c = NULL;
	ret = 0;
out:
	catalog_close(c);
	return ret;
}

/*
 * Finalizes every statement and closes the database (an open transaction
 * is rolled back). Safe on NULL. A failure to close is printed.
 */
void catalog_close(struct catalog *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < ST_NR; i++)
		sqlite3_finalize(c->st[i]);
	if (c->db && sqlite3_close(c->db) != SQLITE_OK)
		db_error(c, "cannot close");
	free(c->path);
	free(c);
}

/* BEGIN IMMEDIATE: 0 or -1 (printed). */
int catalog_begin(struct catalog *c)
{
	return run(c, ST_BEGIN, "cannot begin a transaction");
}

/*
 * COMMIT: 0 or -1 (printed). On failure the transaction may still be
 * open (SQLITE_BUSY) or already rolled back (a full disk); the caller
 * calls catalog_rollback() either way.
 */
int catalog_commit(struct catalog *c)
{
	return run(c, ST_COMMIT, "cannot commit");
}

/* ROLLBACK if a transaction is open; a failure is printed. */
void catalog_rollback(struct catalog *c)
{
	if (!sqlite3_get_autocommit(c->db))
		run(c, ST_ROLLBACK, "cannot roll back");
}

/*
 * A string column as a new string, NULL for SQL NULL. SQLite running out
 * of memory is treated like xmalloc's: it dies.
 */
static char *column_str(sqlite3_stmt *st, int col)
{
	const unsigned char *s;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	s = sqlite3_column_text(st, col);
	if (!s)
		die("out of memory reading the catalog");
	return xstrndup((const char *)s, (size_t)sqlite3_column_bytes(st, col));
}

/* Fills e (empty) from the current row of a SELECT EPISODE_COLUMNS. */
static void row_to_episode(sqlite3_stmt *st, struct episode *e)
{
	e->key = column_str(st, COL_KEY);
	e->guid = column_str(st, COL_GUID);
	e->slug = column_str(st, COL_SLUG);
	e->pub_date = sqlite3_column_int64(st, COL_PUB_DATE);
	e->render_key = column_str(st, COL_RENDER_KEY);
	e->file = column_str(st, COL_FILE);
	e->bytes = sqlite3_column_int64(st, COL_BYTES);
	e->samples = sqlite3_column_int64(st, COL_SAMPLES);
	e->sample_rate = sqlite3_column_int(st, COL_SAMPLE_RATE);
	e->duration = sqlite3_column_double(st, COL_DURATION);
	e->title = column_str(st, COL_TITLE);
	e->author = column_str(st, COL_AUTHOR);
	e->summary = column_str(st, COL_SUMMARY);
	e->content_html = column_str(st, COL_CONTENT_HTML);
	e->explicit_flag = sqlite3_column_int(st, COL_EXPLICIT);
	e->number = sqlite3_column_int(st, COL_NUMBER);
	e->transcript_vtt = column_str(st, COL_TRANSCRIPT_VTT);
	e->transcript_srt = column_str(st, COL_TRANSCRIPT_SRT);
	e->chapters = column_str(st, COL_CHAPTERS);
	e->page = column_str(st, COL_PAGE);
	e->source_stamp = column_str(st, COL_SOURCE_STAMP);
}

/* Binds s (NULL: SQL NULL) to parameter ?N of st. Returns an SQLite code. */
static int bind_str(sqlite3_stmt *st, int n, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, n);
	return sqlite3_bind_text(st, n, s, -1, SQLITE_STATIC);
}

/*
 * Binds every field of e to ST_UPSERT, with the identity (guid, pub_date,
 * number) given separately. The strings must outlive the step. Returns
 * SQLITE_OK or the first failing bind's code.
 */
static int bind_episode(sqlite3_stmt *st, const struct episode *e,
			const char *guid, int64_t pub_date, int number)
{
	int rc = SQLITE_OK;

#define BIND(call) do { if (rc == SQLITE_OK) rc = (call); } while (0)
	BIND(bind_str(st, COL_KEY + 1, e->key));
	BIND(bind_str(st, COL_GUID + 1, guid));
	BIND(bind_str(st, COL_SLUG + 1, e->slug));
	BIND(sqlite3_bind_int64(st, COL_PUB_DATE + 1, pub_date));
	BIND(bind_str(st, COL_RENDER_KEY + 1, e->render_key));
	BIND(bind_str(st, COL_FILE + 1, e->file));
	BIND(sqlite3_bind_int64(st, COL_BYTES + 1, e->bytes));
	BIND(sqlite3_bind_int64(st, COL_SAMPLES + 1, e->samples));
	BIND(sqlite3_bind_int(st, COL_SAMPLE_RATE + 1, e->sample_rate));
	BIND(sqlite3_bind_double(st, COL_DURATION + 1, e->duration));
	BIND(bind_str(st, COL_TITLE + 1, e->title));
	BIND(bind_str(st, COL_AUTHOR + 1, e->author));
	BIND(bind_str(st, COL_SUMMARY + 1, e->summary));
	BIND(bind_str(st, COL_CONTENT_HTML + 1, e->content_html));
	BIND(sqlite3_bind_int(st, COL_EXPLICIT + 1, e->explicit_flag));
	BIND(sqlite3_bind_int(st, COL_NUMBER + 1, number));
	BIND(bind_str(st, COL_TRANSCRIPT_VTT + 1, e->transcript_vtt));
	BIND(bind_str(st, COL_TRANSCRIPT_SRT + 1, e->transcript_srt));
	BIND(bind_str(st, COL_CHAPTERS + 1, e->chapters));
	BIND(bind_str(st, COL_PAGE + 1, e->page));
	BIND(bind_str(st, COL_SOURCE_STAMP + 1, e->source_stamp));
#undef BIND
	return rc;
}

/*
 * Whether s can be a file name stem: non-empty, only [a-z0-9-], not
 * starting with '-'. That rules out "/", ".", ".." and hidden files.
 */
static int slug_valid(const char *s)
{
	const char *p;

	if (!s || !*s || *s == '-')
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return 1;
}

/* Looks up review `key`: 1 and fills e (released first), 0, or -1 (printed). */
int catalog_get(struct catalog *c, const char *key, struct episode *e)
{
	sqlite3_stmt *st = c->st[ST_GET];
	int rc, ret = -1;

	if (bind_str(st, 1, key) != SQLITE_OK) {
		ret = db_error(c, "cannot read episode '%s'", key);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		ret = db_error(c, "cannot read episode '%s'", key);
		goto out;
	}
	episode_release(e);
	row_to_episode(st, e);
	ret = 1;
out:
	stmt_done(st);
	return ret;
}

/*
 * Undoes a failed catalog_put: rolls back to its savepoint, or the whole
 * transaction if the put began it. Does nothing when SQLite already
 * rolled everything back (after SQLITE_FULL, for instance).
 */
static void put_abort(struct catalog *c, int began_transaction)
{
	if (sqlite3_get_autocommit(c->db))
		return;
	if (began_transaction) {
		run(c, ST_ROLLBACK, "cannot roll back");
		return;
	}
	if (!run(c, ST_ROLLBACK_TO, "cannot roll back"))
		run(c, ST_RELEASE, "cannot roll back");
}

/*
 * Stores e under a savepoint, so that the history row and the episode
 * row go in together or not at all, inside a caller's transaction or on
 * their own. The identity comes from history when the key has one; for
 * a new key it is recorded there first. On success e's identity fields
 * are set to what is stored; on failure nothing changes.
 */
int catalog_put(struct catalog *c, struct episode *e)
{
	sqlite3_stmt *hist = c->st[ST_HIST_GET];
	sqlite3_stmt *ins = c->st[ST_HIST_PUT];
	char *guid = NULL;
	int64_t pub_date = 0;
	int number = 0, rc, began = 0, in_savepoint = 0, ret = -1;

	if (!e->key || !*e->key) {
		ret = error("catalog '%s': episode without a key", c->path);
		goto out;
	}
	if (!slug_valid(e->slug)) {
		ret = error("catalog '%s': episode '%s' has an invalid slug '%s'",
			    c->path, e->key, e->slug ? e->slug : "");
		goto out;
	}
	if (!isfinite(e->duration)) {
		ret = error("catalog '%s': episode '%s' has an invalid duration",
			    c->path, e->key);
		goto out;
	}

	began = sqlite3_get_autocommit(c->db);
	if (run(c, ST_SAVEPOINT, "cannot store episode '%s'", e->key))
		goto out;
	in_savepoint = 1;

	if (bind_str(hist, 1, e->key) != SQLITE_OK) {
		ret = db_error(c, "cannot read episode '%s'", e->key);
		goto out;
	}
	rc = sqlite3_step(hist);
	if (rc == SQLITE_ROW) {
		guid = column_str(hist, 0);
		pub_date = sqlite3_column_int64(hist, 1);
		number = sqlite3_column_int(hist, 2);
	} else if (rc != SQLITE_DONE) {
		ret = db_error(c, "cannot read episode '%s'", e->key);
		goto out;
	}
	stmt_done(hist);

	if (!guid) {
		if (!e->guid || !*e->guid) {
			ret = error("catalog '%s': new episode '%s' has no GUID",
				    c->path, e->key);
			goto out;
		}
		guid = xstrdup(e->guid);
		pub_date = e->pub_date;
		number = e->number;
		if (bind_str(ins, 1, e->key) != SQLITE_OK ||
		    bind_str(ins, 2, guid) != SQLITE_OK ||
		    sqlite3_bind_int(ins, 3, number) != SQLITE_OK ||
		    sqlite3_bind_int64(ins, 4, pub_date) != SQLITE_OK) {
			ret = db_error(c, "cannot record episode '%s'", e->key);
			goto out;
		}
		if (run(c, ST_HIST_PUT, "cannot record episode '%s'", e->key))
			goto out;
	}

	if (bind_episode(c->st[ST_UPSERT], e, guid, pub_date, number) != SQLITE_OK) {
		ret = db_error(c, "cannot store episode '%s'", e->key);
		goto out;
	}
	if (run(c, ST_UPSERT, "cannot store episode '%s'", e->key))
		goto out;
	if (run(c, ST_RELEASE, "cannot store episode '%s'", e->key))
		goto out;
	in_savepoint = 0;

	free(e->guid);
	e->guid = guid;
	guid = NULL;
	e->pub_date = pub_date;
	e->number = number;
	ret = 0;
out:
	stmt_done(hist);
	stmt_done(ins);
	stmt_done(c->st[ST_UPSERT]);
	if (in_savepoint)
		put_abort(c, began);
	free(guid);
	return ret;
}

/* Sets (NULL: clears) the source stamp of review `key`'s row. 0 or -1 (printed). */
int catalog_set_stamp(struct catalog *c, const char *key, const char *stamp)
{
	sqlite3_stmt *st = c->st[ST_SET_STAMP];

	if (bind_str(st, 1, key) != SQLITE_OK || bind_str(st, 2, stamp) != SQLITE_OK) {
		db_error(c, "cannot store episode '%s'", key);
		stmt_done(st);
		return -1;
	}
	return run(c, ST_SET_STAMP, "cannot store episode '%s'", key);
}

/* Deletes the episode row; history keeps its identity. 0 or -1 (printed). */
int catalog_remove(struct catalog *c, const char *key)
{
	if (bind_str(c->st[ST_REMOVE], 1, key) != SQLITE_OK) {
		db_error(c, "cannot remove episode '%s'", key);
		stmt_done(c->st[ST_REMOVE]);
		return -1;
	}
	return run(c, ST_REMOVE, "cannot remove episode '%s'", key);
}

/*
 * Reads every episode with one SELECT in feed order into a new array.
 * On failure whatever was read is freed.
 */
int catalog_list(struct catalog *c, struct episode **out, size_t *nr)
{
	sqlite3_stmt *st = c->st[ST_LIST];
	struct episode *list = NULL;
	size_t n = 0, alloc = 0;
	int rc, ret = -1;

	*out = NULL;
	*nr = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(list, n + 1, alloc);
		episode_init(&list[n]);
		row_to_episode(st, &list[n]);
		n++;
	}
	if (rc != SQLITE_DONE) {
		ret = db_error(c, "cannot list episodes");
		goto out;
	}
	*out = list;
	*nr = n;
	list = NULL;
	n = 0;
	ret = 0;
out:
	stmt_done(st);
	while (n)
		episode_release(&list[--n]);
	free(list);
	return ret;
}

/*
 * 1 + the largest number in history (removed episodes included), so a
 * number is never given twice. -1 (printed) on error or overflow.
 */
int catalog_next_number(struct catalog *c)
{
	sqlite3_stmt *st = c->st[ST_MAX_NUMBER];
	sqlite3_int64 max;
	int ret = -1;

	if (sqlite3_step(st) != SQLITE_ROW) {
		ret = db_error(c, "cannot find the next episode number");
		goto out;
	}
	max = sqlite3_column_int64(st, 0);
	if (max < 0 || max >= INT_MAX) {
		ret = error("catalog '%s': episode numbers exhausted (largest is %lld)",
			    c->path, (long long)max);
		goto out;
	}
	ret = (int)max + 1;
out:
	stmt_done(st);
	return ret;
}

/* Whether another review's episode uses slug: 1, 0 or -1 (printed). */
int catalog_slug_taken(struct catalog *c, const char *slug, const char *key)
{
	sqlite3_stmt *st = c->st[ST_SLUG_TAKEN];
	int rc, ret = -1;

	if (!slug) {
		ret = error("catalog '%s': no slug to look up", c->path);
		goto out;
	}
	if (bind_str(st, 1, slug) != SQLITE_OK || bind_str(st, 2, key) != SQLITE_OK) {
		ret = db_error(c, "cannot look up slug '%s'", slug);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = db_error(c, "cannot look up slug '%s'", slug);
		goto out;
	}
	ret = rc == SQLITE_ROW;
out:
	stmt_done(st);
	return ret;
}

/*
 * Tries base, base-2, base-3, ..., cutting base (and any hyphen it then
 * ends with) so that the result stays within SLUG_MAX. Gives up after
 * SLUG_TRIES. NULL (printed) on error.
 */
char *slug_unique(struct catalog *c, const char *base, const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	char suffix[16];
	char *ret = NULL;
	size_t keep;
	int n, taken;

	if (!slug_valid(base)) {
		error("catalog '%s': invalid slug '%s'", c->path, base ? base : "");
		goto out;
	}
	for (n = 1; n <= SLUG_TRIES; n++) {
		strbuf_reset(&sb);
		if (n == 1) {
			strbuf_addstr(&sb, base);
		} else {
			snprintf(suffix, sizeof(suffix), "-%d", n);
			keep = strlen(base);
			if (keep + strlen(suffix) > SLUG_MAX)
				keep = SLUG_MAX - strlen(suffix);
			while (keep > 1 && base[keep - 1] == '-')
				keep--;
			strbuf_add(&sb, base, keep);
			strbuf_addstr(&sb, suffix);
		}
		taken = catalog_slug_taken(c, sb.buf, key);
		if (taken < 0)
			goto out;
		if (!taken) {
			ret = strbuf_detach(&sb, NULL);
			goto out;
		}
	}
	error("catalog '%s': no free slug for '%s'", c->path, base);
out:
	strbuf_release(&sb);
	return ret;
}

/*
 * UUIDv5 (SHA-1, RFC 4122) with the podcast GUID as namespace and the
 * key's bytes as name. NULL (printed) when podcast_guid is not a UUID.
 */
char *catalog_make_guid(const char *podcast_guid, const char *key)
{
	uuid_t ns, out;
	char str[UUID_STR_LEN];

	if (!podcast_guid || uuid_parse(podcast_guid, ns)) {
		error("invalid podcast GUID '%s'", podcast_guid ? podcast_guid : "");
		return NULL;
	}
	if (!key)
		key = "";
	uuid_generate_sha1(out, ns, key, strlen(key));
	uuid_unparse_lower(out, str);
	return xstrdup(str);
}

/* Latin letters and their ASCII spelling, by ranges of code points. */
static const struct {
	unsigned short first, last;
	const char *ascii;
} latin_fold[] = {
	/* Latin-1 Supplement; U+00D7 and U+00F7 are signs */
	{ 0xc0, 0xc5, "a" }, { 0xc6, 0xc6, "ae" }, { 0xc7, 0xc7, "c" },
	{ 0xc8, 0xcb, "e" }, { 0xcc, 0xcf, "i" }, { 0xd0, 0xd0, "d" },
	{ 0xd1, 0xd1, "n" }, { 0xd2, 0xd6, "o" }, { 0xd8, 0xd8, "o" },
	{ 0xd9, 0xdc, "u" }, { 0xdd, 0xdd, "y" }, { 0xde, 0xde, "th" },
	{ 0xdf, 0xdf, "ss" },
	{ 0xe0, 0xe5, "a" }, { 0xe6, 0xe6, "ae" }, { 0xe7, 0xe7, "c" },
	{ 0xe8, 0xeb, "e" }, { 0xec, 0xef, "i" }, { 0xf0, 0xf0, "d" },
	{ 0xf1, 0xf1, "n" }, { 0xf2, 0xf6, "o" }, { 0xf8, 0xf8, "o" },
	{ 0xf9, 0xfc, "u" }, { 0xfd, 0xfd, "y" }, { 0xfe, 0xfe, "th" },
	{ 0xff, 0xff, "y" },
	/* Latin Extended-A, which pairs capital and small letters */
	{ 0x100, 0x105, "a" }, { 0x106, 0x10d, "c" }, { 0x10e, 0x111, "d" },
	{ 0x112, 0x11b, "e" }, { 0x11c, 0x123, "g" }, { 0x124, 0x127, "h" },
	{ 0x128, 0x131, "i" }, { 0x132, 0x133, "ij" }, { 0x134, 0x135, "j" },
	{ 0x136, 0x138, "k" }, { 0x139, 0x142, "l" }, { 0x143, 0x14b, "n" },
	{ 0x14c, 0x151, "o" }, { 0x152, 0x153, "oe" }, { 0x154, 0x159, "r" },
	{ 0x15a, 0x161, "s" }, { 0x162, 0x167, "t" }, { 0x168, 0x173, "u" },
	{ 0x174, 0x175, "w" }, { 0x176, 0x178, "y" }, { 0x179, 0x17e, "z" },
	{ 0x17f, 0x17f, "s" },
	/* Romanian comma-below letters (Latin Extended-B) */
	{ 0x218, 0x219, "s" }, { 0x21a, 0x21b, "t" },
};

/* The ASCII spelling of Latin letter cp, or NULL. */
static const char *fold_latin(long cp)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(latin_fold); i++)
		if (cp >= latin_fold[i].first && cp <= latin_fold[i].last)
			return latin_fold[i].ascii;
	return NULL;
}

/*
 * Whether non-ASCII cp is a space, punctuation or sign that separates
 * words ("Tokyo—Osaka" -> "tokyo-osaka"), as ASCII punctuation does.
 * Other characters that cannot be folded (CJK, emoji, combining accents
 * of decomposed text) are dropped without a hyphen.
 */
static int is_separator(long cp)
{
	return (cp >= 0x80 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 ||
	       (cp >= 0x2000 && cp <= 0x206f) ||  /* General Punctuation */
	       (cp >= 0x2e00 && cp <= 0x2e7f) ||  /* Supplemental Punctuation */
	       (cp >= 0x3000 && cp <= 0x303f);    /* CJK Symbols and Punctuation */
}

/*
 * Builds the slug in one pass: letters and digits are kept (lower-cased
 * or folded), a separator before the next kept character becomes one
 * hyphen, so there is no leading, trailing or double hyphen. Invalid
 * UTF-8 bytes are dropped. Then cuts to SLUG_MAX, at the last hyphen if
 * that keeps at least half. Never fails.
 */
char *slugify(const char *title)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = title ? title : "";
	const char *end = p + strlen(p);
	const char *ascii;
	char one[2] = { 0, 0 };
	int pending = 0;
	long cp;
	size_t cut, i;

	while (p < end) {
		cp = utf8_decode(&p, end);
		if (cp < 0)
			continue;
		if (cp < 0x80) {
			if (cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
			if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
				one[0] = (char)cp;
				ascii = one;
			} else {
				ascii = NULL;
			}
		} else if (!(ascii = fold_latin(cp)) && !is_separator(cp)) {
			continue;
		}
		if (!ascii) {
			pending = 1;
			continue;
		}
		if (pending && sb.len)
			strbuf_addch(&sb, '-');
		pending = 0;
		strbuf_addstr(&sb, ascii);
	}

	if (sb.len > SLUG_MAX) {
		cut = SLUG_MAX;
		if (sb.buf[SLUG_MAX] != '-') {
			for (i = SLUG_MAX; i > SLUG_MAX / 2; i--) {
				if (sb.buf[i - 1] == '-') {
					cut = i - 1;
					break;
				}
			}
		}
		while (cut && sb.buf[cut - 1] == '-')
			cut--;
		sb.len = cut;
		sb.buf[cut] = '\0';
	}
	if (!sb.len)
		strbuf_addstr(&sb, "episode");
	return strbuf_detach(&sb, NULL);
}
