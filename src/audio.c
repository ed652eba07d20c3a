/*
 * audio.c - settings and the sinks that write the finished episode.
 *
 * Every sink streams into a spool: an unlinked temporary file in the
 * output's directory (so nothing is left behind, even after a crash, and
 * an unwritable directory is noticed at open). For MP3 the spool holds
 * LAME's MPEG frames; for WAV and FLAC it holds 16-bit PCM. Only
 * audio_sink_finish(), when the tags (chapters, duration) are known,
 * creates the output, through an atomic_file:
 *
 *   MP3:      ID3v2 tag (id3.c) + LAME's Xing/Info frame + the spool minus
 *             its first frame (LAME's placeholder for that Xing/Info frame,
 *             of exactly the same size)
 *   WAV/FLAC: libsndfile, with the tags set before the first sample
 *             (libsndfile's FLAC writer ignores strings set later)
 *
 * libsndfile writes through virtual I/O on the atomic file's descriptor
 * rather than sf_open_fd(): sf_close() returns 0 even when a write made
 * while closing failed (FLAC's last frame: tried with RLIMIT_FSIZE, the
 * file came out truncated), so the I/O callbacks keep the first OS error.
 *
 * The output depends only on the samples, settings and tags: no times,
 * no random numbers.
 */
#include "audio.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <lame/lame.h>
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SINK_CHUNK 4096
/* LAME's worst case for one call: 1.25 x samples + 7200 (also >= 7200 for the flush). */
#define MP3BUF_SIZE (SINK_CHUNK * 5 / 4 + 7200)
/* Largest MPEG frame: 1441 bytes (MPEG-1 Layer III, 320 kbit/s at 32 kHz). */
#define LAMETAG_MAX 2880
#define COPY_CHUNK 65536

struct audio_sink {
	struct audio_settings set;
	char *path;
	int spool;              /* unlinked temporary file, -1 when none */
	int piece;              /* a later piece of a split MP3: spool is the caller's */
	int joined;             /* a piece was joined on: the encoder is flushed */
	int last_padding;       /* then: the piece's LAME padding, in samples */
	long long spool_bytes;
	long long frames;       /* samples written */
	int failed;             /* a write failed (printed): finish only cleans up */
	lame_global_flags *lame;
	float fbuf[SINK_CHUNK];
	short pcm[SINK_CHUNK];
	unsigned char mp3buf[MP3BUF_SIZE];
};

static const int mpeg1_rates[] = { 32000, 44100, 48000 };
static const int mpeg2_rates[] = { 16000, 22050, 24000 };
static const int mpeg1_bitrates[] = {
	32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320
};
static const int mpeg2_bitrates[] = {
	8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160
};

/* Sets the defaults: MP3, 44100 Hz, CBR 96 kbit/s, VBR quality 4, quality 5. */
void audio_settings_init(struct audio_settings *s)
{
	s->format = AUDIO_MP3;
	s->sample_rate = 44100;
	s->bitrate = 96;
	s->vbr = 0;
	s->vbr_quality = 4;
	s->quality = 5;
	s->bandwidth = 0;
}

/* "mp3", "wav" or "flac" (any case) to its format; -1 for anything else. */
int audio_format_parse(const char *name)
{
	if (!name)
		return -1;
	if (!strcasecmp(name, "mp3"))
		return AUDIO_MP3;
	if (!strcasecmp(name, "wav"))
		return AUDIO_WAV;
	if (!strcasecmp(name, "flac"))
		return AUDIO_FLAC;
	return -1;
}

/* The lower-case name of f ("mp3", "wav", "flac"), "?" if out of range. */
const char *audio_format_name(enum audio_format f)
{
	switch (f) {
	case AUDIO_MP3:
		return "mp3";
	case AUDIO_WAV:
		return "wav";
	case AUDIO_FLAC:
		return "flac";
	}
	return "?";
}

static int in_list(int v, const int *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return 1;
	return 0;
}

/*
 * Size in bytes of an MPEG Layer III frame (without padding) at kbps and
 * rate: 144000 * kbps / rate for MPEG-1, half that for MPEG-2.
 */
static int mp3_frame_size(int mpeg1, int kbps, int rate)
{
	return (mpeg1 ? 144000 : 72000) * kbps / rate;
}

