/*
 * build.c - `revcast build`. See build.h.
 *
 * The order of work is what keeps the published folder consistent at
 * every moment:
 *   1. each changed review is rendered to a new file whose name carries
 *      its render key (episodes/SLUG-KEY8.mp3), written atomically; the
 *      file the current feed points to is never touched;
 *   2. the catalog row is updated in its own transaction;
 *   3. feed.xml is written from the catalog and renamed into place,
 *      then the listening site beside it (index.html, the episodes'
 *      pages, feed.xsl, episodes.m3u);
 *   4. only then are files that the new feed no longer names removed.
 * An episode's transcripts and chapters (episodes/SLUG-KEY8.vtt, .srt,
 * .chapters.json) are written right after its render, while its timeline
 * is at hand, and carry the same stem as its audio, so that they change
 * together; an unchanged episode keeps them as they are.
 * A crash between any two steps leaves the old feed with all its files,
 * or the new feed with all of its own; the next build finishes the job.
 */
#include "build.h"
#include "catalog.h"
#include "episode.h"
#include "feed.h"
#include "feedcfg.h"
#include "html.h"
#include "review.h"
#include "site.h"
#include "speech.h"
#include "text.h"
#include "transcript.h"
#include "util.h"
#include "voice.h"
#include "worker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUMMARY_MAX 300
/*
 * A review's source stamp is recorded only when its file has not changed
 * for this many seconds when the build starts (see review_stat()).
 */
#define STAMP_SETTLE_SECONDS 2

void build_options_init(struct build_options *o)
{
	memset(o, 0, sizeof(*o));
	o->out_dir = "public";
	o->jobs = cores_available();
	o->time_limit = 1800;
	o->memory_limit_mb = 4096;
}

char *build_feed_dir(const char *feed)
{
	char *dir;

	if (strchr(feed, '/') || is_dir(feed)) {
		dir = xstrdup(feed);
	} else {
		dir = xasprintf("feeds/%s", feed);
	}
	/* Drop trailing slashes: the folder's name is the feed's name. */
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	if (!is_dir(dir)) {
		error("no feed '%s' (no folder %s)", feed, dir);
		free(dir);
		return NULL;
	}
	return dir;
}

/* "Now": SOURCE_DATE_EPOCH when set (reproducible builds), else the clock. */
static int64_t build_now(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	long v;

	if (sde && *sde) {
		if (!parse_long(sde, 0, 253402300799L, &v))
			return v;
		warning("ignoring SOURCE_DATE_EPOCH='%s' (not a number of seconds)", sde);
	}
	return (int64_t)time(NULL);
}

/* A front matter date (YYYY-MM-DD, checked by the reader) as 00:00 UTC. */
static int64_t date_to_epoch(const char *date)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!strptime(date, "%Y-%m-%d", &tm))
		return -1;
	return (int64_t)timegm(&tm);
}

static int is_review_name(const char *name)
{
	const char *ext = path_ext(name);

	return name[0] != '.' && (!strcmp(ext, "txt") || !strcmp(ext, "md") ||
				  !strcmp(ext, "markdown"));
}

/* The review files of a folder (names only), sorted. */
static int list_reviews(const char *dir, char ***out, size_t *nr)
{
	struct dirent **ents;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int i, count;

	count = scandir(dir, &ents, NULL, alphasort);
	if (count < 0)
		return error("cannot read the reviews folder '%s': %s", dir, strerror(errno));
	for (i = 0; i < count; i++) {
		if (is_review_name(ents[i]->d_name)) {
			unsigned char type = ents[i]->d_type;
			int reg = type == DT_REG;

			/* the directory says what most entries are; stat the rest (links) */
			if (type == DT_UNKNOWN || type == DT_LNK) {
				char *p = path_join(dir, ents[i]->d_name);

				reg = is_file(p);
				free(p);
			}
			if (reg) {
				ALLOC_GROW(names, n + 1, alloc);
				names[n++] = xstrdup(ents[i]->d_name);
			}
		}
		free(ents[i]);
	}
	free(ents);
	*out = names;
	*nr = n;
	return 0;
}

