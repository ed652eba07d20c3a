/*
 * feed.h - the RSS 2.0 feed with the itunes, podcast (Podcasting 2.0),
 * content and atom namespaces, written with libxml2's xmlTextWriter so
 * that every text is escaped correctly.
 *
 * Stage 6 of the pipeline: ... -> episode -> feed/site.
 */
#ifndef REVCAST_FEED_H
#define REVCAST_FEED_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

struct feed_config;
struct episode;

/*
 * Writes the feed for config c and episodes eps[0..nr) (already newest
 * first) and appends it to out. `now` (Unix seconds) is the channel's
 * lastBuildDate. `stylesheet`, if not NULL, is linked with an
 * xml-stylesheet processing instruction. Text that XML 1.0 cannot hold
 * (C0 controls but tab/LF/CR, U+FFFE/U+FFFF) is dropped, broken UTF-8
 * becomes U+FFFD. The cover is base_url + c->cover_name. Returns 0, or -1
 * (printed; out unchanged).
 */
int feed_write(struct strbuf *out, const struct feed_config *c,
	       const struct episode *eps, size_t nr, int64_t now,
	       const char *stylesheet);

/*
 * A digest of everything feed_write() reads for these arguments (the
 * config's fields it shows, each episode's, now, the stylesheet) and of
 * the writer itself (a format number, revcast's and libxml2's versions):
 * two calls with the same digest write the same bytes. 64 bits, not
 * cryptographic: it tells a build whether the feed it would write is the
 * one it wrote last time. Whoever changes what feed_write() reads changes
 * this too.
 */
uint64_t feed_digest(const struct feed_config *c, const struct episode *eps, size_t nr,
		     int64_t now, const char *stylesheet);

/* RFC 2822 date in UTC, e.g. "Tue, 05 Mar 2024 09:00:00 +0000". */
void rfc2822_date(int64_t t, char out[40]);

#endif
