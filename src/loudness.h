/*
 * loudness.h - loudness normalisation: measuring integrated loudness and
 * true peak (ITU-R BS.1770-4 / EBU R128, through libebur128), a gain
 * stage, and a true-peak look-ahead limiter. The stages use the pull
 * contract of audio.h, so they slot between the resampler and the sink.
 *
 * Mono is measured as one channel, the way ffmpeg's ebur128 filter (by
 * default), libebur128, sox and most loudness meters measure a mono file:
 * no dual-mono +3 dB. A -16 LUFS mono episode therefore reads -16 on those
 * meters; played on both speakers of a stereo device it is heard about
 * 3 dB louder than that figure (AES TD1004 suggests -19 LUFS for mono for
 * that reason; a feed that wants this sets `loudness = -19`).
 */
#ifndef REVCAST_LOUDNESS_H
#define REVCAST_LOUDNESS_H

#include "audio.h"

/* The highest true peak a finished episode may have, in dBTP. */
#define LOUDNESS_MAX_TRUE_PEAK (-1.0)

/*
 * The limiter's ceiling, in dBTP: lower than LOUDNESS_MAX_TRUE_PEAK by a
 * margin for what lossy encoding adds to peaks (quantisation noise) and
 * for true-peak meters that interpolate differently (ffmpeg resamples to
 * 192 kHz). Measured by ffmpeg on the decoded MP3 of the example reviews:
 * -1.9 to -2.4 dBTP at CBR 64 to 320 kbit/s, -1.4 at VBR quality 9 (the
 * worst seen).
 */
#define LIMITER_CEILING (-2.0)

/* ---- measuring ---- */

struct loudness_meter;

/*
 * Creates a meter for mono audio at `rate` Hz; with `true_peak` it also
 * measures the true peak (4x oversampled; costs about as much again).
 * Memory stays the same however long the audio (libebur128's histogram
 * mode: integrated loudness to within 0.05 LU). Returns 0, or -1 (printed).
 */
int loudness_meter_new(struct loudness_meter **m, int rate, int true_peak);
/* Adds n samples. Returns 0, or -1 (printed). */
int loudness_meter_add(struct loudness_meter *m, const float *buf, long n);
/*
 * The integrated loudness so far in LUFS: -HUGE_VAL when nothing was loud
 * enough to measure (silence, or less than 400 ms of audio).
 */
double loudness_meter_integrated(struct loudness_meter *m);
/* The true peak so far in dBTP (-HUGE_VAL for silence); meters made with true_peak only. */
double loudness_meter_true_peak(struct loudness_meter *m);
void loudness_meter_free(struct loudness_meter *m);

/*
 * Reads src to its end and measures its integrated loudness (LUFS, into
 * *lufs; -HUGE_VAL when unmeasurable). Returns 0, or -1 when src failed
 * (already printed) or the meter could not be made (printed).
 */
int loudness_measure(const struct audio_source *src, double *lufs);

/*
 * The linear gain that brings audio measured at `lufs` to `target`; 1
 * when lufs is not a finite number (nothing to measure: leave it alone).
 */
double loudness_gain(double lufs, double target);

/* ---- gain ---- */

/* A stage that multiplies by a constant. No allocation; in must outlive it. */
struct gain_stage {
	struct audio_source in;
	float gain;
};
/* Sets g up to read `in` times `gain`; *out reads from g. */
void gain_stage_init(struct gain_stage *g, const struct audio_source *in, double gain,
		     struct audio_source *out);

/* ---- the limiter ---- */

/*
 * A true-peak look-ahead limiter. It estimates the true peak of its input
 * by 4x oversampling (a 48-tap windowed-sinc interpolator, as in BS.1770's
 * annex 2), computes the gain that keeps each peak at or below the ceiling,
 * and smooths it: the gain starts to fall LIMITER_LOOKAHEAD_MS before a
 * peak (a minimum held over the look-ahead window, then averaged over the
 * same window, so that it is reached exactly at the peak and never
 * overshoots) and recovers with an exponential release of
 * LIMITER_RELEASE_MS. The output is delayed internally and the delay is
 * compensated: the output has exactly as many samples as the input and
 * sample i of the output is sample i of the input times the gain. Digital
 * silence stays digital silence, so pauses keep their length; where no
 * peak comes near the ceiling (none within the look-ahead, and the release
 * over) the gain is exactly 1.
 */
#define LIMITER_LOOKAHEAD_MS 5
#define LIMITER_RELEASE_MS 50

struct limiter;
/*
 * Wraps `in` (mono) with a limiter whose ceiling is `ceiling_db` dBTP.
 * Returns 0 or -1 (printed). `in` must outlive l, and l every read from
 * *out.
 */
int limiter_new(struct limiter **l, const struct audio_source *in, double ceiling_db,
		struct audio_source *out);
/*
 * The same limiter driven by pushing: creates a limiter for mono audio at
 * `rate` with no upstream. Returns 0 or -1 (printed).
 */
int limiter_new_push(struct limiter **l, int rate, double ceiling_db);
/*
 * Limits n input samples, writing the output samples that are ready (as
 * many as were pushed, less the delay at the start) to out, which has
 * room for n. Returns how many were written.
 */
long limiter_process(struct limiter *l, const float *in, long n, float *out);
/*
 * At the end of the input: writes the last limiter_delay() samples to out.
 * Returns how many were written. Push nothing afterwards.
 */
long limiter_flush(struct limiter *l, float *out);
/* The limiter's internal delay, in samples. */
long limiter_delay(const struct limiter *l);
/* The largest gain reduction applied so far, in dB (0 or negative). */
double limiter_max_reduction(const struct limiter *l);
void limiter_free(struct limiter *l);

#endif
