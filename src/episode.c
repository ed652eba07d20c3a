/*
 * episode.c - one review to one audio file. See episode.h.
 *
 * A render synthesises the speech once and makes two passes over it,
 * neither of which holds more than a few buffers of audio in memory:
 *
 *   1. measure: each part (intro jingle, speech, outro jingle) is read at
 *      its own rate and its integrated loudness measured (libebur128);
 *      the speech, straight from the eSpeak NG child, also runs through
 *      two trial limiters (the calibration, see measure_speech()) and is
 *      kept in a spool file, so that it is synthesised only once;
 *   2. stream: each part (the speech from its spool) goes gain ->
 *      (concatenated) -> true-peak limiter -> resampler -> sink, see
 *      render_chain(); in one process, or with the chain in a child and
 *      the encoder here (render_options.processes).
 *
 * The target is the render options' loudness plus what the encoder is
 * known to take away (encoder_loss()).
 *
 * Each part is normalised to the target on its own, jingles included: a
 * jingle mastered loud does not end up louder than the voice, nor a quiet
 * one quieter. A part too short (under 0.4 s) or too quiet to measure is
 * left at its own level. Only the limiter runs over the whole episode.
 */
#include "episode.h"
#include "loudness.h"
#include "review.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <nettle/sha2.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* At most this many chapters: ID3v2's CTOC counts its entries in one byte. */
#define MAX_CHAPTERS 255

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
/* Whether a segment starts a chapter: a heading, or without headings a paragraph. */
static int is_chapter_start(const struct segment *seg, int headings)
{
	return headings ? seg->kind == SEG_HEADING :
	       seg->kind != SEG_INTRO && seg->kind != SEG_OUTRO;
}

