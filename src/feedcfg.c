/*
 * feedcfg.c - see feedcfg.h.
 *
 * feed.ini is read in two passes. inih hands every key to a handler that
 * only records the raw value and its line (reporting unknown sections and
 * keys on the spot); then every value is checked and converted. Nothing
 * stops at the first problem: each one is printed as "PATH:LINE: message"
 * and counted, and the load fails when the count is not zero.
 *
 * inih does not tell its handler the line number, so the file is fed to
 * it through our own line reader (ini_parse_stream), which counts lines
 * and also notices the lines inih rejects without calling the handler.
 */
#include "feedcfg.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>    /* before jpeglib.h, which needs FILE */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>
#include <jpeglib.h>
#include <png.h>
#include <uuid/uuid.h>

/* Apple's square cover limits, in pixels. */
#define COVER_MIN 1400
#define COVER_MAX 3000

/* The namespace of podcast:guid UUIDv5s (Podcasting 2.0). */
static const uuid_t podcast_guid_namespace = {  /* ead4c236-bf58-58c6-a2c6-a6b28d128cb6 */
	0xea, 0xd4, 0xc2, 0x36, 0xbf, 0x58, 0x58, 0xc6,
	0xa2, 0xc6, 0xa6, 0xb2, 0x8d, 0x12, 0x8c, 0xb6
};

/*
 * Apple Podcasts' categories and their subcategories, spelt exactly as a
 * feed must give them in <itunes:category text="...">.
 */
static const struct {
	const char *name;
	const char *subs[16];   /* NULL-terminated */
} apple_categories[] = {
	{ "Arts", { "Books", "Design", "Fashion & Beauty", "Food",
		    "Performing Arts", "Visual Arts" } },
	{ "Business", { "Careers", "Entrepreneurship", "Investing",
			"Management", "Marketing", "Non-Profit" } },
	{ "Comedy", { "Comedy Interviews", "Improv", "Stand-Up" } },
	{ "Education", { "Courses", "How To", "Language Learning",
			 "Self-Improvement" } },
	{ "Fiction", { "Comedy Fiction", "Drama", "Science Fiction" } },
	{ "Government", { NULL } },
	{ "History", { NULL } },
	{ "Health & Fitness", { "Alternative Health", "Fitness", "Medicine",
				"Mental Health", "Nutrition", "Sexuality" } },
	{ "Kids & Family", { "Education for Kids", "Parenting",
			     "Pets & Animals", "Stories for Kids" } },
	{ "Leisure", { "Animation & Manga", "Automotive", "Aviation", "Crafts",
		       "Games", "Hobbies", "Home & Garden", "Video Games" } },
	{ "Music", { "Music Commentary", "Music History", "Music Interviews" } },
	{ "News", { "Business News", "Daily News", "Entertainment News",
		    "News Commentary", "Politics", "Sports News", "Tech News" } },
	{ "Religion & Spirituality", { "Buddhism", "Christianity", "Hinduism",
				       "Islam", "Judaism", "Religion",
				       "Spirituality" } },
	{ "Science", { "Astronomy", "Chemistry", "Earth Sciences",
		       "Life Sciences", "Mathematics", "Natural Sciences",
		       "Nature", "Physics", "Social Sciences" } },
	{ "Society & Culture", { "Documentary", "Personal Journals",
				 "Philosophy", "Places & Travel",
				 "Relationships" } },
	{ "Sports", { "Baseball", "Basketball", "Cricket", "Fantasy Sports",
		      "Football", "Golf", "Hockey", "Rugby", "Running",
		      "Soccer", "Swimming", "Tennis", "Volleyball",
		      "Wilderness", "Wrestling" } },
	{ "Technology", { NULL } },
	{ "True Crime", { NULL } },
	{ "TV & Film", { "After Shows", "Film History", "Film Interviews",
			 "Film Reviews", "TV Reviews" } },
};

/* MPEG-1 layer III bit rates, kbit/s. */
static const int mp3_bitrates[] = {
	32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320
};

/* Every key feed.ini knows, one line each. */
enum key_id {
	K_TITLE, K_DESCRIPTION, K_LINK, K_BASE_URL, K_LANGUAGE, K_AUTHOR,
	K_COPYRIGHT, K_IMAGE, K_CATEGORY, K_SUBCATEGORY, K_EXPLICIT, K_TYPE,
	K_LOCKED, K_GUID,
	K_OWNER_NAME, K_OWNER_EMAIL,
	K_VOICE, K_LEXICON,
	K_BITRATE, K_VBR, K_QUALITY, K_SAMPLE_RATE, K_LOUDNESS,
	K_REVIEWS_DIR,
	NR_KEYS
};

#define F_REQUIRED  1   /* must be present and not empty */
#define F_TEXT      2   /* prose: indented lines continue it */
#define F_PARAGRAPH 4   /* continuation lines are joined with a newline */

