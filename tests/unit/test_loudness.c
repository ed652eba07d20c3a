/*
 * test_loudness.c - the loudness meter (libebur128) against ffmpeg's
 * ebur128 filter and against BS.1770's calibration, and the true-peak
 * limiter: peaks 6 dB over the ceiling come out at or under it (judged by
 * libebur128's own true-peak meter, not the limiter's interpolator), the
 * gain settles back to exactly 1, no NaN, and the delay is compensated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loudness.h"
#include "util.h"

static char tmpdir[] = "/tmp/revcast-test-loudness-XXXXXX";

/* A source that hands out a prepared buffer in reads of at most `step`. */
struct buffer_src {
	const float *x;
	long len, pos, step;
};

static long buffer_read(void *src, float *buf, long n)
{
	struct buffer_src *b = src;

	if (n > b->step)
		n = b->step;
	if (n > b->len - b->pos)
		n = b->len - b->pos;
	memcpy(buf, b->x + b->pos, (size_t)n * sizeof(*buf));
	b->pos += n;
	return n;
}

/*
 * Runs x (len samples at rate) through a limiter with the given ceiling,
 * reading `chunk` samples at a time. Returns a new buffer of the output;
 * *out_len gets its length.
 */
static float *limit(const float *x, long len, int rate, double ceiling, long step,
		    long chunk, long *out_len, double *reduction)
{
	struct buffer_src b = { x, len, 0, step };
	struct audio_source in = { buffer_read, &b, rate }, out;
	struct limiter *l;
	float *y = malloc(((size_t)len + 1) * sizeof(*y));
	long got = 0, n;

	assert_non_null(y);
	assert_int_equal(limiter_new(&l, &in, ceiling, &out), 0);
	assert_int_equal(out.rate, rate);
	while ((n = out.read(out.src, y + got, chunk < len + 1 - got ? chunk : len + 1 - got)) > 0) {
		got += n;
		assert_true(got <= len);
	}
	assert_int_equal(n, 0);
	if (reduction)
		*reduction = limiter_max_reduction(l);
	limiter_free(l);
	*out_len = got;
	return y;
}

/* True peak in dBTP and integrated loudness of x, by libebur128. */
static void measure(const float *x, long len, int rate, double *lufs, double *tp)
{
	struct loudness_meter *m;

	assert_int_equal(loudness_meter_new(&m, rate, 1), 0);
	assert_int_equal(loudness_meter_add(m, x, len), 0);
	if (lufs)
		*lufs = loudness_meter_integrated(m);
	if (tp)
		*tp = loudness_meter_true_peak(m);
	loudness_meter_free(m);
}

/*
 * A test signal at rate: 1 s of a 997 Hz sine just under the ceiling
 * (-1 dB), 1 s at +6 dB over it, 1 s back under it, then 1 s of a sine at rate/4
 * with a 45 degree phase whose samples are 3 dB under its true peak (which
 * is 6 dB over the ceiling), 0.5 s of silence, and single-sample clicks
 * at +6 dB. Returns the buffer; *len gets the length.
 */
static float *test_signal(int rate, double ceiling_db, long *len)
{
	double c = pow(10.0, ceiling_db / 20.0);
	long n = (long)rate * 6, i;
	float *x = calloc((size_t)n, sizeof(*x));

	assert_non_null(x);
	for (i = 0; i < 3L * rate; i++) {
		double a = i >= rate && i < 2L * rate ? 2 * c : 0.89 * c;

		x[i] = (float)(a * sin(2 * M_PI * 997.0 * i / rate));
	}
	for (; i < 4L * rate; i++)
		x[i] = (float)(2 * c * sin(M_PI / 2 * i + M_PI / 4));
	for (i = 4L * rate + rate / 2; i < n; i += rate / 10)
		x[i] = (float)(i % 2 ? 2 * c : -2 * c);
	*len = n;
	return x;
}

static void test_limiter_true_peak(void **state)
{
	static const int rates[] = { 22050, 44100, 48000 };
	size_t r;

	(void)state;
	for (r = 0; r < ARRAY_SIZE(rates); r++) {
		int rate = rates[r];
		long len, got, i;
		double tp_in, tp_out, red;
		float *x = test_signal(rate, LIMITER_CEILING, &len);
		float *y = limit(x, len, rate, LIMITER_CEILING, 4096, 4096, &got, &red);

		/* Latency compensated: exactly as many samples out as in. */
		assert_int_equal(got, len);
		for (i = 0; i < len; i++)
			assert_true(isfinite(y[i]));
		measure(x, len, rate, NULL, &tp_in);
		measure(y, len, rate, NULL, &tp_out);
		/* The input really has peaks 6 dB over the ceiling... */
		assert_true(tp_in > LIMITER_CEILING + 5.9);
		/* ...and the output's true peak, by libebur128, is at the ceiling. */
		if (tp_out > LIMITER_CEILING + 0.05)
			fail_msg("%d Hz: true peak %.3f dBTP over the ceiling %.1f", rate, tp_out,
				 LIMITER_CEILING);
		assert_true(red < -5.5 && red > -7.0);
		free(x);
		free(y);
	}
}

