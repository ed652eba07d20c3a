/*
 * speech.c - eSpeak NG in a child process. See speech.h.
 *
 * The child initialises libespeak-ng (fresh in every child, which keeps
 * renders reproducible), synthesises the script segment by segment and
 * writes framed messages to a pipe:
 *
 *   'B' seg              synthesis of segment seg begins (sent at once,
 *                        so that a crash is blamed on the right text)
 *   'S' seg, pos         segment starts at absolute sample pos
 *   'E' seg, pos         segment's speech ends at pos (pause follows)
 *   'M' seg, idx, pos    sentence idx of seg starts at pos
 *   'W' seg, idx, pos    a word of sentence idx starts at pos
 *   'A' int16 samples    audio
 *   'X' text             an error message; the child then exits
 *   'D' pos              done; pos is the total number of samples
 *
 * Each segment's leading and trailing silence is trimmed, then the
 * segment's configured pause is added as digital silence, so that pauses
 * are exactly the configured lengths.
 */
#include "speech.h"
#include "text.h"
#include "voice.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <espeak-ng/speak_lib.h>

/* Samples at or below this magnitude count as silence when trimming. */
#define SILENCE_LEVEL 48
/* Never hold back more than this much silence inside a segment. */
#define HOLD_MAX (SPEECH_RATE * 20)
#define PIPE_BYTES (1 << 20)

void timeline_init(struct timeline *t)
{
	memset(t, 0, sizeof(*t));
}

void timeline_release(struct timeline *t)
{
	free(t->segs);
	free(t->sentences);
	free(t->words);
	timeline_init(t);
}

/* ---- the child ---- */

struct pending_event {
	char type;          /* 'M' or 'W' */
	int idx;
	long long sample;   /* sample index within this espeak_Synth call */
};

struct child {
	int fd;
	unsigned char out[65536];
	size_t out_len;
	int16_t audio[16384];  /* audio not yet queued as a message */
	size_t audio_len;
	int seg;
	int sentence;       /* current sentence of seg (from marks) */
	long long pos;      /* absolute samples written */
	long long synth_pos; /* samples received from this espeak_Synth call */
	long long lead;     /* samples trimmed at the start of this segment */
	long long seg_start; /* absolute position of this segment's first sound */
	int started;        /* a sound sample of this segment has been seen */
	int16_t *hold;      /* silence held back, not yet written */
	size_t nr_hold, alloc_hold;
	struct pending_event *pend;
	size_t nr_pend, alloc_pend;
	int failed;
};

static void child_msg(struct child *c, char type, const void *data, uint32_t len);

/* Queues the coalesced audio as one message. */
static void child_flush_audio(struct child *c)
{
	size_t n = c->audio_len;

	if (!n)
		return;
	c->audio_len = 0;
	child_msg(c, 'A', c->audio, (uint32_t)(n * 2));
}

/* Writes everything queued to the pipe. */
static void child_flush(struct child *c)
{
	child_flush_audio(c);
	if (write_full(c->fd, c->out, c->out_len))
		_exit(3);   /* the parent has gone */
	c->out_len = 0;
}

/* Queues one message: type, 4-byte length, payload (len < 64 KiB). */
static void child_msg(struct child *c, char type, const void *data, uint32_t len)
{
	if (type != 'A')
		child_flush_audio(c);
	if (c->out_len + 5 + len > sizeof(c->out))
		child_flush(c);
	c->out[c->out_len] = (unsigned char)type;
	memcpy(c->out + c->out_len + 1, &len, 4);
	if (len)
		memcpy(c->out + c->out_len + 5, data, len);
	c->out_len += 5 + len;
}

static void child_pos_msg(struct child *c, char type, int seg, int idx, long long pos)
{
	int64_t rec[3];

	rec[0] = seg;
	rec[1] = idx;
	rec[2] = pos;
	child_msg(c, type, rec, sizeof(rec));
}

/* Appends n samples to the stream (sent in large messages). */
static void child_audio(struct child *c, const int16_t *s, size_t n)
{
	while (n) {
		size_t room = ARRAY_SIZE(c->audio) - c->audio_len;
		size_t chunk = n > room ? room : n;

		memcpy(c->audio + c->audio_len, s, chunk * 2);
		c->audio_len += chunk;
		c->pos += (long long)chunk;
		s += chunk;
		n -= chunk;
		if (c->audio_len == ARRAY_SIZE(c->audio))
			child_flush_audio(c);
	}
}

