/*
 * speech.h - eSpeak NG. This module is the only code in revcast that
 * touches libespeak-ng. The library keeps process-wide state, is not
 * thread-safe and aborts on some inputs, so every synthesis runs in a
 * child process that streams audio and events back through a pipe; a crash
 * there becomes an error naming the review and line, never a crash here.
 * The child synthesises ahead while the caller encodes (the pipe buffers),
 * so synthesis of the next paragraph overlaps encoding of this one.
 *
 * Stage 3 of the pipeline: review -> text -> speech -> audio -> episode.
 */
#ifndef REVCAST_SPEECH_H
#define REVCAST_SPEECH_H

#include <stddef.h>
#include "util.h"

struct script;
struct voice_profile;

/* eSpeak NG's output rate. */
#define SPEECH_RATE 22050

/*
 * Where things start in the audio the source produced, in samples at
 * SPEECH_RATE from the start of its stream (pauses included).
 */
struct tl_segment {
	long long start;    /* first sample of speech (leading silence trimmed) */
	long long end;      /* one past the last sample of speech */
};
struct tl_sentence {
	int seg;
	int index;          /* sentence index within the segment */
	long long start;
};
struct tl_word {
	int seg;
	int sentence;
	long long start;
};
struct timeline {
	struct tl_segment *segs;
	size_t nr_segs, alloc_segs;
	struct tl_sentence *sentences;
	size_t nr_sentences, alloc_sentences;
	struct tl_word *words;
	size_t nr_words, alloc_words;
	long long total;    /* samples produced so far */
};
void timeline_init(struct timeline *t);
void timeline_release(struct timeline *t);

struct speech;

/*
 * Starts synthesising script s with profile v in a child process. `path`
 * names the review in messages. Returns 0, or -1 with an error printed.
 */
int speech_open(struct speech **out, const struct script *s,
		const struct voice_profile *v, const char *path);

/*
 * Reads up to n samples of mono audio at SPEECH_RATE, as floats in
 * [-1, 1], pauses included. Returns the number read, 0 at the end, or -1
 * when synthesis failed (the error, naming the review and the line being
 * spoken, has been printed).
 */
long speech_read(struct speech *sp, float *buf, long n);

/* The times seen so far; complete once speech_read() has returned 0. */
const struct timeline *speech_timeline(const struct speech *sp);

/*
 * Stops the child (killing it if it is still running) and frees sp.
 * Returns 0 if synthesis finished cleanly, else -1.
 */
int speech_close(struct speech *sp);

/*
 * Translates text to eSpeak NG phoneme mnemonics with voice v (in a child
 * process), appending them to out. For pronunciation checks.
 */
int speech_phonemes(const struct voice_profile *v, const char *text, struct strbuf *out);

/* The eSpeak NG version string, e.g. "1.51". Static. */
const char *speech_engine_version(void);

#endif