/*
 * LAME leaves out its Xing/Info frame, and with it the delay and padding
 * that make decoders return the exact length, when the frame is too small
 * to hold it. For CBR that frame has the stream's bitrate; measured with
 * LAME 3.100 (mono), frames of 168 bytes or fewer go without, 180 or more
 * get one. No allowed rate and bitrate gives a size in between.
 */
#define MIN_INFO_FRAME 180

/* The smallest allowed CBR bitrate that still gets an Info frame. */
static int mp3_min_bitrate(int mpeg1, int rate)
{
	const int *br = mpeg1 ? mpeg1_bitrates : mpeg2_bitrates;
	size_t i, n = mpeg1 ? ARRAY_SIZE(mpeg1_bitrates) : ARRAY_SIZE(mpeg2_bitrates);

	for (i = 0; i < n; i++)
		if (mp3_frame_size(mpeg1, br[i], rate) >= MIN_INFO_FRAME)
			return br[i];
	return br[n - 1];
}

/*
 * Checks a CBR bitrate: one of the bitrates of the MPEG version, and high
 * enough for an Info frame (at least 56 kbit/s at 44100 Hz, 64 at 48000,
 * 40 at 32000; 56 at 22050, 64 at 24000, 40 at 16000).
 */
static int check_mp3_bitrate(const struct audio_settings *s, int mpeg1)
{
	int min = mp3_min_bitrate(mpeg1, s->sample_rate);

	if (mpeg1 && !in_list(s->bitrate, mpeg1_bitrates, ARRAY_SIZE(mpeg1_bitrates)))
		return error("unsupported MP3 bitrate %d kbit/s at %d Hz (32, 40, 48, 56, 64, "
			     "80, 96, 112, 128, 160, 192, 224, 256 or 320)",
			     s->bitrate, s->sample_rate);
	if (!mpeg1 && !in_list(s->bitrate, mpeg2_bitrates, ARRAY_SIZE(mpeg2_bitrates)))
		return error("unsupported MP3 bitrate %d kbit/s at %d Hz (8, 16, 24, 32, 40, "
			     "48, 56, 64, 80, 96, 112, 128, 144 or 160)",
			     s->bitrate, s->sample_rate);
	if (s->bitrate < min)
		return error("MP3 bitrate %d kbit/s is too low at %d Hz for an exact-length "
			     "header (use at least %d kbit/s)", s->bitrate, s->sample_rate, min);
	return 0;
}

/*
 * Checks MP3 settings. Rates: MPEG-1 32000, 44100, 48000 Hz with bitrates
 * up to 320 kbit/s, or MPEG-2 16000, 22050, 24000 Hz with up to 160 kbit/s
 * (MPEG-2.5 rates are refused); CBR bitrates as check_mp3_bitrate(). Prints
 * what is wrong.
 */
static int check_mp3_settings(const struct audio_settings *s)
{
	int mpeg1 = in_list(s->sample_rate, mpeg1_rates, ARRAY_SIZE(mpeg1_rates));
	int mpeg2 = in_list(s->sample_rate, mpeg2_rates, ARRAY_SIZE(mpeg2_rates));

	if (!mpeg1 && !mpeg2)
		return error("unsupported MP3 sample rate %d Hz (use 32000, 44100 or 48000; "
			     "or 16000, 22050 or 24000)", s->sample_rate);
	if (s->vbr != 0 && s->vbr != 1)
		return error("invalid VBR switch %d (0 or 1)", s->vbr);
	if (s->vbr_quality < 0 || s->vbr_quality > 9)
		return error("invalid VBR quality %d (0 best to 9)", s->vbr_quality);
	if (s->quality < 0 || s->quality > 9)
		return error("invalid MP3 quality %d (0 best to 9)", s->quality);
	return s->vbr ? 0 : check_mp3_bitrate(s, mpeg1);
}

/* Checks settings for format s->format. Prints what is wrong. */
static int check_settings(const struct audio_settings *s)
{
	switch (s->format) {
	case AUDIO_MP3:
		return check_mp3_settings(s);
	case AUDIO_WAV:
	case AUDIO_FLAC:
		if (s->sample_rate < 8000 || s->sample_rate > 192000)
			return error("unsupported sample rate %d Hz (8000 to 192000)",
				     s->sample_rate);
		return 0;
	}
	return error("internal: unknown audio format %d", (int)s->format);
}

/*
 * Opens an unlinked temporary file in the directory of `path` (O_TMPFILE,
 * or a named file removed at once where that is unsupported). Returns the
 * descriptor, or -1 with an error naming `path` and the OS reason.
 */
