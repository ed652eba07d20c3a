/*
 * test_audio.c - resampling, the MP3/WAV/FLAC sinks and the ID3 tag,
 * against the real libraries: encode, decode back with libsndfile, compare
 * counts exactly and levels within a tolerance.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio.h"
#include "util.h"

static char tmpdir[] = "/tmp/revcast-test-audio-XXXXXX";

/* A test source: a sine (or silence), handed out in reads of at most `step`. */
struct tone {
	long long pos, len;
	double freq, amp;
	int rate;
	long step;
	int fail_at;     /* return -1 once pos reaches this (0: never) */
};

static long tone_read(void *src, float *buf, long n)
{
	struct tone *t = src;
	long i;

	if (t->fail_at && t->pos >= t->fail_at)
		return -1;
	if (n > t->step)
		n = t->step;
	if (n > t->len - t->pos)
		n = (long)(t->len - t->pos);
	for (i = 0; i < n; i++)
		buf[i] = (float)(t->amp * sin(2 * M_PI * t->freq * (double)(t->pos + i) / t->rate));
	t->pos += n;
	return n;
}

static struct tone tone_make(int rate, double seconds, double freq, long step)
{
	struct tone t;

	memset(&t, 0, sizeof(t));
	t.len = llround(seconds * rate);
	t.freq = freq;
	t.amp = 0.5;
	t.rate = rate;
	t.step = step;
	return t;
}

/* Reads a whole source into a new array; *n gets the count. */
static float *read_all(struct audio_source *s, long step, long long *n)
{
	size_t alloc = 0;
	float *out = NULL;
	long got;

	*n = 0;
	for (;;) {
		ALLOC_GROW(out, (size_t)*n + (size_t)step, alloc);
		got = s->read(s->src, out + *n, step);
		assert_true(got >= 0);
		if (!got)
			break;
		*n += got;
	}
	return out;
}

static double rms(const float *x, long long from, long long to)
{
	double sum = 0;
	long long i;

	for (i = from; i < to; i++)
		sum += (double)x[i] * x[i];
	return sqrt(sum / (double)(to - from));
}

static long zero_crossings(const float *x, long long n)
{
	long c = 0;
	long long i;

	for (i = 1; i < n; i++)
		if ((x[i - 1] < 0) != (x[i] < 0))
			c++;
	return c;
}

/* A fresh, empty directory under tmpdir for one test. */
static char *test_dir(const char *name)
{
	char *d = path_join(tmpdir, name);

	assert_int_equal(mkdir(d, 0755), 0);
	return d;
}

/* Number of entries in dir, besides . and .. */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = path_join(dir, e->d_name);
		if (is_dir(p))
			remove_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	remove_tree(tmpdir);
	return 0;
}

/* Writes `seconds` of a 440 Hz tone to a sink in uneven pieces, finishes it. */
static int encode_tone(const char *path, const struct audio_settings *s,
		       const struct audio_meta *meta, double seconds,
		       struct audio_result *res)
{
	struct tone t = tone_make(s->sample_rate, seconds, 440, 3001);
	struct audio_sink *k;
	float buf[3001];
	long n;

	if (audio_sink_open(&k, path, s))
		return -1;
	while ((n = tone_read(&t, buf, 3001)) > 0)
		if (audio_sink_write(k, buf, n)) {
			audio_sink_abort(k);
			return -1;
		}
	return audio_sink_finish(k, meta, res);
}

/* Reads a file back with libsndfile: frame count, rate, channels, RMS. */
static long long decode(const char *path, int *rate, int *channels, double *level)
{
	SF_INFO info;
	SNDFILE *sf;
	float buf[4096];
	double sum = 0;
	long long total = 0;
	sf_count_t n;

	memset(&info, 0, sizeof(info));
	sf = sf_open(path, SFM_READ, &info);
	if (!sf)
		fail_msg("libsndfile cannot read %s: %s", path, sf_strerror(NULL));
	*rate = info.samplerate;
	*channels = info.channels;
	while ((n = sf_readf_float(sf, buf, 4096 / info.channels)) > 0) {
		for (sf_count_t i = 0; i < n * info.channels; i++)
			sum += (double)buf[i] * buf[i];
		total += n;
	}
	sf_close(sf);
	assert_int_equal(total, info.frames);
	*level = total ? sqrt(sum / (double)(total * info.channels)) : 0;
	return total;
}