static const struct key_def {
	const char *section;
	const char *name;
	unsigned flags;
} keys[NR_KEYS] = {
	[K_TITLE]       = { "podcast", "title", F_REQUIRED | F_TEXT },
	[K_DESCRIPTION] = { "podcast", "description", F_REQUIRED | F_TEXT | F_PARAGRAPH },
	[K_LINK]        = { "podcast", "link", F_REQUIRED },
	[K_BASE_URL]    = { "podcast", "base_url", F_REQUIRED },
	[K_LANGUAGE]    = { "podcast", "language", F_REQUIRED },
	[K_AUTHOR]      = { "podcast", "author", F_REQUIRED | F_TEXT },
	[K_COPYRIGHT]   = { "podcast", "copyright", F_TEXT },
	[K_IMAGE]       = { "podcast", "image", F_REQUIRED },
	[K_CATEGORY]    = { "podcast", "category", F_REQUIRED },
	[K_SUBCATEGORY] = { "podcast", "subcategory", 0 },
	[K_EXPLICIT]    = { "podcast", "explicit", 0 },
	[K_TYPE]        = { "podcast", "type", 0 },
	[K_LOCKED]      = { "podcast", "locked", 0 },
	[K_GUID]        = { "podcast", "guid", 0 },
	[K_OWNER_NAME]  = { "owner", "name", F_TEXT },
	[K_OWNER_EMAIL] = { "owner", "email", F_REQUIRED },
	[K_VOICE]       = { "voice", "default", 0 },
	[K_LEXICON]     = { "voice", "lexicon", 0 },
	[K_BITRATE]     = { "audio", "bitrate", 0 },
	[K_VBR]         = { "audio", "vbr", 0 },
	[K_QUALITY]     = { "audio", "quality", 0 },
	[K_SAMPLE_RATE] = { "audio", "sample_rate", 0 },
	[K_LOUDNESS]    = { "audio", "loudness", 0 },
	[K_REVIEWS_DIR] = { "reviews", "dir", 0 },
};

/* What a line of feed.ini looks like to inih. */
enum line_kind { LINE_SKIP, LINE_SECTION, LINE_CONT, LINE_KEY };

struct load_state {
	const char *path;      /* DIR/feed.ini, for messages */
	const char *p, *end;   /* the part of the file not yet given to inih */
	int line;              /* the line inih is working on (1-based) */
	enum line_kind kind;   /* what that line is */
	int calls;             /* handler calls for it */
	int too_long;          /* it was cut short (already reported) */
	int in_key;            /* a key was read since the last header, so an
				  indented line continues it (inih's prev_name) */
	int last_key;          /* the key an indented line continues, or -1 */
	char *value[NR_KEYS];  /* raw values */
	int line_of[NR_KEYS];  /* and their lines; 0 when absent */
	int skip[NR_KEYS];     /* not to be checked (already reported) */
	int errors;
};

static void report(struct load_state *st, int line, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/*
 * Prints one problem of the file being loaded, as "PATH:LINE: message"
 * (or "PATH: message" when line is 0), and counts it.
 */
static void report(struct load_state *st, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		error("%s:%d: %s", st->path, line, msg);
	else
		error("%s: %s", st->path, msg);
	st->errors++;
}

/* Whether name is one of the sections feed.ini knows. */
static int section_known(const char *name)
{
	size_t i;

	for (i = 0; i < NR_KEYS; i++)
		if (!strcmp(keys[i].section, name))
			return 1;
	return 0;
}

/* The key `name` in `section`, or -1. */
static int key_find(const char *section, const char *name)
{
	int i;

	for (i = 0; i < NR_KEYS; i++)
		if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
			return i;
	return -1;
}

/*
 * Decides what inih will make of the line in str, as inih itself does:
 * blank and comment lines are skipped, an indented line after a key
 * continues it, "[name]" starts a section, anything else should be
 * "key = value". Reports unknown sections and broken headers here, since
 * inih never shows them to the handler.
 */
static void classify_line(struct load_state *st, const char *str)
{
	const char *s = str, *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == ';' || *s == '#') {
		st->kind = LINE_SKIP;
	} else if (s > str && st->in_key) {
		st->kind = LINE_CONT;
	} else if (*s == '[') {
		/* inih stops looking for ']' at an inline " ;" comment */
		for (end = s + 1; *end && *end != ']'; end++)
			if (*end == ';' && isspace((unsigned char)end[-1]))
				break;
		st->kind = LINE_SKIP;
		if (*end != ']') {
			report(st, st->line, "missing ']' in the section header");
			return;
		}
		st->kind = LINE_SECTION;
		st->in_key = 0;
		st->last_key = -1;
		{
			char *name = xstrndup(s + 1, (size_t)(end - s - 1));

			if (!section_known(name))
				report(st, st->line, "unknown section [%s]", name);
			free(name);
		}
	} else {
		st->kind = LINE_KEY;
	}
}

/* Checks what inih did with the line it has just finished. */
static void finish_line(struct load_state *st)
{
	if (st->line && st->kind == LINE_KEY && !st->calls && !st->too_long)
		report(st, st->line, "expected 'key = value' or a [section] header");
}

