/*
 * test_feedcfg.c - feed.ini loading and validation, cover images, Apple's
 * categories and podcast:guid.
 *
 * The group setup makes a temporary folder with cover images of every
 * kind (drawn here with libpng and libjpeg); each test writes its own
 * feed.ini beside them. Error cases capture standard error and check the
 * exact "PATH:LINE: message" and that nothing else was reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

#include "feedcfg.h"
#include "util.h"

static char *tmpdir;

/* Fixtures */

/* Writes a w x h PNG of one colour type and bit depth (all zero pixels). */
static void write_png(const char *name, unsigned w, unsigned h, int color_type,
		      int bit_depth)
{
	char *path = path_join(tmpdir, name);
	FILE *fp = fopen(path, "wb");
	png_structp png;
	png_infop info;
	unsigned char *row;
	size_t channels;
	unsigned y;

	assert_non_null(fp);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	assert_non_null(png);
	info = png_create_info_struct(png);
	assert_non_null(info);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng cannot write %s", path);
	png_init_io(png, fp);
	png_set_compression_level(png, 1);
	png_set_IHDR(png, info, w, h, bit_depth, color_type, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (color_type == PNG_COLOR_TYPE_PALETTE) {
		png_color palette[2] = { { 200, 30, 30 }, { 30, 30, 200 } };

		png_set_PLTE(png, info, palette, 2);
	}
	png_write_info(png, info);
	switch (color_type) {
	case PNG_COLOR_TYPE_GRAY: case PNG_COLOR_TYPE_PALETTE: channels = 1; break;
	case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
	case PNG_COLOR_TYPE_RGB: channels = 3; break;
	default: channels = 4; break;
	}
	row = xcalloc(w, channels * (size_t)(bit_depth > 8 ? 2 : 1));
	for (y = 0; y < h; y++)
		png_write_row(png, row);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	fclose(fp);
	free(path);
}

/* Writes a w x h JPEG with `components` components in colour space `space`. */
static void write_jpeg(const char *name, unsigned w, unsigned h, int components,
		       J_COLOR_SPACE space)
{
	char *path = path_join(tmpdir, name);
	FILE *fp = fopen(path, "wb");
	struct jpeg_compress_struct cinfo;
	struct jpeg_error_mgr jerr;
	unsigned char *row;
	JSAMPROW rows[1];

	assert_non_null(fp);
	cinfo.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&cinfo);
	jpeg_stdio_dest(&cinfo, fp);
	cinfo.image_width = w;
	cinfo.image_height = h;
	cinfo.input_components = components;
	cinfo.in_color_space = space;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, 50, TRUE);
	jpeg_start_compress(&cinfo, TRUE);
	row = xcalloc(w, (size_t)components);
	memset(row, 0x80, (size_t)w * (size_t)components);
	rows[0] = row;
	while (cinfo.next_scanline < cinfo.image_height)
		jpeg_write_scanlines(&cinfo, rows, 1);
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
	free(row);
	fclose(fp);
	free(path);
}

/* Writes bytes to tmpdir/name. */
static void write_bytes(const char *name, const void *data, size_t len)
{
	char *path = path_join(tmpdir, name);

	assert_int_equal(write_file_atomic(path, data, len), 0);
	free(path);
}

/* A copy of the first len bytes of tmpdir/from, as tmpdir/to. */
static void write_prefix(const char *from, const char *to, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = path_join(tmpdir, from);

	assert_int_equal(read_file(path, &sb, 1 << 26), 0);
	assert_true(sb.len > len);
	write_bytes(to, sb.buf, len);
	strbuf_release(&sb);
	free(path);
}

/*
 * Makes the temporary folder and the images every test shares: good and
 * bad covers of both formats, broken files, and a lexicon.
 */
