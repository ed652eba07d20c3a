/*
 * voice.h - voice profiles: how a review is read (eSpeak NG voice, rate,
 * pitch, pauses, intro and outro templates). One INI file per profile in
 * the voices directory, e.g. voices/en-gb.ini, read with inih.
 */
#ifndef REVCAST_VOICE_H
#define REVCAST_VOICE_H

struct voice_profile {
	char *name;          /* file name without .ini */
	char *path;
	char *language;      /* BCP 47 language this profile reads, e.g. "en-GB" */
	char *espeak_voice;  /* eSpeak NG voice name: "en", "en-us", "fr" */
	char *variant;       /* eSpeak NG variant such as "m3", or NULL */
	char *quote_variant; /* variant for block quotes, or NULL for the same voice */
	int rate;            /* words per minute, 80-450 */
	int pitch;           /* 0-100 */
	int range;           /* pitch range 0-100 */
	int volume;          /* 0-200 */
	int pause_title_ms;      /* after the title / intro */
	int pause_paragraph_ms;  /* between paragraphs */
	int pause_heading_ms;    /* after a heading */
	int pause_list_ms;       /* between list items */
	int pause_dash_ms;       /* at an em dash */
	int pause_paren_ms;      /* around a parenthesis */
	int pause_end_ms;        /* silence at the very end */
	char *intro;         /* template, e.g. "{title}. A review by {author}." */
	char *intro_anonymous; /* template when the author is unknown */
	char *outro;         /* template, or NULL */
	/*
	 * Jingles: audio files (any format libsndfile reads) played before the
	 * intro and after the outro. Stored resolved: an absolute path, or the
	 * voices directory joined with the value given. NULL for none.
	 */
	char *intro_jingle;
	char *outro_jingle;
	char *lexicon;       /* lexicon file name in the voices directory, or NULL */
};

/*
 * The voices directory: $REVCAST_VOICES if set, else "voices" beside the
 * running executable, else ./voices, else the installed data directory.
 * The string is static.
 */
const char *voice_dir(void);

/* Sets defaults (British English); allocates nothing but the defaults' strings. */
void voice_profile_init(struct voice_profile *v);
void voice_profile_release(struct voice_profile *v);

/*
 * Loads profile `name` (a file NAME.ini in `dir`; a name containing '/' is
 * a path to an INI file). Unknown keys and bad values are errors with file
 * and line, and so is a jingle that is not a file (relative jingle paths
 * are resolved against `dir`). An unknown profile is an error that lists
 * the known ones.
 */
int voice_profile_load(struct voice_profile *v, const char *dir, const char *name);

/*
 * The files that the profile at `path` names besides itself (its jingles,
 * resolved against `dir` as voice_profile_load() does), each appended to
 * out followed by a NUL, whether or not they exist. Never fails: a profile
 * that cannot be read or parsed adds what was read before the problem
 * (loading it reports the problem).
 */
struct strbuf;
void voice_profile_files(const char *path, const char *dir, struct strbuf *out);

/*
 * Chooses the profile name for a review: `explicit_name` (from the command
 * line or front matter) if given; else the profile in `dir` whose language
 * matches `lang` best (exact tag, then primary subtag); else `fallback`.
 * Returns a newly allocated name, or NULL with an error printed.
 */
char *voice_choose(const char *dir, const char *explicit_name, const char *lang,
		   const char *fallback);

/*
 * Expands {title}, {author}, {feed}, {date} in a template. A missing value
 * expands to "". Returns a new string.
 */
char *voice_expand(const char *tmpl, const char *title, const char *author,
		   const char *feed, const char *date);

#endif