/* 22050 -> 44100: exact length, frequency (zero crossings) and level kept. */
static void test_resample_sine(void **state)
{
	struct tone t = tone_make(22050, 1.0, 440, 1000);
	struct audio_source in = { tone_read, &t, 22050 }, out;
	struct resampler *r;
	long long n;
	float *x;

	assert_int_equal(resampler_new(&r, &in, 44100, &out), 0);
	assert_int_equal(out.rate, 44100);
	x = read_all(&out, 3000, &n);
	assert_int_equal(n, 44100);
	/* 440 Hz for 1 s: 880 crossings, give or take the edges. */
	long zc = zero_crossings(x, n);
	assert_in_range(zc, 876, 882);
	/* 0.5 amplitude: RMS 0.3536, away from the filter's edges. */
	double level = rms(x, 1000, n - 1000);
	assert_true(fabs(level - 0.5 / sqrt(2)) < 0.005);
	/* and it is the same sine, not delayed: measured error about 4e-8 */
	double err = 0;
	for (long long i = 1000; i < n - 1000; i++) {
		double e = x[i] - 0.5 * sin(2 * M_PI * 440 * (double)i / 44100);

		err += e * e;
	}
	assert_true(sqrt(err / (double)(n - 2000)) < 1e-4);
	free(x);
	resampler_free(r);
}

/* Total length is round(in * out_rate / in_rate) for awkward sizes and rates. */
static void test_resample_lengths(void **state)
{
	static const long long lens[] = { 0, 1, 7, 255, 12345, 100000 };
	static const int rates[][2] = { { 22050, 44100 }, { 22050, 48000 },
					{ 44100, 22050 }, { 48000, 44100 } };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(rates); i++) {
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			struct tone t = tone_make(rates[i][0], 0, 440, 777);
			struct audio_source in = { tone_read, &t, rates[i][0] }, out;
			struct resampler *r;
			long long n, want;
			float *x;

			t.len = lens[j];
			want = (lens[j] * rates[i][1] + rates[i][0] / 2) / rates[i][0];
			assert_int_equal(resampler_new(&r, &in, rates[i][1], &out), 0);
			x = read_all(&out, 1024, &n);
			assert_int_equal(n, want);
			free(x);
			resampler_free(r);
		}
	}
}