/*
 * inih's fgets-like reader: hands over the next line of the file, without
 * its newline. A line that does not fit inih's buffer (num - 1 bytes) is
 * reported and handed over cut short.
 */
static char *ini_read_line(char *str, int num, void *stream)
{
	struct load_state *st = stream;
	const char *nl, *start;
	size_t len, max;

	finish_line(st);
	if (st->p >= st->end)
		return NULL;
	start = st->p;
	nl = memchr(start, '\n', (size_t)(st->end - start));
	len = nl ? (size_t)(nl - start) : (size_t)(st->end - start);
	st->p = nl ? nl + 1 : st->end;
	st->line++;
	st->calls = 0;
	st->too_long = 0;
	if (st->line == 1 && len >= 3 && !memcmp(start, "\xef\xbb\xbf", 3)) {
		start += 3;  /* a UTF-8 byte order mark */
		len -= 3;
	}
	max = num > 1 ? (size_t)num - 1 : 0;
	if (len > max) {
		report(st, st->line,
		       "line is longer than %zu bytes; continue a long value on indented lines",
		       max);
		len = max;
		st->too_long = 1;
	}
	memcpy(str, start, len);
	str[len] = '\0';
	classify_line(st, str);
	return str;
}

/*
 * inih's handler: records one raw value and its line. Unknown keys,
 * duplicates and continuation lines of keys that take one line are
 * reported. Always returns 1: every problem is reported here, not by
 * inih's return value.
 */
static int ini_handle(void *user, const char *section, const char *name,
		      const char *value)
{
	struct load_state *st = user;
	int id;

	st->calls++;
	if (st->kind == LINE_CONT) {
		id = st->last_key;
		if (id < 0)
			return 1;   /* continues a key already reported */
		if (!(keys[id].flags & F_TEXT)) {
			report(st, st->line,
			       "'%s' takes a single line; this indented line would continue it",
			       keys[id].name);
			st->skip[id] = 1;
			st->last_key = -1;
			return 1;
		}
		{
			char *joined = xasprintf("%s%s%s", st->value[id],
						 keys[id].flags & F_PARAGRAPH ? "\n" : " ",
						 value);

			free(st->value[id]);
			st->value[id] = joined;
		}
		if (st->too_long)
			st->skip[id] = 1;
		return 1;
	}

	st->in_key = 1;
	st->last_key = -1;
	if (!*name) {
		report(st, st->line, "a key name is missing before '='");
		return 1;
	}
	if (!*section) {
		report(st, st->line, "'%s' is outside any section", name);
		return 1;
	}
	if (!section_known(section))
		return 1;   /* reported at its header */
	id = key_find(section, name);
	if (id < 0) {
		for (id = 0; id < NR_KEYS; id++)
			if (!strcmp(keys[id].name, name))
				break;
		if (id < NR_KEYS)
			report(st, st->line, "unknown key '%s' in [%s] (it belongs in [%s])",
			       name, section, keys[id].section);
		else
			report(st, st->line, "unknown key '%s' in [%s]", name, section);
		return 1;
	}
	if (st->value[id]) {
		report(st, st->line, "'%s' in [%s] is set twice (first on line %d)",
		       name, section, st->line_of[id]);
		return 1;
	}
	st->value[id] = xstrdup(value);
	st->line_of[id] = st->line;
	st->last_key = id;
	if (st->too_long)
		st->skip[id] = 1;
	return 1;
}

/* Whether s is an absolute http:// or https:// URL of printable ASCII. */
static int valid_http_url(const char *s)
{
	const char *host, *p;

	if (!strncasecmp(s, "https://", 8))
		host = s + 8;
	else if (!strncasecmp(s, "http://", 7))
		host = s + 7;
	else
		return 0;
	if (!*host || strchr("/?#:@", *host))
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"<>\\^`{|}", *p))
			return 0;
	return 1;
}

/*
 * Whether s looks like a language tag (BCP 47, as RSS and Apple take it):
 * a 2-3 letter language, then subtags of 1-8 letters or digits, joined
 * with '-': "en", "en-GB", "pt-BR", "zh-Hant-TW".
 */
static int valid_language(const char *s)
{
	size_t n = 0;

	while (isalpha((unsigned char)s[n]) && !((unsigned char)s[n] & 0x80))
		n++;
	if (n < 2 || n > 3)
		return 0;
	s += n;
	while (*s) {
		if (*s++ != '-')
			return 0;
		for (n = 0; isalnum((unsigned char)s[n]) && !((unsigned char)s[n] & 0x80); n++)
			;
		if (n < 1 || n > 8)
			return 0;
		s += n;
	}
	return 1;
}

/*
 * Whether s looks like an e-mail address: a local part of printable ASCII
 * without spaces or specials, '@', and a domain of at least two dotted
 * labels of letters, digits and inner hyphens.
 */