static void test_limiter_gain_settles(void **state)
{
	int rate = 44100;
	double c = pow(10.0, LIMITER_CEILING / 20.0);
	long len, got, i;
	float *x = test_signal(rate, LIMITER_CEILING, &len);
	float *y = limit(x, len, rate, LIMITER_CEILING, 4096, 4096, &got, NULL);
	double lo = 10, hi = 0;

	(void)state;
	assert_int_equal(got, len);
	/* Before the loud second, under the ceiling: untouched, bit for bit. */
	for (i = 0; i < rate - rate / 100; i++)
		assert_true(y[i] == x[i]);
	/* The gain falls before the loud part begins (look-ahead)... */
	for (i = rate - rate / 200; i < rate; i++)
		if (fabsf(x[i]) > 0.3 * c && y[i] / x[i] < 0.9)
			break;
	assert_true(i < rate);
	/* In the middle of the loud second the gain has settled at -6 dB. */
	for (i = rate + rate / 4; i < 2L * rate - rate / 4; i++) {
		if (fabsf(x[i]) > 0.5 * c) {
			double g = y[i] / x[i];

			if (g < lo)
				lo = g;
			if (g > hi)
				hi = g;
		}
	}
	assert_true(hi - lo < 1e-3);
	assert_true(fabs(20 * log10(lo) + 6.0) < 0.1);
	/* ...so that no sample of it passes the ceiling. */
	for (i = rate; i < 2L * rate; i++)
		assert_true(fabsf(y[i]) <= c * 1.001);
	/*
	 * 0.8 s after the loud part the gain is back to exactly 1, until the
	 * look-ahead sees the next loud part coming (5 ms before it).
	 */
	for (i = 2L * rate + rate * 4 / 5; i < 3L * rate - rate / 150; i++)
		assert_true(y[i] == x[i]);
	assert_true(y[3L * rate - 1] != x[3L * rate - 1]);
	/* Silence stays silence: no gain on nothing, no noise. */
	for (i = 4L * rate + rate / 100; i < 4L * rate + rate / 2 - rate / 100; i++)
		assert_true(y[i] == 0.0f);
	free(x);
	free(y);
}

/* A click is found where it was: the delay is compensated sample for sample. */
static void test_limiter_alignment(void **state)
{
	int rate = 44100;
	long len = rate / 2, got, i, at = 12345, peak_at = -1;
	float *x = calloc((size_t)len, sizeof(*x)), *y;
	float best = 0;

	(void)state;
	assert_non_null(x);
	x[at] = 1.0f;
	y = limit(x, len, rate, -1.0, 1000, 333, &got, NULL);
	assert_int_equal(got, len);
	for (i = 0; i < len; i++) {
		if (fabsf(y[i]) > best) {
			best = fabsf(y[i]);
			peak_at = i;
		}
	}
	assert_int_equal(peak_at, at);
	assert_true(best <= pow(10.0, -1.0 / 20.0) + 1e-6);
	free(x);
	free(y);
}

/* The result does not depend on how the reads are split; extreme input gives no NaN. */
static void test_limiter_reads_and_extremes(void **state)
{
	int rate = 48000;
	long len, got1, got2, i;
	float *x = test_signal(rate, -1.0, &len), *y1, *y2;

	(void)state;
	/* A full-scale square wave and spikes far over full scale. */
	for (i = 0; i < rate / 2; i++)
		x[i] = i % 50 < 25 ? 1.0f : -1.0f;
	x[rate / 4] = 100.0f;
	x[rate / 4 + 1] = -100.0f;
	y1 = limit(x, len, rate, -1.0, 4096, 4096, &got1, NULL);
	y2 = limit(x, len, rate, -1.0, 7, 1, &got2, NULL);
	assert_int_equal(got1, len);
	assert_int_equal(got2, len);
	assert_memory_equal(y1, y2, (size_t)len * sizeof(*y1));
	for (i = 0; i < len; i++) {
		assert_true(isfinite(y1[i]));
		assert_true(fabsf(y1[i]) <= 0.9f);
	}
	free(x);
	free(y1);
	free(y2);
}

