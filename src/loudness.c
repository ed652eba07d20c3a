/*
 * loudness.c - loudness measurement, gain and a true-peak limiter. See
 * loudness.h.
 *
 * The limiter works one sample at a time on a few short rings:
 *
 *   x      the input, kept for the delay and the interpolator
 *   I[n]   the largest magnitude of the band-limited signal between
 *          samples n and n+1: |x[n]|, |x[n+1]| and three interpolated
 *          points (4x oversampling, taps x[n-5] .. x[n+6])
 *   g[k]   the gain that keeps the peaks on both sides of sample k at
 *          the ceiling: min(1, ceiling / max(I[k-1], I[k]))
 *   h[m]   min(g[m] .. g[m+L-1]): a minimum held over the look-ahead L
 *   r[m]   min(h[m], r[m-1] released towards 1): instant attack,
 *          exponential release
 *   s[m]   the mean of r[m-L+1] .. r[m]: a smooth attack over L samples
 *
 * and y[m] = x[m] * s[m]. Every r averaged into s[p] is at most g[p] (each
 * h window that overlaps the averaging window contains p), so s[p] <= g[p]:
 * the gain has fully arrived at every peak. Computing s[m] needs x up to
 * m + L + 5, so the limiter runs L + 5 samples behind its input: it skips
 * that many outputs at the start and feeds as many zeros at the end.
 */
#include "loudness.h"
#include "util.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096

/* ---- measuring ---- */

struct loudness_meter {
	ebur128_state *st;
	int true_peak;
};

int loudness_meter_new(struct loudness_meter **mp, int rate, int true_peak)
{
	struct loudness_meter *m;
	int mode = EBUR128_MODE_I | EBUR128_MODE_HISTOGRAM;

	*mp = NULL;
	if (rate < 8000 || rate > 384000)
		return error("cannot measure loudness at %d Hz", rate);
	if (true_peak)
		mode |= EBUR128_MODE_TRUE_PEAK;
	m = xcalloc(1, sizeof(*m));
	m->true_peak = true_peak;
	m->st = ebur128_init(1, (unsigned long)rate, mode);
	if (!m->st) {
		free(m);
		return error("cannot start a loudness meter (libebur128)");
	}
	/* One channel at weight 1, as ffmpeg measures mono (see loudness.h). */
	if (ebur128_set_channel(m->st, 0, EBUR128_CENTER) != EBUR128_SUCCESS) {
		ebur128_destroy(&m->st);
		free(m);
		return error("cannot set up a loudness meter (libebur128)");
	}
	*mp = m;
	return 0;
}

int loudness_meter_add(struct loudness_meter *m, const float *buf, long n)
{
	if (n <= 0)
		return 0;
	if (ebur128_add_frames_float(m->st, buf, (size_t)n) != EBUR128_SUCCESS)
		return error("loudness measurement failed (libebur128)");
	return 0;
}

double loudness_meter_integrated(struct loudness_meter *m)
{
	double v;

	if (ebur128_loudness_global(m->st, &v) != EBUR128_SUCCESS || !isfinite(v))
		return -HUGE_VAL;
	return v;
}

double loudness_meter_true_peak(struct loudness_meter *m)
{
	double v;

	if (!m->true_peak || ebur128_true_peak(m->st, 0, &v) != EBUR128_SUCCESS || v <= 0)
		return -HUGE_VAL;
	return 20.0 * log10(v);
}

void loudness_meter_free(struct loudness_meter *m)
{
	if (!m)
		return;
	ebur128_destroy(&m->st);
	free(m);
}

int loudness_measure(const struct audio_source *src, double *lufs)
{
	struct loudness_meter *m;
	float *buf;
	int ret = -1;

	*lufs = -HUGE_VAL;
	if (loudness_meter_new(&m, src->rate, 0))
		return -1;
	buf = xmalloc(CHUNK * sizeof(*buf));
	for (;;) {
		long n = src->read(src->src, buf, CHUNK);

		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (loudness_meter_add(m, buf, n))
			goto out;
	}
	*lufs = loudness_meter_integrated(m);
	ret = 0;
out:
	free(buf);
	loudness_meter_free(m);
	return ret;
}

double loudness_gain(double lufs, double target)
{
	if (!isfinite(lufs) || !isfinite(target))
		return 1.0;
	return pow(10.0, (target - lufs) / 20.0);
}