/* The output does not depend on how upstream splits its reads. */
static void test_resample_deterministic(void **state)
{
	struct tone a = tone_make(22050, 0.7, 300, 4096), b = tone_make(22050, 0.7, 300, 37);
	struct audio_source ia = { tone_read, &a, 22050 }, ib = { tone_read, &b, 22050 };
	struct audio_source oa, ob;
	struct resampler *ra, *rb;
	long long na, nb;
	float *xa, *xb;

	assert_int_equal(resampler_new(&ra, &ia, 44100, &oa), 0);
	assert_int_equal(resampler_new(&rb, &ib, 44100, &ob), 0);
	xa = read_all(&oa, 4096, &na);
	xb = read_all(&ob, 100, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(xa, xb, (size_t)na * sizeof(float));
	free(xa);
	free(xb);
	resampler_free(ra);
	resampler_free(rb);
}

/* An upstream error comes out as -1; equal rates pass straight through. */
static void test_resample_error_and_passthrough(void **state)
{
	struct tone t = tone_make(22050, 2.0, 440, 1000);
	struct audio_source in = { tone_read, &t, 22050 }, out;
	struct resampler *r;
	float buf[2048];
	long n;

	t.fail_at = 5000;
	assert_int_equal(resampler_new(&r, &in, 44100, &out), 0);
	while ((n = out.read(out.src, buf, 2048)) > 0)
		;
	assert_int_equal(n, -1);
	resampler_free(r);

	t = tone_make(44100, 0.1, 440, 1000);
	in.rate = 44100;
	assert_int_equal(resampler_new(&r, &in, 44100, &out), 0);
	assert_int_equal(out.read(out.src, buf, 2048), 1000);
	resampler_free(r);

	assert_int_equal(resampler_new(&r, &in, 0, &out), -1);
	assert_null(r);
}

static void test_settings(void **state)
{
	struct audio_settings s;
	struct audio_sink *k;
	char *dir = test_dir("settings"), *path = path_join(dir, "x.mp3");

	audio_settings_init(&s);
	assert_int_equal(s.format, AUDIO_MP3);
	assert_int_equal(s.sample_rate, 44100);
	assert_int_equal(s.bitrate, 96);
	assert_int_equal(s.vbr, 0);
	assert_int_equal(s.vbr_quality, 4);
	assert_int_equal(s.quality, 5);
	assert_int_equal(audio_format_parse("mp3"), AUDIO_MP3);
	assert_int_equal(audio_format_parse("FLAC"), AUDIO_FLAC);
	assert_int_equal(audio_format_parse("wav"), AUDIO_WAV);
	assert_int_equal(audio_format_parse("ogg"), -1);
	assert_string_equal(audio_format_name(AUDIO_FLAC), "flac");

	s.bitrate = 100;
	assert_int_equal(audio_sink_open(&k, path, &s), -1);
	assert_null(k);
	s.bitrate = 144;	/* MPEG-2 only */
	assert_int_equal(audio_sink_open(&k, path, &s), -1);
	s.sample_rate = 22050;
	assert_int_equal(audio_sink_open(&k, path, &s), 0);
	audio_sink_abort(k);
	s.bitrate = 48;		/* too low for an Info frame at 22050 Hz */
	assert_int_equal(audio_sink_open(&k, path, &s), -1);
	s.bitrate = 56;
	assert_int_equal(audio_sink_open(&k, path, &s), 0);
	audio_sink_abort(k);
	s.sample_rate = 44100;
	s.bitrate = 48;
	assert_int_equal(audio_sink_open(&k, path, &s), -1);
	s.vbr = 1;		/* VBR's Xing frame is always large enough */
	assert_int_equal(audio_sink_open(&k, path, &s), 0);
	audio_sink_abort(k);
	s.vbr = 0;
	s.sample_rate = 11025;
	assert_int_equal(audio_sink_open(&k, path, &s), -1);
	assert_int_equal(dir_entries(dir), 0);
	free(path);
	free(dir);
}

/* Offset of the audio after an ID3v2 tag at the start of p. */
static size_t id3_skip(const unsigned char *p, size_t len)
{
	assert_true(len > 10);
	assert_memory_equal(p, "ID3", 3);
	return 10 + (((size_t)p[6] << 21) | ((size_t)p[7] << 14) | ((size_t)p[8] << 7) | p[9]);
}

/* Length of the MPEG-1/2 Layer III frame whose header is at p. */
static size_t mpeg_frame_len(const unsigned char *p)
{
	static const int br1[] = { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 };
	static const int br2[] = { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 };
	static const int sr[] = { 44100, 48000, 32000 };
	int mpeg1 = (p[1] >> 3) & 1, bri = p[2] >> 4, sri = (p[2] >> 2) & 3, pad = (p[2] >> 1) & 1;
	int rate = sr[sri] / (mpeg1 ? 1 : 2);

	assert_true(bri > 0 && bri < 15 && sri < 3);
	return (size_t)((mpeg1 ? 144 : 72) * (mpeg1 ? br1[bri] : br2[bri]) * 1000 / rate + pad);
}

/* The ID3 tag is followed by the Xing/Info frame, a whole MPEG frame. */
static void check_mp3_layout(const char *path, const char *xing)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p;
	size_t at, flen;

	assert_int_equal(read_file(path, &sb, 64 << 20), 0);
	p = (const unsigned char *)sb.buf;
	at = id3_skip(p, sb.len);
	assert_true(at + 4 < sb.len);
	assert_int_equal(p[at], 0xff);
	assert_int_equal(p[at + 1] & 0xe0, 0xe0);
	flen = mpeg_frame_len(p + at);
	assert_non_null(memmem(p + at, flen, xing, 4));
	/* the next frame follows right after */
	assert_int_equal(p[at + flen], 0xff);
	assert_int_equal(p[at + flen + 1] & 0xe0, 0xe0);
	strbuf_release(&sb);
}

/*
 * 2.5 s at 44.1 kHz, CBR: the sink ends on an MPEG frame boundary (110250
 * samples become 110592 = 96 x 1152, the rest silence), and libsndfile
 * decodes exactly the frames it reports.
 */
static void test_mp3_roundtrip(void **state)
{
	char *dir = test_dir("mp3"), *path = path_join(dir, "tone.mp3");
	struct audio_meta meta = { .title = "Tone", .artist = "revcast" };
	struct audio_settings s;
	struct audio_result res;
	int rate, channels;
	double level;

	audio_settings_init(&s);
	assert_int_equal(encode_tone(path, &s, &meta, 2.5, &res), 0);
	assert_int_equal(res.frames, 110592);
	assert_int_equal(res.rate, 44100);
	assert_true(fabs(res.duration - 110592.0 / 44100) < 1e-9);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(res.bytes, st.st_size);
	check_mp3_layout(path, "Info");
	assert_int_equal(decode(path, &rate, &channels, &level), 110592);
	assert_int_equal(rate, 44100);
	assert_int_equal(channels, 1);
	assert_true(fabs(level - 0.5 / sqrt(2)) < 0.02);
	assert_int_equal(dir_entries(dir), 1);
	free(path);
	free(dir);
}

