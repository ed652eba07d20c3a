/*
 * cover.h - draws a podcast cover (square RGB PNG) for feeds that have no
 * artwork: a gradient and a ring of sound-wave bars whose colours and
 * shape come from the feed's title, so every feed gets its own.
 */
#ifndef REVCAST_COVER_H
#define REVCAST_COVER_H

/*
 * Writes a size x size RGB PNG to path (atomically), seeded by text.
 * Returns 0 or -1 (printed).
 */
int cover_draw(const char *path, int size, const char *text);

#endif