/* ---- gain ---- */

/* The gain stage's read: upstream's samples times the gain. */
static long gain_read(void *src, float *buf, long n)
{
	struct gain_stage *g = src;
	long got = g->in.read(g->in.src, buf, n), i;

	for (i = 0; i < got; i++)
		buf[i] *= g->gain;
	return got;
}

void gain_stage_init(struct gain_stage *g, const struct audio_source *in, double gain,
		     struct audio_source *out)
{
	g->in = *in;
	g->gain = (float)gain;
	out->read = gain_read;
	out->src = g;
	out->rate = in->rate;
}

/* ---- the limiter ---- */

#define PHASES 4     /* oversampling factor */
#define TAPS 12      /* interpolator taps per phase: x[n-5] .. x[n+6] */
#define TAPS_BEFORE 5
#define TAPS_AFTER (TAPS - TAPS_BEFORE - 1)
/* The release envelope counts as fully recovered this close to 1 (0.001 dB). */
#define RELEASED (1.0 - 1e-4)

/*
 * What every push changes. limiter_block() copies it into a local for a
 * block of samples, so that the compiler keeps it in registers rather than
 * storing and reloading it for every sample.
 */
struct limiter_run {
	long long pos;              /* samples pushed, flush zeros included */
	long long last_loud;        /* index of the last |x| above `quiet` */
	double prev_interval;       /* I[k-1] */
	size_t dq_head, dq_len;     /* the deque's extent in dq_idx/dq_val */
	double r;                   /* release envelope */
	double box_sum;             /* the sum of box[] */
	long box_pos;
	long box_below;             /* how many of box[] are below 1 */
	double min_gain;
};

struct limiter {
	struct audio_source in;
	double ceiling;             /* linear */
	float coef[TAPS][4];        /* [tap][phase - 1], the fourth lane 0 */
	float quiet;                /* below this no interval peak reaches the ceiling */
	long look;                  /* L, samples */
	double inv_look;            /* 1 / L */
	long delay;                 /* L + TAPS_AFTER - 1 */
	double release;             /* per-sample release coefficient */

	float *x;                   /* input ring, each sample stored twice (see ring()) */
	size_t mask;
	long long *dq_idx;          /* sliding minimum of g: increasing values */
	double *dq_val;
	size_t dq_mask;
	double *box;                /* the last L values of r */
	struct limiter_run run;

	float inbuf[CHUNK];
	long in_len, in_off;
	long long flushed;
	int eof, failed;
};

/* Blackman window over [-half, half]. */
static double blackman(double t, double half)
{
	double a = M_PI * t / half;

	if (fabs(t) >= half)
		return 0.0;
	return 0.42 + 0.5 * cos(a) + 0.08 * cos(2.0 * a);
}

static double sinc(double t)
{
	return t == 0.0 ? 1.0 : sin(M_PI * t) / (M_PI * t);
}

/*
 * Fills the interpolator: phase p (p = 1..3) gives the signal at n + p/4
 * from x[n-5] .. x[n+6], windowed sinc normalised to unity gain at DC.
 * Also sets `quiet`: the ceiling divided by the largest sum of absolute
 * taps, so that when all twelve inputs are at most `quiet` no interpolated
 * point can exceed the ceiling.
 */
static void limiter_design(struct limiter *l)
{
	double worst = 1.0;
	int p, j;

	for (p = 1; p < PHASES; p++) {
		double f = (double)p / PHASES, sum = 0.0, abs_sum = 0.0;
		double c[TAPS];

		for (j = 0; j < TAPS; j++) {
			double t = f - (j - TAPS_BEFORE);

			c[j] = sinc(t) * blackman(t, TAPS_BEFORE + 1.5);
			sum += c[j];
		}
		for (j = 0; j < TAPS; j++) {
			c[j] /= sum;
			l->coef[j][p - 1] = (float)c[j];
			abs_sum += fabs(c[j]);
		}
		if (abs_sum > worst)
			worst = abs_sum;
	}
	l->quiet = (float)(l->ceiling / worst);
}

/*
 * The ring holds sample i at (i & mask) and again at (i & mask) + mask + 1,
 * so that any TAPS consecutive samples are contiguous in memory: the
 * interpolator's inner loop is then a plain dot product.
 */