static NORETURN void child_fail(struct child *c, const char *msg)
{
	child_msg(c, 'X', msg, (uint32_t)strlen(msg));
	child_flush(c);
	_exit(2);
}

/*
 * The absolute output position of sample `at` of this espeak_Synth call.
 * Every sample taken after the leading silence is either written or held,
 * so pos + nr_hold corresponds to synth_pos.
 */
static long long child_abs(const struct child *c, long long at)
{
	long long abs = c->pos + (long long)c->nr_hold - (c->synth_pos - at);

	return abs < c->seg_start ? c->seg_start : abs;
}

/*
 * Writes the queued events whose position is now known: those at or
 * before the audio taken so far, once the segment has started; all of
 * them (clamped to the end of the speech) when `final`.
 */
static void child_resolve_events(struct child *c, int final)
{
	size_t i, keep = 0;

	for (i = 0; i < c->nr_pend; i++) {
		struct pending_event *e = &c->pend[i];
		long long at;

		if (!final && !(c->started && e->sample <= c->synth_pos)) {
			c->pend[keep++] = *e;
			continue;
		}
		at = c->started ? child_abs(c, e->sample) : c->pos;
		if (at > c->pos)
			at = c->pos;
		child_pos_msg(c, e->type, c->seg, e->idx, at);
	}
	c->nr_pend = keep;
}

static void child_flush_hold(struct child *c)
{
	child_audio(c, c->hold, c->nr_hold);
	c->nr_hold = 0;
}

/*
 * Takes n samples of this segment: drops leading silence, holds back runs
 * of silence until sound follows them (trailing silence is dropped when
 * the segment ends), and writes runs of sound as they come.
 */
static void child_take(struct child *c, const int16_t *s, size_t n)
{
	size_t i, run = 0;
	int in_run = 0;

	for (i = 0; i < n; i++) {
		int loud = s[i] > SILENCE_LEVEL || s[i] < -SILENCE_LEVEL;

		c->synth_pos++;
		if (!c->started) {
			if (!loud) {
				c->lead++;
				continue;
			}
			c->started = 1;
			c->seg_start = c->pos;
			child_pos_msg(c, 'S', c->seg, 0, c->pos);
		}
		if (!loud) {
			if (in_run) {
				child_audio(c, s + run, i - run);
				in_run = 0;
			}
			if (c->nr_hold >= HOLD_MAX)
				child_flush_hold(c);
			ALLOC_GROW(c->hold, c->nr_hold + 1, c->alloc_hold);
			c->hold[c->nr_hold++] = s[i];
			continue;
		}
		if (!in_run) {
			if (c->nr_hold)
				child_flush_hold(c);
			run = i;
			in_run = 1;
		}
	}
	if (in_run)
		child_audio(c, s + run, n - run);
}

/* eSpeak NG's synthesis callback: audio and the events that go with it. */
static int child_callback(short *wav, int numsamples, espeak_EVENT *events)
{
	struct child *c = events ? events->user_data : NULL;
	espeak_EVENT *e;

	if (!c)
		return 0;
	for (e = events; e->type != espeakEVENT_LIST_TERMINATED; e++) {
		struct pending_event pe;

		if (e->type == espeakEVENT_MARK && e->id.name) {
			long idx;

			if (parse_long(e->id.name, 0, 1000000, &idx))
				continue;
			c->sentence = (int)idx;
			pe.type = 'M';
			pe.idx = (int)idx;
		} else if (e->type == espeakEVENT_WORD && e->length > 0) {
			pe.type = 'W';
			pe.idx = c->sentence;
		} else {
			continue;
		}
		pe.sample = e->sample;
		ALLOC_GROW(c->pend, c->nr_pend + 1, c->alloc_pend);
		c->pend[c->nr_pend++] = pe;
	}
	if (wav && numsamples > 0)
		child_take(c, (const int16_t *)wav, (size_t)numsamples);
	child_resolve_events(c, 0);
	return 0;
}

