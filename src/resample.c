/*
 * resample.c - a stage that changes the sample rate, with libsamplerate's
 * callback API (SRC_SINC_FASTEST, mono: eSpeak NG speaks at 22,050 Hz with
 * nothing above 11 kHz, and SINC_FASTEST passes 80% of the band with 97 dB
 * of SNR at half the CPU of SINC_MEDIUM_QUALITY).
 *
 * libsamplerate pulls input through resampler_fill(), which reads the
 * upstream source into one fixed buffer; the output source pulls from
 * src_callback_read(). Memory is bounded by that buffer and the
 * converter's own state, however long the stream.
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
 * Before the end of input the converter lags behind its input by half its
 * filter length, so it cannot run past that total. The result depends only
 * on the input samples, not on how upstream splits them into reads.
 */
#include "audio.h"
#include "util.h"

#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

#define RESAMPLER_CHUNK 4096

struct resampler {
	struct audio_source in;
	int rate;
	int passthrough;     /* in.rate == rate: reads go straight upstream */
	double ratio;        /* rate / in.rate */
	SRC_STATE *src;
	float buf[RESAMPLER_CHUNK];
	long long in_frames; /* frames read from upstream so far */
	long long out_frames;/* frames returned so far */
	int eof;             /* upstream said 0 */
	int failed;          /* upstream said -1 (already printed) */
	int drained;         /* the converter has nothing more */
};

/*
 * libsamplerate's input callback: reads the next chunk from upstream into
 * r->buf. Returns the number of frames, or 0 at the end of input and after
 * an upstream error (recorded in r->failed); upstream is never read again
 * after either.
 */
static long resampler_fill(void *cb_data, float **data)
{
	struct resampler *r = cb_data;
	long n;

	*data = r->buf;
	if (r->eof || r->failed)
		return 0;
	n = r->in.read(r->in.src, r->buf, RESAMPLER_CHUNK);
	if (n < 0) {
		r->failed = 1;
		return 0;
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->in_frames += n;
	return n;
}

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
 * The output source's read function: up to n frames at the new rate.
 * Returns the count, 0 at the end, or -1 after an error (upstream's, already
 * printed, or libsamplerate's, printed here).
 */
static long resampler_read(void *src, float *buf, long n)
{
	struct resampler *r = src;
	long got = 0;

	if (r->passthrough)
		return r->in.read(r->in.src, buf, n);
	if (r->failed)
		return -1;
	if (n <= 0)
		return 0;
	if (!r->drained) {
		got = src_callback_read(r->src, r->ratio, n, buf);
		if (r->failed)
			return -1;
		if (src_error(r->src))
			return error("resampling failed: %s", src_strerror(src_error(r->src)));
		if (got < n)
			r->drained = 1;	/* callback mode returns short only at the end */
	}
	if (r->eof)
		got = resampler_trim(r, buf, got, n);
	r->out_frames += got;
	return got;
}

/*
 * Wraps `in` so that reading *out gives the same audio at `rate` (see the
 * top of this file for the exact length). When the rates are equal *out
 * reads `in` directly. Fails (printed) on a rate libsamplerate cannot
 * convert between or when the converter cannot be created; *r is then NULL.
 * *r must outlive every read from *out, and `in` must outlive *r.
 */
int resampler_new(struct resampler **rp, const struct audio_source *in, int rate,
		  struct audio_source *out)
{
	struct resampler *r;
	int err = 0;

	*rp = NULL;
	if (in->rate <= 0 || rate <= 0)
		return error("invalid sample rate (%d Hz to %d Hz)", in->rate, rate);
	r = xcalloc(1, sizeof(*r));
	r->in = *in;
	r->rate = rate;
	r->ratio = (double)rate / in->rate;
	r->passthrough = in->rate == rate;
	if (!r->passthrough) {
		if (!src_is_valid_ratio(r->ratio)) {
			free(r);
			return error("cannot resample from %d Hz to %d Hz", in->rate, rate);
		}
		r->src = src_callback_new(resampler_fill, SRC_SINC_FASTEST, 1, &err, r);
		if (!r->src) {
			free(r);
			return error("cannot create a resampler: %s", src_strerror(err));
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
	if (r->src)
		src_delete(r->src);
	free(r);
}