static int valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *p, *label;
	int labels = 0;

	if (!at || at == s || at - s > 64 || strchr(at + 1, '@'))
		return 0;
	if (*s == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("()<>[]:;,\"\\", *p))
			return 0;
		if (*p == '.' && p[1] == '.')
			return 0;
	}
	label = at + 1;
	for (;;) {
		size_t n = 0;

		for (; label[n] && label[n] != '.'; n++) {
			unsigned char ch = (unsigned char)label[n];

			if (ch >= 0x80 || !(isalnum(ch) || ch == '-'))
				return 0;
		}
		if (!n || label[0] == '-' || label[n - 1] == '-' || n > 63)
			return 0;
		labels++;
		if (!label[n])
			break;
		label += n + 1;
	}
	return labels >= 2;
}

/* A path from feed.ini: as it is when absolute, else under dir. New string. */
static char *resolve_path(const char *dir, const char *value)
{
	if (value[0] == '/')
		return xstrdup(value);
	return path_join(dir, value);
}

/* The feed's name: the last component of dir (or of its real path). */
static char *feed_name(const char *dir)
{
	size_t len = strlen(dir);
	char *trimmed, *real, *name;
	const char *base;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	trimmed = xstrndup(dir, len);
	base = path_base(trimmed);
	if (*base && strcmp(base, ".") && strcmp(base, "..")) {
		name = xstrdup(base);
		free(trimmed);
		return name;
	}
	real = realpath(trimmed, NULL);
	name = xstrdup(real ? path_base(real) : base);
	free(real);
	free(trimmed);
	return name;
}

/*
 * Checks a category pair against Apple's list and, when it is not in it,
 * says why in msg (suggesting the right spelling when only the case or
 * the spacing differs). Returns 0 when valid, -1 for a bad category, -2
 * for a bad subcategory.
 */
static int check_category(const char *category, const char *subcategory,
			  struct strbuf *msg)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(apple_categories); i++)
		if (!strcmp(apple_categories[i].name, category))
			break;
	if (i == ARRAY_SIZE(apple_categories)) {
		strbuf_addf(msg, "'%s' is not an Apple Podcasts category", category);
		for (i = 0; i < ARRAY_SIZE(apple_categories); i++)
			if (!strcasecmp(apple_categories[i].name, category))
				break;
		if (i < ARRAY_SIZE(apple_categories)) {
			strbuf_addf(msg, " (did you mean '%s'?)", apple_categories[i].name);
		} else {
			strbuf_addstr(msg, "; the categories are ");
			for (i = 0; i < ARRAY_SIZE(apple_categories); i++)
				strbuf_addf(msg, "%s'%s'", i ? ", " : "",
					    apple_categories[i].name);
		}
		return -1;
	}
	if (!subcategory || !*subcategory)
		return 0;
	for (j = 0; apple_categories[i].subs[j]; j++)
		if (!strcmp(apple_categories[i].subs[j], subcategory))
			return 0;
	strbuf_addf(msg, "'%s' is not an Apple Podcasts subcategory of '%s'",
		    subcategory, category);
	for (j = 0; apple_categories[i].subs[j]; j++)
		if (!strcasecmp(apple_categories[i].subs[j], subcategory))
			break;
	if (apple_categories[i].subs[j]) {
		strbuf_addf(msg, " (did you mean '%s'?)", apple_categories[i].subs[j]);
	} else if (!apple_categories[i].subs[0]) {
		strbuf_addf(msg, "; '%s' has no subcategories", category);
	} else {
		strbuf_addstr(msg, "; its subcategories are ");
		for (j = 0; apple_categories[i].subs[j]; j++)
			strbuf_addf(msg, "%s'%s'", j ? ", " : "",
				    apple_categories[i].subs[j]);
	}
	return -2;
}

/* Whether category (and subcategory, may be NULL or "") is in Apple's list. */
int apple_category_valid(const char *category, const char *subcategory)
{
	struct strbuf msg = STRBUF_INIT;
	int ret;

	if (!category)
		return 0;
	ret = check_category(category, subcategory, &msg);
	strbuf_release(&msg);
	return ret == 0;
}

/* Cover images */

enum image_format { IMAGE_UNKNOWN, IMAGE_PNG, IMAGE_JPEG };

/* What libpng's and libjpeg's error handlers need to jump back to us. */
struct image_error {
	jmp_buf jmp;
	char msg[JMSG_LENGTH_MAX > 256 ? JMSG_LENGTH_MAX : 256];
};

/* libpng's error callback: keeps the message and jumps back. */
static void png_on_error(png_structp png, png_const_charp msg)
{
	struct image_error *e = png_get_error_ptr(png);

	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	longjmp(e->jmp, 1);
}

/* libpng's warning callback: warnings about a header are not our business. */
static void png_on_warning(png_structp png, png_const_charp msg)
{
}

/*
 * Reads the PNG header of fp (positioned at the start) into width,
 * height, colour type and bit depth. Returns 0, or -1 with why in
 * e->msg.
 */