static void child_set_voice(struct child *c, const struct voice_profile *v, int quote)
{
	const char *variant = quote && v->quote_variant ? v->quote_variant : v->variant;
	char *name = variant ? xasprintf("%s+%s", v->espeak_voice, variant)
			     : xstrdup(v->espeak_voice);

	if (espeak_SetVoiceByName(name) != EE_OK) {
		char *msg = xasprintf("eSpeak NG has no voice '%s' (voice profile '%s')",
				      name, v->path ? v->path : v->name);
		child_fail(c, msg);
	}
	free(name);
	/* Set every parameter again: nothing may leak from an earlier call. */
	espeak_SetParameter(espeakRATE, v->rate, 0);
	espeak_SetParameter(espeakVOLUME, v->volume, 0);
	espeak_SetParameter(espeakPITCH, v->pitch, 0);
	espeak_SetParameter(espeakRANGE, v->range, 0);
	espeak_SetParameter(espeakPUNCTUATION, espeakPUNCT_NONE, 0);
	espeak_SetParameter(espeakCAPITALS, 0, 0);
	espeak_SetParameter(espeakWORDGAP, 0, 0);
}

static int child_init(struct child *c)
{
	int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL,
				     espeakINITIALIZE_DONT_EXIT);

	if (rate != SPEECH_RATE) {
		child_fail(c, "cannot initialise eSpeak NG (is espeak-ng-data installed?)");
	}
	espeak_SetSynthCallback(child_callback);
	return 0;
}

static NORETURN void child_run(int fd, const struct script *s, const struct voice_profile *v)
{
	struct child c;
	struct strbuf ssml = STRBUF_INIT;
	size_t i;
	int64_t total;
	long crash_at = -1;
	/*
	 * Fault injection for the tests: REVCAST_TEST_SPEECH_ABORT=N makes
	 * this child abort() at segment N, as libespeak-ng does on some input.
	 */
	const char *fault = getenv("REVCAST_TEST_SPEECH_ABORT");

	if (fault && parse_long(fault, 0, 1000000, &crash_at))
		crash_at = -1;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	signal(SIGPIPE, SIG_DFL);
	child_init(&c);
	for (i = 0; i < s->nr; i++) {
		const struct segment *seg = &s->segs[i];
		long long pause;
		espeak_ERROR err;

		c.seg = (int)i;
		child_pos_msg(&c, 'B', c.seg, 0, c.pos);
		child_flush(&c);
		if ((long)i == crash_at)
			abort();
		c.sentence = 0;
		c.synth_pos = 0;
		c.lead = 0;
		c.started = 0;
		c.nr_hold = 0;
		c.nr_pend = 0;
		child_set_voice(&c, v, seg->quote);
		strbuf_reset(&ssml);
		script_segment_ssml(seg, v, &ssml);
		err = espeak_Synth(ssml.buf, ssml.len + 1, 0, POS_CHARACTER, 0,
				   espeakCHARS_UTF8 | espeakSSML | espeakPHONEMES, NULL, &c);
		if (err != EE_OK)
			child_fail(&c, "eSpeak NG refused the text");
		if (!c.started) {
			/* Nothing audible: the segment is empty at this position. */
			c.seg_start = c.pos;
			child_pos_msg(&c, 'S', c.seg, 0, c.pos);
		}
		child_resolve_events(&c, 1);
		c.nr_hold = 0;   /* trailing silence is dropped */
		child_pos_msg(&c, 'E', c.seg, 0, c.pos);
		pause = (long long)seg->pause_after_ms * SPEECH_RATE / 1000;
		while (pause > 0) {
			static const int16_t zeros[4096];
			size_t n = pause > 4096 ? 4096 : (size_t)pause;

			child_audio(&c, zeros, n);
			pause -= (long long)n;
		}
	}
	total = c.pos;
	child_msg(&c, 'D', &total, sizeof(total));
	child_flush(&c);
	_exit(0);
}

/* ---- the parent ---- */

struct speech {
	pid_t pid;
	int fd;
	const char *path;
	const struct script *script;
	struct timeline tl;
	int cur_seg;
	int done;
	int failed;
	unsigned char *msg;
	size_t msg_alloc;
	int16_t *audio;     /* samples received but not yet read */
	size_t audio_len, audio_off;
	unsigned char rbuf[1 << 16];  /* bytes read from the pipe */
	size_t rpos, rlen;
};

