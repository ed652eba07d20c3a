/*
 * audio.h - audio stages after speech: a pull contract between stages
 * (as in opus-tools: each stage reads from the one before), resampling
 * with libsoxr, and sinks that write the finished file: MP3 through
 * libmp3lame with our own ID3v2 tag, or WAV/FLAC through libsndfile.
 *
 * Stage 4 of the pipeline: review -> text -> speech -> audio -> episode.
 */
#ifndef REVCAST_AUDIO_H
#define REVCAST_AUDIO_H

#include <stddef.h>

/*
 * The contract between stages: fill buf with up to n mono float samples,
 * return how many (0 at the end, -1 on an error already printed).
 */
typedef long (*audio_read_fn)(void *src, float *buf, long n);

struct audio_source {
	audio_read_fn read;
	void *src;
	int rate;
};

/* Resampling (libsoxr, SOXR_HQ; see resample.c). */
struct resampler;
/*
 * Wraps `in` so that reading `*out` gives the same audio at `rate`. The
 * resampler holds a bounded buffer. Returns 0 or -1 (printed).
 * When `in` has given N frames in all, *out gives exactly
 * (N * rate + in->rate / 2) / in->rate frames (integer division: N scaled,
 * rounded half up), whatever the read sizes. Equal rates pass through.
 * `in` must outlive r, and r every read from *out.
 */
int resampler_new(struct resampler **r, const struct audio_source *in, int rate,
		  struct audio_source *out);
void resampler_free(struct resampler *r);

enum audio_format { AUDIO_MP3, AUDIO_WAV, AUDIO_FLAC };

struct audio_settings {
	enum audio_format format;
	int sample_rate;     /* output rate, default 44100 */
	int bitrate;         /* kbit/s for CBR, default 96 */
	int vbr;             /* 0 CBR, 1 VBR */
	int vbr_quality;     /* 0 (best) - 9, for VBR, default 4 */
	int quality;         /* LAME algorithm quality 0 (best) - 9, default 5 */
	/*
	 * The highest frequency in the input, in Hz, when it is known to be
	 * band-limited (speech from eSpeak NG: 11,025 Hz); 0 for full band.
	 * MP3: LAME's lowpass filter is set no higher, so that it spends no
	 * work or bits on a band with nothing in it. Default 0.
	 */
	int bandwidth;
};
void audio_settings_init(struct audio_settings *s);
/* "mp3", "wav", "flac" -> format; -1 if unknown. */
int audio_format_parse(const char *name);
const char *audio_format_name(enum audio_format f);

struct chapter {
	double start;        /* seconds */
	double end;          /* seconds */
	const char *title;   /* UTF-8 */
};

/* Tag data; any field may be NULL. Strings are UTF-8. */
struct audio_meta {
	const char *title;
	const char *artist;
	const char *album;
	const char *year;        /* "2024" or "2024-05-01" */
	const char *comment;
	const char *genre;       /* default "Podcast" */
	const char *cover_path;  /* JPEG or PNG embedded as APIC (MP3 only) */
	const struct chapter *chapters;  /* MP3 only: CHAP + CTOC frames */
	size_t nr_chapters;
};

struct audio_result {
	long long frames;    /* samples written, at the output rate */
	int rate;
	double duration;     /* frames / rate, seconds */
	long long bytes;     /* final file size */
};

struct audio_sink;
/*
 * Opens a sink that will produce `path` (atomically: nothing appears at
 * `path` until audio_sink_finish() succeeds). Returns 0 or -1 (printed).
 * MP3 rates: 32000, 44100, 48000 (MPEG-1) or 16000, 22050, 24000 Hz
 * (MPEG-2). CBR bitrates are those of the MPEG version, at least 56 kbit/s
 * at 44100 and 22050 Hz, 64 at 48000 and 24000, 40 at 32000 and 16000
 * (below that LAME writes no Info frame and the length is inexact).
 * WAV/FLAC: 8000 to 192000 Hz. A missing or unwritable directory fails here.
 */
int audio_sink_open(struct audio_sink **out, const char *path,
		    const struct audio_settings *s);
/*
 * Writes n samples at s->sample_rate, clipped to [-1, 1]. Returns 0 or -1
 * (printed); after -1 the sink only fails: abort it.
 */
int audio_sink_write(struct audio_sink *k, const float *buf, long n);
/*
 * Flushes the encoder, writes tags from meta, and moves the file into
 * place. Frees k whatever the outcome. Returns 0 or -1 (printed; no file
 * is left behind).
 */
int audio_sink_finish(struct audio_sink *k, const struct audio_meta *meta,
		      struct audio_result *res);
/* Discards everything, leaves no file, frees k. */
void audio_sink_abort(struct audio_sink *k);

/*
 * Split MP3 encodes. A CBR MP3 at 32 to 48 kHz can be encoded in two
 * pieces side by side (two encoders, two processes) and joined where the
 * audio is digital silence, with no gap and no click: the first sink takes
 * samples [0, L - gap) with L a multiple of the gap, a piece sink takes
 * samples [L, end) onto a descriptor, and audio_sink_join() appends the
 * piece. LAME's padding at the end of the first stream (576 samples) and
 * its encoder delay at the start of the piece (576) decode as the gap's
 * samples (near silence), so the joined file decodes to exactly as many
 * samples as one encode would, every sample where it would be. The Info
 * frame's counts, seek table, padding and CRCs are rewritten for the whole
 * stream, as LAME would have written them.
 */
/* The gap: 1152 samples (one frame) for splittable settings, else 0. */
int audio_join_gap(const struct audio_settings *s);
struct audio_piece {
	long long frames;   /* samples encoded, with the padding to a frame */
	long long bytes;    /* MP3 bytes written to the descriptor */
	int padding;        /* LAME's padding at its end */
};
/*
 * Opens a sink writing a piece's MP3 frames (no Info frame, no tag) to fd
 * from its current offset; `path` names the output in messages. Returns 0
 * or -1 (printed).
 */
int audio_piece_open(struct audio_sink **out, int fd, const char *path,
		     const struct audio_settings *s);
/* Ends the piece on a frame boundary and flushes it; frees k. 0 or -1 (printed). */
int audio_piece_finish(struct audio_sink *k, struct audio_piece *piece);
/*
 * Ends k's own stream (k has been given a multiple of the gap) and appends
 * the piece in fd (from offset 0). Afterwards only audio_sink_finish() or
 * audio_sink_abort(). Returns 0 or -1 (printed).
 */
int audio_sink_join(struct audio_sink *k, int fd, const struct audio_piece *piece);
/*
 * Rewrites the Xing/Info and LAME fields of the Info frame `info` (len
 * bytes) for the CBR stream of `bytes` bytes at `start` in fd (the Info
 * frame first, then the audio frames): frame count, byte count, seek
 * table, padding, music length and CRC, the tag's CRC. 0 or -1 (printed).
 */
int mp3_info_update(unsigned char *info, size_t len, int fd, long long start,
		    long long bytes, int kbps, int padding);

/*
 * Builds an ID3v2.3 tag for meta (UTF-16 text frames TIT2, TPE1, TALB,
 * TYER, COMM, TCON, TLEN when duration_ms > 0, APIC, CHAP and CTOC) into
 * out. Returns 0 or -1 (printed, e.g. an unreadable cover).
 * The tag is appended to out; on failure out is left as it was. At most
 * 255 chapters; covers up to 2 MiB, JPEG or PNG.
 */
struct strbuf;
int id3_build(struct strbuf *out, const struct audio_meta *meta, long long duration_ms);

#endif