static int png_read_header(FILE *fp, struct image_error *e, png_uint_32 *w,
			   png_uint_32 *h, int *color_type, int *bit_depth)
{
	png_structp png;
	png_infop info;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, e, png_on_error,
				     png_on_warning);
	if (!png) {
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return -1;
	}
	info = png_create_info_struct(png);
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return -1;
	}
	if (setjmp(e->jmp)) {
		/* e->msg holds libpng's message */
		png_destroy_read_struct(&png, &info, NULL);
		return -1;
	}
	png_init_io(png, fp);
	png_read_info(png, info);
	png_get_IHDR(png, info, w, h, bit_depth, color_type, NULL, NULL, NULL);
	png_destroy_read_struct(&png, &info, NULL);
	return 0;
}

/* libjpeg's error manager, with our jump back. */
struct jpeg_error {
	struct jpeg_error_mgr mgr;   /* first: libjpeg casts to it */
	struct image_error *e;
};

/* libjpeg's fatal error callback: keeps the message and jumps back. */
static void jpeg_on_error(j_common_ptr cinfo)
{
	struct jpeg_error *je = (struct jpeg_error *)cinfo->err;

	(*cinfo->err->format_message)(cinfo, je->e->msg);
	longjmp(je->e->jmp, 1);
}

/* libjpeg's message callback: silent (it would print to stderr). */
static void jpeg_on_message(j_common_ptr cinfo)
{
}

/*
 * Reads the JPEG header of fp into width, height, components and colour
 * space. Returns 0, or -1 with why in e->msg; a corrupt file is an error,
 * never an exit.
 */
static int jpeg_read_header_of(FILE *fp, struct image_error *e,
			       unsigned *w, unsigned *h, int *components,
			       J_COLOR_SPACE *space)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_error jerr;

	memset(&cinfo, 0, sizeof(cinfo));  /* so that destroy is safe at once */
	cinfo.err = jpeg_std_error(&jerr.mgr);
	jerr.mgr.error_exit = jpeg_on_error;
	jerr.mgr.output_message = jpeg_on_message;
	jerr.e = e;
	if (setjmp(e->jmp)) {
		/* e->msg holds libjpeg's message */
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_stdio_src(&cinfo, fp);
	jpeg_read_header(&cinfo, TRUE);
	*w = cinfo.image_width;
	*h = cinfo.image_height;
	*components = cinfo.num_components;
	*space = cinfo.jpeg_color_space;
	jpeg_destroy_decompress(&cinfo);
	return 0;
}

/*
 * The work of cover_check(): the same checks, but the reason for a
 * refusal goes into msg instead of standard error, so that the feed
 * configuration can put its own file and line in front. Sets *format.
 */
static int cover_probe(const char *path, int *width, int *height,
		       enum image_format *format, struct strbuf *msg)
{
	static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char magic[8];
	struct image_error e;
	unsigned long w = 0, h = 0;
	FILE *fp;
	size_t n;
	int ret = -1;

	*format = IMAGE_UNKNOWN;
	e.msg[0] = '\0';
	fp = fopen(path, "rb");
	if (!fp) {
		strbuf_addf(msg, "cannot open cover image '%s': %s", path, strerror(errno));
		return -1;
	}
	n = fread(magic, 1, sizeof(magic), fp);
	rewind(fp);
	if (n == sizeof(magic) && !memcmp(magic, png_magic, sizeof(magic))) {
		png_uint_32 pw, ph;
		int color_type, bit_depth;

		*format = IMAGE_PNG;
		if (png_read_header(fp, &e, &pw, &ph, &color_type, &bit_depth)) {
			strbuf_addf(msg, "cannot read PNG image '%s': %s", path, e.msg);
			goto out;
		}
		w = pw;
		h = ph;
		if (color_type == PNG_COLOR_TYPE_GRAY) {
			strbuf_addf(msg, "'%s' is greyscale; Apple wants an RGB image", path);
			goto out;
		} else if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
			strbuf_addf(msg, "'%s' is greyscale with an alpha channel; Apple wants an RGB image without transparency", path);
			goto out;
		} else if (color_type == PNG_COLOR_TYPE_PALETTE) {
			strbuf_addf(msg, "'%s' uses a colour palette; Apple wants an RGB image (save it as truecolour)", path);
			goto out;
		} else if (color_type == PNG_COLOR_TYPE_RGB_ALPHA) {
			strbuf_addf(msg, "'%s' has an alpha channel; Apple wants an RGB image without transparency", path);
			goto out;
		} else if (color_type != PNG_COLOR_TYPE_RGB) {
			strbuf_addf(msg, "'%s' has an unknown colour type %d; Apple wants an RGB image", path, color_type);
			goto out;
		}
		if (bit_depth != 8) {
			strbuf_addf(msg, "'%s' has %d bits per channel; Apple wants 8", path, bit_depth);
			goto out;
		}
	} else if (n >= 3 && magic[0] == 0xff && magic[1] == 0xd8 && magic[2] == 0xff) {
		unsigned jw, jh;
		int components;
		J_COLOR_SPACE space;

		*format = IMAGE_JPEG;
		if (jpeg_read_header_of(fp, &e, &jw, &jh, &components, &space)) {
			strbuf_addf(msg, "cannot read JPEG image '%s': %s", path, e.msg);
			goto out;
		}
		w = jw;
		h = jh;
		if (space == JCS_GRAYSCALE || components == 1) {
			strbuf_addf(msg, "'%s' is greyscale; Apple wants an RGB image", path);
			goto out;
		} else if (space == JCS_CMYK || space == JCS_YCCK || components == 4) {
			strbuf_addf(msg, "'%s' is CMYK; Apple wants an RGB image", path);
			goto out;
		} else if (components != 3 || (space != JCS_YCbCr && space != JCS_RGB)) {
			strbuf_addf(msg, "'%s' has an unusual colour space (%d components); Apple wants an RGB image",
				    path, components);
			goto out;
		}
	} else {
		strbuf_addf(msg, "'%s' is neither a PNG nor a JPEG image", path);
		goto out;
	}

	if (w != h || w < COVER_MIN || w > COVER_MAX) {
		strbuf_addf(msg, "'%s' is %lux%lu pixels; Apple wants a square image of %d to %d pixels",
			    path, w, h, COVER_MIN, COVER_MAX);
		goto out;
	}
	if (width)
		*width = (int)w;
	if (height)
		*height = (int)h;
	ret = 0;