static float ring(const struct limiter *l, long long i)
{
	return l->x[(unsigned long long)i & l->mask];
}

static const float *ring_window(const struct limiter *l, long long first)
{
	return l->x + ((unsigned long long)first & l->mask);
}

/*
 * I[n]: the largest magnitude between samples n and n+1 (0 when surely
 * below the ceiling, that is when no sample from n - TAPS_BEFORE on is
 * louder than `quiet`: the last one is last_loud).
 */
static double limiter_interval(const struct limiter *l, long long last_loud, long long n)
{
	const float *w;
	float peak, acc[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
	int p, j;

	if (last_loud < n - TAPS_BEFORE)
		return 0.0;
	w = ring_window(l, n - TAPS_BEFORE);
	/* The three phases side by side: four lanes the compiler can vectorise. */
	for (j = 0; j < TAPS; j++)
		for (p = 0; p < 4; p++)
			acc[p] += l->coef[j][p] * w[j];
	peak = fmaxf(fabsf(w[TAPS_BEFORE]), fabsf(w[TAPS_BEFORE + 1]));
	for (p = 0; p < PHASES - 1; p++)
		peak = fmaxf(peak, fabsf(acc[p]));
	return peak;
}

/*
 * Pushes input sample v; returns 1 and sets *y when an output sample is
 * ready (from the L + 5th push on), else 0. The state that changes is *s
 * (see limiter_block()).
 */
static inline int limiter_push(struct limiter *l, struct limiter_run *s, float v, float *y)
{
	long long i = s->pos++, k = i - TAPS_AFTER, m = k - l->look + 1;
	double interval, peak, g, h, sm;

	l->x[(unsigned long long)i & l->mask] = v;
	l->x[((unsigned long long)i & l->mask) + l->mask + 1] = v;
	if (fabsf(v) > l->quiet)
		s->last_loud = i;

	/* g[k] from the intervals on both sides of sample k. */
	interval = limiter_interval(l, s->last_loud, k);
	peak = interval > s->prev_interval ? interval : s->prev_interval;
	s->prev_interval = interval;
	g = peak > l->ceiling ? l->ceiling / peak : 1.0;

	/* h[m] = min(g[m] .. g[k]) with a monotonic deque. */
	while (s->dq_len && l->dq_val[(s->dq_head + s->dq_len - 1) & l->dq_mask] >= g)
		s->dq_len--;
	l->dq_idx[(s->dq_head + s->dq_len) & l->dq_mask] = k;
	l->dq_val[(s->dq_head + s->dq_len) & l->dq_mask] = g;
	s->dq_len++;
	while (l->dq_idx[s->dq_head] < m) {
		s->dq_head = (s->dq_head + 1) & l->dq_mask;
		s->dq_len--;
	}
	h = l->dq_val[s->dq_head];

	/* r[m]: instant attack, exponential release. */
	s->r += (1.0 - s->r) * l->release;
	if (s->r > RELEASED)
		s->r = 1.0;
	if (h < s->r)
		s->r = h;

	/* s[m]: the mean of the last L values of r (exactly 1 when all are). */
	if (l->box[s->box_pos] < 1.0)
		s->box_below--;
	if (s->r < 1.0)
		s->box_below++;
	s->box_sum += s->r - l->box[s->box_pos];
	l->box[s->box_pos] = s->r;
	if (++s->box_pos == l->look)
		s->box_pos = 0;
	if (!s->box_below) {
		s->box_sum = (double)l->look;
		sm = 1.0;
	} else {
		sm = s->box_sum * l->inv_look;
		if (sm > 1.0)
			sm = 1.0;
	}
	if (m < 0)
		return 0;
	if (sm < s->min_gain)
		s->min_gain = sm;
	*y = sm == 1.0 ? ring(l, m) : (float)(ring(l, m) * sm);
	return 1;
}

/*
 * Pushes n samples from in (n zeros when in is NULL); writes the samples
 * that come out to out (at most n) and returns their count.
 */
static long limiter_block(struct limiter *l, const float *in, long n, float *out)
{
	struct limiter_run s = l->run;
	long i, got = 0;

	/* The only call: the compiler inlines it, and s stays in registers. */
	for (i = 0; i < n; i++)
		got += limiter_push(l, &s, in ? in[i] : 0.0f, out + got);
	l->run = s;
	return got;
}

/*
 * The limiter's read: up to n limited samples. Returns the count, 0 at the
 * end (after exactly as many samples as upstream gave), or -1 after an
 * upstream error (already printed).
 */
static long limiter_read(void *src, float *buf, long n)
{
	struct limiter *l = src;
	long got = 0, take;

	if (l->failed)
		return -1;
	while (got < n) {
		if (l->in_off == l->in_len) {
			long r;

			if (l->eof) {
				/* Flush: push the delay's worth of zeros through. */
				long long left = l->delay - l->flushed;

				if (left <= 0)
					break;
				r = left > CHUNK ? CHUNK : (long)left;
				memset(l->inbuf, 0, (size_t)r * sizeof(*l->inbuf));
				l->flushed += r;
			} else {
				r = l->in.read(l->in.src, l->inbuf, CHUNK);
				if (r < 0) {
					l->failed = 1;
					return -1;
				}
				if (r == 0) {
					l->eof = 1;
					continue;
				}
			}
			l->in_len = r;
			l->in_off = 0;
		}
		/* At most as many samples come out as go in: buf has room. */
		take = l->in_len - l->in_off;
		if (take > n - got)
			take = n - got;
		got += limiter_block(l, l->inbuf + l->in_off, take, buf + got);
		l->in_off += take;
	}
	return got;
}

long limiter_process(struct limiter *l, const float *in, long n, float *out)
{
	return limiter_block(l, in, n, out);
}

long limiter_flush(struct limiter *l, float *out)
{
	long left = (long)(l->delay - l->flushed);

	if (left <= 0)
		return 0;
	l->flushed = l->delay;
	return limiter_block(l, NULL, left, out);
}

long limiter_delay(const struct limiter *l)
{
	return l->delay;
}

int limiter_new_push(struct limiter **lp, int rate, double ceiling_db)
{
	struct limiter *l;
	size_t size = 16;
	long i;

	*lp = NULL;
	if (rate <= 0 || rate > 768000)
		return error("cannot limit audio at %d Hz", rate);
	if (!isfinite(ceiling_db) || ceiling_db > 0.0 || ceiling_db < -60.0)
		return error("bad limiter ceiling %g dBTP", ceiling_db);
	l = xcalloc(1, sizeof(*l));
	l->ceiling = pow(10.0, ceiling_db / 20.0);
	limiter_design(l);
	l->look = (long)((long long)rate * LIMITER_LOOKAHEAD_MS / 1000);
	if (l->look < 1)
		l->look = 1;
	l->inv_look = 1.0 / (double)l->look;
	l->delay = l->look + TAPS_AFTER - 1;
	l->release = 1.0 - exp(-1000.0 / (LIMITER_RELEASE_MS * (double)rate));
	while (size < (size_t)l->delay + TAPS + 2)
		size *= 2;
	l->x = xcalloc(2 * size, sizeof(*l->x));
	l->mask = size - 1;

	l->run.last_loud = -(1LL << 40);
	for (size = 16; size < (size_t)l->look + 1; size *= 2)
		;
	l->dq_mask = size - 1;
	l->dq_idx = xcalloc(size, sizeof(*l->dq_idx));
	l->dq_val = xcalloc(size, sizeof(*l->dq_val));
	l->run.r = 1.0;
	l->box = xmalloc((size_t)l->look * sizeof(*l->box));
	for (i = 0; i < l->look; i++)
		l->box[i] = 1.0;
	l->run.box_sum = (double)l->look;
	l->run.min_gain = 1.0;
	*lp = l;
	return 0;
}

int limiter_new(struct limiter **lp, const struct audio_source *in, double ceiling_db,
		struct audio_source *out)
{
	if (limiter_new_push(lp, in->rate, ceiling_db))
		return -1;
	(*lp)->in = *in;
	out->read = limiter_read;
	out->src = *lp;
	out->rate = in->rate;
	return 0;
}

double limiter_max_reduction(const struct limiter *l)
{
	return 20.0 * log10(l->run.min_gain);
}

void limiter_free(struct limiter *l)
{
	if (!l)
		return;
	free(l->x);
	free(l->dq_idx);
	free(l->dq_val);
	free(l->box);
	free(l);
}