static int group_setup(void **state)
{
	static const char corrupt[] = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00"
		"\x00\x01\x00\x01\x00\x00\xff\xdb\x00\x43\x00garbage garbage garbage";
	/* a start-of-frame marker whose length is impossible */
	static const char bad_marker[] = "\xff\xd8\xff\xc0\x00\x01\x08\x05\x78\x05\x78\x03";
	char tmpl[] = "/tmp/revcast-test-feedcfg-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	tmpdir = xstrdup(tmpl);
	write_png("rgb1400.png", 1400, 1400, PNG_COLOR_TYPE_RGB, 8);
	write_png("rgb1000.png", 1000, 1000, PNG_COLOR_TYPE_RGB, 8);
	write_png("rgb1400x1500.png", 1400, 1500, PNG_COLOR_TYPE_RGB, 8);
	write_png("grey1400.png", 1400, 1400, PNG_COLOR_TYPE_GRAY, 8);
	write_png("rgba1400.png", 1400, 1400, PNG_COLOR_TYPE_RGB_ALPHA, 8);
	write_png("palette1400.png", 1400, 1400, PNG_COLOR_TYPE_PALETTE, 8);
	write_png("rgb16-1400.png", 1400, 1400, PNG_COLOR_TYPE_RGB, 16);
	write_jpeg("rgb1400.jpg", 1400, 1400, 3, JCS_RGB);
	write_jpeg("rgb1000.jpg", 1000, 1000, 3, JCS_RGB);
	write_jpeg("grey1400.jpg", 1400, 1400, 1, JCS_GRAYSCALE);
	write_jpeg("cmyk1400.jpg", 1400, 1400, 4, JCS_CMYK);
	write_bytes("corrupt.jpg", corrupt, sizeof(corrupt) - 1);
	write_bytes("badmarker.jpg", bad_marker, sizeof(bad_marker) - 1);
	write_prefix("rgb1400.jpg", "truncated.jpg", 100);
	write_prefix("rgb1400.png", "truncated.png", 20);
	write_bytes("notimage.png", "just text\n", 10);
	write_bytes("extra.dict", "revcast r'Evkast\n", 17);
	return 0;
}

/* Removes the fixtures, unless REVCAST_TEST_KEEP is set (to look at them). */
static int group_teardown(void **state)
{
	char *cmd;

	if (getenv("REVCAST_TEST_KEEP")) {
		fprintf(stderr, "fixtures kept in %s\n", tmpdir);
		free(tmpdir);
		return 0;
	}
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
	free(tmpdir);
	return 0;
}


/* Number of "revcast: error: " lines in s. */
static int count_errors(const char *s)
{
	int n = 0;

	while ((s = strstr(s, "revcast: error: ")) != NULL) {
		n++;
		s++;
	}
	return n;
}

/* Makes tmpdir/name with a feed.ini holding ini; returns the folder. */
static char *make_feed(const char *name, const char *ini)
{
	char *dir = path_join(tmpdir, name);
	char *path;

	if (mkdir(dir, 0755) && !is_dir(dir))
		fail_msg("cannot make %s", dir);
	path = path_join(dir, "feed.ini");
	assert_int_equal(write_file_atomic(path, ini, strlen(ini)), 0);
	free(path);
	return dir;
}

/* feed_config_load on dir with standard error captured into *err. */
static int load_captured(struct feed_config *c, const char *dir, char **err)
{
	struct capture cap;
	int ret;

	capture_begin(&cap);
	ret = feed_config_load(c, dir);
	*err = capture_end(&cap);
	return ret;
}

/* The smallest valid feed.ini: the required keys only. One key per line. */
static const char *const minimal_lines[] = {
	"[podcast]",                          /* 1 */
	"title = T",                          /* 2 */
	"description = D",                    /* 3 */
	"link = https://example.org/",        /* 4 */
	"base_url = https://example.org/pod", /* 5 */
	"language = en",                      /* 6 */
	"author = A",                         /* 7 */
	"image = ../rgb1400.jpg",             /* 8 */
	"category = Arts",                    /* 9 */
	"[owner]",                            /* 10 */
	"email = a@example.org",              /* 11 */
};

/*
 * The minimal file with line `line` (1-based) replaced by `with` (which
 * may hold several lines, or be NULL to delete it); line 0 appends `with`,
 * line -1 puts it first. New string.
 */
static char *minimal_with(int line, const char *with)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (line == -1 && with)
		strbuf_addf(&sb, "%s\n", with);
	for (i = 0; i < ARRAY_SIZE(minimal_lines); i++) {
		if ((int)i + 1 == line) {
			if (with)
				strbuf_addf(&sb, "%s\n", with);
			continue;
		}
		strbuf_addf(&sb, "%s\n", minimal_lines[i]);
	}
	if (line == 0 && with)
		strbuf_addf(&sb, "%s\n", with);
	return strbuf_detach(&sb, NULL);
}

/* Valid files */