/* VBR, and MPEG-2 at 22050 Hz: still exact. */
static void test_mp3_vbr_and_mpeg2(void **state)
{
	char *dir = test_dir("vbr"), *path = path_join(dir, "tone.mp3");
	struct audio_settings s;
	struct audio_result res;
	int rate, channels;
	double level;

	audio_settings_init(&s);
	s.vbr = 1;
	assert_int_equal(encode_tone(path, &s, NULL, 1.3, &res), 0);
	check_mp3_layout(path, "Xing");
	assert_int_equal(decode(path, &rate, &channels, &level), res.frames);
	assert_int_equal(res.frames, 57600);   /* 57330 up to 50 x 1152 */

	audio_settings_init(&s);
	s.sample_rate = 22050;
	s.bitrate = 56;
	assert_int_equal(encode_tone(path, &s, NULL, 1.0, &res), 0);
	check_mp3_layout(path, "Info");
	assert_int_equal(res.frames, 22464);   /* 22050 up to 39 x 576 */
	assert_int_equal(decode(path, &rate, &channels, &level), 22464);
	assert_int_equal(rate, 22050);
	free(path);
	free(dir);
}

static const struct chapter chapters[] = {
	{ 0.0, 1.0, "Intro" },
	{ 1.0, 2.25, "Café — “Rust” & Bone ★" },
	{ 2.25, 3.0, "Outro" },
};

/* Writes a small fake PNG (magic bytes only matter) into dir. */
static char *write_cover(const char *dir, const char *name, const char *magic, size_t len)
{
	char *p = path_join(dir, name);
	char data[300];

	memset(data, 0x42, sizeof(data));
	memcpy(data, magic, len);
	assert_int_equal(write_file_atomic(p, data, sizeof(data)), 0);
	return p;
}

/* Same input, same bytes, with every tag field, a cover and chapters. */
static void test_mp3_deterministic(void **state)
{
	char *dir = test_dir("det");
	char *a = path_join(dir, "a.mp3"), *b = path_join(dir, "b.mp3");
	char *cover = write_cover(dir, "cover.png", "\x89PNG\r\n\x1a\n", 8);
	struct audio_meta meta = {
		.title = "Café — “Rust” & Bone ★", .artist = "revcast", .album = "Reviews",
		.year = "2024-05-01", .comment = "A comment", .cover_path = cover,
		.chapters = chapters, .nr_chapters = ARRAY_SIZE(chapters),
	};
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	struct audio_settings s;

	audio_settings_init(&s);
	assert_int_equal(encode_tone(a, &s, &meta, 3.0, NULL), 0);
	assert_int_equal(encode_tone(b, &s, &meta, 3.0, NULL), 0);
	assert_int_equal(read_file(a, &x, 64 << 20), 0);
	assert_int_equal(read_file(b, &y, 64 << 20), 0);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.buf, y.buf, x.len);
	strbuf_release(&x);
	strbuf_release(&y);
	free(a);
	free(b);
	free(cover);
	free(dir);
}

struct frame {
	char id[5];
	const unsigned char *data;
	size_t size;
};

static uint32_t be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Walks the frames of p[0..len) into f (at most max); returns the count. */
static size_t walk_frames(const unsigned char *p, size_t len, struct frame *f, size_t max)
{
	size_t at = 0, n = 0;

	while (at < len) {
		assert_true(at + 10 <= len);
		assert_true(n < max);
		memcpy(f[n].id, p + at, 4);
		f[n].id[4] = '\0';
		f[n].size = be32(p + at + 4);
		assert_int_equal(p[at + 8], 0);
		assert_int_equal(p[at + 9], 0);
		f[n].data = p + at + 10;
		at += 10 + f[n].size;
		assert_true(at <= len);	/* sizes add up */
		n++;
	}
	assert_int_equal(at, len);
	return n;
}

/* UTF-16 (BOM, then LE or BE) back to UTF-8. */
static void utf16_to_utf8(struct strbuf *sb, const unsigned char *p, size_t len)
{
	int le;
	size_t i;

	assert_true(len >= 2);
	assert_true((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff));
	le = p[0] == 0xff;
	for (i = 2; i + 1 < len; i += 2) {
		long u = le ? p[i] | (p[i + 1] << 8) : (p[i] << 8) | p[i + 1];

		if (u >= 0xd800 && u < 0xdc00) {
			long lo;

			i += 2;
			assert_true(i + 1 < len);
			lo = le ? p[i] | (p[i + 1] << 8) : (p[i] << 8) | p[i + 1];
			assert_true(lo >= 0xdc00 && lo < 0xe000);
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		utf8_encode(sb, u);
	}
}

/* The text of a text frame (encoding 1) as UTF-8. */
static char *frame_text(const struct frame *f)
{
	struct strbuf sb = STRBUF_INIT;

	assert_true(f->size >= 3);
	assert_int_equal(f->data[0], 1);
	utf16_to_utf8(&sb, f->data + 1, f->size - 1);
	return strbuf_detach(&sb, NULL);
}

static const struct frame *find_frame(const struct frame *f, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(f[i].id, id))
			return &f[i];
	return NULL;
}

