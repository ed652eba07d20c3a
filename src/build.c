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
#include "text.h"
#include "transcript.h"
#include "util.h"
#include "voice.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUMMARY_MAX 300

void build_options_init(struct build_options *o)
{
	memset(o, 0, sizeof(*o));
	o->out_dir = "public";
	o->jobs = 1;
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
			char *p = path_join(dir, ents[i]->d_name);

			if (is_file(p)) {
				ALLOC_GROW(names, n + 1, alloc);
				names[n++] = xstrdup(ents[i]->d_name);
			}
			free(p);
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
};

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

/* Size of a file, or -1. */
static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
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
		char *want = episode_sibling(file, ext[i]), *path = path_join(b->out, want);

		ok = have[i] && !strcmp(have[i], want) && is_file(path);
		free(want);
		free(path);
	}
	return ok;
}

/*
 * Publishes one review: renders it if anything that affects its file
 * changed, and records it in the catalog. Returns 0, or -1 when the review
 * could not be published (its previous episode, if any, stays).
 */
static int build_review(struct feed_build *b, const char *name, size_t i, size_t n)
{
	struct review r;
	struct episode_job job;
	struct episode old, e;
	struct episode_result res;
	char *path = path_join(b->cfg.reviews_dir, name), *slug = NULL, *out_path = NULL;
	int found = 0, ret = -1, prepared = 0;

	episode_init(&old);
	episode_init(&e);
	if (review_read(&r, path)) {
		free(path);
		return -1;
	}
	if (episode_prepare(&job, &r, &b->ro))
		goto out;
	prepared = 1;
	found = catalog_get(b->cat, name, &old);
	if (found < 0)
		goto out;
	if (found) {
		slug = xstrdup(old.slug);
	} else {
		char *base = r.slug ? xstrdup(r.slug) : slugify(r.title);

		slug = slug_unique(b->cat, base, name);
		free(base);
		if (!slug)
			goto out;
	}
	e.key = xstrdup(name);
	e.slug = xstrdup(slug);
	e.render_key = xstrdup(job.key);
	e.file = xasprintf("episodes/%s-%.8s.mp3", slug, job.key);
	e.page = episode_sibling(e.file, "html");
	out_path = path_join(b->out, e.file);
	episode_from_review(&e, &r, b);
	if (found) {
		e.guid = xstrdup(old.guid);
		e.pub_date = old.pub_date;
		e.number = old.number;
	} else {
		e.guid = catalog_make_guid(b->podcast_guid, name);
		e.pub_date = r.date ? date_to_epoch(r.date) : b->now;
		e.number = catalog_next_number(b->cat);
		if (e.number < 0)
			goto out;
	}
	if (!b->opts->force && found && old.render_key && !strcmp(old.render_key, job.key) &&
	    old.file && !strcmp(old.file, e.file) && file_size(out_path) == old.bytes &&
	    has_transcripts(b, &old, e.file)) {
		e.transcript_vtt = xstrdup(old.transcript_vtt);
		e.transcript_srt = xstrdup(old.transcript_srt);
		e.chapters = xstrdup(old.chapters);
		e.bytes = old.bytes;
		e.samples = old.samples;
		e.sample_rate = old.sample_rate;
		e.duration = old.duration;
		if (same_item(&old, &e)) {
			b->st->unchanged++;
			progress(b, "[%zu/%zu] %s: unchanged", i + 1, n, name);
			ret = 0;
			goto out;
		}
		b->st->updated++;
		progress(b, "[%zu/%zu] %s: details updated, audio unchanged", i + 1, n, name);
	} else {
		progress(b, "[%zu/%zu] %s: rendering", i + 1, n, name);
		if (episode_render_job(&job, out_path, &res))
			goto out;
		if (transcript_write_files(&res, b->out, e.file, r.title, &e.transcript_vtt,
					   &e.transcript_srt, &e.chapters)) {
			episode_result_release(&res);
			goto out;
		}
		e.bytes = res.audio.bytes;
		e.samples = res.audio.frames;
		e.sample_rate = res.audio.rate;
		e.duration = res.audio.duration;
		episode_result_release(&res);
		b->st->rendered++;
	}
	if (catalog_begin(b->cat))
		goto out;
	if (catalog_put(b->cat, &e) || catalog_commit(b->cat)) {
		catalog_rollback(b->cat);
		goto out;
	}
	ret = 0;
out:
	if (ret)
		error("%s: not published; %s", path,
		      found > 0 ? "its previous episode stays in the feed" :
				  "it is not in the feed");
	if (prepared)
		episode_job_release(&job);
	episode_release(&old);
	episode_release(&e);
	review_release(&r);
	free(slug);
	free(out_path);
	free(path);
	return ret;
}