out:
	fclose(fp);
	return ret;
}

/*
 * Checks a cover image (JPEG or PNG by its magic bytes): square, 1400 to
 * 3000 pixels, 8-bit RGB. Fills width/height when not NULL and valid.
 * Returns 0, or -1 after printing why, naming the file.
 */
int cover_check(const char *path, int *width, int *height)
{
	struct strbuf msg = STRBUF_INIT;
	enum image_format format;
	int ret = 0;

	if (cover_probe(path, width, height, &format, &msg))
		ret = error("%s", msg.buf);
	strbuf_release(&msg);
	return ret;
}

/* Configuration */

/* Empties c without allocating: every string NULL, every default set. */
void feed_config_init(struct feed_config *c)
{
	memset(c, 0, sizeof(*c));
	c->explicit_flag = 0;
	c->serial = 0;
	c->locked = 1;
	audio_settings_init(&c->audio);
	c->audio.format = AUDIO_MP3;
	c->loudness = -16.0;
}

/* Frees every string of c and leaves it as after feed_config_init(). */
void feed_config_release(struct feed_config *c)
{
	free(c->name);
	free(c->dir);
	free(c->path);
	free(c->title);
	free(c->description);
	free(c->link);
	free(c->base_url);
	free(c->language);
	free(c->author);
	free(c->copyright);
	free(c->image);
	free(c->cover_name);
	free(c->category);
	free(c->subcategory);
	free(c->podcast_guid);
	free(c->owner_name);
	free(c->owner_email);
	free(c->voice);
	free(c->lexicon);
	free(c->reviews_dir);
	feed_config_init(c);
}

/*
 * A whole number from the [audio] section in [min, max], into *out.
 * Reports and returns -1 when it is not one.
 */
static int audio_number(struct load_state *st, enum key_id id, long min,
			long max, const char *unit, long *out)
{
	if (!parse_long(st->value[id], min, max, out))
		return 0;
	report(st, st->line_of[id], "'%s' must be a whole number from %ld to %ld%s, not '%s'",
	       keys[id].name, min, max, unit, st->value[id]);
	return -1;
}

/* A yes/no value into *out; reports and returns -1 when it is neither. */
static int bool_value(struct load_state *st, enum key_id id, int *out)
{
	int b = parse_bool(st->value[id]);

	if (b < 0) {
		report(st, st->line_of[id], "'%s' must be yes or no, not '%s'",
		       keys[id].name, st->value[id]);
		return -1;
	}
	*out = b;
	return 0;
}

/*
 * Checks and converts every recorded value into c (whose name, dir and
 * path are set), reporting each problem with its line.
 */
