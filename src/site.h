/*
 * site.h - the listening site beside a feed: index.html (the show and
 * every episode with a player, captions and the review's text, each
 * paragraph playing from where it is read), a page per episode,
 * feed.xsl (so that feed.xml opened in a browser reads as a page) and
 * episodes.m3u for offline players. Everything is made from the catalog
 * and the transcripts already written: no render is needed. The pages
 * carry all their CSS and JavaScript inline and work from the local disk.
 *
 * Stage 6 of the pipeline: ... -> episode -> transcript, feed, site.
 */
#ifndef REVCAST_SITE_H
#define REVCAST_SITE_H

#include <stddef.h>
#include "util.h"

struct feed_config;
struct episode;

/* The name feed.xml's xml-stylesheet instruction links to. */
#define SITE_FEED_XSL "feed.xsl"

/*
 * Writes the site of feed c into dir (the feed's output, DIR/NAME):
 * index.html, the page of every episode that has one (e->page, relative
 * to dir), feed.xsl and episodes.m3u. eps are newest first, as the feed
 * lists them. Each file is written atomically and only when its bytes
 * change. Block times come from each episode's WebVTT transcript; an
 * episode without one gets a page without them.
 *
 * manifest (NULL: none) is a file where the build records a digest of
 * each page's inputs (and index.html's) with the file's size, mtime and
 * inode: a page whose record still matches is neither rebuilt nor read,
 * nor is its transcript (see site.c for exactly what is trusted). With
 * `force` every page is rebuilt and compared, and the manifest rewritten.
 * Returns 0, or -1 (printed) when a file could not be written.
 */
int site_write(const char *dir, const struct feed_config *c,
	       const struct episode *eps, size_t nr, const char *manifest, int force);

/*
 * Appends one episode's HTML page (own_page: as episodes/STEM.html,
 * else index.html) or the whole index; `dir` is where the VTT files are
 * read from. Exposed for the tests.
 */
int site_index_html(struct strbuf *out, const char *dir, const struct feed_config *c,
		    const struct episode *eps, size_t nr);
int site_episode_html(struct strbuf *out, const char *dir, const struct feed_config *c,
		      const struct episode *e);

/* Appends the XSLT 1.0 stylesheet that shows feed.xml as a page. */
void site_feed_xsl(struct strbuf *out);

/*
 * Appends an extended M3U playlist of eps (#EXTINF:SECONDS,AUTHOR - TITLE,
 * then the file's path relative to the playlist), in the feed's order,
 * or oldest first when `serial`.
 */
void site_m3u(struct strbuf *out, const char *title, const struct episode *eps,
	      size_t nr, int serial);

#endif