/* The push interface gives the same samples as the pull one. */
static void test_limiter_push(void **state)
{
	int rate = 22050;
	long len, got, i, n = 0;
	float *x = test_signal(rate, LIMITER_CEILING, &len);
	float *y = limit(x, len, rate, LIMITER_CEILING, 4096, 4096, &got, NULL);
	float *z = malloc(((size_t)len + 4096) * sizeof(*z));
	struct limiter *l;

	(void)state;
	assert_non_null(z);
	assert_int_equal(limiter_new_push(&l, rate, LIMITER_CEILING), 0);
	for (i = 0; i < len; i += 1000)
		n += limiter_process(l, x + i, len - i < 1000 ? len - i : 1000, z + n);
	assert_int_equal(n, len - limiter_delay(l));
	n += limiter_flush(l, z + n);
	assert_int_equal(n, len);
	assert_memory_equal(y, z, (size_t)len * sizeof(*y));
	limiter_free(l);
	free(x);
	free(y);
	free(z);
}

static void test_bad_arguments(void **state)
{
	struct limiter *l;
	struct loudness_meter *m;

	(void)state;
	assert_int_equal(limiter_new_push(&l, 0, -1.0), -1);
	assert_null(l);
	assert_int_equal(limiter_new_push(&l, 44100, 3.0), -1);
	assert_int_equal(limiter_new_push(&l, 44100, NAN), -1);
	assert_int_equal(loudness_meter_new(&m, 100, 0), -1);
	assert_null(m);
	assert_true(loudness_gain(-HUGE_VAL, -16.0) == 1.0);
	assert_true(fabs(loudness_gain(-22.0, -16.0) - pow(10.0, 0.3)) < 1e-12);
}

/* Writes x as a 32-bit float mono WAV at rate. */
static void write_wav(const char *path, const float *x, long len, int rate)
{
	SF_INFO info;
	SNDFILE *sf;

	memset(&info, 0, sizeof(info));
	info.samplerate = rate;
	info.channels = 1;
	info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	sf = sf_open(path, SFM_WRITE, &info);
	assert_non_null(sf);
	assert_int_equal(sf_writef_float(sf, x, len), len);
	sf_close(sf);
}

/* ffmpeg's ebur128 filter on path: integrated loudness and true peak. */
static void ffmpeg_measure(const char *path, double *lufs, double *tp)
{
	char *cmd = xasprintf("ffmpeg -nostats -hide_banner -i '%s' -filter_complex "
			      "ebur128=peak=true -f null - 2>&1", path);
	FILE *f = popen(cmd, "r");
	char line[512];
	int in_summary = 0, got = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;

		if (strstr(line, "Summary:"))
			in_summary = 1;
		if (!in_summary)
			continue;
		while (*p == ' ')
			p++;
		if (!strncmp(p, "I:", 2) && sscanf(p + 2, "%lf", lufs) == 1)
			got |= 1;
		if (!strncmp(p, "Peak:", 5) && sscanf(p + 5, "%lf", tp) == 1)
			got |= 2;
	}
	assert_int_equal(pclose(f), 0);
	free(cmd);
	if (got != 3)
		fail_msg("could not read ffmpeg's ebur128 summary for %s", path);
}

/*
 * A reproducible speech-like test signal: syllables of noise and a sharp
 * pulse train (as glottal pulses: a crest factor like eSpeak NG's), with
 * pauses.
 */
static float *babble(int rate, double seconds, long *len)
{
	long n = (long)(rate * seconds), i;
	float *x = malloc((size_t)n * sizeof(*x));
	uint32_t seed = 12345;
	double lp = 0;

	assert_non_null(x);
	for (i = 0; i < n; i++) {
		double t = (double)i / rate, env, w;

		seed = seed * 1664525u + 1013904223u;
		w = (seed >> 8) / 8388608.0 - 1.0;
		lp += 0.2 * (w - lp);
		env = 0.5 + 0.5 * sin(2 * M_PI * 4.0 * t);
		if (fmod(t, 3.0) > 2.4)
			env = 0.0;   /* pauses, gated out of the integrated loudness */
		x[i] = (float)(0.3 * env * (0.5 * lp + (i % (rate / 140) < rate / 8000 ? 1.0 : 0.0)));
	}
	*len = n;
	return x;
}

/*
 * Our meter against ffmpeg's on the same files, which also pins down the
 * mono decision: both measure one channel without the dual-mono +3 dB.
 */
