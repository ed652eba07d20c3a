/*
 * text.h - the spoken script: what eSpeak NG will say, in order, with the
 * pauses between. Built from a review and a voice profile; cleans the text
 * (no control characters, nothing that crashes eSpeak NG) and splits it
 * into sentences so that their times can be kept for transcripts.
 *
 * Stage 2 of the pipeline: review -> text -> speech -> audio -> episode.
 */
#ifndef REVCAST_TEXT_H
#define REVCAST_TEXT_H

#include <stddef.h>
#include "util.h"

struct review;
struct voice_profile;
struct lexicon;

enum seg_kind {
	SEG_INTRO,      /* the spoken intro template (carries the title) */
	SEG_PARAGRAPH,
	SEG_HEADING,
	SEG_QUOTE,
	SEG_LIST_ITEM,
	SEG_OUTRO,
};

struct sentence {
	char *display;  /* the sentence as written, for transcripts */
	char *spoken;   /* the sentence as it is said (cleaned, normalised) */
};

struct segment {
	enum seg_kind kind;
	int block;      /* index of the review block, -1 for intro and outro */
	int line;       /* source line, 0 for intro and outro */
	int quote;      /* read with the profile's quote variant */
	int pause_after_ms;
	struct sentence *sentences;
	size_t nr_sentences, alloc_sentences;
};

struct script {
	char *lang;     /* language the text was normalised for */
	struct segment *segs;
	size_t nr, alloc;
};

void script_init(struct script *s);
void script_release(struct script *s);

/*
 * Builds the script for review r read with profile v: the intro (from the
 * profile's template), every block, the outro. Each sentence's spoken form
 * is normalised for the language, then the lexicon (may be NULL) is
 * applied. `feed_title` may be NULL. Returns 0, or -1 with an error printed.
 */
int script_build(struct script *s, const struct review *r,
		 const struct voice_profile *v, const char *feed_title,
		 const struct lexicon *lex);

/*
 * Appends segment seg as the SSML handed to eSpeak NG (bare tags, no
 * <speak> element): text
 * escaped, a <mark name="N"/> before sentence N, breaks for the profile's
 * dash and parenthesis pauses.
 */
void script_segment_ssml(const struct segment *seg, const struct voice_profile *v,
			 struct strbuf *out);

/*
 * Cleans one piece of text for eSpeak NG: removes C0/C1 control characters
 * and other invisible code points, folds white space, and breaks up input
 * shapes known to crash libespeak-ng 1.51 (long runs of dotted letters,
 * very long words). Returns a new string.
 */
char *text_clean(const char *in);

/*
 * Splits text into sentences; calls fn for each with its byte range.
 */
void text_split_sentences(const char *text,
			  void (*fn)(const char *s, size_t len, void *data), void *data);

const char *seg_kind_name(enum seg_kind k);

#endif

/*
 * Whether the review contains a word from the explicit-language list of
 * its language (voices_dir/explicit-LANG.txt, LANG the primary subtag;
 * one lower-case word a line, a trailing '*' matching any ending, '#'
 * comments). Front matter's `explicit` overrides. 1 or 0.
 */
struct review;
int text_is_explicit(const struct review *r, const char *lang, const char *voices_dir);
