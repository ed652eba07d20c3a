/*
 * catalog.h - a feed's memory, in an embedded SQLite database kept
 * outside the published folder (feeds/NAME/catalog.db): every episode's
 * GUID and first publication date, the key of what was rendered, the
 * file's size and exact duration, and what the feed says about it.
 */
#ifndef REVCAST_CATALOG_H
#define REVCAST_CATALOG_H

#include <stddef.h>
#include <stdint.h>

struct episode {
	char *key;          /* the review's file name within the reviews folder */
	char *guid;         /* never changes once published */
	char *slug;         /* file name stem, ASCII [a-z0-9-], unique in the feed */
	int64_t pub_date;   /* Unix seconds of first publication (or front matter) */
	char *render_key;   /* hex hash of everything that affects the audio */
	char *file;         /* published audio file, relative to the feed's output */
	int64_t bytes;      /* its exact size */
	int64_t samples;    /* its exact sample count */
	int sample_rate;
	double duration;    /* samples / sample_rate */
	char *title;
	char *author;       /* or NULL */
	char *summary;      /* plain text, short */
	char *content_html; /* the whole review as HTML paragraphs */
	int explicit_flag;
	int number;         /* episode number (order of first publication) */
	char *transcript_vtt;  /* file names relative to the feed's output, or NULL */
	char *transcript_srt;
	char *chapters;
	char *page;         /* the episode's own page, or NULL */
	/*
	 * What the row was made from, or NULL when unknown: the review file's
	 * size, times and inode and a fingerprint of everything outside it
	 * (see build.c). A build that finds the same stamp (and the files in
	 * place) knows the row is up to date without reading the review.
	 */
	char *source_stamp;
};

/* episode_init() zeroes e (no allocation); episode_release() frees its strings and zeroes it. */
void episode_init(struct episode *e);
void episode_release(struct episode *e);

struct catalog;

/*
 * Opens (creating if needed) the catalog at path. Returns 0 or -1
 * (printed, naming the file). A catalog written by a newer revcast
 * (schema version above this one's) is refused.
 */
int catalog_open(struct catalog **out, const char *path);
void catalog_close(struct catalog *c);

/*
 * Transactions around a batch of changes. 0 or -1 (printed). After a
 * failed commit the caller calls catalog_rollback(); rolling back when no
 * transaction is open does nothing.
 */
int catalog_begin(struct catalog *c);
int catalog_commit(struct catalog *c);
void catalog_rollback(struct catalog *c);

/*
 * Finds the episode for review `key`. Returns 1 and fills e when found,
 * 0 when not, -1 on error (printed). e must be initialised; when found,
 * what it held is released first. Otherwise e is untouched.
 */
int catalog_get(struct catalog *c, const char *key, struct episode *e);

/*
 * Inserts or updates the episode e->key. GUID, publication date and
 * number of an existing row are never changed: whatever e holds for them
 * is replaced by the stored values. The same holds for a key that was
 * removed and comes back. A new key needs e->guid, e->pub_date and
 * e->number from the caller (catalog_make_guid, catalog_next_number).
 * e->slug must be [a-z0-9-] and not start with '-'. Returns 0 or -1
 * (printed); on failure nothing is stored and e is unchanged.
 */
int catalog_put(struct catalog *c, struct episode *e);

/*
 * Sets the source stamp of review `key`'s row (NULL clears it); an
 * unknown key changes nothing. Returns 0 or -1 (printed).
 */
int catalog_set_stamp(struct catalog *c, const char *key, const char *stamp);

/*
 * Removes review `key` (its GUID, date and number stay remembered).
 * Removing an unknown key does nothing. Returns 0 or -1 (printed).
 */
int catalog_remove(struct catalog *c, const char *key);

/*
 * All episodes, newest first (pub_date descending, then number
 * descending). The caller releases each and frees the array. Returns 0
 * or -1 (printed; *out NULL and *nr 0).
 */
int catalog_list(struct catalog *c, struct episode **out, size_t *nr);

/* The next free episode number (1 + the largest ever given), or -1 (printed). */
int catalog_next_number(struct catalog *c);

/*
 * Whether slug is used by an episode other than review `key` (NULL: by
 * any episode). 1 or 0, -1 on error (printed).
 */
int catalog_slug_taken(struct catalog *c, const char *slug, const char *key);

/*
 * A GUID for a new episode: UUIDv5 of the podcast GUID and the key, in
 * lower case. New string, or NULL (printed) when podcast_guid is not a UUID.
 */
char *catalog_make_guid(const char *podcast_guid, const char *key);

/*
 * A slug from a title: lower-case ASCII letters and digits with single
 * hyphens (accents folded: "Café" -> "cafe"), at most 60 characters,
 * never empty ("episode"), never "." or "..". New string.
 */
char *slugify(const char *title);

/*
 * base, or base-2, base-3, ... (shortened so that it stays within 60
 * characters), the first that no episode other than review `key` uses.
 * New string, or NULL (printed) on error or when base is not a slug.
 */
char *slug_unique(struct catalog *c, const char *base, const char *key);

#endif