static void test_meter_matches_ffmpeg(void **state)
{
	static const int rates[] = { 22050, 44100, 48000 };
	size_t r;

	(void)state;
	for (r = 0; r < ARRAY_SIZE(rates); r++) {
		int rate = rates[r];
		long len;
		float *x = babble(rate, 20.0, &len);
		char *path = xasprintf("%s/babble-%d.wav", tmpdir, rate);
		double ours, ours_tp, theirs, theirs_tp;

		write_wav(path, x, len, rate);
		measure(x, len, rate, &ours, &ours_tp);
		ffmpeg_measure(path, &theirs, &theirs_tp);
		/* ffmpeg prints one decimal; true-peak interpolators differ a little. */
		if (fabs(ours - theirs) > 0.1 || fabs(ours_tp - theirs_tp) > 0.3)
			fail_msg("%d Hz: ours %.2f LUFS %.2f dBTP, ffmpeg %.1f LUFS %.1f dBTP",
				 rate, ours, ours_tp, theirs, theirs_tp);
		unlink(path);
		free(path);
		free(x);
	}
}

/* BS.1770's calibration: a 997 Hz sine at -20 dBFS in one channel reads -23.0 LUFS. */
static void test_meter_calibration(void **state)
{
	int rate = 48000;
	long n = rate * 10, i;
	float *x = malloc((size_t)n * sizeof(*x));
	double lufs, tp;
	struct loudness_meter *m;

	(void)state;
	assert_non_null(x);
	for (i = 0; i < n; i++)
		x[i] = (float)(0.1 * sin(2 * M_PI * 997.0 * i / rate));
	measure(x, n, rate, &lufs, &tp);
	assert_true(fabs(lufs - -23.0) <= 0.06);   /* histogram mode: 0.1 dB bins */
	assert_true(fabs(tp - -20.0) < 0.05);
	/* Too short (under one 400 ms block) or silent: unmeasurable. */
	measure(x, rate / 4, rate, &lufs, NULL);
	assert_true(lufs == -HUGE_VAL);
	memset(x, 0, (size_t)n * sizeof(*x));
	measure(x, n, rate, &lufs, &tp);
	assert_true(lufs == -HUGE_VAL);
	assert_true(tp == -HUGE_VAL);
	/* Without true_peak there is no true peak. */
	assert_int_equal(loudness_meter_new(&m, rate, 0), 0);
	assert_true(loudness_meter_true_peak(m) == -HUGE_VAL);
	loudness_meter_free(m);
	free(x);
}

/*
 * The whole chain on the speech-like signal: gain to -16 LUFS puts peaks
 * well over the ceiling; after the limiter the true peak is under the
 * ceiling by ffmpeg's judgement too, and the loudness fell by less than
 * the deepest limiting; both meters agree on it.
 */
static void test_gain_and_limiter_chain(void **state)
{
	int rate = 44100;
	long len, got;
	float *x = babble(rate, 20.0, &len), *y;
	double lufs, gained, tp, ff_lufs, ff_tp, red;
	struct buffer_src b;
	struct audio_source in, g_out;
	struct gain_stage g;
	char *path = xasprintf("%s/chain.wav", tmpdir);
	float *gx = malloc((size_t)len * sizeof(*gx));
	long n = 0, k;

	(void)state;
	assert_non_null(gx);
	measure(x, len, rate, &lufs, NULL);
	b.x = x;
	b.len = len;
	b.pos = 0;
	b.step = 1000;
	in.read = buffer_read;
	in.src = &b;
	in.rate = rate;
	gain_stage_init(&g, &in, loudness_gain(lufs, -16.0), &g_out);
	while ((k = g_out.read(g_out.src, gx + n, 4096)) > 0)
		n += k;
	assert_int_equal(n, len);
	measure(gx, len, rate, &gained, &tp);
	assert_true(fabs(gained - -16.0) < 0.05);
	assert_true(tp > 0.0);
	y = limit(gx, len, rate, LIMITER_CEILING, 4096, 4096, &got, &red);
	assert_int_equal(got, len);
	write_wav(path, y, len, rate);
	ffmpeg_measure(path, &ff_lufs, &ff_tp);
	assert_true(ff_tp <= LIMITER_CEILING + 0.1);
	measure(y, len, rate, &lufs, &tp);
	assert_true(tp <= LIMITER_CEILING + 0.05);
	/* Limiting costs loudness, but less than the deepest gain reduction. */
	assert_true(lufs < -16.0 && lufs > -16.0 + red);
	assert_true(fabs(lufs - ff_lufs) <= 0.1);
	unlink(path);
	free(path);
	free(x);
	free(gx);
	free(y);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limiter_true_peak),
		cmocka_unit_test(test_limiter_gain_settles),
		cmocka_unit_test(test_limiter_alignment),
		cmocka_unit_test(test_limiter_reads_and_extremes),
		cmocka_unit_test(test_limiter_push),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_meter_calibration),
		cmocka_unit_test(test_meter_matches_ffmpeg),
		cmocka_unit_test(test_gain_and_limiter_chain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
