/*
 * transcript.h - what was said, and when: WebVTT and SRT transcripts with
 * one cue per sentence (long sentences split into readable cues of at
 * most two lines), and chapters in the Podcasting 2.0 JSON format. Built
 * from a render's script and timeline, written beside the MP3 when the
 * episode is rendered, and read back (the VTT) by the listening page,
 * which must not need a render.
 *
 * Stage 6 of the pipeline: ... -> episode -> transcript, feed, site.
 */
#ifndef REVCAST_TRANSCRIPT_H
#define REVCAST_TRANSCRIPT_H

#include <stddef.h>
#include "util.h"

struct episode_result;
struct chapter;

/* At most this many characters (code points) a cue line, two lines a cue. */
#define CUE_LINE_MAX 42

/*
 * One cue. Times are whole milliseconds from the start of the file. The
 * id says where the text comes from: "intro-N", "outro-N" or "bB-N" (the
 * Nth cue, from 1, of review block B, from 0). The listening page finds a
 * paragraph's start at the cue "bB-1".
 */
struct cue {
	long long start_ms;
	long long end_ms;
	char *id;
	char *text;         /* one or two lines joined by '\n'; NULL when read back */
};

struct transcript {
	struct cue *cues;
	size_t nr, alloc;
};

void transcript_init(struct transcript *t);
void transcript_release(struct transcript *t);

/*
 * Builds the cues of a render: one per sentence of the display text,
 * long sentences split at clause punctuation or word boundaries into
 * parts of at most two lines of CUE_LINE_MAX, each part timed from the
 * sentence's word events in proportion to its place in the sentence. The
 * first cue of a segment starts where its speech starts. Cues are in
 * order, do not overlap and end within res->audio.duration; t must be
 * initialised (anything in it is released first).
 */
void transcript_build(struct transcript *t, const struct episode_result *res);

/* Appends t as a WebVTT file (cue text escaped: &amp; &lt; &gt;). */
void transcript_vtt(const struct transcript *t, struct strbuf *out);
/* Appends t as a SubRip (SRT) file, cues numbered from 1. */
void transcript_srt(const struct transcript *t, struct strbuf *out);

/*
 * Reads back the ids and times of a WebVTT file written by
 * transcript_vtt() (text is not kept). Returns 0, or -1 (printed, naming
 * `path`) when it is not such a file; t is then empty.
 */
int transcript_parse_vtt(struct transcript *t, const char *buf, size_t len,
			 const char *path);

/*
 * Appends chapters ch[0..nr) as Podcasting 2.0 JSON chapters, version
 * 1.2.0: {"version":"1.2.0","title":...,"chapters":[{"startTime":...,
 * "endTime":...,"title":...}]}, times in seconds to the millisecond as
 * in the MP3's CHAP frames, ascending; chapters that would start at or
 * after `duration` are left out. `title` (the episode's) may be NULL.
 */
void chapters_json(struct strbuf *out, const struct chapter *ch, size_t nr,
		   double duration, const char *title);

/* Appends s as a JSON string, quotes included (UTF-8 kept, controls escaped). */
void json_string(struct strbuf *out, const char *s);

/*
 * The name of a file beside an episode's audio: `file` with its
 * extension replaced by `ext` ("episodes/x-1234abcd.mp3", "vtt" ->
 * "episodes/x-1234abcd.vtt"). New string.
 */
char *episode_sibling(const char *file, const char *ext);

/*
 * Writes the transcripts and chapters of a render beside its audio:
 * DIR/STEM.vtt, DIR/STEM.srt and DIR/STEM.chapters.json, where `file` is
 * the audio's name relative to DIR. Sets *vtt, *srt and *chapters to the
 * new names relative to DIR (new strings). Returns 0, or -1 (printed;
 * the names are NULL and no file is left half-written).
 */
int transcript_write_files(const struct episode_result *res, const char *dir,
			   const char *file, const char *title,
			   char **vtt, char **srt, char **chapters);

/*
 * Writes len bytes to path atomically, unless the file already holds
 * exactly these bytes (then it is not touched). Returns 0 or -1 (printed).
 */
int publish_file(const char *path, const void *data, size_t len);

#endif