/* The tag parses: header size, frame sizes, ids in order, chapters. */
static void test_id3_structure(void **state)
{
	static const char *const want[] = {
		"TIT2", "TPE1", "TALB", "TYER", "TCON", "TLEN", "COMM", "APIC",
		"CTOC", "CHAP", "CHAP", "CHAP",
	};
	char *dir = test_dir("id3");
	char *cover = write_cover(dir, "c.jpg", "\xff\xd8\xff", 3);
	struct audio_meta meta = {
		.title = "Title", .artist = "Artist", .album = "Album", .year = "2024-05-01",
		.comment = "Comment", .cover_path = cover,
		.chapters = chapters, .nr_chapters = ARRAY_SIZE(chapters),
	};
	struct strbuf sb = STRBUF_INIT;
	struct frame f[32], sub[4];
	const unsigned char *p;
	size_t n, i, tag;
	char *s;

	strbuf_addstr(&sb, "xy");	/* id3_build appends */
	assert_int_equal(id3_build(&sb, &meta, 3000), 0);
	p = (const unsigned char *)sb.buf + 2;
	assert_memory_equal(p, "ID3\x03\x00\x00", 6);
	tag = id3_skip(p, sb.len - 2);
	assert_int_equal(tag, sb.len - 2);
	n = walk_frames(p + 10, tag - 10, f, ARRAY_SIZE(f));
	assert_int_equal(n, ARRAY_SIZE(want));
	for (i = 0; i < n; i++)
		assert_string_equal(f[i].id, want[i]);

	s = frame_text(find_frame(f, n, "TYER"));
	assert_string_equal(s, "2024");
	free(s);
	s = frame_text(find_frame(f, n, "TLEN"));
	assert_string_equal(s, "3000");
	free(s);
	s = frame_text(find_frame(f, n, "TCON"));
	assert_string_equal(s, "Podcast");
	free(s);

	/* APIC: Latin-1, MIME, front cover, empty description, 300 bytes */
	const struct frame *apic = find_frame(f, n, "APIC");
	assert_int_equal(apic->size, 1 + 11 + 1 + 1 + 300);
	assert_string_equal((const char *)apic->data + 1, "image/jpeg");
	assert_int_equal(apic->data[12], 3);

	/* CTOC: "toc", top-level + ordered, 3 children ch0..ch2 */
	const struct frame *ctoc = find_frame(f, n, "CTOC");
	assert_memory_equal(ctoc->data, "toc\0\x03\x03" "ch0\0ch1\0ch2\0", 18);
	assert_int_equal(ctoc->size, 18);

	for (i = 0; i < 3; i++) {
		const struct frame *c = &f[9 + i];
		char id[8];

		snprintf(id, sizeof(id), "ch%zu", i);
		assert_string_equal((const char *)c->data, id);
		assert_int_equal(be32(c->data + 4), (uint32_t)llround(chapters[i].start * 1000));
		assert_int_equal(be32(c->data + 8), (uint32_t)llround(chapters[i].end * 1000));
		assert_int_equal(be32(c->data + 12), 0xffffffffu);
		assert_int_equal(be32(c->data + 16), 0xffffffffu);
		assert_int_equal(walk_frames(c->data + 20, c->size - 20, sub, 4), 1);
		assert_string_equal(sub[0].id, "TIT2");
		s = frame_text(&sub[0]);
		assert_string_equal(s, chapters[i].title);
		free(s);
	}
	assert_memory_equal(sb.buf, "xy", 2);
	strbuf_release(&sb);
	free(cover);
	free(dir);
}

/* UTF-8 survives UTF-16 (with a surrogate pair); invalid bytes become U+FFFD. */
static void test_id3_utf16(void **state)
{
	struct audio_meta meta = { .title = "Café — “Rust” & Bone ★ 𝄞", .comment = "a\xff" "b" };
	struct strbuf sb = STRBUF_INIT;
	struct frame f[8];
	size_t n;
	char *s;

	assert_int_equal(id3_build(&sb, &meta, 0), 0);
	n = walk_frames((const unsigned char *)sb.buf + 10, sb.len - 10, f, ARRAY_SIZE(f));
	assert_int_equal(n, 3);	/* TIT2, TCON, COMM: no TLEN for 0 ms */
	s = frame_text(find_frame(f, n, "TIT2"));
	assert_string_equal(s, meta.title);
	free(s);

	const struct frame *c = find_frame(f, n, "COMM");
	assert_memory_equal(c->data, "\x01" "eng\xff\xfe\0\0", 8);
	struct strbuf t = STRBUF_INIT;
	utf16_to_utf8(&t, c->data + 8, c->size - 8);
	assert_string_equal(t.buf, "a\xef\xbf\xbd" "b");
	strbuf_release(&t);
	strbuf_release(&sb);
}