/* Removes from the catalog the reviews that are no longer in the folder. */
static int drop_removed(struct feed_build *b, char **names, size_t nr)
{
	struct episode *eps;
	size_t n, i, j;
	int ret = 0;

	if (catalog_list(b->cat, &eps, &n))
		return -1;
	for (i = 0; i < n; i++) {
		int present = 0;

		for (j = 0; j < nr && !present; j++)
			present = !strcmp(names[j], eps[i].key);
		if (!present) {
			progress(b, "%s: removed from the feed", eps[i].key);
			if (catalog_remove(b->cat, eps[i].key))
				ret = -1;
			else
				b->st->removed++;
		}
	}
	for (i = 0; i < n; i++)
		episode_release(&eps[i]);
	free(eps);
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

/* Writes feed.xml from the catalog, unless it already has these bytes. */
static int publish_feed(struct feed_build *b, struct episode **eps_out, size_t *nr_out)
{
	struct strbuf xml = STRBUF_INIT;
	struct episode *eps;
	size_t n, i;
	int64_t newest = 0;
	char *dst = path_join(b->out, "feed.xml");
	int ret = -1;

	if (catalog_list(b->cat, &eps, &n))
		goto out;
	/* lastBuildDate: the newest episode's date, so that a build is reproducible. */
	for (i = 0; i < n; i++)
		if (eps[i].pub_date > newest)
			newest = eps[i].pub_date;
	if (feed_write(&xml, &b->cfg, eps, n, n ? newest : b->now, SITE_FEED_XSL))
		goto out;
	ret = publish_file(dst, xml.buf, xml.len);
	*eps_out = eps;
	*nr_out = n;
	eps = NULL;
out:
	strbuf_release(&xml);
	free(dst);
	return ret;
}

/*
 * Removes files in the output's episodes/ folder that no episode names
 * (older renders, removed reviews, temporaries of killed builds).
 */
static void collect_garbage(struct feed_build *b, const struct episode *eps, size_t n)
{
	char *dir = path_join(b->out, "episodes");
	struct dirent **ents;
	int count, i;
	size_t j;

	count = scandir(dir, &ents, NULL, alphasort);
	for (i = 0; i < count; i++) {
		const char *nm = ents[i]->d_name;
		int used = !strcmp(nm, ".") || !strcmp(nm, "..");
		char *rel = xasprintf("episodes/%s", nm);

		for (j = 0; j < n && !used; j++)
			used = (eps[j].file && !strcmp(eps[j].file, rel)) ||
			       (eps[j].transcript_vtt && !strcmp(eps[j].transcript_vtt, rel)) ||
			       (eps[j].transcript_srt && !strcmp(eps[j].transcript_srt, rel)) ||
			       (eps[j].chapters && !strcmp(eps[j].chapters, rel)) ||
			       (eps[j].page && !strcmp(eps[j].page, rel));
		if (!used) {
			char *p = path_join(dir, nm);

			if (unlink(p) && errno != ENOENT)
				warning("cannot remove '%s': %s", p, strerror(errno));
			free(p);
		}
		free(rel);
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
	if (flock(b->lock_fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			error("cannot lock '%s': %s", path, strerror(errno));
			free(path);
			return -1;
		}
		info("%s: waiting for another build of this feed to finish", b->cfg.name);
		while (flock(b->lock_fd, LOCK_EX)) {
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
	char **names = NULL, *cat_path = NULL, *ep_dir = NULL;
	struct episode *eps = NULL;
	size_t nr = 0, nr_eps = 0, i;
	int ret = -1, site_failed;

	memset(&b, 0, sizeof(b));
	memset(st, 0, sizeof(*st));
	b.opts = o;
	b.st = st;
	b.lock_fd = -1;
	if (feed_config_load(&b.cfg, feed_dir))
		return -1;
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
	for (i = 0; i < nr; i++)
		if (build_review(&b, names[i], i, nr))
			st->failed++;
	if (drop_removed(&b, names, nr))
		goto out;
	if (publish_feed(&b, &eps, &nr_eps))
		goto out;
	/* A page that cannot be written does not unpublish the feed. */
	site_failed = site_write(b.out, &b.cfg, eps, nr_eps);
	if (site_failed)
		error("%s: the listening site is not complete", b.out);
	collect_garbage(&b, eps, nr_eps);
	ret = st->failed || site_failed ? 1 : 0;
	progress(&b, "%zu episodes in %s/feed.xml: %d rendered, %d unchanged, %d updated, "
		 "%d removed, %d failed", nr_eps, b.out, st->rendered, st->unchanged,
		 st->updated, st->removed, st->failed);
out:
	if (ret < 0)
		error("%s: feed not published; the previous one is left as it was", feed_dir);
	for (i = 0; i < nr_eps; i++)
		episode_release(&eps[i]);
	free(eps);
	free_names(names, nr);
	if (b.cat)
		catalog_close(b.cat);
	if (b.lock_fd >= 0)
		close(b.lock_fd);
	free(cat_path);
	free(ep_dir);
	free(b.out);
	free(b.podcast_guid);
	feed_config_release(&b.cfg);
	return ret;
}