static int spool_open(const char *path)
{
	const char *base = path_base(path);
	char *dir = base == path ? xstrdup(".") : xstrndup(path, (size_t)(base - path));
	int fd, e;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		char *tmp = path_join(dir, ".revcast-spool-XXXXXX");

		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmp);
		free(tmp);
	}
	e = errno;
	free(dir);
	if (fd < 0)
		return error("cannot write '%s': %s", path, strerror(e));
	return fd;
}

/* Appends len bytes to the spool. On failure prints and marks k failed. */
static int spool_write(struct audio_sink *k, const void *buf, size_t len)
{
	if (write_full(k->spool, buf, len)) {
		k->failed = 1;
		return error("cannot write '%s': %s", k->path, strerror(errno ? errno : EIO));
	}
	k->spool_bytes += (long long)len;
	return 0;
}

/*
 * Reads exactly len bytes of the spool at offset `at`. On failure (a short
 * spool, an I/O error) prints an error naming the output and returns -1.
 */
static int spool_pread(struct audio_sink *k, void *buf, size_t len, long long at)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(k->spool, p, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error("cannot write '%s': reading back its temporary file: %s",
				     k->path, n < 0 ? strerror(errno) : "unexpected end of file");
		p += n;
		at += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Copies the spool from byte `from` to its end onto fp. Prints an error
 * naming the output on failure.
 */
static int spool_copy(struct audio_sink *k, long long from, FILE *fp)
{
	char *buf = xmalloc(COPY_CHUNK);
	int ret = -1;

	while (from < k->spool_bytes) {
		long long left = k->spool_bytes - from;
		size_t n = left > COPY_CHUNK ? COPY_CHUNK : (size_t)left;

		if (spool_pread(k, buf, n, from))
			goto out;
		if (fwrite(buf, 1, n, fp) != n) {
			error("cannot write '%s': %s", k->path, strerror(errno));
			goto out;
		}
		from += (long long)n;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

/* Copies buf to k->fbuf, clipped to [-1, 1], with NaN as 0. */
static const float *clip(struct audio_sink *k, const float *buf, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		float x = buf[i];

		if (!(x >= -1.0f))	/* also NaN */
			x = isnan(x) ? 0.0f : -1.0f;
		else if (x > 1.0f)
			x = 1.0f;
		k->fbuf[i] = x;
	}
	return k->fbuf;
}

/* LAME's debug and information messages: not wanted. */
static void lame_quiet(const char *fmt, va_list ap)
{
}

/* LAME's error messages, as our warnings (the caller reports the failure). */
static void lame_report(const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	warning("lame: %s", msg);
}

/*
 * A LAME encoder for settings s: mono, in and out at the sample rate, CBR
 * at the bitrate or VBR (vbr_default) at vbr_quality, the algorithm
 * quality, a Xing/Info frame when `info`, no automatic ID3 tag; with a lowpass filter
 * at `lowpass` Hz, or LAME's own choice for the bitrate when 0. NULL when
 * LAME refuses the settings.
 */
static lame_global_flags *mp3_encoder(const struct audio_settings *s, int lowpass, int info)
{
	lame_global_flags *gf = lame_init();

	if (!gf)
		return NULL;
	lame_set_errorf(gf, lame_report);
	lame_set_debugf(gf, lame_quiet);
	lame_set_msgf(gf, lame_quiet);
	lame_set_num_channels(gf, 1);
	lame_set_in_samplerate(gf, s->sample_rate);
	lame_set_out_samplerate(gf, s->sample_rate);
	lame_set_mode(gf, MONO);
	lame_set_quality(gf, s->quality);
	lame_set_write_id3tag_automatic(gf, 0);
	lame_set_bWriteVbrTag(gf, info);
	if (lowpass > 0)
		lame_set_lowpassfreq(gf, lowpass);
	if (s->vbr) {
		lame_set_VBR(gf, vbr_default);
		lame_set_VBR_q(gf, s->vbr_quality);
	} else {
		lame_set_VBR(gf, vbr_off);
		lame_set_brate(gf, s->bitrate);
	}
	if (lame_init_params(gf) < 0) {
		lame_close(gf);
		return NULL;
	}
	return gf;
}

/*
 * Creates the sink's LAME encoder. When the input is band-limited below
 * the lowpass LAME would choose for the bitrate (its choice is known only
 * once an encoder is set up), the encoder is made again with the lowpass
 * at the input's bandwidth: for eSpeak NG's speech at 96 kbit/s that is
 * 11,025 Hz instead of LAME's 15 kHz or so, and a fifth less encoding
 * time for the same sound (bench/cpu-split.sh).
 */
static int mp3_open(struct audio_sink *k)
{
	const struct audio_settings *s = &k->set;
	lame_global_flags *gf = mp3_encoder(s, 0, !k->piece);

	if (gf && s->bandwidth > 0 && lame_get_lowpassfreq(gf) > s->bandwidth) {
		lame_close(gf);
		gf = mp3_encoder(s, s->bandwidth, !k->piece);
	}
	if (!gf)
		return error("cannot set up the MP3 encoder for '%s'", k->path);
	k->lame = gf;
	return 0;
}

/*
 * Opens a sink for `path` (see audio.h). Validates the settings, opens the
 * spool beside `path` (so a missing or unwritable directory fails here)
 * and, for MP3, the encoder. On failure prints one error, leaves nothing
 * behind and sets *out to NULL.
 */
int audio_sink_open(struct audio_sink **out, const char *path,
		    const struct audio_settings *s)
{
	struct audio_sink *k;

	*out = NULL;
	if (check_settings(s))
		return -1;
	if (!*path)
		return error("no output file name");
	if (is_dir(path))
		return error("cannot write '%s': %s", path, strerror(EISDIR));
	k = xcalloc(1, sizeof(*k));
	k->set = *s;
	k->path = xstrdup(path);
	k->spool = spool_open(path);
	if (k->spool < 0 || (s->format == AUDIO_MP3 && mp3_open(k))) {
		audio_sink_abort(k);
		return -1;
	}
	*out = k;
	return 0;
}

/* Encodes n clipped samples into the spool. */
static int mp3_write(struct audio_sink *k, const float *buf, int n)
{
	int got = lame_encode_buffer_ieee_float(k->lame, buf, buf, n,
						k->mp3buf, MP3BUF_SIZE);

	if (got < 0) {
		k->failed = 1;
		return error("cannot write '%s': MP3 encoder error %d", k->path, got);
	}
	return got ? spool_write(k, k->mp3buf, (size_t)got) : 0;
}

/* Converts n clipped samples to 16-bit PCM (rounded) into the spool. */
static int pcm_write(struct audio_sink *k, const float *buf, int n)
{
	int i;

	for (i = 0; i < n; i++)
		k->pcm[i] = (short)lrintf(buf[i] * 32767.0f);
	return spool_write(k, k->pcm, (size_t)n * sizeof(*k->pcm));
}

/*
 * Writes n samples (any value: clipped to [-1, 1], NaN as silence). On
 * failure prints one error; the sink is then dead: later writes return -1
 * without printing, and the caller should abort it.
 */
int audio_sink_write(struct audio_sink *k, const float *buf, long n)
{
	if (k->failed)
		return -1;
	if (n < 0)
		return error("internal: writing %ld samples", n);
	if (k->joined)
		return error("internal: writing to '%s' after a join", k->path);
	while (n > 0) {
		int len = n > SINK_CHUNK ? SINK_CHUNK : (int)n;
		const float *x = clip(k, buf, len);

		if (k->set.format == AUDIO_MP3 ? mp3_write(k, x, len) : pcm_write(k, x, len))
			return -1;
		k->frames += len;
		buf += len;
		n -= len;
	}
	return 0;
}

/*
 * Ends the stream on an MPEG frame boundary by adding silence (less than
 * one frame: 26 ms at 44.1 kHz). LAME then pads with its minimum of 576
 * samples, and players that count frames instead of reading the LAME tag
 * (ffmpeg 5.1's duration, for one) show within one frame (26.1 ms) of the
 * exact duration instead of up to two frames.
 */
static int mp3_pad_to_frame(struct audio_sink *k)
{
	static const float zeros[1152];
	int fs = lame_get_framesize(k->lame);
	long long pad;

	if (fs <= 0 || fs > (int)ARRAY_SIZE(zeros))
		return 0;
	pad = (fs - k->frames % fs) % fs;
	if (pad && mp3_write(k, zeros, (int)pad))
		return -1;
	k->frames += pad;
	return 0;
}

/* Flushes LAME's last frames into the spool. */
static int mp3_flush(struct audio_sink *k)
{
	int got = lame_encode_flush(k->lame, k->mp3buf, MP3BUF_SIZE);

	if (got < 0)
		return error("cannot write '%s': MP3 encoder error %d", k->path, got);
	return got ? spool_write(k, k->mp3buf, (size_t)got) : 0;
}

static int is_mpeg_sync(const unsigned char *p)
{
	return p[0] == 0xff && (p[1] & 0xe0) == 0xe0;
}

/*
 * Gets the final Xing/Info frame into buf (*len bytes) and checks that the
 * spool starts with a placeholder frame of that size.
 */
static int mp3_lametag(struct audio_sink *k, unsigned char *buf, size_t *len)
{
	unsigned char head[2];
	size_t n = lame_get_lametag_frame(k->lame, buf, LAMETAG_MAX);

	*len = 0;
	if (!n)	/* prevented by check_mp3_bitrate() */
		return error("internal: LAME wrote no Info frame for '%s'", k->path);
	if (n > LAMETAG_MAX || n < 4 || !is_mpeg_sync(buf))
		return error("internal: bad LAME tag frame for '%s' (%zu bytes)", k->path, n);
	if ((long long)n > k->spool_bytes)
		return error("internal: no LAME tag placeholder in '%s'", k->path);
	if (spool_pread(k, head, sizeof(head), 0))
		return -1;
	if (!is_mpeg_sync(head))
		return error("internal: no LAME tag placeholder in '%s'", k->path);
	*len = n;
	return 0;
}

/*
 * Flushes and fsyncs af before atomic_file_commit() (which then has
 * nothing left to fail on), so that a late write error is reported here,
 * naming the output path and the OS reason.
 */
static int sync_file(const struct audio_sink *k, struct atomic_file *af)
{
	if (fflush(af->fp) || fsync(af->fd))
		return error("cannot write '%s': %s", k->path, strerror(errno));
	return 0;
}

/* Fills res from k's counts and the final size. */
static void set_result(const struct audio_sink *k, long long bytes, struct audio_result *res)
{
	if (!res)
		return;
	res->frames = k->frames;
	res->rate = k->set.sample_rate;
	res->duration = (double)k->frames / k->set.sample_rate;
	res->bytes = bytes;
}

/*
 * Finishes an MP3: flush, Xing/Info frame, ID3 tag, then writes tag +
 * Xing/Info frame + the spool after its placeholder into the atomic file.
 */
static int mp3_finish(struct audio_sink *k, const struct audio_meta *meta,
		      struct audio_result *res)
{
	struct strbuf tag = STRBUF_INIT;
	struct atomic_file af;
	unsigned char lametag[LAMETAG_MAX];
	long long ms;
	size_t tn;
	int ret = -1;

	atomic_file_init(&af);
	if (!k->joined && (mp3_pad_to_frame(k) || mp3_flush(k)))
		goto out;
	ms = llround(k->frames * 1000.0 / k->set.sample_rate);
	if (mp3_lametag(k, lametag, &tn) ||
	    (k->joined && mp3_info_update(lametag, tn, k->spool, 0, k->spool_bytes,
					  k->set.bitrate, k->last_padding)) ||
	    id3_build(&tag, meta, ms))
		goto out;
	if (atomic_file_open(&af, k->path))
		goto out;
	if (fwrite(tag.buf, 1, tag.len, af.fp) != tag.len ||
	    fwrite(lametag, 1, tn, af.fp) != tn) {
		error("cannot write '%s': %s", k->path, strerror(errno));
		goto out;
	}
	if (spool_copy(k, (long long)tn, af.fp) || sync_file(k, &af) ||
	    atomic_file_commit(&af))
		goto out;
	set_result(k, (long long)tag.len + k->spool_bytes, res);
	ret = 0;
out:
	atomic_file_abort(&af);
	strbuf_release(&tag);
	return ret;
}

/* libsndfile's virtual I/O on a descriptor, keeping the first OS error. */
struct vio {
	int fd;
	int err;
};

static sf_count_t vio_filelen(void *user)
{
	struct vio *v = user;
	struct stat st;

	if (fstat(v->fd, &st)) {
		if (!v->err)
			v->err = errno;
		return -1;
	}
	return (sf_count_t)st.st_size;
}

static sf_count_t vio_seek(sf_count_t offset, int whence, void *user)
{
	struct vio *v = user;
	off_t r = lseek(v->fd, (off_t)offset, whence);

	if (r < 0 && !v->err)
		v->err = errno;
	return (sf_count_t)r;
}

static sf_count_t vio_read(void *ptr, sf_count_t count, void *user)
{
	struct vio *v = user;
	sf_count_t done = 0;

	while (done < count) {
		ssize_t n = read(v->fd, (char *)ptr + done, (size_t)(count - done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && !v->err)
			v->err = errno;
		if (n <= 0)
			break;
		done += n;
	}
	return done;
}

static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user)
{
	struct vio *v = user;
	if (write_full(v->fd, ptr, (size_t)count)) {
		if (!v->err)
			v->err = errno ? errno : EIO;
		return 0;
	}
	return count;
}

static sf_count_t vio_tell(void *user)
{
	struct vio *v = user;

	return (sf_count_t)lseek(v->fd, 0, SEEK_CUR);
}

/* Prints the write error for a PCM file: the OS reason when there is one. */
static int pcm_error(const struct audio_sink *k, const struct vio *v, SNDFILE *sf)
{
	return error("cannot write '%s': %s", k->path,
		     v->err ? strerror(v->err) : sf_strerror(sf));
}

/* Stores the tags of meta in sf (before any sample: FLAC needs that). */
static void pcm_tags(const struct audio_sink *k, SNDFILE *sf, const struct audio_meta *meta)
{
	static const struct audio_meta empty;
	const struct audio_meta *m = meta ? meta : &empty;
	const struct { int id; const char *value; } tags[] = {
		{ SF_STR_TITLE, m->title },
		{ SF_STR_ARTIST, m->artist },
		{ SF_STR_ALBUM, m->album },
		{ SF_STR_DATE, m->year },
		{ SF_STR_COMMENT, m->comment },
		{ SF_STR_GENRE, m->genre ? m->genre : "Podcast" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tags); i++)
		if (tags[i].value && *tags[i].value &&
		    sf_set_string(sf, tags[i].id, tags[i].value))
			warning("cannot store a tag in '%s': %s", k->path, sf_strerror(sf));
}

/* Copies the spooled PCM into sf. Returns 0 or -1 (printed). */
static int pcm_copy(struct audio_sink *k, SNDFILE *sf, const struct vio *v)
{
	long long at = 0;

	while (at < k->spool_bytes) {
		long long left = (k->spool_bytes - at) / (long long)sizeof(short);
		sf_count_t n = left > SINK_CHUNK ? SINK_CHUNK : (sf_count_t)left;

		if (spool_pread(k, k->pcm, (size_t)n * sizeof(short), at))
			return -1;
		if (sf_write_short(sf, k->pcm, n) != n || v->err)
			return pcm_error(k, v, sf);
		at += n * (long long)sizeof(short);
	}
	return 0;
}

/*
 * Finishes a WAV or FLAC file: libsndfile (PCM 16, mono) on the atomic
 * file, tags first, then the spooled samples.
 */
static int pcm_finish(struct audio_sink *k, const struct audio_meta *meta,
		      struct audio_result *res)
{
	SF_VIRTUAL_IO io = { vio_filelen, vio_seek, vio_read, vio_write, vio_tell };
	struct atomic_file af;
	struct vio v = { -1, 0 };
	SF_INFO info;
	SNDFILE *sf = NULL;
	off_t size;
	int ret = -1;

	atomic_file_init(&af);
	if (atomic_file_open(&af, k->path))
		goto out;
	v.fd = af.fd;
	memset(&info, 0, sizeof(info));
	info.samplerate = k->set.sample_rate;
	info.channels = 1;
	info.format = (k->set.format == AUDIO_FLAC ? SF_FORMAT_FLAC : SF_FORMAT_WAV) |
		      SF_FORMAT_PCM_16;
	sf = sf_open_virtual(&io, SFM_WRITE, &info, &v);
	if (!sf) {
		pcm_error(k, &v, NULL);
		goto out;
	}
	pcm_tags(k, sf, meta);
	if (pcm_copy(k, sf, &v))
		goto out;
	sf_close(sf);	/* its result misses failed writes: v.err has them */
	sf = NULL;
	if (v.err) {
		pcm_error(k, &v, NULL);
		goto out;
	}
	size = lseek(af.fd, 0, SEEK_END);
	if (sync_file(k, &af) || atomic_file_commit(&af))
		goto out;
	set_result(k, (long long)size, res);
	ret = 0;
out:
	if (sf)
		sf_close(sf);
	atomic_file_abort(&af);
	return ret;
}

/* Frees k and everything it holds; the spool disappears with its fd. */
static void sink_free(struct audio_sink *k)
{
	if (k->lame)
		lame_close(k->lame);
	if (k->spool >= 0 && !k->piece)
		close(k->spool);
	free(k->path);
	free(k);
}

/* ---- split MP3 encodes ---- */

/* CRC-16/ARC (polynomial 0x8005, reflected), as the LAME tag uses; by table. */
static unsigned crc16_update(unsigned crc, const unsigned char *p, size_t n)
{
	static unsigned short table[256];
	static int ready;

	if (!ready) {
		unsigned i, b, c;

		for (i = 0; i < 256; i++) {
			for (c = i, b = 0; b < 8; b++)
				c = c & 1 ? (c >> 1) ^ 0xa001 : c >> 1;
			table[i] = (unsigned short)c;
		}
		ready = 1;
	}
	while (n--)
		crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
	return crc & 0xffff;
}

/* The length of the MPEG-1/2 Layer III frame with header h; 0 if not one. */
static long mp3_frame_len(const unsigned char *h)
{
	static const int rates[2][3] = { { 22050, 24000, 16000 }, { 44100, 48000, 32000 } };
	int mpeg1, bri, sri, kbps;

	if (!is_mpeg_sync(h) || ((h[1] >> 1) & 3) != 1)
		return 0;
	mpeg1 = ((h[1] >> 3) & 3) == 3;
	if (!mpeg1 && ((h[1] >> 3) & 3) != 2)
		return 0;
	bri = h[2] >> 4;
	sri = (h[2] >> 2) & 3;
	if (bri == 0 || bri == 15 || sri == 3)
		return 0;
	kbps = mpeg1 ? mpeg1_bitrates[bri - 1] : mpeg2_bitrates[bri - 1];
	return (mpeg1 ? 144000L : 72000L) * kbps / rates[mpeg1][sri] + ((h[2] >> 1) & 1);
}

static void put_be(unsigned char *p, unsigned long v, int n)
{
	while (n--)
		p[n] = (unsigned char)(v & 0xff), v >>= 8;
}

/*
 * LAME's seek table for n frames of a CBR stream at kbps, as LAME 3.100
 * computes it (VbrTag.c: a bag of 400 running bitrate sums, halved when
 * full, read at each percent in single precision), so that a joined
 * stream's table is the one LAME would have written for it.
 */
static void lame_toc(unsigned char *toc, long long n, int kbps)
{
	enum { SIZE = 400 };
	long long bag[SIZE], sum = 0, seen = 0, want = 1, i;
	int pos = 0, t;

	for (i = 0; i < n; i++) {
		sum += kbps;
		if (++seen < want)
			continue;
		if (pos < SIZE) {
			bag[pos++] = sum;
			seen = 0;
		}
		if (pos == SIZE) {
			for (t = 1; t < SIZE; t += 2)
				bag[t / 2] = bag[t];
			want *= 2;
			pos /= 2;
		}
	}
	memset(toc, 0, 100);
	if (pos <= 0)
		return;
	for (t = 1; t < 100; t++) {
		float j = (float)t / 100.0f, act, all = (float)sum;
		int indx = (int)floor(j * pos), seek;

		if (indx > pos - 1)
			indx = pos - 1;
		act = (float)bag[indx];
		seek = (int)(256.0 * act / all);
		toc[t] = (unsigned char)(seek > 255 ? 255 : seek);
	}
}

int mp3_info_update(unsigned char *info, size_t len, int fd, long long start,
		    long long bytes, int kbps, int padding)
{
	unsigned char *buf, head[4];
	long long at, next, frames = 0;
	unsigned crc = 0;
	size_t x;
	int ret = -1;

	for (x = 4; x + 4 <= len && x < 40; x++)
		if (!memcmp(info + x, "Info", 4) || !memcmp(info + x, "Xing", 4))
			break;
	if (x + 156 > len || x >= 40 || memcmp(info + x + 120, "LAME", 4))
		return error("internal: no LAME tag in the Info frame");
	buf = xmalloc(COPY_CHUNK);
	/* Count the frames after the Info frame and take their CRC. */
	for (at = next = start + (long long)len; at < start + bytes; ) {
		long long left = start + bytes - at;
		size_t n = left > COPY_CHUNK ? COPY_CHUNK : (size_t)left;

		if (pread(fd, buf, n, (off_t)at) != (ssize_t)n)
			goto bad;
		crc = crc16_update(crc, buf, n);
		while (next < at + (long long)n) {
			const unsigned char *h = buf + (next - at);
			long fl;

			/* a header across the end of the chunk: read it on its own */
			if (next + 4 > at + (long long)n) {
				if (pread(fd, head, 4, (off_t)next) != 4)
					goto bad;
				h = head;
			}
			if (!(fl = mp3_frame_len(h)))
				goto bad;
			next += fl;
			frames++;
		}
		at += (long long)n;
	}
	if (next != start + bytes)
		goto bad;
	put_be(info + x + 8, (unsigned long)frames, 4);
	put_be(info + x + 12, (unsigned long)bytes, 4);
	lame_toc(info + x + 16, frames, kbps);
	/* Keep the encoder delay (12 bits); set the padding (12 bits). */
	info[x + 142] = (unsigned char)((info[x + 142] & 0xf0) | ((padding >> 8) & 0x0f));
	info[x + 143] = (unsigned char)(padding & 0xff);
	put_be(info + x + 148, (unsigned long)bytes, 4);
	put_be(info + x + 152, crc, 2);
	put_be(info + x + 154, crc16_update(0, info, x + 154), 2);
	ret = 0;
	goto out;
bad:
	error("internal: the joined MP3 stream does not parse");
out:
	free(buf);
	return ret;
}

int audio_join_gap(const struct audio_settings *s)
{
	if (s->format != AUDIO_MP3 || s->vbr || s->sample_rate < 32000)
		return 0;
	return 1152;
}

int audio_piece_open(struct audio_sink **out, int fd, const char *path,
		     const struct audio_settings *s)
{
	struct audio_sink *k;

	*out = NULL;
	if (check_settings(s))
		return -1;
	if (!audio_join_gap(s))
		return error("internal: these MP3 settings cannot be split");
	k = xcalloc(1, sizeof(*k));
	k->set = *s;
	k->path = xstrdup(path);
	k->piece = 1;
	k->spool = fd;
	if (mp3_open(k)) {
		sink_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

int audio_piece_finish(struct audio_sink *k, struct audio_piece *piece)
{
	int ret = -1;

	if (!k->failed && !mp3_pad_to_frame(k) && !mp3_flush(k)) {
		piece->frames = k->frames;
		piece->bytes = k->spool_bytes;
		piece->padding = lame_get_encoder_padding(k->lame);
		ret = 0;
	}
	sink_free(k);
	return ret;
}

int audio_sink_join(struct audio_sink *k, int fd, const struct audio_piece *piece)
{
	int gap = audio_join_gap(&k->set);
	char *buf;
	long long at;

	if (k->failed)
		return -1;
	if (!gap || k->joined || k->frames % gap)
		return error("internal: '%s' cannot be joined here", k->path);
	if (mp3_flush(k))
		return -1;
	if (lame_get_encoder_delay(k->lame) + lame_get_encoder_padding(k->lame) != gap)
		return error("internal: unexpected MP3 encoder delay and padding (%d, %d)",
			     lame_get_encoder_delay(k->lame), lame_get_encoder_padding(k->lame));
	k->joined = 1;
	buf = xmalloc(COPY_CHUNK);
	for (at = 0; at < piece->bytes; ) {
		long long left = piece->bytes - at;
		size_t n = left > COPY_CHUNK ? COPY_CHUNK : (size_t)left;
		ssize_t got = pread(fd, buf, n, (off_t)at);

		if (got != (ssize_t)n) {
			free(buf);
			k->failed = 1;
			return error("cannot write '%s': reading back a piece: %s", k->path,
				     got < 0 ? strerror(errno) : "unexpected end of file");
		}
		if (spool_write(k, buf, n)) {
			free(buf);
			return -1;
		}
		at += (long long)n;
	}
	free(buf);
	k->frames += gap + piece->frames;
	k->last_padding = piece->padding;
	return 0;
}

/*
 * Finishes the file (see the top of this file) and frees k. meta and res
 * may be NULL. On failure prints one error (none more if a write already
 * failed) and leaves no file behind.
 */
int audio_sink_finish(struct audio_sink *k, const struct audio_meta *meta,
		      struct audio_result *res)
{
	int ret = -1;

	if (!k->failed)
		ret = k->set.format == AUDIO_MP3 ? mp3_finish(k, meta, res)
						 : pcm_finish(k, meta, res);
	sink_free(k);
	return ret;
}

/* Discards everything and frees k (NULL is allowed): no file is left. */
void audio_sink_abort(struct audio_sink *k)
{
	if (k)
		sink_free(k);
}
