/*
 * feedcfg.h - one podcast's configuration: feeds/NAME/feed.ini, read with
 * inih and validated as it is read (unknown keys, Apple categories, the
 * cover image, absolute URLs), each problem an error with file and line.
 */
#ifndef REVCAST_FEEDCFG_H
#define REVCAST_FEEDCFG_H

#include "audio.h"

struct feed_config {
	char *name;          /* the feed folder's name, e.g. "example" */
	char *dir;           /* the feed folder */
	char *path;          /* its feed.ini */
	/* [podcast] */
	char *title;
	char *description;
	char *link;          /* the site, absolute http(s) URL */
	char *base_url;      /* where DIR/NAME/ is hosted; absolute, ends with '/' */
	char *language;      /* BCP 47, e.g. "en-GB" */
	char *author;
	char *copyright;
	char *image;         /* cover path, resolved against dir */
	char *cover_name;    /* the name the build publishes the cover under,
				by its format: "cover.png" or "cover.jpg";
				feed.xml points itunes:image at base_url + it */
	char *category;      /* Apple category, e.g. "TV & Film" */
	char *subcategory;   /* or NULL */
	int explicit_flag;   /* 0/1 */
	int serial;          /* type = serial (else episodic) */
	int locked;          /* podcast:locked yes/no (default yes) */
	char *podcast_guid;  /* from feed.ini, or NULL: derived from the feed URL */
	/* [owner] */
	char *owner_name;
	char *owner_email;
	/* [voice] */
	char *voice;         /* default voice profile (default "en-gb") */
	char *lexicon;       /* extra lexicon file for this feed, resolved, or NULL */
	/* [audio] */
	struct audio_settings audio;  /* MP3 only for feeds */
	double loudness;     /* target LUFS, default -16 */
	/* [reviews] */
	char *reviews_dir;   /* resolved; default DIR/reviews */
};

/* Sets the defaults (locked, -16 LUFS, audio_settings_init); allocates nothing. */
void feed_config_init(struct feed_config *c);
/* Frees every string; c is as after feed_config_init() again. */
void feed_config_release(struct feed_config *c);

/*
 * Reads and validates DIR/feed.ini. Every problem is reported as
 * "DIR/feed.ini:LINE: message" (all of them, not only the first; a
 * missing key as "DIR/feed.ini: missing 'title' in [podcast]");
 * returns 0, or -1 when there was any (c is then released, empty).
 */
int feed_config_load(struct feed_config *c, const char *dir);

/* The feed's URL: base_url + "feed.xml". New string. */
char *feed_config_feed_url(const struct feed_config *c);

/*
 * The podcast:guid: the configured one, or the UUIDv5 the Podcasting 2.0
 * namespace defines: namespace ead4c236-bf58-58c6-a2c6-a6b28d128cb6 and
 * the feed URL without its scheme and trailing slashes. New string.
 */
char *feed_config_podcast_guid(const struct feed_config *c);

/*
 * The Podcasting 2.0 podcast:guid of a feed URL: the UUIDv5 in the
 * namespace above of the URL without its scheme ("https://") and
 * trailing slashes, in lower case. New string.
 */
char *podcast_guid_from_url(const char *feed_url);

/* Whether category (and subcategory, may be NULL) is in Apple's list. */
int apple_category_valid(const char *category, const char *subcategory);

/*
 * Checks a cover image: a JPEG or PNG, square, 1400-3000 pixels, RGB (no
 * alpha, no palette, no greyscale, no CMYK). Fills width/height when not
 * NULL. Returns 0, or -1 with an error naming the file.
 */
int cover_check(const char *path, int *width, int *height);

#endif