static void free_names(char **names, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

/*
 * A set of file names (open addressing, FNV-1a), for the names a
 * directory holds or an episode uses: tens of thousands of lookups in
 * constant time each, where sorting and bsearch took a tenth of a second
 * at 10,000 episodes.
 */
struct name_set {
	struct name_slot {
		const char *name;   /* NULL: free */
		uint32_t hash;      /* name_hash(name) */
		unsigned char type; /* a dirent's d_type, or DT_UNKNOWN */
		unsigned char used; /* a mark of the caller's (collect_garbage()) */
	} *slots;
	size_t nr, size;        /* size: a power of two */
	char **owned;           /* blocks of the names the set copied (name_set_add_copy) */
	size_t nr_owned, alloc_owned;
	size_t used, cap;       /* bytes taken in the last block, and its size */
};

#define NAME_BLOCK 65536

/* FNV-1a, whose low bits (the slot) mix poorly, finished as MurmurHash3's fmix32. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = hash_fnv1a32(s);

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* The slot of name (hash h): its own, or the free one where it would go. */
static struct name_slot *name_slot_of(const struct name_set *set, const char *name, uint32_t h)
{
	size_t mask = set->size - 1, i = h & mask;

	while (set->slots[i].name &&
	       (set->slots[i].hash != h || strcmp(set->slots[i].name, name)))
		i = (i + 1) & mask;
	return &set->slots[i];
}

/* Makes room for n names in all without growing again. */
static void name_set_reserve(struct name_set *set, size_t n)
{
	struct name_slot *old = set->slots;
	size_t i, old_size = set->size, size = set->size ? set->size : 64;

	while (size < 2 * n)
		size *= 2;
	if (size == set->size)
		return;
	set->slots = xcalloc(size, sizeof(*set->slots));
	set->size = size;
	for (i = 0; i < old_size; i++)
		if (old[i].name)
			*name_slot_of(set, old[i].name, old[i].hash) = old[i];
	free(old);
}

/* Adds name (not copied: it must outlive the set) with a d_type. */
static void name_set_add(struct name_set *set, const char *name, unsigned char type)
{
	struct name_slot *slot;
	uint32_t h = name_hash(name);

	if (2 * (set->nr + 1) > set->size)
		name_set_reserve(set, 2 * set->nr + 1);
	slot = name_slot_of(set, name, h);
	if (!slot->name)
		set->nr++;
	slot->name = name;
	slot->hash = h;
	slot->type = type;
	slot->used = 0;
}

/*
 * Like name_set_add(), with a copy of name that the set frees. Copies
 * are packed into blocks: one allocation for hundreds of names.
 */
static void name_set_add_copy(struct name_set *set, const char *name, unsigned char type)
{
	size_t len = strlen(name) + 1;
	char *copy;

	if (!set->nr_owned || set->used + len > set->cap) {
		set->cap = len > NAME_BLOCK ? len : NAME_BLOCK;
		ALLOC_GROW(set->owned, set->nr_owned + 1, set->alloc_owned);
		set->owned[set->nr_owned++] = xmalloc(set->cap);
		set->used = 0;
	}
	copy = set->owned[set->nr_owned - 1] + set->used;
	memcpy(copy, name, len);
	set->used += len;
	name_set_add(set, copy, type);
}

/* The slot of name, or NULL when the set does not have it. */
static struct name_slot *name_set_find(const struct name_set *set, const char *name)
{
	struct name_slot *slot;

	if (!set->size)
		return NULL;
	slot = name_slot_of(set, name, name_hash(name));
	return slot->name ? slot : NULL;
}

static void name_set_release(struct name_set *set)
{
	size_t i;

	for (i = 0; i < set->nr_owned; i++)
		free(set->owned[i]);
	free(set->owned);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/*
 * Reads the names in dir (without "." and "..") into set, with their
 * types. 0, or -1 when dir cannot be read (set left empty).
 */
static int name_set_read_dir(struct name_set *set, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			name_set_add_copy(set, de->d_name, de->d_type);
	closedir(d);
	return 0;
}

/* Everything one build of one feed works with. */
struct feed_build {
	const struct build_options *opts;
	struct feed_config cfg;
	struct render_options ro;
	struct catalog *cat;
	char *out;            /* DIR/NAME */
	char *podcast_guid;
	int64_t now;
	int lock_fd;
	struct build_stats *st;
	int next_number;      /* for the next new episode of this build */
	char **slugs;         /* slugs given to new episodes in this build */
	size_t nr_slugs, alloc_slugs;
	struct strbuf manifest; /* shard mode: rows of shard-K-of-N.tsv */
	struct strbuf ini;    /* feed.ini's bytes, read before it is parsed */
	char *fingerprint;    /* of everything outside the reviews (source_fingerprint) */
	struct timespec start; /* the build's start by the clock (not SOURCE_DATE_EPOCH) */
	struct stamp_update {
		char *key, *stamp;
	} *stamps;            /* unchanged reviews whose stamps are to be recorded */
	size_t nr_stamps, alloc_stamps;
	/*
	 * The catalog as the build found it, read with one SELECT: rows in
	 * feed order, by_key sorted by key. A build looks each review up
	 * here instead of querying (and locking) the database once per
	 * review; a review's row is only ever changed by its own plan, after
	 * the lookup. catalog_changed says whether rows is still the catalog
	 * (a put or remove since; source stamps are not counted, as nothing
	 * reads them after the plans).
	 */
	struct episode *rows;
	size_t nr_rows;
	struct episode **by_key;
	int catalog_changed;
	/* what episodes/ held when the plans began (see output_has_file()) */
	struct name_set ep_files;
	int ep_files_read;
	int reviews_fd;       /* the reviews folder, or -1 */
	int out_fd;           /* the output folder (DIR/NAME), or -1 */
	int rendered_any;     /* a plan was left to render (or to take from shards) */
};

static int cmp_row_key(const void *a, const void *b)
{
	return strcmp((*(struct episode *const *)a)->key, (*(struct episode *const *)b)->key);
}

/* Reads the catalog into b->rows and indexes it by key. 0 or -1 (printed). */
static int read_rows(struct feed_build *b)
{
	size_t i;

	if (catalog_list(b->cat, &b->rows, &b->nr_rows))
		return -1;
	b->by_key = xcalloc(b->nr_rows ? b->nr_rows : 1, sizeof(*b->by_key));
	for (i = 0; i < b->nr_rows; i++)
		b->by_key[i] = &b->rows[i];
	qsort(b->by_key, b->nr_rows, sizeof(*b->by_key), cmp_row_key);
	b->catalog_changed = 0;
	return 0;
}

static void release_rows(struct feed_build *b)
{
	size_t i;

	for (i = 0; i < b->nr_rows; i++)
		episode_release(&b->rows[i]);
	free(b->rows);
	free(b->by_key);
	b->rows = NULL;
	b->by_key = NULL;
	b->nr_rows = 0;
}

/* Review key's row as the build found it, or NULL. */
static const struct episode *find_row(const struct feed_build *b, const char *key)
{
	struct episode k, *kp = &k, **found;

	k.key = (char *)key;
	found = b->nr_rows ? bsearch(&kp, b->by_key, b->nr_rows, sizeof(*b->by_key),
				     cmp_row_key) : NULL;
	return found ? *found : NULL;
}

static void progress(const struct feed_build *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void progress(const struct feed_build *b, const char *fmt, ...)
{
	va_list ap;

	if (!b->opts->progress)
		return;
	fprintf(stderr, "%s: ", b->cfg.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Reads file dir/name into sb (empty when it cannot be read or holds over
 * 1 MiB), without printing anything: whoever parses it says what is wrong.
 */
static void read_quietly(const char *dir, const char *name, struct strbuf *sb)
{
	char *path = path_join(dir, name), buf[8192];
	FILE *f = fopen(path, "rb");
	size_t n;

	strbuf_reset(sb);
	if (f) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && sb->len <= (1u << 20))
			strbuf_add(sb, buf, n);
		if (ferror(f) || sb->len > (1u << 20))
			strbuf_reset(sb);
		fclose(f);
	}
	free(path);
}

/* Adds a file's name and contents (or its absence) to the hash. */
static void fp_file(struct sha256_ctx *h, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char len[32];

	sha256_add_str(h, path);
	if (path && is_file(path) && !read_file(path, &sb, 1u << 30)) {
		snprintf(len, sizeof(len), "%zu", sb.len);
		sha256_add_str(h, len);
		sha256_update(h, sb.len, (const uint8_t *)sb.buf);
	} else {
		sha256_add_str(h, NULL);
	}
	strbuf_release(&sb);
}

/* Adds a voice profile and the files it names to the hash. */
static void fp_profile(struct sha256_ctx *h, const char *path, const char *dir)
{
	struct strbuf files = STRBUF_INIT;
	size_t at;

	fp_file(h, path);
	voice_profile_files(path, dir, &files);
	for (at = 0; at < files.len; at += strlen(files.buf + at) + 1)
		fp_file(h, files.buf + at);
	strbuf_release(&files);
}

/*
 * The fingerprint of everything outside a review file that goes into its
 * episode (its catalog row and its render key), computed once per build:
 * the revcast and eSpeak NG versions, feed.ini, the cover, the feed's
 * lexicon, and every file of the voices directory (profiles, lexicons,
 * explicit word lists, whatever else lies there) with the files that the
 * profiles name (jingles), and the default voice when it is a path.
 * What a single review names outside itself (its own lexicon, a voice
 * given as a path) is not in it: such reviews get no stamp. A new string
 * (hex SHA-256); files that cannot be read count as absent.
 */
static char *source_fingerprint(const struct feed_build *b)
{
	const char *vdir = b->ro.voices_dir ? b->ro.voices_dir : voice_dir();
	struct sha256_ctx h;
	struct dirent **ents;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1], len[32];
	int i, n;

	sha256_init(&h);
	sha256_add_str(&h, "revcast source stamp 1");
	sha256_add_str(&h, "revcast " REVCAST_VERSION);
	sha256_add_str(&h, speech_engine_version());
	/*
	 * feed.ini as read before it was parsed: everything else is read
	 * here before the reviews are prepared, so a change while this build
	 * runs makes the next one prepare them again.
	 */
	sha256_add_str(&h, b->cfg.path);
	snprintf(len, sizeof(len), "%zu", b->ini.len);
	sha256_add_str(&h, len);
	sha256_update(&h, b->ini.len, (const uint8_t *)b->ini.buf);
	fp_file(&h, b->cfg.image);
	fp_file(&h, b->cfg.lexicon);
	sha256_add_str(&h, b->cfg.reviews_dir);
	sha256_add_str(&h, b->ro.voice);
	sha256_add_str(&h, b->ro.default_voice);
	if (b->ro.default_voice && strchr(b->ro.default_voice, '/'))
		fp_profile(&h, b->ro.default_voice, vdir);
	sha256_add_str(&h, vdir);
	n = scandir(vdir, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char *p = path_join(vdir, nm);

		if (strcmp(nm, ".") && strcmp(nm, "..") && is_file(p)) {
			if (!strcmp(path_ext(nm), "ini"))
				fp_profile(&h, p, vdir);
			else
				fp_file(&h, p);
		}
		free(p);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	sha256_add_str(&h, n < 0 ? "no voices" : "voices");
	sha256_digest(&h, sizeof(digest), digest);
	for (i = 0; i < (int)sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return xstrdup(hex);
}

/*
 * The source stamp of review `name` (in the reviews folder) as it is now: the fingerprint,
 * the file's size, modification and change times (ns) and inode, as a
 * new string; NULL when it cannot be stat'ed. *settled says whether the
 * file was last changed at least STAMP_SETTLE_SECONDS before the build
 * started. Only a settled stamp is recorded, as git does for its index:
 * a file written in the same clock tick as (or just after) the build read
 * it could otherwise keep the stamp the build saw with other contents.
 */
static char *review_stamp(const struct feed_build *b, const char *name, int *settled)
{
	struct stat st;
	time_t limit = b->start.tv_sec - STAMP_SETTLE_SECONDS;

	*settled = 0;
	if (stat_in(b->reviews_fd, b->cfg.reviews_dir, name, &st))
		return NULL;
	*settled = st.st_mtim.tv_sec < limit && st.st_ctim.tv_sec < limit;
	return xasprintf("%s %lld %lld.%09ld %lld.%09ld %llu", b->fingerprint,
			 (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			 (long)st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
			 (long)st.st_ctim.tv_nsec, (unsigned long long)st.st_ino);
}

/*
 * Whether review r's episode depends only on its file and on what the
 * fingerprint covers (so that a stamp may stand for it).
 */
static int stampable(const struct review *r)
{
	return !r->lexicon && (!r->voice || !strchr(r->voice, '/'));
}

/* Size of a file, or -1. */
static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* Size of file rel (relative to the output), or -1. */
static long long output_file_size(const struct feed_build *b, const char *rel)
{
	struct stat st;

	return stat_in(b->out_fd, b->out, rel, &st) ? -1 : (long long)st.st_size;
}

/*
 * Whether rel (relative to the output) is a regular file. A file of
 * episodes/ is looked up in the listing taken when the plans began: one
 * read of the folder instead of a stat per file. Whatever the listing
 * does not settle (another folder, a link, an unknown type) is stat'ed.
 */
static int output_has_file(const struct feed_build *b, const char *rel)
{
	const struct name_slot *slot;
	char *path;
	int ok;

	if (b->ep_files_read && !strncmp(rel, "episodes/", 9) && !strchr(rel + 9, '/')) {
		slot = name_set_find(&b->ep_files, rel + 9);
		if (!slot)
			return 0;
		if (slot->type == DT_REG)
			return 1;
		if (slot->type != DT_UNKNOWN && slot->type != DT_LNK)
			return 0;
	}
	path = path_join(b->out, rel);
	ok = is_file(path);
	free(path);
	return ok;
}

/* Fills the parts of e that come from the review itself. */
static void episode_from_review(struct episode *e, const struct review *r,
				const struct feed_build *b)
{
	struct strbuf html = STRBUF_INIT;

	free(e->title);
	e->title = xstrdup(r->title);
	free(e->author);
	e->author = xstrdup_or_null(r->author);
	free(e->summary);
	e->summary = review_summary(r, SUMMARY_MAX);
	html_review_body(&html, r);
	free(e->content_html);
	e->content_html = strbuf_detach(&html, NULL);
	e->explicit_flag = text_is_explicit(r, r->lang ? r->lang : b->cfg.language,
					    b->ro.voices_dir ? b->ro.voices_dir : voice_dir());
}

/* Whether the two episodes would give the same feed item. */
static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_item(const struct episode *a, const struct episode *b)
{
	return same_str(a->title, b->title) && same_str(a->author, b->author) &&
	       same_str(a->summary, b->summary) &&
	       same_str(a->content_html, b->content_html) &&
	       a->explicit_flag == b->explicit_flag &&
	       same_str(a->transcript_vtt, b->transcript_vtt) &&
	       same_str(a->transcript_srt, b->transcript_srt) &&
	       same_str(a->chapters, b->chapters) && same_str(a->page, b->page);
}

/*
 * Whether old (the catalog's row) has the transcripts and chapters that
 * belong to audio file `file`, and they are all in the output. Without
 * them the episode is rendered again: only a render has the timeline.
 */
static int has_transcripts(const struct feed_build *b, const struct episode *old,
			   const char *file)
{
	const char *have[3] = { old->transcript_vtt, old->transcript_srt, old->chapters };
	const char *ext[3] = { "vtt", "srt", "chapters.json" };
	int i, ok = 1;

	for (i = 0; i < 3 && ok; i++) {
		char *want = episode_sibling(file, ext[i]);

		ok = have[i] && !strcmp(have[i], want) && output_has_file(b, want);
		free(want);
	}
	return ok;
}

/* What a build does with one review. */
enum plan_action {
	PLAN_FAILED,     /* cannot be published (error printed) */
	PLAN_SKIP,       /* another shard's review */
	PLAN_DONE,       /* unchanged, or updated without rendering */
	PLAN_RENDER,     /* to be rendered */
};

struct plan {
	struct feed_build *b;
	char *name;          /* the review's file name: the catalog key */
	char *path;
	size_t index, count; /* for progress */
	enum plan_action action;
	int found;           /* the catalog had the review */
	struct review review;
	struct episode_job job;
	int has_review, has_job;
	struct episode e;    /* the catalog row to put */
	char *out_path;      /* where its audio goes */
	int processes;       /* for its render (render_options.processes) */
};

/* FNV-1a of the file name: a review's shard, 1..n. */
static int shard_of(const char *name, int n)
{
	return (int)(hash_fnv1a32(name) % (uint32_t)n) + 1;
}

static void plan_release(struct plan *p)
{
	if (p->has_job)
		episode_job_release(&p->job);
	if (p->has_review)
		review_release(&p->review);
	p->has_job = p->has_review = 0;
	episode_release(&p->e);
	free(p->out_path);
	free(p->path);
	free(p->name);
	p->out_path = p->path = p->name = NULL;
}

/* Whether slug is given to another new review of this build. */
static int slug_planned(const struct feed_build *b, const char *slug)
{
	size_t i;

	for (i = 0; i < b->nr_slugs; i++)
		if (!strcmp(b->slugs[i], slug))
			return 1;
	return 0;
}

/*
 * A slug for a new review: unique in the catalog and among the other new
 * reviews of this build. New string, or NULL (printed).
 */
static char *plan_slug(struct feed_build *b, const char *base, const char *key)
{
	char *slug = slug_unique(b->cat, base, key);
	int n = 2;

	while (slug && slug_planned(b, slug)) {
		char *alt = xasprintf("%.50s-%d", base, n++);

		free(slug);
		slug = slug_unique(b->cat, alt, key);
		free(alt);
	}
	if (slug) {
		ALLOC_GROW(b->slugs, b->nr_slugs + 1, b->alloc_slugs);
		b->slugs[b->nr_slugs++] = xstrdup(slug);
	}
	return slug;
}

/* Puts e into the catalog in its own transaction. 0 or -1 (printed). */
static int put_episode(struct feed_build *b, struct episode *e)
{
	b->catalog_changed = 1;
	if (catalog_begin(b->cat))
		return -1;
	if (catalog_put(b->cat, e) || catalog_commit(b->cat)) {
		catalog_rollback(b->cat);
		return -1;
	}
	return 0;
}

/* Says that p's review is not published, and why its episode is where it is. */
static void plan_failed(struct plan *p, const char *why)
{
	error("%s: not published%s%s; %s", p->path, why ? ": " : "", why ? why : "",
	      p->found > 0 ? "its previous episode stays in the feed" :
			     "it is not in the feed");
	p->action = PLAN_FAILED;
	p->b->st->failed++;
}

/*
 * Whether old (the catalog's row of p's review) is up to date by its
 * source stamp alone: the review file and everything the fingerprint
 * covers are as they were when the row was made, and the row's audio,
 * transcripts and chapters are in the output. Then the review need not
 * be read.
 */
static int stamp_unchanged(const struct plan *p, const struct episode *old,
			   const char *stamp)
{
	const struct feed_build *b = p->b;

	if (b->opts->force || !stamp || !old->source_stamp || strcmp(stamp, old->source_stamp) ||
	    !old->render_key || !old->file || !old->slug)
		return 0;
	/* the transcripts first: they need no system call (see output_has_file()) */
	return has_transcripts(b, old, old->file) &&
	       output_has_file(b, old->file) && output_file_size(b, old->file) == old->bytes;
}

/* Remembers that review key's row is to get stamp, or none (see flush_stamps()). */
static void queue_stamp(struct feed_build *b, const char *key, const char *stamp)
{
	ALLOC_GROW(b->stamps, b->nr_stamps + 1, b->alloc_stamps);
	b->stamps[b->nr_stamps].key = xstrdup(key);
	b->stamps[b->nr_stamps].stamp = xstrdup_or_null(stamp);
	b->nr_stamps++;
}

/*
 * Records the queued stamps in one transaction. A failure is printed and
 * only costs speed: those reviews are read again next time.
 */
static void flush_stamps(struct feed_build *b)
{
	size_t i;
	int bad = 0;

	if (b->nr_stamps && !catalog_begin(b->cat)) {
		for (i = 0; i < b->nr_stamps && !bad; i++)
			bad = catalog_set_stamp(b->cat, b->stamps[i].key, b->stamps[i].stamp);
		if (bad || catalog_commit(b->cat))
			catalog_rollback(b->cat);
	}
	for (i = 0; i < b->nr_stamps; i++) {
		free(b->stamps[i].key);
		free(b->stamps[i].stamp);
	}
	b->nr_stamps = 0;
}

/*
 * Decides what to do with one review: when its source stamp says its
 * catalog row is up to date, nothing more; otherwise reads and prepares
 * it, finds it in the catalog, and either finishes it here (unchanged, or
 * new details without new audio) or leaves it to be rendered.
 */
static void plan_review(struct plan *p)
{
	struct feed_build *b = p->b;
	static const struct episode none;
	const struct episode *row = find_row(b, p->name), *old = row ? row : &none;
	char *slug = NULL, *stamp = NULL;
	int mine = !b->opts->shard_n || shard_of(p->name, b->opts->shard_n) == b->opts->shard_k;
	int settled = 0;

	if (!mine) {
		p->action = PLAN_SKIP;
		return;
	}
	p->found = row != NULL;
	/* The stamp is taken before the file is read: a later change shows. */
	stamp = review_stamp(b, p->name, &settled);
	if (stamp && !b->opts->force) {
		if (p->found && stamp_unchanged(p, old, stamp)) {
			p->action = PLAN_DONE;
			b->st->unchanged++;
			progress(b, "[%zu/%zu] %s: unchanged", p->index + 1, p->count, p->name);
			goto out;
		}
	}
	if (review_read(&p->review, p->path)) {
		progress(b, "[%zu/%zu] %s: cannot be read", p->index + 1, p->count, p->name);
		plan_failed(p, NULL);
		goto out;
	}
	p->has_review = 1;
	if (!settled || !stampable(&p->review)) {
		free(stamp);
		stamp = NULL;
	}
	if (episode_prepare(&p->job, &p->review, &b->ro)) {
		plan_failed(p, NULL);
		goto out;
	}
	p->has_job = 1;
	if (p->found) {
		slug = xstrdup(old->slug);
	} else {
		char *base = p->review.slug ? xstrdup(p->review.slug) : slugify(p->review.title);

		slug = plan_slug(b, base, p->name);
		free(base);
		if (!slug) {
			plan_failed(p, NULL);
			goto out;
		}
	}
	p->e.key = xstrdup(p->name);
	p->e.slug = xstrdup(slug);
	p->e.render_key = xstrdup(p->job.key);
	p->e.file = xasprintf("episodes/%s-%.8s.mp3", slug, p->job.key);
	p->e.page = episode_sibling(p->e.file, "html");
	p->out_path = path_join(b->out, p->e.file);
	episode_from_review(&p->e, &p->review, b);
	p->e.source_stamp = xstrdup_or_null(stamp);
	if (p->found) {
		p->e.guid = xstrdup(old->guid);
		p->e.pub_date = old->pub_date;
		p->e.number = old->number;
	} else {
		p->e.guid = catalog_make_guid(b->podcast_guid, p->name);
		p->e.pub_date = p->review.date ? date_to_epoch(p->review.date) : b->now;
		p->e.number = b->next_number++;
	}
	if (!b->opts->force && p->found && old->render_key &&
	    !strcmp(old->render_key, p->job.key) && old->file && !strcmp(old->file, p->e.file) &&
	    output_file_size(b, p->e.file) == old->bytes && has_transcripts(b, old, p->e.file)) {
		p->e.transcript_vtt = xstrdup(old->transcript_vtt);
		p->e.transcript_srt = xstrdup(old->transcript_srt);
		p->e.chapters = xstrdup(old->chapters);
		p->e.bytes = old->bytes;
		p->e.samples = old->samples;
		p->e.sample_rate = old->sample_rate;
		p->e.duration = old->duration;
		p->action = PLAN_DONE;
		if (same_item(old, &p->e)) {
			b->st->unchanged++;
			if (!b->opts->shard_n && !same_str(old->source_stamp, stamp))
				queue_stamp(b, p->name, stamp);
			progress(b, "[%zu/%zu] %s: unchanged", p->index + 1, p->count, p->name);
		} else if (b->opts->shard_n) {
			b->st->unchanged++;   /* a shard leaves the catalog to the assembly */
		} else if (put_episode(b, &p->e)) {
			plan_failed(p, NULL);
		} else {
			b->st->updated++;
			progress(b, "[%zu/%zu] %s: details updated, audio unchanged",
				 p->index + 1, p->count, p->name);
		}
		goto out;
	}
	p->action = PLAN_RENDER;
out:
	if (p->action != PLAN_RENDER) {
		if (p->has_job)
			episode_job_release(&p->job);
		if (p->has_review)
			review_release(&p->review);
		p->has_job = p->has_review = 0;
	}
	free(slug);
	free(stamp);
}

/* One manifest row: what a render produced (see parse_result). */
static void format_result(struct strbuf *sb, const struct episode *e)
{
	strbuf_addf(sb, "%s\t%s\t%lld\t%lld\t%d\t%.9f\t%s\t%s\t%s\n", e->key,
		    e->render_key, (long long)e->bytes, (long long)e->samples,
		    e->sample_rate, e->duration, e->transcript_vtt ? e->transcript_vtt : "-",
		    e->transcript_srt ? e->transcript_srt : "-", e->chapters ? e->chapters : "-");
}

/*
 * Reads one row written by format_result into the render results of e
 * (key and render_key are checked, not copied). 0, or -1 when it does not
 * fit.
 */
static int parse_result(const char *line, struct episode *e)
{
	char *copy = xstrdup(line), *f[9], *save = NULL, *tok;
	long long bytes, samples;
	long rate;
	double dur;
	int n = 0, ret = -1;

	for (tok = strtok_r(copy, "\t\n", &save); tok && n < 9; tok = strtok_r(NULL, "\t\n", &save))
		f[n++] = tok;
	if (n != 9 || strcmp(f[0], e->key) || strcmp(f[1], e->render_key))
		goto out;
	if (parse_long(f[4], 1, 384000, &rate) || parse_double(f[5], 0, 1e9, &dur))
		goto out;
	bytes = strtoll(f[2], NULL, 10);
	samples = strtoll(f[3], NULL, 10);
	if (bytes <= 0 || samples < 0)
		goto out;
	e->bytes = bytes;
	e->samples = samples;
	e->sample_rate = (int)rate;
	e->duration = dur;
	free(e->transcript_vtt);
	free(e->transcript_srt);
	free(e->chapters);
	e->transcript_vtt = strcmp(f[6], "-") ? xstrdup(f[6]) : NULL;
	e->transcript_srt = strcmp(f[7], "-") ? xstrdup(f[7]) : NULL;
	e->chapters = strcmp(f[8], "-") ? xstrdup(f[8]) : NULL;
	ret = 0;
out:
	free(copy);
	return ret;
}

/*
 * The worker: renders p's review and its transcripts and chapters, and
 * writes the result row to fd. Runs in a child process.
 */
/*
 * Fault injection for the tests: REVCAST_TEST_WORKER_FAULT=NAME:crash (or
 * :hang, :hog) makes the worker of review NAME crash with SIGSEGV, hang,
 * or allocate memory until it runs out, so that the tests can show that
 * one bad worker costs only its review.
 */
static void test_fault(const char *name)
{
	const char *f = getenv("REVCAST_TEST_WORKER_FAULT");
	size_t n = strlen(name);

	if (!f || strncmp(f, name, n) || f[n] != ':')
		return;
	if (!strcmp(f + n + 1, "crash"))
		raise(SIGSEGV);
	if (!strcmp(f + n + 1, "hang"))
		for (;;)
			pause();
	if (!strcmp(f + n + 1, "hog"))
		for (;;)
			memset(xmalloc(64u << 20), 1, 64u << 20);
}

static int render_in_worker(void *arg, int fd)
{
	struct plan *p = arg;
	struct render_options ro = *p->job.opts;
	struct episode_result res;
	struct strbuf row = STRBUF_INIT;
	ssize_t n;

	test_fault(p->name);
	ro.processes = p->processes;
	p->job.opts = &ro;
	if (episode_render_job(&p->job, p->out_path, &res))
		return 1;
	if (transcript_write_files(&res, p->b->out, p->e.file, p->review.title,
				   &p->e.transcript_vtt, &p->e.transcript_srt, &p->e.chapters))
		return 1;
	p->e.bytes = res.audio.bytes;
	p->e.samples = res.audio.frames;
	p->e.sample_rate = res.audio.rate;
	p->e.duration = res.audio.duration;
	format_result(&row, &p->e);
	n = write(fd, row.buf, row.len);
	return n == (ssize_t)row.len ? 0 : 1;
}

/* The parent's side: a render ended. Records it, or reports why not. */
static void render_done(void *ctx, int id, const struct worker_result *r)
{
	struct plan *p = &((struct plan *)ctx)[id];
	struct feed_build *b = p->b;
	char *row = xstrndup(r->data ? r->data : "", r->len);

	if (!r->ok || parse_result(row, &p->e)) {
		char *why = xasprintf("rendering %s", r->ok ? "gave no result" : r->why);

		plan_failed(p, why);
		free(why);
	} else if (b->opts->shard_n) {
		format_result(&b->manifest, &p->e);
		b->st->rendered++;
		progress(b, "[%zu/%zu] %s: rendered", p->index + 1, p->count, p->name);
	} else if (put_episode(b, &p->e)) {
		plan_failed(p, NULL);
	} else {
		b->st->rendered++;
		progress(b, "[%zu/%zu] %s: rendered", p->index + 1, p->count, p->name);
	}
	free(row);
}

/* Copies src to dst atomically. 0 or -1 (printed). */
static int copy_file(const char *src, const char *dst)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_file(src, &sb, 1u << 30) ? -1 : write_file_atomic(dst, sb.buf, sb.len);

	strbuf_release(&sb);
	return ret;
}

/*
 * Assembly: takes p's render from a shard folder when one rendered the
 * same key: copies its files under p's names and records them. Returns 1
 * when it did, 0 when no shard has it.
 */
static int take_from_shards(struct plan *p)
{
	struct feed_build *b = p->b;
	size_t i;

	for (i = 0; i < b->opts->nr_assemble; i++) {
		char *dir = path_join(b->opts->assemble[i], b->cfg.name);
		struct dirent **ents;
		int n, k, done = 0;

		n = scandir(dir, &ents, NULL, alphasort);
		for (k = 0; k < n; k++) {
			const char *nm = ents[k]->d_name;
			struct strbuf sb = STRBUF_INIT;
			char *path = path_join(dir, nm), *line, *save = NULL;

			if (!done && !strncmp(nm, "shard-", 6) && !strcmp(path_ext(nm), "tsv") &&
			    !read_file(path, &sb, 64u << 20)) {
				for (line = strtok_r(sb.buf, "\n", &save); line && !done;
				     line = strtok_r(NULL, "\n", &save)) {
					struct episode got;

					episode_init(&got);
					got.key = xstrdup(p->e.key);
					got.render_key = xstrdup(p->e.render_key);
					if (!parse_result(line, &got))
						done = 1;
					if (done) {
						const char *src[4] = { NULL, got.transcript_vtt,
							got.transcript_srt, got.chapters };
						const char *ext[4] = { NULL, "vtt", "srt", "chapters.json" };
						char *audio = NULL;
						int j, bad = 0;

						/* The shard's audio file has the same stem as its transcripts. */
						if (got.transcript_vtt) {
							char *stem = xstrndup(got.transcript_vtt,
									      strlen(got.transcript_vtt) - 4);

							audio = xasprintf("%s.mp3", stem);
							free(stem);
						}
						for (j = 0; j < 4 && !bad; j++) {
							const char *rel = j ? src[j] : audio;
							char *from, *to, *want;

							if (!rel) {
								bad = 1;
								break;
							}
							want = j ? episode_sibling(p->e.file, ext[j]) :
								   xstrdup(p->e.file);
							from = path_join(dir, rel);
							to = path_join(b->out, want);
							bad = copy_file(from, to) != 0;
							free(from);
							free(to);
							free(want);
						}
						free(audio);
						if (!bad && file_size(p->out_path) == got.bytes) {
							p->e.bytes = got.bytes;
							p->e.samples = got.samples;
							p->e.sample_rate = got.sample_rate;
							p->e.duration = got.duration;
							p->e.transcript_vtt = episode_sibling(p->e.file, "vtt");
							p->e.transcript_srt = episode_sibling(p->e.file, "srt");
							p->e.chapters = episode_sibling(p->e.file, "chapters.json");
						} else {
							done = 0;
						}
					}
					episode_release(&got);
				}
			}
			strbuf_release(&sb);
			free(path);
			free(ents[k]);
		}
		if (n >= 0)
			free(ents);
		free(dir);
		if (done)
			return 1;
	}
	return 0;
}

/*
 * Publishes the reviews: plans each, takes renders from shards when
 * assembling, renders the rest in up to opts->jobs worker processes, and
 * records every result in the catalog as it comes.
 */
static void build_reviews(struct feed_build *b, char **names, size_t nr)
{
	struct plan *plans = xcalloc(nr ? nr : 1, sizeof(*plans));
	struct worker_pool *pool;
	size_t i, left = 0;

	b->next_number = catalog_next_number(b->cat);
	{
		char *ep_dir = path_join(b->out, "episodes");

		/* some five files an episode: audio, transcripts, chapters, page */
		name_set_reserve(&b->ep_files, 5 * b->nr_rows + 64);
		b->ep_files_read = !name_set_read_dir(&b->ep_files, ep_dir);
		free(ep_dir);
	}
	for (i = 0; i < nr; i++) {
		struct plan *p = &plans[i];

		p->b = b;
		p->name = xstrdup(names[i]);
		p->path = path_join(b->cfg.reviews_dir, names[i]);
		p->index = i;
		p->count = nr;
		episode_init(&p->e);
		plan_review(p);
		if (p->action == PLAN_RENDER)
			b->rendered_any = 1;   /* writes into episodes/ */
		if (p->action == PLAN_RENDER && b->opts->nr_assemble && take_from_shards(p)) {
			p->action = PLAN_DONE;
			if (put_episode(b, &p->e)) {
				plan_failed(p, NULL);
			} else {
				b->st->rendered++;
				progress(b, "[%zu/%zu] %s: taken from a shard", i + 1, nr, p->name);
			}
		}
		if (p->action != PLAN_RENDER)
			plan_release(p);
	}
	flush_stamps(b);
	pool = worker_pool_new(b->opts->jobs, b->opts->time_limit, b->opts->memory_limit_mb,
			       render_done, plans);
	for (i = 0; i < nr; i++)
		left += plans[i].action == PLAN_RENDER;
	for (i = 0; i < nr; i++) {
		if (plans[i].action != PLAN_RENDER)
			continue;
		/*
		 * The last renders, fewer than the workers, would leave cores
		 * idle: each may run its split encode in two processes (the same
		 * bytes either way). One edited review renders twice as fast.
		 */
		plans[i].processes = left-- < (size_t)b->opts->jobs ? 2 : 1;
		progress(b, "[%zu/%zu] %s: rendering", i + 1, nr, plans[i].name);
		if (worker_pool_run(pool, (int)i, render_in_worker, &plans[i]))
			plan_failed(&plans[i], NULL);
	}
	worker_pool_finish(pool);
	for (i = 0; i < nr; i++)
		plan_release(&plans[i]);
	free(plans);
}

/* Removes from the catalog the reviews that are no longer in the folder. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The keys are those of the catalog as the build found it (b->rows): the
 * build itself only adds rows of reviews that are in the folder.
 */
static int drop_removed(struct feed_build *b, char **names, size_t nr)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < b->nr_rows; i++) {
		const char *key = b->rows[i].key;

		/* names is sorted (alphasort); bsearch keeps this linear-logarithmic */
		if (!bsearch(&key, names, nr, sizeof(*names), cmp_str)) {
			progress(b, "%s: removed from the feed", key);
			b->catalog_changed = 1;
			if (catalog_remove(b->cat, key))
				ret = -1;
			else
				b->st->removed++;
		}
	}
	return ret;
}

/* Copies the cover into the output when its bytes differ. */
static int publish_cover(struct feed_build *b)
{
	struct strbuf src = STRBUF_INIT, cur = STRBUF_INIT;
	char *dst = path_join(b->out, b->cfg.cover_name);
	int ret = 0;

	if (read_file(b->cfg.image, &src, 16u << 20)) {
		ret = -1;
	} else if (!is_file(dst) || read_file(dst, &cur, 16u << 20) ||
		   cur.len != src.len || memcmp(cur.buf, src.buf, src.len)) {
		ret = write_file_atomic(dst, src.buf, src.len);
	}
	strbuf_release(&src);
	strbuf_release(&cur);
	free(dst);
	return ret;
}

/*
 * The feed's record (feeds/NAME/.revcast-feed), on the same terms as the
 * site's manifest (see site.c): the digest of what feed.xml is made from
 * (feed_digest()) and the file's size, modification time (ns) and inode
 * as the build that wrote or checked it left them. When both match, the
 * build neither makes nor reads the feed. A feed.xml deleted, replaced or
 * edited since (a new size, time or inode) is written again; an edit that
 * restores all three (`touch -r` after a same-size edit) goes unnoticed,
 * and `revcast build --force` writes the feed whatever the record says.
 * The record is the whole text that feed_record() gives: no parsing.
 */
#define FEED_RECORD_MAGIC "revcast-feed 1"

/* The record's text for feed.xml at dst now, or NULL when it cannot be stat'ed. */
static char *feed_record(const struct feed_build *b, uint64_t digest, const char *dst)
{
	struct stat st;

	if (stat(dst, &st) || !S_ISREG(st.st_mode))
		return NULL;
	return xasprintf("%s %s\t%s\n%016llx %lld %lld %llu\n", FEED_RECORD_MAGIC,
			 REVCAST_VERSION, b->out, (unsigned long long)digest,
			 (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
			 (unsigned long long)st.st_ino);
}

/* Whether the record read is the text given. */
static int same_record(const struct strbuf *rec, const char *text)
{
	return rec->len == strlen(text) && !memcmp(rec->buf, text, rec->len);
}

/*
 * Writes feed.xml from the catalog, unless the record says it is up to
 * date or it already has these bytes. The episodes are b->rows, read
 * again first when the build changed the catalog.
 */
static int publish_feed(struct feed_build *b, const char *feed_dir)
{
	struct strbuf xml = STRBUF_INIT, rec = STRBUF_INIT;
	struct episode *eps;
	size_t n, i;
	int64_t newest = 0;
	char *dst = path_join(b->out, "feed.xml"), *now = NULL;
	char *record_path = path_join(feed_dir, ".revcast-feed");
	uint64_t digest;
	int ret = -1;

	if (b->catalog_changed) {
		release_rows(b);
		if (read_rows(b))
			goto out;
	}
	eps = b->rows;
	n = b->nr_rows;
	/* lastBuildDate: the newest episode's date, so that a build is reproducible. */
	for (i = 0; i < n; i++)
		if (eps[i].pub_date > newest)
			newest = eps[i].pub_date;
	digest = feed_digest(&b->cfg, eps, n, n ? newest : b->now, SITE_FEED_XSL);
	if (!b->opts->force)
		read_quietly(feed_dir, ".revcast-feed", &rec);
	now = feed_record(b, digest, dst);
	if (now && same_record(&rec, now)) {
		ret = 0;   /* the record stands for the feed: nothing to make */
		goto out;
	}
	if (feed_write(&xml, &b->cfg, eps, n, n ? newest : b->now, SITE_FEED_XSL))
		goto out;
	ret = publish_file(dst, xml.buf, xml.len);
	free(now);
	now = ret ? NULL : feed_record(b, digest, dst);
	/* A record that cannot be written costs the next build time, nothing else. */
	if (now && !same_record(&rec, now) &&
	    write_file_atomic(record_path, now, strlen(now)))
		warning("the next build makes '%s' again", dst);
out:
	strbuf_release(&xml);
	strbuf_release(&rec);
	free(now);
	free(record_path);
	free(dst);
	return ret;
}

/* Whether name is a temporary of an atomic write (".NAME.tmp-XXXXXX"). */
static int is_temporary(const char *name)
{
	return name[0] == '.' && strstr(name, ".tmp-");
}

/*
 * Removes files in the output's episodes/ folder that no episode names
 * (older renders, removed reviews), and temporaries that killed builds
 * left in the output folder. Runs under the feed's lock. The folder is
 * read again unless the listing the plans took still holds: nothing was
 * rendered, and the site (whose pages go there) was written without a
 * failure that could leave a temporary behind.
 */
static void collect_garbage(struct feed_build *b, const struct episode *eps, size_t n,
			    int site_failed)
{
	char *dir = path_join(b->out, "episodes");
	struct name_set fresh = { NULL, 0, 0, NULL, 0, 0, 0, 0 }, *have = &b->ep_files;
	struct name_slot *slot;
	struct dirent **ents;
	size_t j;
	int count, i;

	if (!b->ep_files_read || b->rendered_any || site_failed) {
		have = &fresh;
		name_set_read_dir(&fresh, dir);
	}
	for (j = 0; j < have->size; j++)
		have->slots[j].used = 0;
	/* marks what the episodes name: the rest goes */
	for (j = 0; j < n; j++) {
		const char *f[5] = { eps[j].file, eps[j].transcript_vtt, eps[j].transcript_srt,
				     eps[j].chapters, eps[j].page };
		int k;

		for (k = 0; k < 5; k++)
			if (f[k] && !strncmp(f[k], "episodes/", 9) &&
			    (slot = name_set_find(have, f[k] + 9)))
				slot->used = 1;
	}
	for (j = 0; j < have->size; j++) {
		const char *nm = have->slots[j].name;

		if (nm && !have->slots[j].used) {
			char *p = path_join(dir, nm);

			if (unlink(p) && errno != ENOENT)
				warning("cannot remove '%s': %s", p, strerror(errno));
			free(p);
		}
	}
	name_set_release(&fresh);
	count = scandir(b->out, &ents, NULL, alphasort);
	for (i = 0; i < count; i++) {
		if (is_temporary(ents[i]->d_name)) {
			char *p = path_join(b->out, ents[i]->d_name);

			unlink(p);
			free(p);
		}
		free(ents[i]);
	}
	if (count >= 0)
		free(ents);
	free(dir);
}

/* Takes the feed's lock; waits (saying so) while another build holds it. */
static int take_lock(struct feed_build *b, const char *feed_dir)
{
	char *path = path_join(feed_dir, ".revcast.lock");

	b->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (b->lock_fd < 0) {
		error("cannot open the lock '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	/* Shards only read the catalog: they may run together, not with a build. */
	int mode = b->opts->shard_n ? LOCK_SH : LOCK_EX;

	if (flock(b->lock_fd, mode | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			error("cannot lock '%s': %s", path, strerror(errno));
			free(path);
			return -1;
		}
		info("%s: waiting for another build of this feed to finish", b->cfg.name);
		while (flock(b->lock_fd, mode)) {
			if (errno != EINTR) {
				error("cannot lock '%s': %s", path, strerror(errno));
				free(path);
				return -1;
			}
		}
	}
	free(path);
	return 0;
}

int build_feed(const char *feed_dir, const struct build_options *o, struct build_stats *st)
{
	struct feed_build b;
	char **names = NULL, *cat_path = NULL, *ep_dir = NULL, *site_manifest;
	size_t nr = 0, i;
	int ret = -1, site_failed;

	memset(&b, 0, sizeof(b));
	strbuf_init(&b.manifest);
	memset(st, 0, sizeof(*st));
	b.opts = o;
	b.st = st;
	b.lock_fd = -1;
	b.reviews_fd = -1;
	b.out_fd = -1;
	strbuf_init(&b.ini);
	read_quietly(feed_dir, "feed.ini", &b.ini);
	if (feed_config_load(&b.cfg, feed_dir)) {
		strbuf_release(&b.ini);
		return -1;
	}
	if (o->base_url) {
		free(b.cfg.base_url);
		b.cfg.base_url = o->base_url[0] && o->base_url[strlen(o->base_url) - 1] == '/' ?
				 xstrdup(o->base_url) : xasprintf("%s/", o->base_url);
	}
	render_options_init(&b.ro);
	b.ro.default_voice = b.cfg.voice;
	b.ro.audio = b.cfg.audio;
	b.ro.album = b.cfg.title;
	b.ro.cover = b.cfg.image;
	b.ro.feed_title = b.cfg.title;
	b.ro.loudness = b.cfg.loudness;
	b.ro.feed_lexicon = b.cfg.lexicon;
	b.now = build_now();
	clock_gettime(CLOCK_REALTIME, &b.start);
	b.podcast_guid = feed_config_podcast_guid(&b.cfg);
	if (take_lock(&b, feed_dir))
		goto out;
	cat_path = path_join(feed_dir, "catalog.db");
	if (catalog_open(&b.cat, cat_path))
		goto out;
	b.out = path_join(o->out_dir, b.cfg.name);
	ep_dir = path_join(b.out, "episodes");
	if (mkdir_p(ep_dir, 0755))
		goto out;
	if (publish_cover(&b))
		goto out;
	if (list_reviews(b.cfg.reviews_dir, &names, &nr))
		goto out;
	st->reviews = (int)nr;
	b.fingerprint = source_fingerprint(&b);
	if (read_rows(&b))
		goto out;
	b.reviews_fd = open(b.cfg.reviews_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	b.out_fd = open(b.out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	build_reviews(&b, names, nr);
	if (o->shard_n) {
		char *mf = xasprintf("%s/shard-%d-of-%d.tsv", b.out, o->shard_k, o->shard_n);

		ret = write_file_atomic(mf, b.manifest.buf, b.manifest.len) ? -1 :
		      st->failed ? 1 : 0;
		progress(&b, "shard %d of %d in %s: %d rendered, %d already there, %d failed",
			 o->shard_k, o->shard_n, mf, st->rendered, st->unchanged, st->failed);
		free(mf);
		goto out;
	}
	if (drop_removed(&b, names, nr))
		goto out;
	if (publish_feed(&b, feed_dir))
		goto out;
	/* A page that cannot be written does not unpublish the feed. */
	site_manifest = path_join(feed_dir, ".revcast-site");
	site_failed = site_write(b.out, &b.cfg, b.rows, b.nr_rows, site_manifest, o->force);
	free(site_manifest);
	if (site_failed)
		error("%s: the listening site is not complete", b.out);
	collect_garbage(&b, b.rows, b.nr_rows, site_failed);
	ret = st->failed || site_failed ? 1 : 0;
	progress(&b, "%zu episodes in %s/feed.xml: %d rendered, %d unchanged, %d updated, "
		 "%d removed, %d failed", b.nr_rows, b.out, st->rendered, st->unchanged,
		 st->updated, st->removed, st->failed);
out:
	if (ret < 0)
		error("%s: feed not published; the previous one is left as it was", feed_dir);
	release_rows(&b);
	name_set_release(&b.ep_files);
	if (b.reviews_fd >= 0)
		close(b.reviews_fd);
	if (b.out_fd >= 0)
		close(b.out_fd);
	free_names(names, nr);
	if (b.cat)
		catalog_close(b.cat);
	if (b.lock_fd >= 0)
		close(b.lock_fd);
	free(cat_path);
	free(ep_dir);
	free(b.out);
	free(b.podcast_guid);
	for (i = 0; i < b.nr_slugs; i++)
		free(b.slugs[i]);
	free(b.slugs);
	strbuf_release(&b.manifest);
	for (i = 0; i < b.nr_stamps; i++) {   /* flushed already unless interrupted */
		free(b.stamps[i].key);
		free(b.stamps[i].stamp);
	}
	free(b.stamps);
	free(b.fingerprint);
	strbuf_release(&b.ini);
	feed_config_release(&b.cfg);
	return ret;
}
