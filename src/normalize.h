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
 * `lang` (a BCP 47 tag; unknown languages are left as they are). Never
 * fails; the result is a new string.
 */
char *normalize_text(const char *lang, const char *in);

#endif