static const char complete_ini[] =
	"; revcast feed\n"                                      /* 1 */
	"[podcast]\n"                                           /* 2 */
	"title = Reviews & Rants\n"                             /* 3 */
	"description = Films, books\n"                          /* 4 */
	"  and records, reviewed aloud.\n"                      /* 5 */
	"link = https://example.org/reviews/\n"                 /* 6 */
	"base_url = https://cdn.example.org/podcast\n"          /* 7 */
	"language = en-GB\n"                                    /* 8 */
	"author = Ann Example\n"                                /* 9 */
	"copyright = \xc2\xa9 2024 Ann Example\n"               /* 10 */
	"image = ../rgb1400.png\n"                              /* 11 */
	"category = TV & Film\n"                                /* 12 */
	"subcategory = Film Reviews\n"                          /* 13 */
	"explicit = yes\n"                                      /* 14 */
	"type = serial\n"                                       /* 15 */
	"locked = no\n"                                         /* 16 */
	"guid = 917393E3-1B1E-5CEF-ACE4-EDAA54E1F810\n"         /* 17 */
	"\n"
	"[owner]\n"
	"name = Ann Example\n"
	"email = ann@example.org\n"
	"\n"
	"[voice]\n"
	"default = en-us\n"
	"lexicon = ../extra.dict\n"
	"\n"
	"[audio]\n"
	"vbr = 2\n"
	"quality = 3\n"
	"sample_rate = 48000\n"
	"loudness = -19.5\n"
	"\n"
	"[reviews]\n"
	"dir = texts\n";