/* A cover that is not JPEG or PNG, or missing, fails and leaves out alone. */
static void test_id3_bad_input(void **state)
{
	char *dir = test_dir("badcover");
	char *gif = write_cover(dir, "c.gif", "GIF89a", 6);
	char *missing = path_join(dir, "none.png");
	struct chapter back[] = { { 2.0, 1.0, "x" } };
	struct audio_meta meta = { .title = "T", .cover_path = gif };
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "keep");
	assert_int_equal(id3_build(&sb, &meta, 1000), -1);
	assert_int_equal(sb.len, 4);
	assert_string_equal(sb.buf, "keep");
	meta.cover_path = missing;
	assert_int_equal(id3_build(&sb, &meta, 1000), -1);
	meta.cover_path = NULL;
	meta.chapters = back;
	meta.nr_chapters = 1;
	assert_int_equal(id3_build(&sb, &meta, 1000), -1);
	assert_int_equal(sb.len, 4);
	strbuf_release(&sb);
	free(gif);
	free(missing);
	free(dir);
}

/* WAV and FLAC come back from libsndfile with the frames and tags written. */
static void test_wav_flac(void **state)
{
	static const enum audio_format fmts[] = { AUDIO_WAV, AUDIO_FLAC };
	char *dir = test_dir("pcm");
	struct audio_meta meta = { .title = "Café ★", .artist = "revcast", .year = "2024" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		char *path = xasprintf("%s/x.%s", dir, audio_format_name(fmts[i]));
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		struct audio_settings s;
		struct audio_result res;
		int rate, channels;
		double level;
		SF_INFO info;
		SNDFILE *sf;

		audio_settings_init(&s);
		s.format = fmts[i];
		assert_int_equal(encode_tone(path, &s, &meta, 1.25, &res), 0);
		assert_int_equal(res.frames, 55125);
		assert_int_equal(decode(path, &rate, &channels, &level), 55125);
		assert_int_equal(rate, 44100);
		assert_int_equal(channels, 1);
		assert_true(fabs(level - 0.5 / sqrt(2)) < 0.001);
		memset(&info, 0, sizeof(info));
		sf = sf_open(path, SFM_READ, &info);
		assert_non_null(sf);
		assert_string_equal(sf_get_string(sf, SF_STR_TITLE), meta.title);
		assert_string_equal(sf_get_string(sf, SF_STR_ARTIST), meta.artist);
		sf_close(sf);

		/* deterministic */
		assert_int_equal(read_file(path, &a, 64 << 20), 0);
		assert_int_equal(encode_tone(path, &s, &meta, 1.25, &res), 0);
		assert_int_equal(read_file(path, &b, 64 << 20), 0);
		assert_int_equal(a.len, b.len);
		assert_int_equal(res.bytes, (long long)a.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		strbuf_release(&a);
		strbuf_release(&b);
		free(path);
	}
	assert_int_equal(dir_entries(dir), 2);
	free(dir);
}

/* No directory, or a regular file as the directory: -1 and no file. */
static void test_unwritable(void **state)
{
	char *dir = test_dir("unwritable");
	char *file = path_join(dir, "file"), *under = path_join(file, "x.mp3");
	struct audio_settings s;
	struct audio_sink *k = (struct audio_sink *)&s;

	audio_settings_init(&s);
	assert_int_equal(audio_sink_open(&k, "/nonexistent-dir/x.mp3", &s), -1);
	assert_null(k);
	assert_int_equal(write_file_atomic(file, "x", 1), 0);
	assert_int_equal(audio_sink_open(&k, under, &s), -1);
	s.format = AUDIO_FLAC;
	assert_int_equal(audio_sink_open(&k, under, &s), -1);
	assert_int_equal(audio_sink_open(&k, dir, &s), -1);	/* a directory */
	assert_int_equal(dir_entries(dir), 1);
	free(under);
	free(file);
	free(dir);
}

/* Abort after writing: nothing at the path, no temporary in the directory. */
static void test_abort(void **state)
{
	static const enum audio_format fmts[] = { AUDIO_MP3, AUDIO_WAV, AUDIO_FLAC };
	char *dir = test_dir("abort"), *path = path_join(dir, "x.out");
	float buf[10000];
	size_t i;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		struct audio_settings s;
		struct audio_sink *k;

		audio_settings_init(&s);
		s.format = fmts[i];
		assert_int_equal(audio_sink_open(&k, path, &s), 0);
		assert_int_equal(audio_sink_write(k, buf, 10000), 0);
		audio_sink_abort(k);
		assert_int_equal(dir_entries(dir), 0);
	}

	/* a finish that fails (a cover that is not an image) leaves nothing either */
	char *gif = write_cover(tmpdir, "abort.gif", "GIF89a", 6);
	struct audio_meta meta = { .cover_path = gif };
	struct audio_settings s;
	struct audio_sink *k;

	audio_settings_init(&s);
	assert_int_equal(audio_sink_open(&k, path, &s), 0);
	assert_int_equal(audio_sink_write(k, buf, 10000), 0);
	assert_int_equal(audio_sink_finish(k, &meta, NULL), -1);
	assert_int_equal(dir_entries(dir), 0);
	free(gif);
	free(path);
	free(dir);
}

