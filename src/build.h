/*
 * build.h - `revcast build`: a folder of reviews becomes a published
 * podcast. Renders what is new or changed (and nothing else), keeps the
 * catalog, writes the feed, and never leaves the published folder in a
 * state a reader could see half-done.
 */
#ifndef REVCAST_BUILD_H
#define REVCAST_BUILD_H

#include <stddef.h>

struct build_options {
	const char *out_dir;   /* default "public" */
	const char *base_url;  /* overrides feed.ini's base_url, or NULL */
	int jobs;              /* worker processes (default: the number of cores) */
	int progress;          /* print progress and a summary */
	int force;             /* render everything again */
	int time_limit;        /* seconds one review may take to render (0: none) */
	long memory_limit_mb;  /* address space of one render (0: none) */
	int shard_k, shard_n;  /* render only share K of N (1 <= K <= N), see below */
	const char **assemble; /* shard output folders to take renders from */
	size_t nr_assemble;
};
void build_options_init(struct build_options *o);

/* What one build of one feed did. */
struct build_stats {
	int reviews;
	int rendered;
	int unchanged;
	int updated;    /* metadata changed, audio kept */
	int failed;
	int removed;
};

/*
 * Resolves FEED (a folder name under feeds/, or a path to a feed folder)
 * to a feed directory. New string, or NULL with an error printed.
 */
char *build_feed_dir(const char *feed);

/*
 * Builds one feed. Returns 0 when every review is published, 1 when some
 * failed (their previous episodes stay in the feed, the rest are
 * published), -1 when the feed could not be built at all (the previous
 * published feed is left as it was).
 *
 * Sharding: with shard_n set, only the reviews whose share (a hash of
 * their file name) is shard_k are rendered, into out_dir/NAME/episodes/,
 * and out_dir/NAME/shard-K-of-N.tsv records what was rendered; the
 * catalog is only read, and no feed is written. A build given `assemble`
 * folders (the shards' out_dirs) takes every render it needs from them
 * when the render key matches, instead of rendering, and publishes as
 * usual: the result equals a single-machine build.
 */
int build_feed(const char *feed_dir, const struct build_options *o,
	       struct build_stats *st);

#endif