static void test_complete(void **state)
{
	struct feed_config c;
	char *dir = make_feed("complete", complete_ini);
	char *err, *expect, *url;

	assert_int_equal(load_captured(&c, dir, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.name, "complete");
	assert_string_equal(c.dir, dir);
	expect = path_join(dir, "feed.ini");
	assert_string_equal(c.path, expect);
	free(expect);
	assert_string_equal(c.title, "Reviews & Rants");
	assert_string_equal(c.description, "Films, books\nand records, reviewed aloud.");
	assert_string_equal(c.link, "https://example.org/reviews/");
	assert_string_equal(c.base_url, "https://cdn.example.org/podcast/");
	assert_string_equal(c.language, "en-GB");
	assert_string_equal(c.author, "Ann Example");
	assert_string_equal(c.copyright, "\xc2\xa9 2024 Ann Example");
	expect = path_join(dir, "../rgb1400.png");
	assert_string_equal(c.image, expect);
	free(expect);
	assert_string_equal(c.cover_name, "cover.png");
	assert_string_equal(c.category, "TV & Film");
	assert_string_equal(c.subcategory, "Film Reviews");
	assert_int_equal(c.explicit_flag, 1);
	assert_int_equal(c.serial, 1);
	assert_int_equal(c.locked, 0);
	assert_string_equal(c.podcast_guid, "917393e3-1b1e-5cef-ace4-edaa54e1f810");
	assert_string_equal(c.owner_name, "Ann Example");
	assert_string_equal(c.owner_email, "ann@example.org");
	assert_string_equal(c.voice, "en-us");
	expect = path_join(dir, "../extra.dict");
	assert_string_equal(c.lexicon, expect);
	free(expect);
	assert_int_equal(c.audio.format, AUDIO_MP3);
	assert_int_equal(c.audio.vbr, 1);
	assert_int_equal(c.audio.vbr_quality, 2);
	assert_int_equal(c.audio.quality, 3);
	assert_int_equal(c.audio.sample_rate, 48000);
	assert_true(c.loudness == -19.5);
	expect = path_join(dir, "texts");
	assert_string_equal(c.reviews_dir, expect);
	free(expect);
	url = feed_config_feed_url(&c);
	assert_string_equal(url, "https://cdn.example.org/podcast/feed.xml");
	free(url);
	url = feed_config_podcast_guid(&c);
	assert_string_equal(url, "917393e3-1b1e-5cef-ace4-edaa54e1f810");
	free(url);

	feed_config_release(&c);
	assert_null(c.title);
	feed_config_release(&c);   /* twice is harmless */
	free(err);
	free(dir);
}

static void test_defaults(void **state)
{
	struct feed_config c;
	struct audio_settings def;
	char *ini = minimal_with(100, NULL);
	char *dir = make_feed("minimal", ini);
	char *err, *expect;

	audio_settings_init(&def);
	assert_int_equal(load_captured(&c, dir, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.base_url, "https://example.org/pod/");
	assert_string_equal(c.cover_name, "cover.jpg");
	assert_null(c.copyright);
	assert_null(c.subcategory);
	assert_null(c.podcast_guid);
	assert_null(c.owner_name);
	assert_null(c.lexicon);
	assert_int_equal(c.explicit_flag, 0);
	assert_int_equal(c.serial, 0);
	assert_int_equal(c.locked, 1);
	assert_string_equal(c.voice, "en-gb");
	assert_int_equal(c.audio.format, AUDIO_MP3);
	assert_int_equal(c.audio.bitrate, def.bitrate);
	assert_int_equal(c.audio.vbr, 0);
	assert_int_equal(c.audio.quality, def.quality);
	assert_int_equal(c.audio.sample_rate, def.sample_rate);
	assert_true(c.loudness == -16.0);
	expect = path_join(dir, "reviews");
	assert_string_equal(c.reviews_dir, expect);
	free(expect);
	feed_config_release(&c);
	free(err);
	free(dir);
	free(ini);
}

/* CRLF line ends, a byte order mark, comments, ':' for '=', a CBR rate. */
static void test_syntax_variants(void **state)
{
	static const char ini[] =
		"\xef\xbb\xbf# comment\r\n"
		"[podcast]\r\n"
		"title: T ; inline comment\r\n"
		"description = D\r\n"
		"link = http://example.org\r\n"
		"base_url = HTTPS://example.org/pod/\r\n"
		"language = zh-Hant-TW\r\n"
		"author = A\r\n"
		"image = ../rgb1400.jpg\r\n"
		"category = Education\r\n"
		"subcategory = How To\r\n"
		"explicit = false\r\n"
		"type = episodic\r\n"
		"guid =\r\n"
		"[owner]\r\n"
		"email = first.last+pod@mail.example.co.uk\r\n"
		"[audio]\r\n"
		"bitrate = 128\r\n"
		"sample_rate = 44100\r\n";
	struct feed_config c;
	char *dir = make_feed("variants", ini);
	char *err;

	assert_int_equal(load_captured(&c, dir, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.title, "T");
	assert_string_equal(c.base_url, "HTTPS://example.org/pod/");
	assert_string_equal(c.subcategory, "How To");
	assert_null(c.podcast_guid);
	assert_int_equal(c.audio.bitrate, 128);
	assert_int_equal(c.audio.vbr, 0);
	assert_int_equal(c.audio.sample_rate, 44100);
	feed_config_release(&c);
	free(err);
	free(dir);
}

/* An absolute image path is kept as it is. */
static void test_absolute_image(void **state)
{
	char *line = xasprintf("image = %s/rgb1400.png", tmpdir);
	char *ini = minimal_with(8, line);
	char *dir = make_feed("absimage", ini);
	char *expect = path_join(tmpdir, "rgb1400.png");
	struct feed_config c;
	char *err;

	assert_int_equal(load_captured(&c, dir, &err), 0);
	assert_string_equal(c.image, expect);
	assert_string_equal(c.cover_name, "cover.png");
	feed_config_release(&c);
	free(err);
	free(dir);
	free(ini);
	free(line);
	free(expect);
}

/* Error cases: one change to the minimal file, one error at one line. */

struct error_case {
	const char *name;
	int line;           /* minimal_with()'s line */
	const char *with;
	int err_line;       /* 0: a message without a line */
	const char *msg;    /* what follows "PATH:LINE: " (a prefix of it);
			       "%s" stands for the feed folder */
	int nerrors;        /* errors in all (more than 1: a cascade) */
};

static const struct error_case error_cases[] = {
	{ "unknown_section", 0, "[podcst]\ntitle = x", 12, "unknown section [podcst]", 1 },
	{ "unknown_key", 7, "author = A\nauthr = B", 8, "unknown key 'authr' in [podcast]", 1 },
	{ "misplaced_key", 7, "author = A\nbitrate = 96", 8,
	  "unknown key 'bitrate' in [podcast] (it belongs in [audio])", 1 },
	{ "no_key_name", 7, "author = A\n= B", 8, "a key name is missing before '='", 1 },
	{ "outside_section", -1, "title = x", 1, "'title' is outside any section", 1 },
	{ "missing_title", 2, NULL, 0, "missing 'title' in [podcast]", 1 },
	{ "missing_image", 8, NULL, 0, "missing 'image' in [podcast]", 1 },
	{ "missing_email", 11, NULL, 0, "missing 'email' in [owner]", 1 },
	{ "missing_owner", 10, NULL, 10,
	  "unknown key 'email' in [podcast] (it belongs in [owner])", 2 },
	{ "empty_title", 2, "title =", 2, "'title' in [podcast] is empty", 1 },
	{ "duplicate", 3, "description = D\ntitle = again", 4,
	  "'title' in [podcast] is set twice (first on line 2)", 1 },
	{ "syntax", 3, "description = D\nthis is not a key", 4,
	  "expected 'key = value' or a [section] header", 1 },
	{ "bad_header", 10, "[owner", 10, "missing ']' in the section header", 3 },
	{ "single_line_key", 4, "link = https://example.org/\n  more", 5,
	  "'link' takes a single line", 1 },
	{ "bad_category", 9, "category = Movies", 9,
	  "'Movies' is not an Apple Podcasts category; the categories are 'Arts', ", 1 },
	{ "category_case", 9, "category = tv & film", 9,
	  "'tv & film' is not an Apple Podcasts category (did you mean 'TV & Film'?)", 1 },
	{ "bad_subcategory", 9, "category = Arts\nsubcategory = Film Reviews", 10,
	  "'Film Reviews' is not an Apple Podcasts subcategory of 'Arts'; its subcategories are 'Books', ", 1 },
	{ "no_subcategories", 9, "category = Technology\nsubcategory = Podcasting", 10,
	  "'Podcasting' is not an Apple Podcasts subcategory of 'Technology'; 'Technology' has no subcategories", 1 },
	{ "subcategory_case", 9, "category = Education\nsubcategory = how to", 10,
	  "'how to' is not an Apple Podcasts subcategory of 'Education' (did you mean 'How To'?)", 1 },
	{ "base_url_ftp", 5, "base_url = ftp://example.org/", 5,
	  "'base_url' must be an absolute http(s) URL, not 'ftp://example.org/'", 1 },
	{ "base_url_relative", 5, "base_url = example.org/pod", 5,
	  "'base_url' must be an absolute http(s) URL", 1 },
	{ "base_url_query", 5, "base_url = https://example.org/?a=1", 5,
	  "'base_url' must not have a query or fragment", 1 },
	{ "base_url_space", 5, "base_url = https://example.org/my pod/", 5,
	  "'base_url' must be an absolute http(s) URL", 1 },
	{ "link_relative", 4, "link = /reviews", 4,
	  "'link' must be an absolute http(s) URL, not '/reviews'", 1 },
	{ "link_no_host", 4, "link = https:///x", 4, "'link' must be an absolute http(s) URL", 1 },
	{ "cover_small", 8, "image = ../rgb1000.png", 8,
	  "'%s/../rgb1000.png' is 1000x1000 pixels; Apple wants a square image of 1400 to 3000 pixels", 1 },
	{ "cover_small_jpeg", 8, "image = ../rgb1000.jpg", 8,
	  "'%s/../rgb1000.jpg' is 1000x1000 pixels; Apple wants a square image of 1400 to 3000 pixels", 1 },
	{ "cover_not_square", 8, "image = ../rgb1400x1500.png", 8,
	  "'%s/../rgb1400x1500.png' is 1400x1500 pixels; Apple wants a square image of 1400 to 3000 pixels", 1 },
	{ "cover_grey_png", 8, "image = ../grey1400.png", 8, "'%s/../grey1400.png' is greyscale; Apple wants an RGB image", 1 },
	{ "cover_rgba", 8, "image = ../rgba1400.png", 8, "'%s/../rgba1400.png' has an alpha channel", 1 },
	{ "cover_palette", 8, "image = ../palette1400.png", 8, "'%s/../palette1400.png' uses a colour palette", 1 },
	{ "cover_16bit", 8, "image = ../rgb16-1400.png", 8, "'%s/../rgb16-1400.png' has 16 bits per channel; Apple wants 8", 1 },
	{ "cover_grey_jpeg", 8, "image = ../grey1400.jpg", 8, "'%s/../grey1400.jpg' is greyscale; Apple wants an RGB image", 1 },
	{ "cover_cmyk", 8, "image = ../cmyk1400.jpg", 8, "'%s/../cmyk1400.jpg' is CMYK; Apple wants an RGB image", 1 },
	{ "cover_corrupt_jpeg", 8, "image = ../corrupt.jpg", 8, "cannot read JPEG image", 1 },
	{ "cover_bad_marker_jpeg", 8, "image = ../badmarker.jpg", 8, "cannot read JPEG image", 1 },
	{ "cover_truncated_jpeg", 8, "image = ../truncated.jpg", 8, "cannot read JPEG image", 1 },
	{ "cover_truncated_png", 8, "image = ../truncated.png", 8, "cannot read PNG image", 1 },
	{ "cover_not_image", 8, "image = ../notimage.png", 8, "'%s/../notimage.png' is neither a PNG nor a JPEG image", 1 },
	{ "cover_missing", 8, "image = ../nope.png", 8, "cannot open cover image", 1 },
	{ "language_word", 6, "language = english", 6,
	  "'language' must be a language tag such as 'en' or 'en-GB', not 'english'", 1 },
	{ "language_underscore", 6, "language = en_GB", 6, "'language' must be a language tag", 1 },
	{ "language_trailing_dash", 6, "language = en-", 6, "'language' must be a language tag", 1 },
	{ "bitrate", 0, "[audio]\nbitrate = 100", 13, "'bitrate' must be an MP3 bit rate", 1 },
	{ "bitrate_word", 0, "[audio]\nbitrate = fast", 13, "'bitrate' must be an MP3 bit rate", 1 },
	{ "vbr", 0, "[audio]\nvbr = 10", 13, "'vbr' must be a whole number from 0 to 9", 1 },
	{ "quality", 0, "[audio]\nquality = -1", 13, "'quality' must be a whole number from 0 to 9", 1 },
	{ "sample_rate", 0, "[audio]\nsample_rate = 22050", 13,
	  "'sample_rate' must be 32000, 44100 or 48000, not '22050'", 1 },
	{ "loudness_range", 0, "[audio]\nloudness = -5", 13,
	  "'loudness' must be a number of LUFS from -30 to -10, not '-5'", 1 },
	{ "loudness_word", 0, "[audio]\nloudness = loud", 13, "'loudness' must be a number", 1 },
	{ "bitrate_and_vbr", 0, "[audio]\nbitrate = 128\nvbr = 2", 14,
	  "'bitrate' (constant bit rate) and 'vbr' (variable bit rate) exclude each other", 1 },
	{ "explicit", 9, "category = Arts\nexplicit = maybe", 10,
	  "'explicit' must be yes or no, not 'maybe'", 1 },
	{ "locked", 9, "category = Arts\nlocked = 2", 10, "'locked' must be yes or no", 1 },
	{ "type", 9, "category = Arts\ntype = weekly", 10,
	  "'type' must be episodic or serial, not 'weekly'", 1 },
	{ "guid", 9, "category = Arts\nguid = not-a-uuid", 10, "'guid' must be a UUID", 1 },
	{ "email_no_at", 11, "email = nobody", 11, "'email' must be an e-mail address", 1 },
	{ "email_no_dot", 11, "email = a@localhost", 11, "'email' must be an e-mail address", 1 },
	{ "email_two_at", 11, "email = a@b@example.org", 11, "'email' must be an e-mail address", 1 },
	{ "email_name", 11, "email = Ann <a@example.org>", 11, "'email' must be an e-mail address", 1 },
	{ "lexicon_missing", 0, "[voice]\nlexicon = nope.dict", 13, "lexicon '", 1 },
	{ "invalid_utf8", 3, "description = \xff\xfe", 3, "invalid UTF-8", 1 },
	{ "long_line", 3,
	  "description = 0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789", 3,
	  "line is longer than 199 bytes; continue a long value on indented lines", 1 },
};

static void test_error_case(void **state)
{
	const struct error_case *t = *state;
	struct feed_config c;
	char *ini = minimal_with(t->line, t->with);
	char *name = xasprintf("err-%s", t->name);
	char *dir = make_feed(name, ini);
	char *err, *expect, *msg;

	assert_int_equal(load_captured(&c, dir, &err), -1);
	msg = strstr(t->msg, "%s") ? xasprintf(t->msg, dir) : xstrdup(t->msg);
	if (t->err_line)
		expect = xasprintf("revcast: error: %s/feed.ini:%d: %s", dir, t->err_line, msg);
	else
		expect = xasprintf("revcast: error: %s/feed.ini: %s", dir, msg);
	free(msg);
	if (!strstr(err, expect))
		fail_msg("expected \"%s\"\ngot: %s", expect, err);
	if (count_errors(err) != t->nerrors)
		fail_msg("expected %d error(s), got: %s", t->nerrors, err);
	/* a failed load leaves nothing to free */
	assert_null(c.title);
	assert_null(c.path);
	free(expect);
	free(err);
	free(dir);
	free(name);
	free(ini);
}

/* Many problems: each is reported with its line, none stops the others. */
static void test_all_errors_reported(void **state)
{
	static const char ini[] =
		"[podcast]\n"                       /* 1 */
		"title = T\n"                       /* 2 */
		"description = D\n"                 /* 3 */
		"link = https://example.org/\n"     /* 4 */
		"base_url = https://example.org/\n" /* 5 */
		"language = english\n"              /* 6 */
		"author = A\n"                      /* 7 */
		"image = ../rgb1000.png\n"          /* 8 */
		"category = Arts\n"                 /* 9 */
		"colour = blue\n"                   /* 10 */
		"oops\n"                            /* 11 */
		"[audio]\n"                         /* 12 */
		"bitrate = 100\n"                   /* 13 */
		"[extra]\n"                         /* 14 */
		"a = b\n";                          /* 15 */
	static const struct { int line; const char *msg; } expect[] = {
		{ 6, "'language' must be a language tag" },
		{ 8, "'%s/../rgb1000.png' is 1000x1000 pixels" },
		{ 10, "unknown key 'colour' in [podcast]" },
		{ 11, "expected 'key = value'" },
		{ 13, "'bitrate' must be an MP3 bit rate" },
		{ 14, "unknown section [extra]" },
		{ 0, "missing 'email' in [owner]" },
	};
	struct feed_config c;
	char *dir = make_feed("many", ini);
	char *err;
	size_t i;

	assert_int_equal(load_captured(&c, dir, &err), -1);
	for (i = 0; i < ARRAY_SIZE(expect); i++) {
		char *msg = strstr(expect[i].msg, "%s") ? xasprintf(expect[i].msg, dir) :
			    xstrdup(expect[i].msg);
		char *want = expect[i].line ?
			xasprintf("%s/feed.ini:%d: %s", dir, expect[i].line, msg) :
			xasprintf("%s/feed.ini: %s", dir, msg);

		if (!strstr(err, want))
			fail_msg("expected \"%s\"\ngot: %s", want, err);
		free(want);
		free(msg);
	}
	assert_int_equal(count_errors(err), (int)ARRAY_SIZE(expect));
	free(err);
	free(dir);
}

static void test_no_file(void **state)
{
	struct feed_config c;
	char *dir = path_join(tmpdir, "nofeed");
	char *err, *expect;

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(load_captured(&c, dir, &err), -1);
	expect = xasprintf("%s/feed.ini", dir);
	assert_non_null(strstr(err, expect));
	assert_int_equal(count_errors(err), 1);
	free(expect);
	free(err);
	free(dir);
}

/* cover_check() by itself */

static void test_cover_ok(void **state)
{
	char *png = path_join(tmpdir, "rgb1400.png");
	char *jpg = path_join(tmpdir, "rgb1400.jpg");
	int w = 0, h = 0;

	assert_int_equal(cover_check(png, &w, &h), 0);
	assert_int_equal(w, 1400);
	assert_int_equal(h, 1400);
	w = h = 0;
	assert_int_equal(cover_check(jpg, &w, &h), 0);
	assert_int_equal(w, 1400);
	assert_int_equal(h, 1400);
	assert_int_equal(cover_check(jpg, NULL, NULL), 0);
	free(png);
	free(jpg);
}

static void test_cover_refused(void **state)
{
	static const char *const bad[] = {
		"rgb1000.png", "rgb1400x1500.png", "grey1400.png", "rgba1400.png",
		"palette1400.png", "rgb16-1400.png", "grey1400.jpg", "cmyk1400.jpg",
		"rgb1000.jpg", "corrupt.jpg", "badmarker.jpg", "truncated.jpg", "truncated.png",
		"notimage.png", "missing.png",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *path = path_join(tmpdir, bad[i]);
		struct capture cap;
		char *err;
		int w = -7;

		capture_begin(&cap);
		assert_int_equal(cover_check(path, &w, NULL), -1);
		err = capture_end(&cap);
		assert_int_equal(w, -7);
		assert_int_equal(count_errors(err), 1);
		if (!strstr(err, path))
			fail_msg("error does not name %s: %s", path, err);
		free(err);
		free(path);
	}
}

static void test_cover_message(void **state)
{
	char *path = path_join(tmpdir, "rgb1000.png");
	char *expect = xasprintf("revcast: error: '%s' is 1000x1000 pixels; "
				 "Apple wants a square image of 1400 to 3000 pixels\n", path);
	struct capture cap;
	char *err;

	capture_begin(&cap);
	assert_int_equal(cover_check(path, NULL, NULL), -1);
	err = capture_end(&cap);
	assert_string_equal(err, expect);
	free(err);
	free(expect);
	free(path);
}

/* Apple's categories */

static void test_categories(void **state)
{
	static const char *const top[] = {
		"Arts", "Business", "Comedy", "Education", "Fiction", "Government",
		"History", "Health & Fitness", "Kids & Family", "Leisure", "Music",
		"News", "Religion & Spirituality", "Science", "Society & Culture",
		"Sports", "Technology", "True Crime", "TV & Film",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(top); i++) {
		assert_true(apple_category_valid(top[i], NULL));
		assert_true(apple_category_valid(top[i], ""));
	}
	assert_true(apple_category_valid("Arts", "Books"));
	assert_true(apple_category_valid("Arts", "Fashion & Beauty"));
	assert_true(apple_category_valid("TV & Film", "After Shows"));
	assert_true(apple_category_valid("TV & Film", "TV Reviews"));
	assert_true(apple_category_valid("Leisure", "Animation & Manga"));
	assert_true(apple_category_valid("Education", "How To"));
	assert_true(apple_category_valid("Comedy", "Stand-Up"));
	assert_true(apple_category_valid("Business", "Non-Profit"));
	assert_true(apple_category_valid("Kids & Family", "Pets & Animals"));
	assert_true(apple_category_valid("Science", "Natural Sciences"));
	assert_true(apple_category_valid("Sports", "Wrestling"));
	assert_true(apple_category_valid("News", "Tech News"));
	assert_true(apple_category_valid("Religion & Spirituality", "Religion"));
	assert_true(apple_category_valid("Health & Fitness", "Mental Health"));
	assert_true(apple_category_valid("Society & Culture", "Places & Travel"));

	assert_false(apple_category_valid(NULL, NULL));
	assert_false(apple_category_valid("TV and Film", NULL));
	assert_false(apple_category_valid("tv & film", NULL));
	assert_false(apple_category_valid("TV &amp; Film", NULL));
	assert_false(apple_category_valid("Games & Hobbies", NULL));   /* before 2019 */
	assert_false(apple_category_valid("Technology", "Podcasting"));
	assert_false(apple_category_valid("Arts", "Film Reviews"));
	assert_false(apple_category_valid("Arts", "Literature"));
	assert_false(apple_category_valid("Books", NULL));
}

/* podcast:guid */

/* The Podcasting 2.0 spec's published example. */
static void test_guid_spec_example(void **state)
{
	static const char *const urls[] = {
		"https://mp3s.nashownotes.com/pc20rss.xml",
		"http://mp3s.nashownotes.com/pc20rss.xml",
		"https://mp3s.nashownotes.com/pc20rss.xml/",
		"https://mp3s.nashownotes.com/pc20rss.xml///",
		"mp3s.nashownotes.com/pc20rss.xml",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(urls); i++) {
		char *g = podcast_guid_from_url(urls[i]);

		assert_string_equal(g, "917393e3-1b1e-5cef-ace4-edaa54e1f810");
		free(g);
	}
}

/* Without a configured guid: derived from base_url + "feed.xml". */
static void test_guid_derived(void **state)
{
	struct feed_config c;
	char *g;

	feed_config_init(&c);
	c.base_url = xstrdup("https://mp3s.nashownotes.com/");
	g = feed_config_podcast_guid(&c);
	/* uuid5(ns, "mp3s.nashownotes.com/feed.xml"), computed with Python */
	assert_string_equal(g, "7ed36ec4-95f6-5de4-9650-69e8e537602b");
	free(g);
	feed_config_release(&c);
}

static void test_guid_override(void **state)
{
	struct feed_config c;
	char *g;

	feed_config_init(&c);
	c.base_url = xstrdup("https://example.org/");
	c.podcast_guid = xstrdup("917393e3-1b1e-5cef-ace4-edaa54e1f810");
	g = feed_config_podcast_guid(&c);
	assert_string_equal(g, "917393e3-1b1e-5cef-ace4-edaa54e1f810");
	free(g);
	feed_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_absolute_image),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_no_file),
		cmocka_unit_test(test_cover_ok),
		cmocka_unit_test(test_cover_refused),
		cmocka_unit_test(test_cover_message),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_guid_spec_example),
		cmocka_unit_test(test_guid_derived),
		cmocka_unit_test(test_guid_override),
	};
	struct CMUnitTest *tests;
	size_t i, n = ARRAY_SIZE(fixed) + ARRAY_SIZE(error_cases);
	int ret;

	tests = xcalloc(n, sizeof(*tests));
	memcpy(tests, fixed, sizeof(fixed));
	for (i = 0; i < ARRAY_SIZE(error_cases); i++) {
		struct CMUnitTest *t = &tests[ARRAY_SIZE(fixed) + i];

		t->name = error_cases[i].name;
		t->test_func = test_error_case;
		t->initial_state = (void *)&error_cases[i];
	}
	ret = _cmocka_run_group_tests("feedcfg", tests, n, group_setup, group_teardown);
	free(tests);
	return ret;
}
