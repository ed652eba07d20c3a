/*
 * normalize.h - review-aware text normalisation: turns written forms
 * ("7/10", "£2.50", "1990s", "1h 47m", "vs.") into the words a person
 * would say, per language. Each language's rules live in one table.
 *
 * Part of stage 2 (text) of the pipeline.
 */
#ifndef REVCAST_NORMALIZE_H
#define REVCAST_NORMALIZE_H

/*
 * Returns the spoken form of one sentence of clean text in language
 * `lang` (a BCP 47 tag: "en", "en-GB", "fr_CA"...; languages without
 * rules, a NULL lang included, are left as they are). Ratings, money,
 * years and decades, running times, units, abbreviations, web addresses
 * and header lines ("Running time: 1h 47m") become words; everything
 * else, em dashes and parentheses included, is kept byte for byte. The
 * work is linear in the length of `in`, whatever it holds. Never fails
 * (a NULL `in` gives ""); the caller frees the result.
 */
char *normalize_text(const char *lang, const char *in);

#endif