static void check_values(struct load_state *st, struct feed_config *c)
{
	char **v = st->value;
	const int *line = st->line_of;
	struct strbuf msg = STRBUF_INIT;
	long n;
	int i;

	/* Present and not empty when required; empty optional ones are unset. */
	for (i = 0; i < NR_KEYS; i++) {
		if (!v[i]) {
			if (keys[i].flags & F_REQUIRED)
				report(st, 0, "missing '%s' in [%s]", keys[i].name,
				       keys[i].section);
			continue;
		}
		if (!*v[i]) {
			if (keys[i].flags & F_REQUIRED)
				report(st, line[i], "'%s' in [%s] is empty", keys[i].name,
				       keys[i].section);
			free(v[i]);
			v[i] = NULL;
			continue;
		}
		if (st->skip[i]) {
			free(v[i]);
			v[i] = NULL;
		}
	}

	/* [podcast] */
	c->title = xstrdup_or_null(v[K_TITLE]);
	c->description = xstrdup_or_null(v[K_DESCRIPTION]);
	c->author = xstrdup_or_null(v[K_AUTHOR]);
	c->copyright = xstrdup_or_null(v[K_COPYRIGHT]);
	if (v[K_LINK]) {
		if (valid_http_url(v[K_LINK]))
			c->link = xstrdup(v[K_LINK]);
		else
			report(st, line[K_LINK], "'link' must be an absolute http(s) URL, not '%s'",
			       v[K_LINK]);
	}
	if (v[K_BASE_URL]) {
		const char *u = v[K_BASE_URL];

		if (!valid_http_url(u))
			report(st, line[K_BASE_URL],
			       "'base_url' must be an absolute http(s) URL, not '%s'", u);
		else if (strchr(u, '?') || strchr(u, '#'))
			report(st, line[K_BASE_URL],
			       "'base_url' must not have a query or fragment: '%s'", u);
		else
			c->base_url = u[strlen(u) - 1] == '/' ? xstrdup(u) : xasprintf("%s/", u);
	}
	if (v[K_LANGUAGE]) {
		if (valid_language(v[K_LANGUAGE]))
			c->language = xstrdup(v[K_LANGUAGE]);
		else
			report(st, line[K_LANGUAGE],
			       "'language' must be a language tag such as 'en' or 'en-GB', not '%s'",
			       v[K_LANGUAGE]);
	}
	if (v[K_IMAGE]) {
		char *image = resolve_path(c->dir, v[K_IMAGE]);
		enum image_format format;

		strbuf_reset(&msg);
		if (cover_probe(image, NULL, NULL, &format, &msg)) {
			report(st, line[K_IMAGE], "%s", msg.buf);
			free(image);
		} else {
			c->image = image;
			c->cover_name = xstrdup(format == IMAGE_PNG ? "cover.png" : "cover.jpg");
		}
	}
	if (v[K_CATEGORY]) {
		strbuf_reset(&msg);
		switch (check_category(v[K_CATEGORY], v[K_SUBCATEGORY], &msg)) {
		case 0:
			c->category = xstrdup(v[K_CATEGORY]);
			c->subcategory = xstrdup_or_null(v[K_SUBCATEGORY]);
			break;
		case -1:
			report(st, line[K_CATEGORY], "%s", msg.buf);
			break;
		default:
			report(st, line[K_SUBCATEGORY], "%s", msg.buf);
			break;
		}
	}
	if (v[K_EXPLICIT])
		bool_value(st, K_EXPLICIT, &c->explicit_flag);
	if (v[K_LOCKED])
		bool_value(st, K_LOCKED, &c->locked);
	if (v[K_TYPE]) {
		if (!strcmp(v[K_TYPE], "episodic"))
			c->serial = 0;
		else if (!strcmp(v[K_TYPE], "serial"))
			c->serial = 1;
		else
			report(st, line[K_TYPE], "'type' must be episodic or serial, not '%s'",
			       v[K_TYPE]);
	}
	if (v[K_GUID]) {
		uuid_t u;
		char text[37];

		if (strlen(v[K_GUID]) != 36 || uuid_parse(v[K_GUID], u)) {
			report(st, line[K_GUID],
			       "'guid' must be a UUID such as 917393e3-1b1e-5cef-ace4-edaa54e1f810, not '%s'",
			       v[K_GUID]);
		} else {
			uuid_unparse_lower(u, text);
			c->podcast_guid = xstrdup(text);
		}
	}

	/* [owner] */
	c->owner_name = xstrdup_or_null(v[K_OWNER_NAME]);
	if (v[K_OWNER_EMAIL]) {
		if (valid_email(v[K_OWNER_EMAIL]))
			c->owner_email = xstrdup(v[K_OWNER_EMAIL]);
		else
			report(st, line[K_OWNER_EMAIL],
			       "'email' must be an e-mail address such as name@example.org, not '%s'",
			       v[K_OWNER_EMAIL]);
	}

	/* [voice] */
	c->voice = xstrdup(v[K_VOICE] ? v[K_VOICE] : "en-gb");
	if (v[K_LEXICON]) {
		char *lexicon = resolve_path(c->dir, v[K_LEXICON]);

		if (is_file(lexicon))
			c->lexicon = lexicon;
		else {
			report(st, line[K_LEXICON], "lexicon '%s' is not a file", lexicon);
			free(lexicon);
		}
	}

	/* [audio]: MP3 only */
	if (v[K_BITRATE] && v[K_VBR]) {
		report(st, line[K_VBR] > line[K_BITRATE] ? line[K_VBR] : line[K_BITRATE],
		       "'bitrate' (constant bit rate) and 'vbr' (variable bit rate) exclude each other; keep one");
	} else if (v[K_BITRATE]) {
		size_t k;

		n = 0;
		parse_long(v[K_BITRATE], 0, 1000, &n);
		for (k = 0; k < ARRAY_SIZE(mp3_bitrates); k++)
			if (mp3_bitrates[k] == n)
				break;
		if (k < ARRAY_SIZE(mp3_bitrates)) {
			c->audio.bitrate = (int)n;
			c->audio.vbr = 0;
		} else {
			report(st, line[K_BITRATE],
			       "'bitrate' must be an MP3 bit rate (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256 or 320 kbit/s), not '%s'",
			       v[K_BITRATE]);
		}
	} else if (v[K_VBR]) {
		if (!audio_number(st, K_VBR, 0, 9, " (0 is the best)", &n)) {
			c->audio.vbr = 1;
			c->audio.vbr_quality = (int)n;
		}
	}
	if (v[K_QUALITY] && !audio_number(st, K_QUALITY, 0, 9, " (0 is the best)", &n))
		c->audio.quality = (int)n;
	if (v[K_SAMPLE_RATE]) {
		if (!parse_long(v[K_SAMPLE_RATE], 0, 1000000, &n) &&
		    (n == 32000 || n == 44100 || n == 48000))
			c->audio.sample_rate = (int)n;
		else
			report(st, line[K_SAMPLE_RATE],
			       "'sample_rate' must be 32000, 44100 or 48000, not '%s'",
			       v[K_SAMPLE_RATE]);
	}
	if (v[K_LOUDNESS]) {
		double d;

		if (!parse_double(v[K_LOUDNESS], -30.0, -10.0, &d))
			c->loudness = d;
		else
			report(st, line[K_LOUDNESS],
			       "'loudness' must be a number of LUFS from -30 to -10, not '%s'",
			       v[K_LOUDNESS]);
	}

	/* [reviews] */
	c->reviews_dir = resolve_path(c->dir, v[K_REVIEWS_DIR] ? v[K_REVIEWS_DIR] : "reviews");

	strbuf_release(&msg);
}

