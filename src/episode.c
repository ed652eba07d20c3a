/*
 * episode.c - one review to one audio file. See episode.h.
 */
#include "episode.h"
#include "review.h"
#include "util.h"

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096

void render_options_init(struct render_options *o)
{
	memset(o, 0, sizeof(*o));
	o->default_voice = "en-gb";
	o->loudness = -16.0;
	audio_settings_init(&o->audio);
}

void episode_result_init(struct episode_result *res)
{
	memset(res, 0, sizeof(*res));
	script_init(&res->script);
	timeline_init(&res->timeline);
}

void episode_result_release(struct episode_result *res)
{
	size_t i;

	for (i = 0; i < res->nr_chapters; i++)
		free((char *)res->chapters[i].title);
	free(res->chapters);
	free(res->voice);
	script_release(&res->script);
	timeline_release(&res->timeline);
	episode_result_init(res);
}

double episode_time(const struct episode_result *res, long long at)
{
	return res->timeline_offset + (double)at / SPEECH_RATE;
}

int episode_voice(struct voice_profile *v, const struct review *r,
		  const struct render_options *o)
{
	const char *dir = o->voices_dir ? o->voices_dir : voice_dir();
	char *name = voice_choose(dir, o->voice ? o->voice : r->voice, r->lang,
				  o->default_voice);
	int ret;

	if (!name)
		return error("%s: cannot choose a voice", r->path);
	ret = voice_profile_load(v, dir, name);
	free(name);
	return ret;
}

/* Copies the speech timeline, which speech_close() frees. */
static void timeline_copy(struct timeline *dst, const struct timeline *src)
{
	timeline_init(dst);
	dst->total = src->total;
	dst->nr_segs = dst->alloc_segs = src->nr_segs;
	dst->segs = xmalloc(src->nr_segs * sizeof(*src->segs) + 1);
	memcpy(dst->segs, src->segs, src->nr_segs * sizeof(*src->segs));
	dst->nr_sentences = dst->alloc_sentences = src->nr_sentences;
	dst->sentences = xmalloc(src->nr_sentences * sizeof(*src->sentences) + 1);
	memcpy(dst->sentences, src->sentences, src->nr_sentences * sizeof(*src->sentences));
	dst->nr_words = dst->alloc_words = src->nr_words;
	dst->words = xmalloc(src->nr_words * sizeof(*src->words) + 1);
	memcpy(dst->words, src->words, src->nr_words * sizeof(*src->words));
}

/* A chapter title from a paragraph's opening words (at most ~6 words). */
static char *opening_words(const char *text)
{
	const char *p = text;
	int words = 0;

	while (*p && words < 6) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
		words++;
	}
	while (p > text && strchr(",;:.!?", p[-1]))
		p--;
	if (*p)
		return xasprintf("%.*s\xe2\x80\xa6", (int)(p - text), text);
	return xstrndup(text, (size_t)(p - text));
}

static void add_chapter(struct episode_result *res, size_t *alloc, double start,
			char *title)
{
	ALLOC_GROW(res->chapters, res->nr_chapters + 1, *alloc);
	res->chapters[res->nr_chapters].start = start;
	res->chapters[res->nr_chapters].end = start;
	res->chapters[res->nr_chapters].title = title;
	res->nr_chapters++;
}

/*
 * Fills res->chapters from the script and the timeline: "Introduction" at
 * 0, then every heading (its start), or, when the review has no headings,
 * every paragraph. Each chapter ends where the next begins; the last at the
 * end of the file.
 */
