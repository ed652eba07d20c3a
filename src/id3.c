/*
 * id3.c - an ID3v2.3 tag written by hand.
 *
 * LAME's own tag writer takes Latin-1 (or limited UTF-16) and knows nothing
 * of chapters, so the MP3 sink writes its own tag: UTF-16 text frames, a
 * cover picture, and the chapter frames of the "ID3v2 Chapter Frame
 * Addendum" (CTOC + CHAP). The layout, for reference:
 *
 *   header   "ID3" 03 00 flags(0) size(4 bytes, syncsafe, excludes header)
 *   frame    id(4) size(4 bytes, plain big-endian in v2.3) flags(2)
 *   text     01 FF FE <UTF-16LE text>          (encoding 1: UTF-16 + BOM)
 *   COMM     01 "eng" FF FE 00 00 FF FE <text> (empty description)
 *   APIC     00 <mime> 00 03 00 <image>        (type 3: front cover)
 *   CTOC     "toc" 00 03 <count> "ch0" 00 ...  (top-level, ordered)
 *   CHAP     "chN" 00 start(ms) end(ms) FFFFFFFF FFFFFFFF <TIT2 sub-frame>
 *
 * There is no padding and nothing time- or environment-dependent: the
 * same meta gives the same bytes.
 */
#include "audio.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define ID3_HEADER_SIZE 10
#define ID3_MAX_TAG_SIZE 0x0fffffffu     /* 28 bits: syncsafe size */
#define ID3_MAX_COVER (2u * 1024 * 1024)
#define ID3_MAX_CHAPTERS 255             /* CTOC's entry count is one byte */
#define ID3_MAX_MS 0xfffffffeu           /* 0xffffffff would read as "unset" */

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void add_be32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4];

	put_be32(b, v);
	strbuf_add(sb, b, 4);
}

/* Appends the 16-bit code unit u, little-endian. */
static void add_u16le(struct strbuf *sb, unsigned u)
{
	strbuf_addch(sb, (int)(u & 0xff));
	strbuf_addch(sb, (int)((u >> 8) & 0xff));
}

/*
 * Appends s as UTF-16LE with a byte order mark and no terminator. Invalid
 * UTF-8 is replaced by U+FFFD, code points above U+FFFF become surrogate
 * pairs. Never fails.
 */
static void add_utf16(struct strbuf *sb, const char *s)
{
	const char *p = s, *end = s + strlen(s);

	add_u16le(sb, 0xfeff);
	while (p < end) {
		long cp = utf8_decode(&p, end);

		if (cp < 0)
			cp = 0xfffd;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			add_u16le(sb, 0xd800 | (unsigned)(cp >> 10));
			add_u16le(sb, 0xdc00 | (unsigned)(cp & 0x3ff));
		} else {
			add_u16le(sb, (unsigned)cp);
		}
	}
}

/*
 * Starts a frame with id `id` and a size to be filled in by frame_end().
 * Returns the offset of the frame header.
 */
static size_t frame_begin(struct strbuf *sb, const char *id)
{
	static const unsigned char zero[6];
	size_t at = sb->len;

	strbuf_add(sb, id, 4);
	strbuf_add(sb, zero, 6);	/* size and flags */
	return at;
}

/* Fills in the size of the frame that frame_begin() started at `at`. */
static void frame_end(struct strbuf *sb, size_t at)
{
	size_t size = sb->len - at - ID3_HEADER_SIZE;

	put_be32((unsigned char *)sb->buf + at + 4, (uint32_t)size);
}

/* Appends text frame `id` holding `text`; nothing when text is NULL or "". */
static void add_text_frame(struct strbuf *sb, const char *id, const char *text)
{
	size_t at;

	if (!text || !*text)
		return;
	at = frame_begin(sb, id);
	strbuf_addch(sb, 1);	/* UTF-16 with BOM */
	add_utf16(sb, text);
	frame_end(sb, at);
}

/* Appends a COMM frame (language "eng", empty description) unless empty. */
static void add_comment(struct strbuf *sb, const char *text)
{
	size_t at;

	if (!text || !*text)
		return;
	at = frame_begin(sb, "COMM");
	strbuf_addch(sb, 1);
	strbuf_add(sb, "eng", 3);
	add_utf16(sb, "");
	add_u16le(sb, 0);	/* end of the description */
	add_utf16(sb, text);
	frame_end(sb, at);
}

/*
 * Appends TYER with the first four characters of `year` when they are
 * digits ("2024" or "2024-05-01"); otherwise warns and writes nothing.
 */
static void add_year(struct strbuf *sb, const char *year)
{
	char y[5];
	int i;

	if (!year || !*year)
		return;
	for (i = 0; i < 4; i++) {
		if (year[i] < '0' || year[i] > '9') {
			warning("ignoring year '%s': it does not start with four digits", year);
			return;
		}
		y[i] = year[i];
	}
	y[4] = '\0';
	add_text_frame(sb, "TYER", y);
}

/* The MIME type of a JPEG or PNG image from its magic bytes, or NULL. */
static const char *image_mime(const unsigned char *p, size_t len)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (len >= 8 && !memcmp(p, png, 8))
		return "image/png";
	return NULL;
}

/*
 * Appends an APIC frame (front cover) with the image at `path`. Fails,
 * printing an error that names the file, when it cannot be read, is larger
 * than 2 MiB, or is neither JPEG nor PNG.
 */