/*
 * Runs one encode (0.25 s, with a comment of comment_len bytes to make the
 * tag large) in a child whose files may not grow past `limit` bytes: writes
 * past it fail with EFBIG. A child keeps the limit off the test process's
 * own output. Returns 0 when the encode failed, 1 when it succeeded.
 */
static int encode_limited(const char *path, enum audio_format fmt, size_t comment_len,
			  rlim_t limit)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit rl = { limit, RLIM_INFINITY };
		struct audio_meta meta = { .title = "T" };
		struct audio_settings s;
		char *comment = xmalloc(comment_len + 1);

		memset(comment, 'c', comment_len);
		comment[comment_len] = '\0';
		meta.comment = comment;
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(2);
		audio_settings_init(&s);
		s.format = fmt;
		_exit(encode_tone(path, &s, &meta, 0.25, NULL) == -1 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * Write errors: in the spool (during the writes), and in the final file 10
 * bytes before its end (for FLAC that last frame is written by sf_close(),
 * which does not report the failure itself). Each fails with -1 and leaves
 * nothing in the directory.
 */
static void test_write_errors(void **state)
{
	static const enum audio_format fmts[] = { AUDIO_MP3, AUDIO_WAV, AUDIO_FLAC };
	char *dir = test_dir("errors");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		char *path = xasprintf("%s/x.%s", dir, audio_format_name(fmts[i]));
		struct stat st;

		/* the spool fails */
		assert_int_equal(encode_limited(path, fmts[i], 10, 2000), 0);
		assert_int_equal(dir_entries(dir), 0);
		/* the full size, then the same with 10 bytes too few */
		assert_int_equal(encode_limited(path, fmts[i], 30000, RLIM_INFINITY), 1);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > 22050 + 10);	/* larger than the spool */
		assert_int_equal(unlink(path), 0);
		assert_int_equal(encode_limited(path, fmts[i], 30000, (rlim_t)st.st_size - 10), 0);
		assert_int_equal(dir_entries(dir), 0);
		assert_int_equal(encode_limited(path, fmts[i], 30000, (rlim_t)st.st_size), 1);
		assert_int_equal(unlink(path), 0);
		free(path);
	}
	free(dir);
}

/*
 * mp3_info_update() recomputes, for the stream of a finished file, exactly
 * the Info frame LAME wrote: frame and byte counts, seek table, padding,
 * music length and CRC, tag CRC (the fields are scrambled first).
 */
static void test_mp3_info_update(void **state)
{
	char *dir = test_dir("info"), *path = path_join(dir, "tone.mp3");
	struct audio_settings s;
	struct audio_result res;
	struct strbuf sb = STRBUF_INIT;
	unsigned char info[2880], *x;
	size_t at, flen;
	int fd;

	audio_settings_init(&s);
	assert_int_equal(encode_tone(path, &s, NULL, 61.3, &res), 0);
	assert_int_equal(read_file(path, &sb, 64 << 20), 0);
	at = id3_skip((const unsigned char *)sb.buf, sb.len);
	flen = mpeg_frame_len((const unsigned char *)sb.buf + at);
	assert_true(flen <= sizeof(info));
	memcpy(info, sb.buf + at, flen);
	x = memmem(info, flen, "Info", 4);
	assert_non_null(x);
	memset(x + 8, 0x5a, 108);               /* frames, bytes, TOC */
	x[143] ^= 0xff;                         /* padding */
	memset(x + 148, 0xa5, 8);               /* music length and CRC, tag CRC */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(mp3_info_update(info, flen, fd, (long long)at,
					 (long long)(sb.len - at), 96, 576), 0);
	assert_memory_equal(info, sb.buf + at, flen);
	/* A stream that does not parse is refused. */
	assert_int_equal(mp3_info_update(info, flen, fd, (long long)at,
					 (long long)(sb.len - at - 7), 96, 576), -1);
	close(fd);
	strbuf_release(&sb);
	free(path);
	free(dir);
}

