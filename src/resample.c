/*
 * resample.c - a stage that changes the sample rate, with libsoxr (the
 * SoX resampler library; mono, float, SOXR_HQ: 20-bit precision, the
 * quality of the sox command line's default `rate`). eSpeak NG speaks at
 * 22,050 Hz and the episode is 44,100 Hz: for that 2:1 ratio soxr's
 * polyphase filter costs about a twentieth of libsamplerate's SINC_FASTEST
 * at a far better stopband (measured with bench/cpu-split.sh).
 *
 * The stage reads upstream into one fixed buffer and hands it to
 * soxr_process(); memory is bounded by that buffer and the converter's
 * own state, however long the stream.
 *
 * Length guarantee: when the upstream source has given in_frames frames in
 * all, the output gives exactly
 *
 *     out_frames = floor((in_frames * out_rate + in_rate / 2) / in_rate)
 *
 * frames, i.e. in_frames * out_rate / in_rate rounded half up, computed in
 * integers. The converter's own drain at end of input may stop a few frames
 * short of or beyond that; the shortfall is filled with silence and the
 * excess is dropped (both are within the filter's ring-out, so near zero).
 * The result depends only on the input samples, not on how upstream splits
 * them into reads.
 */
#include "audio.h"
#include "util.h"

#include <soxr.h>
#include <stdlib.h>
#include <string.h>

#define RESAMPLER_CHUNK 4096

struct resampler {
	struct audio_source in;
	int rate;
	int passthrough;     /* in.rate == rate: reads go straight upstream */
	soxr_t soxr;
	float buf[RESAMPLER_CHUNK];
	long off, len;       /* buf[off..len) not yet given to soxr */
	long long in_frames; /* frames read from upstream so far */
	long long out_frames;/* frames returned so far */
	int eof;             /* upstream said 0 */
	int failed;          /* upstream said -1 (already printed) */
	int drained;         /* the converter has nothing more */
};

/* The exact number of output frames for the input read so far (see top). */
static long long resampler_total(const struct resampler *r)
{
	long long num = r->in_frames * r->rate + r->in.rate / 2;

	return num / r->in.rate;
}

/*
 * Once upstream has ended, cuts or pads (with silence) the got frames in
 * buf so that the total comes out at resampler_total(). Padding happens
 * only after the converter has drained. Returns the new count (<= n).
 */
static long resampler_trim(struct resampler *r, float *buf, long got, long n)
{
	long long left = resampler_total(r) - r->out_frames;
	long pad;

	if (left < 0)
		left = 0;
	if (got > left)
		got = (long)left;
	if (!r->drained || got == left)
		return got;
	pad = left - got < n - got ? (long)(left - got) : n - got;
	memset(buf + got, 0, (size_t)pad * sizeof(*buf));
	return got + pad;
}

/*
 * Reads the next chunk from upstream into r->buf. Returns 0, or -1 after
 * an upstream error (recorded in r->failed); at the end sets r->eof.
 */
static int resampler_fill(struct resampler *r)
{
	long n = r->in.read(r->in.src, r->buf, RESAMPLER_CHUNK);

	if (n < 0) {
		r->failed = 1;
		return -1;
	}
	r->off = 0;
	r->len = n;
	if (n == 0)
		r->eof = 1;
	r->in_frames += n;
	return 0;
}

/*
 * Runs the converter until it has given some output into buf (up to n
 * frames) or has drained. Returns the count, or -1 (printed).
 */
static long resampler_convert(struct resampler *r, float *buf, long n)
{
	while (!r->drained) {
		size_t idone = 0, odone = 0;
		soxr_error_t err;

		if (r->off == r->len && !r->eof && resampler_fill(r))
			return -1;
		if (r->off < r->len)
			err = soxr_process(r->soxr, r->buf + r->off, (size_t)(r->len - r->off),
					   &idone, buf, (size_t)n, &odone);
		else    /* end of input: soxr drains when given no input */
			err = soxr_process(r->soxr, NULL, 0, NULL, buf, (size_t)n, &odone);
		if (err)
			return error("resampling failed: %s", soxr_strerror(err));
		r->off += (long)idone;
		if (r->eof && r->off == r->len && odone < (size_t)n)
			r->drained = 1;
		if (odone)
			return (long)odone;
	}
	return 0;
}

/*
 * The output source's read function: up to n frames at the new rate.
 * Returns the count, 0 at the end, or -1 after an error (upstream's, already
 * printed, or libsoxr's, printed here).
 */
static long resampler_read(void *src, float *buf, long n)
{
	struct resampler *r = src;
	long got;

	if (r->passthrough)
		return r->in.read(r->in.src, buf, n);
	if (r->failed)
		return -1;
	if (n <= 0)
		return 0;
	got = resampler_convert(r, buf, n);
	if (got < 0)
		return -1;
	if (r->eof)
		got = resampler_trim(r, buf, got, n);
	r->out_frames += got;
	return got;
}

/*
 * Wraps `in` so that reading *out gives the same audio at `rate` (see the
 * top of this file for the exact length). When the rates are equal *out
 * reads `in` directly. Fails (printed) when the converter cannot be
 * created; *r is then NULL. *r must outlive every read from *out, and `in`
 * must outlive *r.
 */
int resampler_new(struct resampler **rp, const struct audio_source *in, int rate,
		  struct audio_source *out)
{
	struct resampler *r;

	*rp = NULL;
	if (in->rate <= 0 || rate <= 0)
		return error("invalid sample rate (%d Hz to %d Hz)", in->rate, rate);
	r = xcalloc(1, sizeof(*r));
	r->in = *in;
	r->rate = rate;
	r->passthrough = in->rate == rate;
	if (!r->passthrough) {
		soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
		soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
		soxr_runtime_spec_t rt = soxr_runtime_spec(1);
		soxr_error_t err = NULL;

		r->soxr = soxr_create(in->rate, rate, 1, &err, &io, &q, &rt);
		if (!r->soxr || err) {
			soxr_delete(r->soxr);
			free(r);
			return error("cannot resample from %d Hz to %d Hz: %s", in->rate, rate,
				     err ? soxr_strerror(err) : "no converter");
		}
	}
	out->read = resampler_read;
	out->src = r;
	out->rate = rate;
	*rp = r;
	return 0;
}

/* Frees r and its converter; NULL is allowed. The upstream is not touched. */
void resampler_free(struct resampler *r)
{
	if (!r)
		return;
	if (r->soxr)
		soxr_delete(r->soxr);
	free(r);
}