static int add_picture(struct strbuf *sb, const char *path)
{
	struct strbuf img = STRBUF_INIT;
	const char *mime;
	size_t at;
	int ret = -1;

	if (read_file(path, &img, ID3_MAX_COVER))
		goto out;
	mime = image_mime((const unsigned char *)img.buf, img.len);
	if (!mime) {
		error("cover '%s' is not a JPEG or PNG image", path);
		goto out;
	}
	at = frame_begin(sb, "APIC");
	strbuf_addch(sb, 0);		/* Latin-1 */
	strbuf_add(sb, mime, strlen(mime) + 1);
	strbuf_addch(sb, 3);		/* front cover */
	strbuf_addch(sb, 0);		/* empty description */
	strbuf_add(sb, img.buf, img.len);
	frame_end(sb, at);
	ret = 0;
out:
	strbuf_release(&img);
	return ret;
}

/*
 * Converts a chapter time in seconds to milliseconds. Fails (printing an
 * error naming the chapter) when it is negative, not finite or too large.
 */
static int chapter_ms(double t, size_t i, uint32_t *ms)
{
	double v;

	if (!isfinite(t) || t < 0)
		return error("chapter %zu has an invalid time (%g s)", i + 1, t);
	v = floor(t * 1000.0 + 0.5);
	if (v > (double)ID3_MAX_MS)
		return error("chapter %zu starts or ends too late (%g s)", i + 1, t);
	*ms = (uint32_t)v;
	return 0;
}

/* Appends one CHAP frame, element id "ch<i>", with a TIT2 sub-frame. */
static int add_chap(struct strbuf *sb, const struct chapter *c, size_t i)
{
	uint32_t start, end;
	size_t at;
	char id[32];

	if (chapter_ms(c->start, i, &start) || chapter_ms(c->end, i, &end))
		return -1;
	if (end < start)
		return error("chapter %zu ends (%g s) before it starts (%g s)",
			     i + 1, c->end, c->start);
	snprintf(id, sizeof(id), "ch%zu", i);
	at = frame_begin(sb, "CHAP");
	strbuf_add(sb, id, strlen(id) + 1);
	add_be32(sb, start);
	add_be32(sb, end);
	add_be32(sb, 0xffffffffu);	/* no byte offsets: use the times */
	add_be32(sb, 0xffffffffu);
	add_text_frame(sb, "TIT2", c->title);
	frame_end(sb, at);
	return 0;
}

/*
 * Appends the table of contents (CTOC "toc", top-level and ordered, listing
 * ch0..chN) and one CHAP per chapter. Fails on more than 255 chapters or
 * on an invalid time (printed).
 */
static int add_chapters(struct strbuf *sb, const struct chapter *ch, size_t n)
{
	size_t at, i;
	char id[32];

	if (!n)
		return 0;
	if (n > ID3_MAX_CHAPTERS)
		return error("too many chapters (%zu; the limit is %d)", n, ID3_MAX_CHAPTERS);
	at = frame_begin(sb, "CTOC");
	strbuf_add(sb, "toc", 4);
	strbuf_addch(sb, 0x03);		/* top-level | ordered */
	strbuf_addch(sb, (int)n);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "ch%zu", i);
		strbuf_add(sb, id, strlen(id) + 1);
	}
	frame_end(sb, at);
	for (i = 0; i < n; i++)
		if (add_chap(sb, &ch[i], i))
			return -1;
	return 0;
}

/* Appends all frames of meta to sb. Returns 0 or -1 (printed). */
static int add_frames(struct strbuf *sb, const struct audio_meta *meta,
		      long long duration_ms)
{
	char len[32];

	add_text_frame(sb, "TIT2", meta->title);
	add_text_frame(sb, "TPE1", meta->artist);
	add_text_frame(sb, "TALB", meta->album);
	add_year(sb, meta->year);
	add_text_frame(sb, "TCON", meta->genre ? meta->genre : "Podcast");
	if (duration_ms > 0) {
		snprintf(len, sizeof(len), "%lld", duration_ms);
		add_text_frame(sb, "TLEN", len);
	}
	add_comment(sb, meta->comment);
	if (meta->cover_path && add_picture(sb, meta->cover_path))
		return -1;
	if (meta->nr_chapters && !meta->chapters)
		return error("internal: %zu chapters without a chapter list", meta->nr_chapters);
	return add_chapters(sb, meta->chapters, meta->nr_chapters);
}

/*
 * Appends an ID3v2.3 tag for meta to out (see the top of this file).
 * meta may be NULL (a tag with only the genre and length). On failure
 * (printed: an unreadable or unsupported cover, bad chapter times, a tag
 * over 256 MiB) out is left as it was and -1 is returned.
 */
int id3_build(struct strbuf *out, const struct audio_meta *meta, long long duration_ms)
{
	static const struct audio_meta empty;
	size_t start = out->len, size;
	unsigned char *h;

	strbuf_add(out, "ID3\x03\x00\x00\x00\x00\x00\x00", ID3_HEADER_SIZE);
	if (add_frames(out, meta ? meta : &empty, duration_ms))
		goto fail;
	size = out->len - start - ID3_HEADER_SIZE;
	if (size > ID3_MAX_TAG_SIZE) {
		error("ID3 tag too large (%zu bytes)", size);
		goto fail;
	}
	h = (unsigned char *)out->buf + start;
	h[6] = (unsigned char)((size >> 21) & 0x7f);
	h[7] = (unsigned char)((size >> 14) & 0x7f);
	h[8] = (unsigned char)((size >> 7) & 0x7f);
	h[9] = (unsigned char)(size & 0x7f);
	return 0;
fail:
	out->len = start;
	if (out->alloc)
		out->buf[start] = '\0';
	return -1;
}