/*
 * Reads and validates DIR/feed.ini into c (which it initialises). Every
 * problem is printed as "DIR/feed.ini:LINE: message", or without the line
 * when it has none (a missing key, an unreadable file). Returns 0, or -1
 * when there was any problem; c is then released (empty).
 */
int feed_config_load(struct feed_config *c, const char *dir)
{
	struct load_state st;
	struct strbuf file = STRBUF_INIT;
	size_t bad;
	int i, ret = -1;

	feed_config_init(c);
	memset(&st, 0, sizeof(st));
	st.last_key = -1;
	c->dir = xstrdup(dir);
	c->name = feed_name(dir);
	c->path = path_join(dir, "feed.ini");
	st.path = c->path;

	if (read_file(c->path, &file, 1 << 20))
		goto out;
	bad = utf8_invalid_at(file.buf, file.len);
	if (bad < file.len) {
		report(&st, line_of_offset(file.buf, bad), "invalid UTF-8");
		goto out;
	}
	if (memchr(file.buf, '\0', file.len)) {
		report(&st, line_of_offset(file.buf,
					   (size_t)((const char *)memchr(file.buf, '\0', file.len) - file.buf)),
		       "NUL byte in a text file");
		goto out;
	}
	st.p = file.buf;
	st.end = file.buf + file.len;
	if (ini_parse_stream(ini_read_line, &st, ini_handle, &st) < 0)
		report(&st, 0, "inih cannot parse the file");
	finish_line(&st);
	check_values(&st, c);
	if (!st.errors)
		ret = 0;
out:
	for (i = 0; i < NR_KEYS; i++)
		free(st.value[i]);
	strbuf_release(&file);
	if (ret)
		feed_config_release(c);
	return ret;
}

/* The feed's URL: base_url + "feed.xml". New string. */
char *feed_config_feed_url(const struct feed_config *c)
{
	return xasprintf("%sfeed.xml", c->base_url ? c->base_url : "");
}

/*
 * The Podcasting 2.0 podcast:guid of feed_url: the UUIDv5 of the URL
 * without its scheme and trailing slashes. New string.
 */
char *podcast_guid_from_url(const char *feed_url)
{
	const char *s = feed_url, *scheme = strstr(feed_url, "://");
	uuid_t out;
	char text[37];
	size_t len;

	if (scheme)
		s = scheme + 3;
	len = strlen(s);
	while (len && s[len - 1] == '/')
		len--;
	uuid_generate_sha1(out, podcast_guid_namespace, s, len);
	uuid_unparse_lower(out, text);
	return xstrdup(text);
}

/*
 * The podcast:guid: the configured one, or podcast_guid_from_url() of the
 * feed URL. New string.
 */
char *feed_config_podcast_guid(const struct feed_config *c)
{
	char *url, *guid;

	if (c->podcast_guid)
		return xstrdup(c->podcast_guid);
	url = feed_config_feed_url(c);
	guid = podcast_guid_from_url(url);
	free(url);
	return guid;
}