/* Three seconds at 44.1 kHz: a tone, a second of digital silence, a tone. */
static float *tone_silence_tone(long long *n)
{
	float *x;
	long long i;

	*n = 3 * 44100;
	x = xcalloc((size_t)*n, sizeof(*x));
	for (i = 0; i < *n; i++)
		if (i < 44100 || i >= 88200)
			x[i] = (float)(0.5 * sin(2 * M_PI * 440.0 * (double)i / 44100));
	return x;
}

static float *decode_all(const char *path, long long *n)
{
	SF_INFO info;
	SNDFILE *sf;
	float *x;

	memset(&info, 0, sizeof(info));
	sf = sf_open(path, SFM_READ, &info);
	assert_non_null(sf);
	assert_int_equal(info.channels, 1);
	x = xcalloc((size_t)info.frames + 1, sizeof(*x));
	*n = sf_readf_float(sf, x, info.frames);
	assert_int_equal(*n, info.frames);
	sf_close(sf);
	return x;
}

/*
 * An encode split in the silence and joined decodes like one encode: the
 * same number of samples (libsndfile reads the LAME tag's delay and
 * padding), the second tone where it was, silence at the join; mp3val-like
 * frame walking finds whole frames.
 */
static void test_mp3_join(void **state)
{
	char *dir = test_dir("join"), *one = path_join(dir, "one.mp3"),
	     *two = path_join(dir, "two.mp3"), *tmp = path_join(dir, "piece");
	struct audio_settings s;
	struct audio_sink *k, *p;
	struct audio_piece piece;
	struct audio_result r1, r2;
	long long n, n1, n2, i, cut = 58 * 1152;     /* 1.515 s: in the silence */
	float *x = tone_silence_tone(&n), *d1, *d2;
	double err = 0.0, sig = 0.0;
	int fd;

	audio_settings_init(&s);
	assert_int_equal(audio_join_gap(&s), 1152);
	assert_int_equal(audio_sink_open(&k, one, &s), 0);
	assert_int_equal(audio_sink_write(k, x, (long)n), 0);
	assert_int_equal(audio_sink_finish(k, NULL, &r1), 0);

	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(audio_piece_open(&p, fd, two, &s), 0);
	assert_int_equal(audio_sink_write(p, x + cut, (long)(n - cut)), 0);
	assert_int_equal(audio_piece_finish(p, &piece), 0);
	assert_int_equal(audio_sink_open(&k, two, &s), 0);
	assert_int_equal(audio_sink_write(k, x, (long)(cut - 1152)), 0);
	/* a join must come at a multiple of the gap */
	assert_int_equal(audio_sink_write(k, x, 1), 0);
	assert_int_equal(audio_sink_join(k, fd, &piece), -1);
	audio_sink_abort(k);
	assert_int_equal(audio_sink_open(&k, two, &s), 0);
	assert_int_equal(audio_sink_write(k, x, (long)(cut - 1152)), 0);
	assert_int_equal(audio_sink_join(k, fd, &piece), 0);
	assert_int_equal(audio_sink_write(k, x, 1), -1);
	assert_int_equal(audio_sink_finish(k, NULL, &r2), 0);
	close(fd);
	assert_int_equal(r2.frames, r1.frames);
	check_mp3_layout(two, "Info");

	d1 = decode_all(one, &n1);
	d2 = decode_all(two, &n2);
	assert_int_equal(n1, r1.frames);
	assert_int_equal(n2, r2.frames);
	for (i = 0; i < n2; i++) {
		err += (double)(d2[i] - d1[i]) * (d2[i] - d1[i]);
		sig += (double)d1[i] * d1[i];
		if (i >= cut - 2304 && i < cut + 2304)
			assert_true(fabsf(d2[i]) < 0.001f);
	}
	/* the same signal, to the encoder's noise (under -40 dB) */
	assert_true(err < sig * 1e-4);
	free(d1);
	free(d2);
	free(x);
	free(tmp);
	free(one);
	free(two);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resample_sine),
		cmocka_unit_test(test_resample_lengths),
		cmocka_unit_test(test_resample_deterministic),
		cmocka_unit_test(test_resample_error_and_passthrough),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_mp3_roundtrip),
		cmocka_unit_test(test_mp3_vbr_and_mpeg2),
		cmocka_unit_test(test_mp3_deterministic),
		cmocka_unit_test(test_mp3_info_update),
		cmocka_unit_test(test_mp3_join),
		cmocka_unit_test(test_id3_structure),
		cmocka_unit_test(test_id3_utf16),
		cmocka_unit_test(test_id3_bad_input),
		cmocka_unit_test(test_wav_flac),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_write_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