/*
 * Reads exactly n bytes from the child through sp's buffer; returns 0, or
 * -1 at EOF or on error.
 */
static int read_full(struct speech *sp, void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n) {
		size_t have = sp->rlen - sp->rpos;
		ssize_t r;

		if (have) {
			size_t take = have < n ? have : n;

			memcpy(p, sp->rbuf + sp->rpos, take);
			sp->rpos += take;
			p += take;
			n -= take;
			continue;
		}
		r = read(sp->fd, sp->rbuf, sizeof(sp->rbuf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		sp->rpos = 0;
		sp->rlen = (size_t)r;
	}
	return 0;
}

static int line_of_seg(const struct speech *sp, int seg)
{
	if (seg < 0 || (size_t)seg >= sp->script->nr)
		return 0;
	return sp->script->segs[seg].line;
}

/* Reaps the child and turns how it ended into one error message. */
static int speech_reap(struct speech *sp, const char *child_msg)
{
	int status = 0, line;
	const char *what;
	char where[64];

	if (sp->pid > 0) {
		while (waitpid(sp->pid, &status, 0) < 0 && errno == EINTR)
			;
		sp->pid = -1;
	}
	if (sp->failed)
		return -1;
	sp->failed = 1;
	line = line_of_seg(sp, sp->cur_seg);
	if (line > 0)
		snprintf(where, sizeof(where), "%d: ", line);
	else
		where[0] = '\0';
	what = sp->cur_seg >= 0 && (size_t)sp->cur_seg < sp->script->nr ?
	       seg_kind_name(sp->script->segs[sp->cur_seg].kind) : "text";
	if (child_msg)
		return error("%s:%s%s", sp->path, where, child_msg);
	if (WIFSIGNALED(status))
		return error("%s:%sspeech synthesis crashed (signal %d, %s) in this %s; "
			     "the text there cannot be spoken by eSpeak NG",
			     sp->path, where, WTERMSIG(status), strsignal(WTERMSIG(status)),
			     what);
	return error("%s:%sspeech synthesis stopped unexpectedly (exit status %d) in this %s",
		     sp->path, where, WIFEXITED(status) ? WEXITSTATUS(status) : -1, what);
}

int speech_open(struct speech **out, const struct script *s,
		const struct voice_profile *v, const char *path)
{
	struct speech *sp;
	int fd;
	pid_t pid;

	*out = NULL;
	pid = fork_piped(&fd, "speech synthesis");
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* A bigger pipe lets synthesis run further ahead of encoding. */
		fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES);
		child_run(fd, s, v);
	}
	sp = xcalloc(1, sizeof(*sp));
	sp->pid = pid;
	sp->fd = fd;
	sp->path = path;
	sp->script = s;
	sp->cur_seg = -1;
	timeline_init(&sp->tl);
	*out = sp;
	return 0;
}

/* Handles one message; returns 0, or -1 when synthesis failed. */
static int speech_handle(struct speech *sp, char type, const unsigned char *data,
			 uint32_t len)
{
	int64_t rec[3] = { 0, 0, 0 };

	if (type == 'B' || type == 'S' || type == 'E' || type == 'M' || type == 'W') {
		if (len != sizeof(rec))
			return speech_reap(sp, "speech synthesis sent a bad message");
		memcpy(rec, data, sizeof(rec));
	}
	switch (type) {
	case 'A':
		sp->audio = xrealloc(sp->audio, len);
		memcpy(sp->audio, data, len);
		sp->audio_len = len / 2;
		sp->audio_off = 0;
		sp->tl.total += (long long)(len / 2);
		return 0;
	case 'B':
		sp->cur_seg = (int)rec[0];
		return 0;
	case 'S':
		ALLOC_GROW(sp->tl.segs, sp->tl.nr_segs + 1, sp->tl.alloc_segs);
		sp->tl.segs[sp->tl.nr_segs].start = rec[2];
		sp->tl.segs[sp->tl.nr_segs].end = rec[2];
		sp->tl.nr_segs++;
		return 0;
	case 'E':
		if (sp->tl.nr_segs)
			sp->tl.segs[sp->tl.nr_segs - 1].end = rec[2];
		return 0;
	case 'M':
		ALLOC_GROW(sp->tl.sentences, sp->tl.nr_sentences + 1, sp->tl.alloc_sentences);
		sp->tl.sentences[sp->tl.nr_sentences].seg = (int)rec[0];
		sp->tl.sentences[sp->tl.nr_sentences].index = (int)rec[1];
		sp->tl.sentences[sp->tl.nr_sentences].start = rec[2];
		sp->tl.nr_sentences++;
		return 0;
	case 'W':
		ALLOC_GROW(sp->tl.words, sp->tl.nr_words + 1, sp->tl.alloc_words);
		sp->tl.words[sp->tl.nr_words].seg = (int)rec[0];
		sp->tl.words[sp->tl.nr_words].sentence = (int)rec[1];
		sp->tl.words[sp->tl.nr_words].start = rec[2];
		sp->tl.nr_words++;
		return 0;
	case 'X': {
		char *msg = xstrndup((const char *)data, len);
		int ret = speech_reap(sp, msg);

		free(msg);
		return ret;
	}
	case 'D':
		sp->done = 1;
		return 0;
	}
	return speech_reap(sp, "speech synthesis sent a bad message");
}