static void make_chapters(struct episode_result *res, const struct review *r)
{
	const struct script *s = &res->script;
	size_t i, alloc = 0, candidates = 0, seen = 0, stride;
	int headings = 0;

	for (i = 0; i < s->nr; i++)
		if (s->segs[i].kind == SEG_HEADING)
			headings = 1;
	for (i = 0; i < s->nr && i < res->timeline.nr_segs; i++)
		if (is_chapter_start(&s->segs[i], headings))
			candidates++;
	/* ID3's CTOC holds 255 chapters: beyond that, one per `stride` parts. */
	stride = candidates > MAX_CHAPTERS - 1 ?
		 (candidates + MAX_CHAPTERS - 2) / (MAX_CHAPTERS - 1) : 1;
	add_chapter(res, &alloc, 0.0, xstrdup("Introduction"));
	for (i = 0; i < s->nr && i < res->timeline.nr_segs; i++) {
		const struct segment *seg = &s->segs[i];
		double at = episode_time(res, res->timeline.segs[i].start);
		struct strbuf t = STRBUF_INIT;
		size_t j;

		if (!is_chapter_start(seg, headings) || seen++ % stride)
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

static void hash_int(struct sha256_ctx *h, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	sha256_add_str(h, buf);
}

/* Adds a file's contents (or its absence) to the hash. */
static void hash_file(struct sha256_ctx *h, const char *path)
{
	/* Read and digested once per build, not once per review. */
	const struct cached_file *f = path ? file_cached(path, 64u << 20) : NULL;

	if (f)
		sha256_update(h, sizeof(f->sha256), f->sha256);
	sha256_add_str(h, path ? "file" : NULL);
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
	sha256_add_str(&h, "revcast " REVCAST_VERSION);
	sha256_add_str(&h, speech_engine_version());
	hash_file(&h, j->voice.path);
	/* Loudness normalisation: its version, the target, the jingles. */
	sha256_add_str(&h, "loudness 1");
	/* Audio stages: libsoxr, LAME's lowpass, split encodes. */
	sha256_add_str(&h, "audio 3");
	hash_int(&h, (long long)llround(o->loudness * 1000.0));
	hash_file(&h, j->voice.intro_jingle);
	hash_file(&h, j->voice.outro_jingle);
	hash_int(&h, o->audio.format);
	hash_int(&h, o->audio.sample_rate);
	hash_int(&h, o->audio.bitrate);
	hash_int(&h, o->audio.vbr);
	hash_int(&h, o->audio.vbr_quality);
	hash_int(&h, o->audio.quality);
	for (i = 0; i < j->script.nr; i++) {
		strbuf_reset(&ssml);
		script_segment_ssml(&j->script.segs[i], &j->voice, &ssml);
		sha256_add_str(&h, ssml.buf);
		hash_int(&h, j->script.segs[i].pause_after_ms);
		hash_int(&h, j->script.segs[i].quote);
	}
	sha256_add_str(&h, r->title);
	sha256_add_str(&h, r->author);
	sha256_add_str(&h, o->album ? o->album : r->title);
	sha256_add_str(&h, r->date);
	sha256_add_str(&h, r->summary);
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

/* ---- the render ---- */

/* An audio file read with libsndfile and mixed down to mono: a jingle. */
struct file_source {
	SNDFILE *sf;
	const char *path;
	int channels;
	float *frames;      /* CHUNK interleaved frames */
};

/*
 * The file source's read: up to n mono samples, the mean of the file's
 * channels. Returns the count, 0 at the end, or -1 (printed) when the file
 * cannot be decoded.
 */
static long file_read(void *src, float *buf, long n)
{
	struct file_source *f = src;
	sf_count_t got;
	long i;
	int c;

	if (n > CHUNK)
		n = CHUNK;
	got = sf_readf_float(f->sf, f->frames, n);
	if (got <= 0) {
		if (sf_error(f->sf) != SF_ERR_NO_ERROR)
			return error("cannot decode jingle '%s': %s", f->path,
				     sf_strerror(f->sf));
		return 0;
	}
	for (i = 0; i < (long)got; i++) {
		float sum = 0.0f;

		for (c = 0; c < f->channels; c++)
			sum += f->frames[i * f->channels + c];
		buf[i] = sum / (float)f->channels;
	}
	return (long)got;
}

/*
 * Opens the audio file at path as a mono source at the file's own rate.
 * Returns 0, or -1 (printed, naming the file) when libsndfile cannot read
 * it or its layout is unusable.
 */
static int file_source_open(struct file_source *f, const char *path,
			    struct audio_source *out)
{
	SF_INFO info;

	memset(f, 0, sizeof(*f));
	memset(&info, 0, sizeof(info));
	f->path = path;
	f->sf = sf_open(path, SFM_READ, &info);
	if (!f->sf)
		return error("cannot read jingle '%s': %s", path, sf_strerror(NULL));
	if (info.channels < 1 || info.channels > 64 || info.samplerate < 8000 ||
	    info.samplerate > 768000) {
		sf_close(f->sf);
		f->sf = NULL;
		return error("jingle '%s': unsupported layout (%d channels at %d Hz)",
			     path, info.channels, info.samplerate);
	}
	f->channels = info.channels;
	f->frames = xmalloc((size_t)CHUNK * (size_t)info.channels * sizeof(*f->frames));
	out->read = file_read;
	out->src = f;
	out->rate = info.samplerate;
	return 0;
}

static void file_source_close(struct file_source *f)
{
	if (f->sf)
		sf_close(f->sf);
	free(f->frames);
	memset(f, 0, sizeof(*f));
}

/* The speech stage seen through the audio stage contract. */
static long read_speech(void *src, float *buf, long n)
{
	return speech_read(src, buf, n);
}

/*
 * Splitting pass 2 in two (audio.h's split MP3 encodes): the encoder is
 * most of a render's CPU, so on a machine with a core to spare the second
 * half of the speech is encoded in a child while this process encodes the
 * first. The cut lies in the middle of a pause, where the speech is digital
 * silence for at least SPLIT_SILENCE seconds: the limiter and resampler
 * then hold nothing but silence there (the limiter has released to exactly
 * 1 well before the next word), so a fresh chain started at the cut gives
 * what the one chain would. The cut depends only on the speech, never on
 * the cores: builds (one process each) split at the same place and a
 * review renders to the same bytes on any machine. Only the speech alone
 * (no jingles), MP3 CBR at twice eSpeak NG's rate is split; anything else,
 * or speech without such a pause near its middle, is encoded in one piece.
 */
#define SPLIT_SILENCE 0.3
/* The same, in samples of speech. */
#define SPLIT_RUN ((long long)(SPLIT_SILENCE * SPEECH_RATE))
/* Speech shorter than this (seconds) is not worth a second encoder. */
#define SPLIT_MIN_SECONDS 20

/*
 * An unlinked temporary file revcast-WHAT-XXXXXX in $TMPDIR (or /tmp):
 * its descriptor, or -1 (printed).
 */
static int temp_fd(const char *what)
{
	const char *dir = getenv("TMPDIR");
	struct strbuf path = STRBUF_INIT;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	strbuf_addf(&path, "%s/revcast-%s-XXXXXX", dir, what);
	fd = mkostemp(path.buf, O_CLOEXEC);
	if (fd < 0)
		error("cannot create a temporary file in %s: %s", dir, strerror(errno));
	else
		unlink(path.buf);
	strbuf_release(&path);
	return fd;
}

/*
 * The speech as pass 1 heard it, kept in an unlinked temporary file for
 * the passes after it, so that eSpeak NG synthesises each review once.
 * eSpeak NG's samples are 16-bit and speech_read() divides them by 32768,
 * so storing them back as 16-bit integers is exact, and half the size of
 * floats: 2 bytes a sample, 44 kB a second of speech, on disk rather than
 * in memory (a four-hour review is 700 MB of temporary file, not of RAM).
 */
struct spool {
	FILE *f;
	long long frames;           /* written in pass 1 */
	long long pos;              /* the next sample spool_read() gives */
	/* Runs of digital silence of at least SPLIT_RUN samples, as written. */
	struct zero_run {
		long long start, len;
	} *runs;
	size_t nr_runs, alloc_runs;
	long long zeros;            /* zeros at the end of what is written so far */
	short buf[CHUNK];
};

/* Creates the spool file in $TMPDIR (or /tmp). Returns 0 or -1 (printed). */
static int spool_open(struct spool *s)
{
	int fd = temp_fd("speech");

	if (fd < 0)
		return -1;
	s->f = fdopen(fd, "w+b");
	if (!s->f) {
		close(fd);
		return error("cannot open a temporary file: %s", strerror(errno));
	}
	s->frames = 0;
	return 0;
}

/* Ends the run of zeros before sample `at`, keeping it if long enough. */
static void spool_end_run(struct spool *s, long long at)
{
	if (s->zeros >= SPLIT_RUN) {
		ALLOC_GROW(s->runs, s->nr_runs + 1, s->alloc_runs);
		s->runs[s->nr_runs].start = at - s->zeros;
		s->runs[s->nr_runs++].len = s->zeros;
	}
	s->zeros = 0;
}

/* Appends n samples. Returns 0 or -1 (printed: a full disk, say). */
static int spool_write(struct spool *s, const float *x, long n)
{
	while (n > 0) {
		long len = n > CHUNK ? CHUNK : n, i;

		for (i = 0; i < len; i++) {
			float v = x[i] * 32768.0f;

			s->buf[i] = (short)(v >= 32767.0f ? 32767 : v <= -32768.0f ? -32768 :
					    lrintf(v));
			if (s->buf[i])
				spool_end_run(s, s->frames + i);
			else
				s->zeros++;
		}
		if (fwrite(s->buf, sizeof(*s->buf), (size_t)len, s->f) != (size_t)len)
			return error("cannot write the temporary speech file: %s",
				     strerror(errno));
		s->frames += len;
		x += len;
		n -= len;
	}
	return 0;
}

/*
 * Makes the spool readable from sample `at`: what is written ends here, so
 * a run of zeros it ends with is recorded too. Returns 0 or -1 (printed).
 */
static int spool_seek(struct spool *s, long long at)
{
	if (fflush(s->f))
		return error("cannot write the temporary speech file: %s", strerror(errno));
	spool_end_run(s, s->frames);
	s->pos = at;
	return 0;
}

/*
 * The spool's read, as audio_read_fn: what pass 1 heard, from s->pos on.
 * It reads with pread(), so that a forked process reading its own copy of
 * s moves no offset the other sees.
 */
static long spool_read(void *src, float *buf, long n)
{
	struct spool *s = src;
	long got = 0, i;

	if (n > CHUNK)
		n = CHUNK;
	if (n > s->frames - s->pos)
		n = (long)(s->frames - s->pos);
	while (got < n) {
		ssize_t r = pread(fileno(s->f), (char *)s->buf + got * (long)sizeof(*s->buf),
				  (size_t)(n - got) * sizeof(*s->buf),
				  (off_t)((s->pos + got) * (long long)sizeof(*s->buf)));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || r % (ssize_t)sizeof(*s->buf))
			return error("cannot read the temporary speech file: %s",
				     r < 0 ? strerror(errno) : "unexpected end of file");
		got += (long)(r / (ssize_t)sizeof(*s->buf));
	}
	for (i = 0; i < got; i++)
		buf[i] = s->buf[i] / 32768.0f;
	s->pos += got;
	return got;
}

static void spool_close(struct spool *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
	free(s->runs);
	s->runs = NULL;
}

/*
 * The parts of an episode, in order: the intro jingle, the speech (intro,
 * review, outro, with their pauses), the outro jingle. Each is normalised
 * to the target loudness on its own; the limiter runs over all of them.
 */
enum { PART_INTRO_JINGLE, PART_SPEECH, PART_OUTRO_JINGLE, NR_PARTS };

struct part {
	const char *jingle;         /* the jingle's file; NULL for the speech */
	int present;
	struct file_source file;
	struct speech *sp;
	struct spool *spool;        /* the speech, once pass 1 has heard it */
	int spooled;                /* pass 1 is over: read the spool */
	struct audio_source raw;    /* at its own rate */
	struct resampler *rs;
	struct gain_stage gain;
	struct audio_source src;    /* at the output rate, gain applied */
	double lufs;                /* measured in pass 1 */
	double gain_db;             /* the gain it gets */
	long long frames;           /* output frames it gave in pass 2 */
};

/*
 * How much quieter the encoder makes the audio, in LU. LAME 3.100's CBR
 * quantiser rounds small values towards zero at low bitrates. Measured on
 * the example review with libebur128 and ffmpeg's ebur128 (the same to
 * 0.05 LU), input against decoded output: CBR 64 to 160 kbit/s 0.45 LU
 * quieter (at 22.05, 32, 44.1 and 48 kHz, any quality), 192 kbit/s 0.27,
 * 256 and 320 kbit/s and VBR (quality 0 to 9) no change. A 1 kHz sine
 * loses the same 0.45 dB at 96 kbit/s. WAV and FLAC are exact.
 */
static double encoder_loss(const struct audio_settings *s)
{
	if (s->format != AUDIO_MP3 || s->vbr)
		return 0.0;
	if (s->bitrate < 192)
		return 0.45;
	if (s->bitrate < 256)
		return 0.25;
	return 0.0;
}

/* One render's state (as flac's EncoderSession): released by render_release(). */
struct render {
	struct episode_job *job;
	struct episode_result *res;
	struct part parts[NR_PARTS];
	int cur;                    /* the part being read */
	int rate;                   /* pass 2: the parts' common rate */
	struct limiter *lim;
	struct resampler *rs;       /* pass 2: the common rate to the output's */
	const char *sink_path;      /* the output, for messages */
	struct audio_sink *sink;
};

/*
 * Opens part p's source at its own rate. For the speech: the first time
 * starts the child (and a spool for what it says), afterwards replays the
 * spool from the start.
 */
static int part_open(struct render *rd, struct part *p)
{
	if (p->jingle)
		return file_source_open(&p->file, p->jingle, &p->raw);
	if (p->spooled) {
		if (spool_seek(p->spool, 0))
			return -1;
		p->raw.read = spool_read;
		p->raw.src = p->spool;
		p->raw.rate = SPEECH_RATE;
		return 0;
	}
	if (!p->spool) {
		p->spool = xcalloc(1, sizeof(*p->spool));
		if (spool_open(p->spool))
			return -1;
	}
	if (speech_open(&p->sp, &rd->res->script, &rd->job->voice, rd->job->review->path))
		return -1;
	p->raw.read = read_speech;
	p->raw.src = p->sp;
	p->raw.rate = SPEECH_RATE;
	return 0;
}

/*
 * Closes part p's sources. With `check`, returns -1 (printed) when the
 * speech child did not finish cleanly; otherwise 0 (a child still running
 * is killed).
 */
static int part_close(struct render *rd, struct part *p, int check)
{
	int ret = 0;

	resampler_free(p->rs);
	p->rs = NULL;
	if (p->jingle)
		file_source_close(&p->file);
	else if (p->sp && speech_close(p->sp) && check)
		ret = error("%s: speech synthesis did not finish", rd->job->review->path);
	p->sp = NULL;
	return ret;
}

/*
 * The calibration: CAL_STEPS limiters at gains over the first estimate of
 * the plain normalising gain, from CAL_FIRST_DB up, CAL_STEP_DB apart.
 * eSpeak NG's voices need 1 to 4 dB more than plain normalisation at -23
 * to -16 LUFS (measured: en-gb 2.7, fr 2.8, en-us and the Markdown example
 * up to 3.6 at -16), so the points bracket or nearly bracket the answer,
 * and the loudness-against-gain curve is smooth there (its slope changes
 * by under 0.05 per dB): a straight line through two points lands within
 * a few hundredths of a LU. When the answer lies more than CAL_REACH_DB
 * outside the points (loud targets need much more gain), the speech is
 * read again (from its spool) and measured at two gains around that answer, at
 * most CAL_ROUNDS times. The limiter cannot make everything loud: with its
 * 50 ms release, the example review reaches -13 LUFS with 7 dB over plain
 * normalisation, -12.7 with 12 dB, and only -11.3 with 25 dB. So the gain
 * stops at CAL_MAX_DB over plain normalisation and a warning says how
 * loud the episode will be.
 */
#define CAL_STEPS 2
#define CAL_FIRST_DB 0.5
#define CAL_STEP_DB 3.0
#define CAL_REACH_DB 1.0
#define CAL_ROUNDS 3
/* The most gain over plain normalisation the limiter may have to absorb. */
#define CAL_MAX_DB 12.0
/* Seconds of speech heard before the calibration's gains are chosen. */
#define CAL_ESTIMATE_SECONDS 30

/* Limiters at fixed gains, each followed by a meter. */
struct calibration {
	double gain[CAL_STEPS];
	struct limiter *lim[CAL_STEPS];
	struct loudness_meter *meter[CAL_STEPS];
	float tmp[CHUNK], out[CHUNK];
};

/*
 * Starts a calibration at gains (dB) gain[0] .. gain[CAL_STEPS - 1].
 * Returns 0 or -1 (printed); release cal either way.
 */
static int calibration_start(struct calibration *cal, const double *gain)
{
	int c;

	for (c = 0; c < CAL_STEPS; c++) {
		cal->gain[c] = gain[c];
		if (limiter_new_push(&cal->lim[c], SPEECH_RATE, LIMITER_CEILING) ||
		    loudness_meter_new(&cal->meter[c], SPEECH_RATE, 0))
			return -1;
	}
	return 0;
}

/*
 * Feeds n samples (any n) to every limiter at its gain, and what comes out
 * to its meter; n == 0 flushes the limiters. Returns 0 or -1 (printed).
 */
static int calibration_feed(struct calibration *cal, const float *x, long n)
{
	int c;

	do {
		long len = n > CHUNK ? CHUNK : n, i;

		for (c = 0; c < CAL_STEPS; c++) {
			float g = (float)pow(10.0, cal->gain[c] / 20.0);
			long k;

			if (len) {
				for (i = 0; i < len; i++)
					cal->tmp[i] = x[i] * g;
				k = limiter_process(cal->lim[c], cal->tmp, len, cal->out);
			} else {
				k = limiter_flush(cal->lim[c], cal->out);
			}
			if (loudness_meter_add(cal->meter[c], cal->out, k))
				return -1;
		}
		x += len;
		n -= len;
	} while (n > 0);
	return 0;
}

/*
 * The line through the calibration's first and last points (gain in dB,
 * loudness after limiting in LUFS): sets *g0, *lo and *slope (at least
 * 0.01: more gain never makes it quieter). Returns -1 when a point could
 * not be measured.
 */
static int calibration_line(struct calibration *cal, double *g0, double *lo, double *slope)
{
	double hi = loudness_meter_integrated(cal->meter[CAL_STEPS - 1]);

	*g0 = cal->gain[0];
	*lo = loudness_meter_integrated(cal->meter[0]);
	if (!isfinite(*lo) || !isfinite(hi))
		return -1;
	*slope = (hi - *lo) / (cal->gain[CAL_STEPS - 1] - *g0);
	if (!(*slope >= 0.01))
		*slope = 0.01;
	return 0;
}

/*
 * The gain in dB at which the calibration's line reaches `want`, and in
 * *reach how far outside its points that is (0 inside). Returns NAN when a
 * point could not be measured.
 */
static double calibration_solve(struct calibration *cal, double want, double *reach)
{
	double g0, lo, slope, g, g1 = cal->gain[CAL_STEPS - 1];

	if (calibration_line(cal, &g0, &lo, &slope))
		return NAN;
	g = g0 + (want - lo) / slope;
	*reach = g < g0 ? g0 - g : g > g1 ? g - g1 : 0.0;
	return g;
}

static void calibration_release(struct calibration *cal)
{
	int c;

	for (c = 0; c < CAL_STEPS; c++) {
		limiter_free(cal->lim[c]);
		loudness_meter_free(cal->meter[c]);
	}
	memset(cal, 0, sizeof(*cal));
}

/*
 * Warns when the speech will not reach `want` at gain g (dB) by the
 * calibration's line, by more than half a LU: the target is louder than
 * the limiter can make this voice.
 */
static void warn_unreachable(struct render *rd, struct calibration *cal, double want,
			     double g)
{
	const struct render_options *o = rd->job->opts;
	double g0, lo, slope, got;

	if (calibration_line(cal, &g0, &lo, &slope))
		return;
	got = lo + slope * (g - g0);
	if (got < want - 0.5)
		warning("%s: %.1f LUFS is louder than voice '%s' can be made under the "
			"%.0f dBTP true-peak limit; the episode will be about %.1f LUFS",
			rd->job->review->path, o->loudness, rd->job->voice.name,
			LOUDNESS_MAX_TRUE_PEAK, got - (want - o->loudness));
}

/*
 * Reads the speech again from its spool and runs it through a calibration at gains
 * around g (g - CAL_STEP_DB / 2 and up). Returns 0 or -1 (printed).
 */
static int calibrate_again(struct render *rd, struct part *p, struct calibration *cal,
			   double g)
{
	double gain[CAL_STEPS];
	int c, ret = -1;

	for (c = 0; c < CAL_STEPS; c++)
		gain[c] = g - CAL_STEP_DB / 2 + c * CAL_STEP_DB / (CAL_STEPS - 1);
	calibration_release(cal);
	if (calibration_start(cal, gain) || part_open(rd, p))
		goto out;
	for (;;) {
		float buf[CHUNK];
		long n = p->raw.read(p->raw.src, buf, CHUNK);

		if (n < 0 || calibration_feed(cal, buf, n))
			goto out;
		if (n == 0)
			break;
	}
	ret = part_close(rd, p, 1);
out:
	part_close(rd, p, 0);
	return ret;
}

/*
 * Pass 1 for the speech: measures its loudness and how much of it the
 * limiter will take. eSpeak NG's voice has sharp glottal pulses (peaks
 * 20 dB over its loudness): raising it from about -20 to -16 LUFS puts
 * them 5 dB and more over the ceiling, and limiting them costs 1 to 1.5
 * LU, more than the tolerance allows to ignore. So while the speech is
 * measured it also runs through a calibration (see above) at gains around
 * the one that normalises it (estimated from its first
 * CAL_ESTIMATE_SECONDS, which are held meanwhile); the gain that lands on
 * `want` after the limiter is interpolated between them. This happens at
 * the speech's own rate: the speech has nothing above 11 kHz, so limiter
 * and meter give the same result there as at the output rate (measured:
 * within 0.05 LU). Sets p->lufs and p->gain_db. Memory: the held seconds.
 * Returns 0 or -1 (printed).
 */
static int measure_speech(struct render *rd, struct part *p, double want)
{
	long hold_max = (long)SPEECH_RATE * CAL_ESTIMATE_SECONDS, held = 0;
	float *hold = xmalloc(((size_t)hold_max + CHUNK) * sizeof(*hold));
	struct calibration *cal = xcalloc(1, sizeof(*cal));
	struct loudness_meter *meter = NULL;
	double g, reach = 0.0;
	int started = 0, round, ret = -1;

	if (loudness_meter_new(&meter, SPEECH_RATE, 0) || part_open(rd, p))
		goto out;
	for (;;) {
		float *buf = started ? cal->tmp : hold + held;
		long n = p->raw.read(p->raw.src, buf, CHUNK);

		if (n < 0 || loudness_meter_add(meter, buf, n) ||
		    spool_write(p->spool, buf, n))
			goto out;
		if (started) {
			/* calibration_feed() reuses tmp: move what was read first. */
			memcpy(hold, buf, (size_t)n * sizeof(*buf));
			if (calibration_feed(cal, hold, n))
				goto out;
		} else {
			held += n;
			if (n == 0 || held >= hold_max) {
				double est = loudness_meter_integrated(meter), gain[CAL_STEPS];
				int c;

				for (c = 0; c < CAL_STEPS; c++)
					gain[c] = (isfinite(est) ? want - est : 0.0) +
						  CAL_FIRST_DB + c * CAL_STEP_DB;
				started = 1;
				if (calibration_start(cal, gain) ||
				    calibration_feed(cal, hold, held) ||
				    (n == 0 && calibration_feed(cal, NULL, 0)))
					goto out;
			}
		}
		if (n == 0)
			break;
	}
	timeline_copy(&rd->res->timeline, speech_timeline(p->sp));
	if (part_close(rd, p, 1))
		goto out;
	p->spooled = 1;
	p->lufs = loudness_meter_integrated(meter);
	p->gain_db = 0.0;
	if (!isfinite(p->lufs)) {
		ret = 0;    /* nothing to measure: leave it as it is */
		goto out;
	}
	p->gain_db = want - p->lufs;
	g = calibration_solve(cal, want, &reach);
	for (round = 1; round < CAL_ROUNDS && isfinite(g) && reach > CAL_REACH_DB; round++) {
		double mid = (cal->gain[0] + cal->gain[CAL_STEPS - 1]) / 2;

		if (g > p->gain_db + CAL_MAX_DB)
			g = p->gain_db + CAL_MAX_DB;
		if (fabs(g - mid) < CAL_REACH_DB)
			break;   /* measured around there already */
		if (calibrate_again(rd, p, cal, g))
			goto out;
		g = calibration_solve(cal, want, &reach);
	}
	/* Never less than plain normalisation, never more than CAL_MAX_DB over it. */
	if (isfinite(g) && g > p->gain_db)
		p->gain_db = g < p->gain_db + CAL_MAX_DB ? g : p->gain_db + CAL_MAX_DB;
	warn_unreachable(rd, cal, want, p->gain_db);
	ret = 0;
out:
	part_close(rd, p, 0);
	loudness_meter_free(meter);
	calibration_release(cal);
	free(cal);
	free(hold);
	return ret;
}

/*
 * Pass 1: measures each part's integrated loudness at its own rate, and
 * sets the gain that brings it to `want` (see measure_speech() for the
 * speech, which is synthesised here, once, and spooled for pass 2).
 * Returns 0 or -1 (printed).
 */
static int render_measure(struct render *rd, double want)
{
	int i;

	for (i = 0; i < NR_PARTS; i++) {
		struct part *p = &rd->parts[i];
		int ret;

		if (!p->present)
			continue;
		if (!p->jingle) {
			if (measure_speech(rd, p, want))
				return -1;
			continue;
		}
		if (part_open(rd, p))
			return -1;
		ret = loudness_measure(&p->raw, &p->lufs);
		if (part_close(rd, p, !ret))
			ret = -1;
		if (ret)
			return -1;
		p->gain_db = isfinite(p->lufs) ? want - p->lufs : 0.0;
	}
	return 0;
}

/*
 * The concatenation of the parts: reads the current part until it ends,
 * then the next. Keeps the speech's timeline when the speech ends.
 */
static long parts_read(void *src, float *buf, long n)
{
	struct render *rd = src;

	while (rd->cur < NR_PARTS) {
		struct part *p = &rd->parts[rd->cur];
		long got;

		if (!p->present) {
			rd->cur++;
			continue;
		}
		got = p->src.read(p->src.src, buf, n);
		if (got < 0)
			return -1;
		if (got > 0) {
			p->frames += got;
			return got;
		}
		if (part_close(rd, p, 1))
			return -1;
		rd->cur++;
	}
	return 0;
}

/*
 * Pass 2's chain, into *out at the output rate: each part with its gain at
 * a common rate, concatenated, the true-peak limiter, then the resampler to
 * the output rate. When the parts share one rate (the speech alone, at
 * 22,050 Hz) that is the common rate: the limiter then works on half the
 * samples, and its 4x-oversampled peaks are those of the same band-limited
 * signal the resampler goes on to reproduce. Otherwise (jingles at other
 * rates) every part is resampled to the output rate first. Sets
 * *bandwidth to the lowest part rate's Nyquist frequency. Returns 0 or -1
 * (printed).
 */
static int render_chain(struct render *rd, struct audio_source *out, int *bandwidth)
{
	const struct render_options *o = rd->job->opts;
	struct audio_source all, limited;
	int i, rate = 0, low = o->audio.sample_rate;

	for (i = 0; i < NR_PARTS; i++) {
		struct part *p = &rd->parts[i];

		if (!p->present)
			continue;
		if (part_open(rd, p))
			return -1;
		rate = !rate || rate == p->raw.rate ? p->raw.rate : o->audio.sample_rate;
		if (p->raw.rate < low)
			low = p->raw.rate;
	}
	for (i = 0; i < NR_PARTS; i++) {
		struct part *p = &rd->parts[i];
		struct audio_source at_rate;

		if (!p->present)
			continue;
		if (resampler_new(&p->rs, &p->raw, rate, &at_rate))
			return -1;
		gain_stage_init(&p->gain, &at_rate, pow(10.0, p->gain_db / 20.0), &p->src);
	}
	*bandwidth = low < o->audio.sample_rate ? low / 2 : 0;
	rd->rate = rate;
	all.read = parts_read;
	all.src = rd;
	all.rate = rate;
	if (limiter_new(&rd->lim, &all, LIMITER_CEILING, &limited))
		return -1;
	return resampler_new(&rd->rs, &limited, o->audio.sample_rate, out);
}

/* What the last pass learnt besides the audio (the child sends it at the end). */
struct stream_tail {
	double limiter_db;          /* the limiter's largest reduction */
	long long intro_frames;     /* the intro jingle's length, at rd->rate */
};

static void stream_tail_get(struct render *rd, struct stream_tail *t)
{
	memset(t, 0, sizeof(*t));
	t->limiter_db = limiter_max_reduction(rd->lim);
	t->intro_frames = rd->parts[PART_INTRO_JINGLE].frames;
}

/*
 * The child of a two-process pass 2: reads the chain and sends blocks
 * (a long count, then that many floats) through fd, then a count of 0 and
 * the stream_tail; a count of -1 when the chain failed (printed). Never
 * returns.
 */
static void stream_child(struct render *rd, struct audio_source *src, int fd)
{
	float *buf = xmalloc(CHUNK * sizeof(*buf));
	struct stream_tail t;
	/* Fault injection for the tests: this child dies of a crash. */
	int crash = !!getenv("REVCAST_TEST_STAGE_ABORT");

	for (;;) {
		long n = src->read(src->src, buf, CHUNK);

		if (crash)
			abort();
		if (write_full(fd, &n, sizeof(n)) ||
		    (n > 0 && write_full(fd, buf, (size_t)n * sizeof(*buf))))
			_exit(3);   /* the parent has gone */
		if (n < 0)
			_exit(1);
		if (n == 0)
			break;
	}
	stream_tail_get(rd, &t);
	_exit(write_full(fd, &t, sizeof(t)) ? 3 : 0);
}

/*
 * Pass 2 in two processes: the chain runs in a child, the encoder here.
 * Returns the frames written, or -1 (printed).
 */
static long long stream_two(struct render *rd, struct audio_source *src,
			    struct stream_tail *t)
{
	float *buf = NULL;
	long long total = 0;
	int fd, status, ok = 0, printed = 0;
	pid_t pid = fork_piped(&fd, "the audio stage");

	if (pid < 0)
		return -1;
	if (pid == 0)
		stream_child(rd, src, fd);
	buf = xmalloc(CHUNK * sizeof(*buf));
	for (;;) {
		long n;

		if (read_full_fd(fd, &n, sizeof(n)))
			break;      /* the child died: a crash */
		if (n < 0) {
			printed = 1;        /* by the child */
			break;
		}
		if (n > CHUNK || (n > 0 && read_full_fd(fd, buf, (size_t)n * sizeof(*buf))))
			break;
		if (n == 0) {
			ok = !read_full_fd(fd, t, sizeof(*t));
			break;
		}
		if (audio_sink_write(rd->sink, buf, n)) {
			printed = 1;
			break;
		}
		total += n;
	}
	if (!ok)
		kill(pid, SIGKILL);
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(buf);
	if (ok && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return total;
	if (!printed)
		error("%s: the audio stage stopped unexpectedly", rd->job->review->path);
	return -1;
}

/*
 * Streams src into sink k, at most `limit` frames (-1: all). Returns the
 * frames written, or -1 (printed).
 */
static long long pump(struct audio_source *src, struct audio_sink *k, long long limit)
{
	float *buf = xmalloc(CHUNK * sizeof(*buf));
	long long total = 0;

	for (;;) {
		long want = limit >= 0 && limit - total < CHUNK ? (long)(limit - total) : CHUNK;
		long n = want ? src->read(src->src, buf, want) : 0;

		if (n < 0 || (n > 0 && audio_sink_write(k, buf, n))) {
			total = -1;
			break;
		}
		if (n == 0)
			break;
		total += n;
	}
	free(buf);
	return total;
}

/*
 * Pass 2 in this process, for at most `limit` frames (-1: all). Returns
 * the frames written, or -1 (printed).
 */
static long long stream_one(struct render *rd, struct audio_source *src,
			    struct stream_tail *t, long long limit)
{
	long long total = pump(src, rd->sink, limit);

	if (total >= 0)
		stream_tail_get(rd, t);
	return total;
}


/*
 * Where to split the speech of spool sp (see above), or 0 for not at all:
 * a sample index at SPEECH_RATE whose output index (times `ratio`) is a
 * multiple of `gap`, in the middle of the run of zeros (SPLIT_RUN or
 * longer, recorded as pass 1 wrote them) whose middle is nearest the
 * middle of the speech.
 */
static long long find_cut(const struct spool *sp, int gap, int ratio)
{
	long long half = sp->frames / 2, best = 0, step = gap / ratio;
	size_t i;

	for (i = 0; i < sp->nr_runs; i++) {
		long long len = sp->runs[i].len, end = sp->runs[i].start + len;
		long long c = (end - len / 2 + step / 2) / step * step;

		if (c - SPLIT_RUN / 2 >= end - len &&
		    c + SPLIT_RUN / 2 <= end && (!best || llabs(c - half) < llabs(best - half)))
			best = c;
	}
	return best;
}

/*
 * Encodes the speech from input sample `cut` to its end as a piece onto
 * fd, through a chain of its own (gain, limiter, resampler). Sets *piece
 * and t->limiter_db. Returns 0 or -1 (printed).
 */
static int piece_encode(struct render *rd, struct part *p, long long cut,
			const struct audio_settings *settings, int fd,
			struct audio_piece *piece, struct stream_tail *t)
{
	struct spool sp = *p->spool;    /* a reader of its own */
	struct audio_source raw, gained, limited, out;
	struct gain_stage gs;
	struct limiter *lim = NULL;
	struct resampler *rs = NULL;
	struct audio_sink *k = NULL;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	sp.pos = cut;
	raw.read = spool_read;
	raw.src = &sp;
	raw.rate = SPEECH_RATE;
	gain_stage_init(&gs, &raw, pow(10.0, p->gain_db / 20.0), &gained);
	if (limiter_new(&lim, &gained, LIMITER_CEILING, &limited) ||
	    resampler_new(&rs, &limited, settings->sample_rate, &out) ||
	    audio_piece_open(&k, fd, rd->sink_path, settings) || pump(&out, k, -1) < 0)
		goto out;
	ret = audio_piece_finish(k, piece);
	k = NULL;
	t->limiter_db = limiter_max_reduction(lim);
out:
	audio_sink_abort(k);
	resampler_free(rs);
	limiter_free(lim);
	return ret;
}

/* What a piece's child sends back: its result, then 0 or -1. */
struct piece_report {
	struct audio_piece piece;
	struct stream_tail tail;
	int status;
};

/*
 * Pass 2 split at `cut` (see above): this process streams the chain into
 * the sink up to the join, the piece is encoded in a child (processes > 1)
 * or here afterwards, and joined on. Sets *total to the frames of the
 * whole. Returns 0 or -1 (printed).
 */
static int stream_split(struct render *rd, struct audio_source *src,
			const struct audio_settings *settings, long long cut,
			struct stream_tail *t, long long *total)
{
	struct part *p = &rd->parts[PART_SPEECH];
	int gap = audio_join_gap(settings), ratio = settings->sample_rate / SPEECH_RATE;
	long long head = cut * ratio - gap;
	struct piece_report rep;
	int fd = temp_fd("piece"), pfd = -1, status, ret = -1;
	pid_t pid = 0;

	if (fd < 0)
		return -1;
	memset(&rep, 0, sizeof(rep));
	if (rd->job->opts->processes > 1) {
		pid = fork_piped(&pfd, "the second encoder");
		if (pid < 0)
			goto out;
		if (pid == 0) {
			if (getenv("REVCAST_TEST_STAGE_ABORT"))
				abort();    /* fault injection for the tests */
			rep.status = piece_encode(rd, p, cut, settings, fd, &rep.piece, &rep.tail);
			_exit(write_full(pfd, &rep, sizeof(rep)) || rep.status ? 1 : 0);
		}
	}
	if (stream_one(rd, src, t, head) != head)
		goto out;
	if (pid > 0) {
		if (read_full_fd(pfd, &rep, sizeof(rep))) {
			error("%s: the second encoder stopped unexpectedly", rd->job->review->path);
			goto out;
		}
		if (rep.status)
			goto out;   /* printed by the child */
	} else if (piece_encode(rd, p, cut, settings, fd, &rep.piece, &rep.tail)) {
		goto out;
	}
	if (audio_sink_join(rd->sink, fd, &rep.piece))
		goto out;
	if (rep.tail.limiter_db < t->limiter_db)
		t->limiter_db = rep.tail.limiter_db;
	*total = head + gap + rep.piece.frames;
	ret = 0;
out:
	if (pid > 0) {
		if (ret)
			kill(pid, SIGKILL);
		close(pfd);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(fd);
	return ret;
}

/*
 * Pass 2: opens every part again (the speech from its spool) with its gain
 * and streams the chain (see render_chain()) into the sink, in one process
 * or two (render_options.processes). Returns 0 or -1 (printed).
 */
static int render_stream(struct render *rd, const char *out_path)
{
	const struct render_options *o = rd->job->opts;
	struct audio_settings settings = o->audio;
	struct audio_source src;
	struct stream_tail t;
	long long total, cut = 0;
	int gap = audio_join_gap(&settings);

	if (render_chain(rd, &src, &settings.bandwidth) ||
	    audio_sink_open(&rd->sink, out_path, &settings))
		return -1;
	rd->sink_path = out_path;
	/* Split: the speech alone, MP3 CBR at twice its rate, long enough. */
	if (rd->rate == SPEECH_RATE && !rd->parts[PART_INTRO_JINGLE].present &&
	    !rd->parts[PART_OUTRO_JINGLE].present && gap &&
	    settings.sample_rate == 2 * SPEECH_RATE &&
	    rd->parts[PART_SPEECH].spool->frames >= (long long)SPLIT_MIN_SECONDS * SPEECH_RATE)
		cut = find_cut(rd->parts[PART_SPEECH].spool, gap, 2);
	if (cut > 0) {
		if (stream_split(rd, &src, &settings, cut, &t, &total))
			return -1;
		rd->res->join_at = (double)cut / SPEECH_RATE;
	} else {
		total = o->processes > 1 ? stream_two(rd, &src, &t) : stream_one(rd, &src, &t, -1);
		if (total < 0)
			return -1;
	}
	rd->res->limiter_db = t.limiter_db;
	rd->res->timeline_offset = (double)t.intro_frames / rd->rate;
	rd->res->audio.duration = (double)total / o->audio.sample_rate;
	return 0;
}

/* Frees everything rd holds; a sink still open is aborted (no file is left). */
static void render_release(struct render *rd)
{
	int i;

	for (i = 0; i < NR_PARTS; i++) {
		part_close(rd, &rd->parts[i], 0);
		if (rd->parts[i].spool) {
			spool_close(rd->parts[i].spool);
			free(rd->parts[i].spool);
		}
	}
	resampler_free(rd->rs);
	limiter_free(rd->lim);
	if (rd->sink)
		audio_sink_abort(rd->sink);
	memset(rd, 0, sizeof(*rd));
}

int episode_render_job(struct episode_job *j, const char *out_path,
		       struct episode_result *res)
{
	const struct review *r = j->review;
	const struct render_options *o = j->opts;
	struct render rd;
	struct audio_meta meta;
	double want;
	int ret = -1;

	episode_result_init(res);
	res->voice = xstrdup(j->voice.name);
	res->script = j->script;
	script_init(&j->script);
	memset(&rd, 0, sizeof(rd));
	rd.job = j;
	rd.res = res;
	rd.parts[PART_INTRO_JINGLE].jingle = j->voice.intro_jingle;
	rd.parts[PART_INTRO_JINGLE].present = !!j->voice.intro_jingle;
	rd.parts[PART_SPEECH].present = 1;
	rd.parts[PART_OUTRO_JINGLE].jingle = j->voice.outro_jingle;
	rd.parts[PART_OUTRO_JINGLE].present = !!j->voice.outro_jingle;
	want = o->loudness + encoder_loss(&o->audio);
	if (render_measure(&rd, want) || render_stream(&rd, out_path))
		goto out;
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
	ret = audio_sink_finish(rd.sink, &meta, &res->audio);
	rd.sink = NULL;
	if (!ret && res->nr_chapters)
		res->chapters[res->nr_chapters - 1].end = res->audio.duration;
out:
	render_release(&rd);
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
