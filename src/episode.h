/*
 * episode.h - renders one review into one finished audio file: the whole
 * pipeline review -> text -> speech -> audio, with the times of every
 * segment and sentence kept for transcripts and chapters.
 *
 * Stage 5 of the pipeline: review -> text -> speech -> audio -> episode.
 */
#ifndef REVCAST_EPISODE_H
#define REVCAST_EPISODE_H

#include "audio.h"
#include "lexicon.h"
#include "speech.h"
#include "text.h"
#include "voice.h"

struct review;

struct render_options {
	const char *voices_dir;     /* NULL: voice_dir() */
	const char *voice;          /* profile forced by the caller, or NULL */
	const char *default_voice;  /* when neither caller nor review picks one */
	struct audio_settings audio;
	const char *album;          /* ID3 album: the feed's title */
	const char *cover;          /* image to embed, or NULL */
	const char *feed_title;     /* for {feed} in templates */
	/*
	 * Target integrated loudness, LUFS (default -16), measured as ffmpeg's
	 * ebur128 filter measures a mono file (see loudness.h). Every episode
	 * is normalised to it (within 0.2 LU, after MP3 encoding) with true
	 * peaks at or under -1 dBTP.
	 */
	double loudness;
	const char *feed_lexicon;   /* the feed's pronunciation lexicon, or NULL */
	/*
	 * Processes for the render's last pass: 1 (default) runs it in this
	 * process; 2 moves the gain, limiter and resampler into a child and
	 * keeps the encoder here, so that they run side by side (for a single
	 * render on a machine with cores to spare; a build's workers already
	 * keep every core busy).
	 */
	int processes;
};
void render_options_init(struct render_options *o);

/* What a render produced. Times are in seconds from the start of the file. */
struct episode_result {
	struct audio_result audio;
	char *voice;                /* the profile used */
	struct script script;       /* what was said */
	struct timeline timeline;   /* in samples at SPEECH_RATE */
	double timeline_offset;     /* seconds placed before the timeline's 0 (the intro jingle) */
	double limiter_db;          /* the limiter's largest gain reduction, dB (<= 0) */
	double join_at;             /* where a split encode was joined, seconds; 0 if not split */
	/*
	 * Chapters, in seconds: the intro, then each Markdown heading's part;
	 * without headings, one per paragraph titled with its opening words.
	 * Titles are owned by the result.
	 */
	struct chapter *chapters;
	size_t nr_chapters;
};
void episode_result_init(struct episode_result *res);
void episode_result_release(struct episode_result *res);

/* Seconds from the start of the file of timeline sample `at`. */
double episode_time(const struct episode_result *res, long long at);

/*
 * Chooses the voice profile for review r under options o and loads it.
 * Returns 0 or -1 (printed).
 */
int episode_voice(struct voice_profile *v, const struct review *r,
		  const struct render_options *o);

/*
 * Everything a render needs, prepared without rendering: the voice
 * profile, the script and the render key (a SHA-256 of everything that
 * affects the output file: what is said and how, the voice profile, the
 * audio settings, the tags, the cover, the revcast and eSpeak NG
 * versions). Two jobs with the same key produce the same bytes.
 */
struct episode_job {
	const struct review *review;
	const struct render_options *opts;
	struct voice_profile voice;
	struct lexicon lexicon;
	struct script script;
	char key[65];
};

/* Prepares job j; returns 0 or -1 (printed). j holds r and o by reference. */
int episode_prepare(struct episode_job *j, const struct review *r,
		    const struct render_options *o);
void episode_job_release(struct episode_job *j);

/*
 * Renders a prepared job to out_path (atomically: on failure nothing is
 * left at out_path or beside it). The job's script moves into res.
 * Returns 0 or -1 with one error printed that names the review (and line)
 * or the output file.
 */
int episode_render_job(struct episode_job *j, const char *out_path,
		       struct episode_result *res);

/*
 * Renders review r to out_path (atomically: on failure nothing is left at
 * out_path or beside it). Returns 0 or -1 with one error printed that
 * names the review (and line) or the output file.
 */
int episode_render(const struct review *r, const struct render_options *o,
		   const char *out_path, struct episode_result *res);

#endif