static void make_chapters(struct episode_result *res, const struct review *r)
{
	const struct script *s = &res->script;
	size_t i, alloc = 0;
	int headings = 0;

	for (i = 0; i < s->nr; i++)
		if (s->segs[i].kind == SEG_HEADING)
			headings = 1;
	add_chapter(res, &alloc, 0.0, xstrdup("Introduction"));
	for (i = 0; i < s->nr && i < res->timeline.nr_segs; i++) {
		const struct segment *seg = &s->segs[i];
		double at = episode_time(res, res->timeline.segs[i].start);
		struct strbuf t = STRBUF_INIT;
		size_t j;

		if (headings ? seg->kind != SEG_HEADING :
		    (seg->kind == SEG_INTRO || seg->kind == SEG_OUTRO))
			continue;
		for (j = 0; j < seg->nr_sentences; j++) {
			if (j)
				strbuf_addch(&t, ' ');
			strbuf_addstr(&t, seg->sentences[j].display);
		}
		add_chapter(res, &alloc, at, headings ? strbuf_detach(&t, NULL) :
							opening_words(t.buf));
		strbuf_release(&t);
	}
	for (i = 0; i < res->nr_chapters; i++)
		res->chapters[i].end = i + 1 < res->nr_chapters ? res->chapters[i + 1].start :
				       res->audio.duration;
}

/* The speech stage seen through the audio stage contract. */
static long read_speech(void *src, float *buf, long n)
{
	return speech_read(src, buf, n);
}

/* Adds a string and its terminating NUL to the hash (NULL as one 0xff). */
static void hash_str(struct sha256_ctx *h, const char *s)
{
	static const uint8_t none = 0xff;

	if (!s)
		sha256_update(h, 1, &none);
	else
		sha256_update(h, strlen(s) + 1, (const uint8_t *)s);
}

static void hash_int(struct sha256_ctx *h, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	hash_str(h, buf);
}

/* Adds a file's contents (or its absence) to the hash. */
static void hash_file(struct sha256_ctx *h, const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	if (path && is_file(path) && !read_file(path, &sb, 64u << 20))
		sha256_update(h, sb.len, (const uint8_t *)sb.buf);
	hash_str(h, path ? "file" : NULL);
	strbuf_release(&sb);
}

/* The render key of a prepared job: see struct episode_job. */
static void job_key(struct episode_job *j)
{
	const struct render_options *o = j->opts;
	const struct review *r = j->review;
	struct sha256_ctx h;
	struct strbuf ssml = STRBUF_INIT;
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t i;

	sha256_init(&h);
	hash_str(&h, "revcast " REVCAST_VERSION);
	hash_str(&h, speech_engine_version());
	hash_file(&h, j->voice.path);
	hash_int(&h, o->audio.format);
	hash_int(&h, o->audio.sample_rate);
	hash_int(&h, o->audio.bitrate);
	hash_int(&h, o->audio.vbr);
	hash_int(&h, o->audio.vbr_quality);
	hash_int(&h, o->audio.quality);
	for (i = 0; i < j->script.nr; i++) {
		strbuf_reset(&ssml);
		script_segment_ssml(&j->script.segs[i], &j->voice, &ssml);
		hash_str(&h, ssml.buf);
		hash_int(&h, j->script.segs[i].pause_after_ms);
		hash_int(&h, j->script.segs[i].quote);
	}
	hash_str(&h, r->title);
	hash_str(&h, r->author);
	hash_str(&h, o->album ? o->album : r->title);
	hash_str(&h, r->date);
	hash_str(&h, r->summary);
	hash_file(&h, o->cover);
	sha256_digest(&h, sizeof(digest), digest);
	for (i = 0; i < sizeof(digest); i++)
		snprintf(j->key + 2 * i, 3, "%02x", digest[i]);
	strbuf_release(&ssml);
}

/*
 * Loads the lexicons that apply to review r: the voice profile's, then the
 * feed's, then the review's own (each overriding the one before).
 */