/* Reads the next message from the child. 0, or -1 on failure. */
static int speech_next(struct speech *sp)
{
	unsigned char hdr[5];
	uint32_t len;

	if (read_full(sp, hdr, 5))
		return speech_reap(sp, NULL);
	memcpy(&len, hdr + 1, 4);
	if (len > (1u << 24))
		return speech_reap(sp, "speech synthesis sent a bad message");
	if (len > sp->msg_alloc) {
		sp->msg = xrealloc(sp->msg, len);
		sp->msg_alloc = len;
	}
	if (len && read_full(sp, sp->msg, len))
		return speech_reap(sp, NULL);
	return speech_handle(sp, (char)hdr[0], sp->msg, len);
}

long speech_read(struct speech *sp, float *buf, long n)
{
	long got = 0;

	if (sp->failed)
		return -1;
	while (got < n) {
		if (sp->audio_off < sp->audio_len) {
			size_t take = sp->audio_len - sp->audio_off;
			size_t i;

			if (take > (size_t)(n - got))
				take = (size_t)(n - got);
			for (i = 0; i < take; i++)
				buf[got + (long)i] = sp->audio[sp->audio_off + i] / 32768.0f;
			sp->audio_off += take;
			got += (long)take;
			continue;
		}
		if (sp->done)
			break;
		if (speech_next(sp))
			return -1;
	}
	return got;
}

const struct timeline *speech_timeline(const struct speech *sp)
{
	return &sp->tl;
}

int speech_close(struct speech *sp)
{
	int ret = 0, status;

	if (!sp)
		return 0;
	close(sp->fd);
	if (sp->pid > 0) {
		if (!sp->done)
			kill(sp->pid, SIGKILL);
		while (waitpid(sp->pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!sp->done || !WIFEXITED(status) || WEXITSTATUS(status))
			ret = -1;
	}
	if (sp->failed || !sp->done)
		ret = -1;
	timeline_release(&sp->tl);
	free(sp->msg);
	free(sp->audio);
	free(sp);
	return ret;
}

int speech_phonemes(const struct voice_profile *v, const char *text, struct strbuf *out)
{
	int fd, status;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	pid = fork_piped(&fd, "eSpeak NG");
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct child c;
		const void *p = text;

		memset(&c, 0, sizeof(c));
		c.fd = fd;
		child_init(&c);
		child_set_voice(&c, v, 0);
		/*
		 * Read [[...]] as phonemes, as synthesis does: eSpeak NG takes that
		 * from the flags of the last espeak_Synth() (this one has no user
		 * data, so the callback ignores it).
		 */
		espeak_Synth("", 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8 | espeakPHONEMES,
			     NULL, NULL);
		while (p) {
			const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, 0);

			if (ph && *ph) {
				if (write(fd, ph, strlen(ph)) < 0 || write(fd, " ", 1) < 0)
					_exit(3);
			}
		}
		_exit(0);
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		strbuf_add(out, buf, (size_t)n);
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	strbuf_rtrim(out);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return error("eSpeak NG could not translate '%s' to phonemes", text);
	return 0;
}

const char *speech_engine_version(void)
{
	return espeak_Info(NULL);
}