static int load_lexicons(struct lexicon *lx, const struct review *r,
			 const struct voice_profile *v, const struct render_options *o)
{
	const char *dir = o->voices_dir ? o->voices_dir : voice_dir();
	int ret = 0;

	if (v->lexicon) {
		char *p = path_join(dir, v->lexicon);

		ret |= lexicon_load(lx, p);
		free(p);
	}
	if (o->feed_lexicon)
		ret |= lexicon_load(lx, o->feed_lexicon);
	if (r->lexicon) {
		const char *base = path_base(r->path);
		char *p = base == r->path || r->lexicon[0] == '/' ? xstrdup(r->lexicon) :
			  xasprintf("%.*s%s", (int)(base - r->path), r->path, r->lexicon);

		ret |= lexicon_load(lx, p);
		free(p);
	}
	return ret ? -1 : 0;
}

int episode_prepare(struct episode_job *j, const struct review *r,
		    const struct render_options *o)
{
	memset(j, 0, sizeof(*j));
	j->review = r;
	j->opts = o;
	script_init(&j->script);
	lexicon_init(&j->lexicon);
	if (episode_voice(&j->voice, r, o))
		return -1;
	if (load_lexicons(&j->lexicon, r, &j->voice, o) ||
	    script_build(&j->script, r, &j->voice, o->feed_title, &j->lexicon)) {
		voice_profile_release(&j->voice);
		lexicon_release(&j->lexicon);
		return -1;
	}
	job_key(j);
	return 0;
}

void episode_job_release(struct episode_job *j)
{
	voice_profile_release(&j->voice);
	lexicon_release(&j->lexicon);
	script_release(&j->script);
}

int episode_render_job(struct episode_job *j, const char *out_path,
		       struct episode_result *res)
{
	const struct review *r = j->review;
	const struct render_options *o = j->opts;
	struct speech *sp = NULL;
	struct resampler *rs = NULL;
	struct audio_sink *sink = NULL;
	struct audio_source speech_src, out_src;
	struct audio_meta meta;
	float *buf = NULL;
	int ret = -1;

	episode_result_init(res);
	res->voice = xstrdup(j->voice.name);
	res->script = j->script;
	script_init(&j->script);
	if (audio_sink_open(&sink, out_path, &o->audio))
		goto out;
	if (speech_open(&sp, &res->script, &j->voice, r->path))
		goto out;
	speech_src.read = read_speech;
	speech_src.src = sp;
	speech_src.rate = SPEECH_RATE;
	if (resampler_new(&rs, &speech_src, o->audio.sample_rate, &out_src))
		goto out;
	buf = xmalloc(CHUNK * sizeof(*buf));
	for (;;) {
		long n = out_src.read(out_src.src, buf, CHUNK);

		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (audio_sink_write(sink, buf, n))
			goto out;
	}
	timeline_copy(&res->timeline, speech_timeline(sp));
	if (speech_close(sp)) {
		sp = NULL;
		error("%s: speech synthesis did not finish", r->path);
		goto out;
	}
	sp = NULL;
	/* The file's length is known only at the end: chapters end at the speech's. */
	res->audio.duration = episode_time(res, res->timeline.total);
	make_chapters(res, r);
	memset(&meta, 0, sizeof(meta));
	meta.chapters = res->chapters;
	meta.nr_chapters = res->nr_chapters;
	meta.title = r->title;
	meta.artist = r->author;
	meta.album = o->album ? o->album : r->title;
	meta.year = r->date;
	meta.comment = r->summary;
	meta.cover_path = o->cover;
	ret = audio_sink_finish(sink, &meta, &res->audio);
	sink = NULL;
	if (!ret && res->nr_chapters)
		res->chapters[res->nr_chapters - 1].end = res->audio.duration;
out:
	free(buf);
	resampler_free(rs);
	speech_close(sp);
	if (sink)
		audio_sink_abort(sink);
	if (ret)
		episode_result_release(res);
	return ret;
}

int episode_render(const struct review *r, const struct render_options *o,
		   const char *out_path, struct episode_result *res)
{
	struct episode_job j;
	int ret;

	episode_result_init(res);
	if (episode_prepare(&j, r, o))
		return -1;
	ret = episode_render_job(&j, out_path, res);
	episode_job_release(&j);
	return ret;
}
