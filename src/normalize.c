/*
 * normalize.c - review-aware text normalisation. See normalize.h.
 *
 * One pass, left to right, over one sentence. At each position that
 * starts a word, and at each symbol, a fixed list of matchers is tried.
 * A matcher looks at a window of at most LOOK_MAX bytes and either
 * consumes some input and writes its spoken form, or consumes nothing.
 * When none matches, the whole word (or the one symbol) is copied as it
 * is. Positions inside a word are never tried again, so the work is
 * linear in the length of the input, with no recursion and no
 * backtracking; bytes that are not valid UTF-8 are copied through.
 *
 * What each language says lives in one struct lang_rules per language
 * (english and french, at the end of the tables below); the matchers
 * only follow those tables.
 */
#include "normalize.h"
#include "util.h"

#include <string.h>

/* The furthest any matcher looks ahead from where it starts, in bytes. */
#define LOOK_MAX 256
/* Digits in one number that a matcher will consider. */
#define NUM_MAX 15
/* Longest word compared against a word list. */
#define WORD_CMP_MAX 24
/* Longer runs of stars are not a rating. */
#define STARS_MAX 10
/* Header sentences ("Running time: 1h 47m") are at most this long. */
#define HEADER_MAX 400

/* UTF-8 spellings of the symbols the matchers look for. */
#define U_POUND "\xc2\xa3"
#define U_EURO "\xe2\x82\xac"
#define U_HALF "\xc2\xbd"
#define U_STAR "\xe2\x98\x85"          /* BLACK STAR */
#define U_STAR_EMOJI "\xe2\xad\x90"    /* WHITE MEDIUM STAR, the emoji */
#define U_STAR_HOLLOW "\xe2\x98\x86"   /* WHITE STAR */
#define U_RSQUO "\xe2\x80\x99"
#define U_LSQUO "\xe2\x80\x98"
#define U_NDASH "\xe2\x80\x93"
#define U_DEGREE "\xc2\xb0"
#define U_ORDINAL_O "\xc2\xba"

/* ---- the language tables ----------------------------------------------- */

/* When an abbreviation is expanded. */
enum abbr_when {
	ABBR_ALWAYS,
	ABBR_BEFORE_NAME,       /* followed by a space and a capital letter */
	ABBR_BEFORE_NUMBER,     /* followed by a digit, a space between or not */
	ABBR_AFTER_NAME,        /* preceded by a capitalised word and a space */
	ABBR_KEEP_STOP,         /* always; its full stop stays when it ends the sentence */
};

struct abbrev {
	const char *written;    /* "Dr." */
	const char *spoken;     /* "Doctor" */
	enum abbr_when when;
};

/* A counted thing: "1 hour", "2 hours", "une heure". */
struct unit {
	const char *written;    /* for units after a number ("km"); else NULL */
	const char *one, *many;
	int fem;                /* grammatically feminine: "une" in French */
};

struct currency {
	const char *symbol;     /* "£" */
	struct unit major;      /* pound, pounds */
	struct unit minor;      /* penny, pence */
	const char *join;       /* between the major and the minor amount */
	int minor_named;        /* say the minor unit after a major amount */
};

/* "m" -> million: one and many are the forms after 1 and after more. */
struct multiplier {
	const char *written;
	const char *one, *many;
};

/* A label that starts a header line ("Running time: 1h 47m"). */
struct label {
	const char *name;
	const char *sep;        /* what replaces the colon: ", " or " " */
	int cert;               /* the value is a film certificate */
};

struct lang_rules {
	const char *tag;                /* "en" matches en, en-GB, en_US */
	char decimal;                   /* the decimal separator it writes */
	char group;                     /* thousands separator in numbers, or 0 */
	int group_space_money;          /* "1 299,99 €": space-grouped amounts */
	int plural_from_two;            /* French: 0 and 1 take the singular */
	const char *one_fem;            /* "une" for 1 of a feminine unit */
	const char *half_after_number;  /* "3 and a half stars" */
	const char *half_after_fem;     /* "3 étoiles et demie" */
	const char *half_after_masc;    /* "1 euro et demi" */

	/* ratings: "7/10", "★★★★☆" */
	const char *out_of;             /* " out of " */
	struct unit star;
	int stars_total_after;          /* "4 étoiles sur 5", not "4 sur 5 étoiles" */
	const char *half_a_star;        /* a lone half star */
	const char *const *fractions;   /* written, spoken, ..., NULL */

	/* money */
	const struct currency *currencies;
	int currency_after;             /* "15 €" as well as "€15" */
	const struct multiplier *multipliers;
	const char *of_vowel, *of_consonant;    /* "3 millions d'euros" */

	/* running times and other units after a number */
	const char *const *hour_marks;  /* "h", "hr", ... NULL */
	const char *const *minute_marks;
	const char *minute_letter;      /* "m" as minutes after hours, or NULL */
	struct unit hour, minute;
	int minutes_implied;            /* "1h47" says "minutes" */
	const struct unit *units;       /* "km", ... */
	const char *percent;            /* " percent" */
	const char *number_sign;        /* "#1" -> "number 1" */

	/* years and decades */
	void (*year)(struct strbuf *out, int y);       /* NULL: eSpeak reads them */
	int (*decade)(struct strbuf *out, int d);      /* 0 when it cannot */
	const char *decade_word;        /* the decade follows this word only */
	int decade_suffix;              /* "1990s", "'90s" */
	const char *const *year_before; /* words after which a number is a year */
	const char *const *year_after;  /* words before which it is */
	const char *const *year_joins;  /* "1999 and 2001": a year after a year */
	const char *range;              /* "10-15", "1999-2001" -> " to " */

	const struct abbrev *abbrevs;
	/* words after which an amount is an adjective: "a 12 pound ticket" */
	const char *const *attributive;

	/* web addresses */
	const char *dot, *slash, *at, *dash, *underscore, *plus;

	/* header lines */
	const struct label *labels;
	const struct abbrev *certs;     /* "TP" -> "tous publics" */
	const char *under_age_pre, *under_age_post;     /* "-12" */
};

/* ---- English ----- */

static const char *const en_ones[20] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
	"nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
	"sixteen", "seventeen", "eighteen", "nineteen",
};
static const char *const en_tens[10] = {
	"", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
	"eighty", "ninety",
};
static const char *const en_tens_plural[10] = {
	"", "tens", "twenties", "thirties", "forties", "fifties", "sixties",
	"seventies", "eighties", "nineties",
};

/* Appends 0-99 in English words: "ninety-nine". */
static void en_words(struct strbuf *out, int n)
{
	if (n < 20) {
		strbuf_addstr(out, en_ones[n]);
		return;
	}
	strbuf_addstr(out, en_tens[n / 10]);
	if (n % 10) {
		strbuf_addch(out, '-');
		strbuf_addstr(out, en_ones[n % 10]);
	}
}

/*
 * Appends year y (1100-2099) as said: "nineteen ninety-nine", "nineteen
 * oh five", "nineteen hundred", "two thousand and one", "twenty twelve".
 */
static void en_year(struct strbuf *out, int y)
{
	int c = y / 100, yy = y % 100;

	if (y >= 2000 && y < 2010) {
		strbuf_addstr(out, "two thousand");
		if (yy) {
			strbuf_addstr(out, " and ");
			en_words(out, yy);
		}
		return;
	}
	en_words(out, c);
	if (!yy) {
		strbuf_addstr(out, " hundred");
	} else if (yy < 10) {
		strbuf_addstr(out, " oh ");
		en_words(out, yy);
	} else {
		strbuf_addch(out, ' ');
		en_words(out, yy);
	}
}

/*
 * Appends decade d as said: 1990 "nineteen nineties", 1900 "nineteen
 * hundreds", 2000 "two thousands", 2010 "twenty tens", 90 "nineties".
 * Returns 0 (appending nothing) for decades it does not say: 0 and 10
 * ("'00s", "'10s"), and four-digit decades outside 1100-2090.
 */
static int en_decade(struct strbuf *out, int d)
{
	if (d % 10)
		return 0;
	if (d < 100) {
		if (d < 20)
			return 0;
		strbuf_addstr(out, en_tens_plural[d / 10]);
		return 1;
	}
	if (d < 1100 || d > 2090)
		return 0;
	if (d == 2000) {
		strbuf_addstr(out, "two thousands");
		return 1;
	}
	en_words(out, d / 100);
	strbuf_addch(out, ' ');
	if (d % 100)
		strbuf_addstr(out, en_tens_plural[d % 100 / 10]);
	else
		strbuf_addstr(out, "hundreds");
	return 1;
}

static const char *const en_fractions[] = {
	"1/2", "one half", "1/3", "one third", "2/3", "two thirds",
	"1/4", "one quarter", "3/4", "three quarters", NULL,
};

static const struct currency en_currencies[] = {
	{ U_POUND, { NULL, "pound", "pounds", 0 }, { NULL, "penny", "pence", 0 }, " ", 0 },
	{ "$", { NULL, "dollar", "dollars", 0 }, { NULL, "cent", "cents", 0 }, " and ", 1 },
	{ U_EURO, { NULL, "euro", "euros", 0 }, { NULL, "cent", "cents", 0 }, " ", 0 },
	{ NULL, { NULL, NULL, NULL, 0 }, { NULL, NULL, NULL, 0 }, NULL, 0 },
};

static const struct multiplier en_multipliers[] = {
	{ "thousand", "thousand", "thousand" }, { "k", "thousand", "thousand" },
	{ "million", "million", "million" }, { "mn", "million", "million" },
	{ "m", "million", "million" },
	{ "billion", "billion", "billion" }, { "bn", "billion", "billion" },
	{ "trillion", "trillion", "trillion" }, { "tn", "trillion", "trillion" },
	{ NULL, NULL, NULL },
};

static const char *const en_hour_marks[] = { "hours", "hour", "hrs", "hr", "h", NULL };
static const char *const en_minute_marks[] = { "minutes", "minute", "mins", "min", NULL };

static const struct unit en_units[] = {
	{ "km/h", "kilometre per hour", "kilometres per hour", 0 },
	{ "km", "kilometre", "kilometres", 0 },
	{ "kg", "kilogram", "kilograms", 0 },
	{ "cm", "centimetre", "centimetres", 0 },
	{ "mm", "millimetre", "millimetres", 0 },
	{ "mph", "mile per hour", "miles per hour", 0 },
	{ NULL, NULL, NULL, 0 },
};

static const char *const en_year_before[] = {
	"in", "since", "from", "until", "till", "by", "circa", "c", "before",
	"after", "around", "during", "year", "of", "summer", "spring", "autumn",
	"fall", "winter", "christmas", "early", "late", "mid", "between",
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
	"oct", "nov", "dec", NULL,
};
static const char *const en_year_after[] = {
	"film", "films", "movie", "release", "remake", "version", "edition",
	"season", "album", "novel", "series", "election", "tour", "original",
	"adaptation", "production", "classic", "debut", "hit", "documentary",
	"sequel", "book", "record", "festival", "olympics", "world", NULL,
};
static const char *const en_attributive[] = { "a", "an", NULL };

static const char *const en_year_joins[] = {
	"and", "or", "to", "through", "till", "until", NULL,
};

static const struct abbrev en_abbrevs[] = {
	{ "vs.", "versus", ABBR_ALWAYS },
	{ "vs", "versus", ABBR_ALWAYS },
	{ "approx.", "approximately", ABBR_ALWAYS },
	{ "approx", "approximately", ABBR_ALWAYS },
	{ "etc.", "et cetera", ABBR_KEEP_STOP },
	{ "e.g.", "for example", ABBR_ALWAYS },
	{ "i.e.", "that is", ABBR_ALWAYS },
	{ "Dr.", "Doctor", ABBR_ALWAYS },
	{ "Dr", "Doctor", ABBR_BEFORE_NAME },
	{ "Mr.", "Mister", ABBR_ALWAYS },
	{ "Mr", "Mister", ABBR_BEFORE_NAME },
	{ "Mrs.", "Missus", ABBR_ALWAYS },
	{ "Mrs", "Missus", ABBR_BEFORE_NAME },
	{ "Ms.", "Miz", ABBR_ALWAYS },
	{ "Ms", "Miz", ABBR_BEFORE_NAME },
	{ "Prof.", "Professor", ABBR_ALWAYS },
	{ "St.", "Saint", ABBR_BEFORE_NAME },
	{ "St", "Saint", ABBR_BEFORE_NAME },
	{ "St.", "Street", ABBR_AFTER_NAME },
	{ "Mt.", "Mount", ABBR_BEFORE_NAME },
	{ "Jr.", "Junior", ABBR_AFTER_NAME },
	{ "Sr.", "Senior", ABBR_AFTER_NAME },
	{ "feat.", "featuring", ABBR_ALWAYS },
	{ "No.", "number", ABBR_BEFORE_NUMBER },
	{ "no.", "number", ABBR_BEFORE_NUMBER },
	{ "Nos.", "numbers", ABBR_BEFORE_NUMBER },
	{ "Vol.", "volume", ABBR_BEFORE_NUMBER },
	{ "PG-13", "PG 13", ABBR_ALWAYS },
	{ "NC-17", "NC 17", ABBR_ALWAYS },
	{ NULL, NULL, ABBR_ALWAYS },
};

static const struct label en_labels[] = {
	{ "Rated", " ", 1 }, { "Certificate", " ", 1 }, { "Cert", " ", 1 },
	{ "Classification", ", ", 1 }, { "Age rating", ", ", 1 },
	{ "Running time", ", ", 0 }, { "Run time", ", ", 0 }, { "Runtime", ", ", 0 },
	{ "Duration", ", ", 0 }, { "Length", ", ", 0 },
	{ "Directed by", " ", 0 }, { "Director", ", ", 0 }, { "Directors", ", ", 0 },
	{ "Written by", " ", 0 }, { "Writer", ", ", 0 }, { "Writers", ", ", 0 },
	{ "Screenplay", ", ", 0 }, { "Starring", " ", 0 }, { "Cast", ", ", 0 },
	{ "Genre", ", ", 0 }, { "Released", " ", 0 }, { "Release date", ", ", 0 },
	{ "Release", ", ", 0 }, { "Country", ", ", 0 }, { "Language", ", ", 0 },
	{ "Studio", ", ", 0 }, { "Distributor", ", ", 0 }, { "Publisher", ", ", 0 },
	{ "Author", ", ", 0 }, { "Pages", ", ", 0 }, { "Format", ", ", 0 },
	{ "Price", ", ", 0 }, { "Verdict", ", ", 0 }, { "Score", ", ", 0 },
	{ "Rating", ", ", 0 }, { "Our rating", ", ", 0 }, { "Platform", ", ", 0 },
	{ "Platforms", ", ", 0 }, { "Developer", ", ", 0 }, { "Label", ", ", 0 },
	{ "Venue", ", ", 0 }, { "Year", ", ", 0 }, { "Producer", ", ", 0 },
	{ "Music", ", ", 0 }, { "Composer", ", ", 0 },
	{ NULL, NULL, 0 },
};

static const struct lang_rules english = {
	.tag = "en",
	.decimal = '.',
	.group = ',',
	.half_after_number = " and a half",
	.out_of = " out of ",
	.star = { NULL, "star", "stars", 0 },
	.half_a_star = "half a star",
	.fractions = en_fractions,
	.currencies = en_currencies,
	.multipliers = en_multipliers,
	.of_vowel = " ", .of_consonant = " ",
	.hour_marks = en_hour_marks,
	.minute_marks = en_minute_marks,
	.minute_letter = "m",
	.hour = { NULL, "hour", "hours", 0 },
	.minute = { NULL, "minute", "minutes", 0 },
	.minutes_implied = 1,
	.units = en_units,
	.percent = " percent",
	.number_sign = "number ",
	.year = en_year,
	.decade = en_decade,
	.decade_suffix = 1,
	.year_before = en_year_before,
	.year_after = en_year_after,
	.year_joins = en_year_joins,
	.range = " to ",
	.attributive = en_attributive,
	.abbrevs = en_abbrevs,
	.dot = " dot ", .slash = " slash ", .at = " at ", .dash = " dash ",
	.underscore = " underscore ", .plus = " plus ",
	.labels = en_labels,
};

/* ---- French ----- */

/*
 * Appends a decade of the twentieth century as French says it after
 * "années": 1990 or 90 "quatre-vingt-dix". Returns 0 for anything else
 * (eSpeak NG reads "les années 2000" well as it is).
 */
static int fr_decade(struct strbuf *out, int d)
{
	static const char *const tens[10] = {
		"", "dix", "vingt", "trente", "quarante", "cinquante", "soixante",
		"soixante-dix", "quatre-vingt", "quatre-vingt-dix",
	};

	if (d >= 1910 && d <= 1990)
		d -= 1900;
	if (d % 10 || d < 10 || d > 90)
		return 0;
	strbuf_addstr(out, tens[d / 10]);
	return 1;
}

static const char *const fr_fractions[] = {
	"1/2", "un demi", "1/3", "un tiers", "2/3", "deux tiers",
	"1/4", "un quart", "3/4", "trois quarts", NULL,
};

static const struct currency fr_currencies[] = {
	{ U_EURO, { NULL, "euro", "euros", 0 }, { NULL, "centime", "centimes", 0 }, " ", 0 },
	{ "$", { NULL, "dollar", "dollars", 0 }, { NULL, "cent", "cents", 0 }, " ", 0 },
	{ U_POUND, { NULL, "livre", "livres", 1 }, { NULL, "penny", "pence", 0 }, " ", 0 },
	{ NULL, { NULL, NULL, NULL, 0 }, { NULL, NULL, NULL, 0 }, NULL, 0 },
};

static const struct multiplier fr_multipliers[] = {
	{ "k", "mille", "mille" },
	{ "M", "million", "millions" }, { "millions", "million", "millions" },
	{ "million", "million", "millions" },
	{ "Mds", "milliard", "milliards" }, { "Md", "milliard", "milliards" },
	{ "milliards", "milliard", "milliards" }, { "milliard", "milliard", "milliards" },
	{ NULL, NULL, NULL },
};

static const char *const fr_hour_marks[] = { "heures", "heure", "h", NULL };
static const char *const fr_minute_marks[] = { "minutes", "minute", "min", "mn", NULL };

static const struct unit fr_units[] = {
	{ "km/h", "kilomètre-heure", "kilomètres-heure", 0 },
	{ "km", "kilomètre", "kilomètres", 0 },
	{ "kg", "kilogramme", "kilogrammes", 0 },
	{ "cm", "centimètre", "centimètres", 0 },
	{ "mm", "millimètre", "millimètres", 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct abbrev fr_abbrevs[] = {
	{ "M. et Mme", "Monsieur et Madame", ABBR_ALWAYS },
	{ "M.", "Monsieur", ABBR_BEFORE_NAME },
	{ "MM.", "Messieurs", ABBR_BEFORE_NAME },
	{ "Mme", "Madame", ABBR_ALWAYS },
	{ "Mmes", "Mesdames", ABBR_ALWAYS },
	{ "Mlle", "Mademoiselle", ABBR_ALWAYS },
	{ "Dr.", "Docteur", ABBR_ALWAYS },
	{ "Dr", "Docteur", ABBR_ALWAYS },
	{ "Pr", "Professeur", ABBR_BEFORE_NAME },
	{ "St", "Saint", ABBR_BEFORE_NAME },
	{ "Ste", "Sainte", ABBR_BEFORE_NAME },
	/* eSpeak NG reads "et cetera" as "é setra"; "etcétéra" comes out right. */
	{ "etc.", "etcétéra", ABBR_KEEP_STOP },
	{ "env.", "environ", ABBR_ALWAYS },
	{ "c.-à-d.", "c'est-à-dire", ABBR_ALWAYS },
	{ "p. ex.", "par exemple", ABBR_ALWAYS },
	{ "vs.", "contre", ABBR_ALWAYS },
	{ "vs", "contre", ABBR_ALWAYS },
	{ "n" U_DEGREE, "numéro", ABBR_BEFORE_NUMBER },
	{ "N" U_DEGREE, "numéro", ABBR_BEFORE_NUMBER },
	{ "n" U_ORDINAL_O, "numéro", ABBR_BEFORE_NUMBER },
	{ "N" U_ORDINAL_O, "numéro", ABBR_BEFORE_NUMBER },
	{ NULL, NULL, ABBR_ALWAYS },
};

static const struct label fr_labels[] = {
	{ "Classification", ", ", 1 }, { "Interdiction", ", ", 1 },
	{ "Réalisation", ", ", 0 }, { "Réalisateur", ", ", 0 },
	{ "Réalisatrice", ", ", 0 }, { "Avec", " ", 0 }, { "Durée", ", ", 0 },
	{ "Genre", ", ", 0 }, { "Sortie", ", ", 0 }, { "Date de sortie", ", ", 0 },
	{ "Note", ", ", 0 }, { "Notre note", ", ", 0 }, { "Scénario", ", ", 0 },
	{ "Pays", ", ", 0 }, { "Distribution", ", ", 0 }, { "Éditeur", ", ", 0 },
	{ "Auteur", ", ", 0 }, { "Autrice", ", ", 0 }, { "Prix", ", ", 0 },
	{ "Verdict", ", ", 0 }, { "Musique", ", ", 0 }, { "Production", ", ", 0 },
	{ "Année", ", ", 0 }, { "Titre original", ", ", 0 },
	{ NULL, NULL, 0 },
};

static const struct abbrev fr_certs[] = {
	{ "TP", "tous publics", ABBR_ALWAYS },
	{ NULL, NULL, ABBR_ALWAYS },
};

static const struct lang_rules french = {
	.tag = "fr",
	.decimal = ',',
	.group = 0,
	.group_space_money = 1,
	.plural_from_two = 1,
	.one_fem = "une",
	.half_after_fem = " et demie",
	.half_after_masc = " et demi",
	.out_of = " sur ",
	.star = { NULL, "étoile", "étoiles", 1 },
	.stars_total_after = 1,
	.half_a_star = "une demi-étoile",
	.fractions = fr_fractions,
	.currencies = fr_currencies,
	.currency_after = 1,
	.multipliers = fr_multipliers,
	.of_vowel = " d'", .of_consonant = " de ",
	.hour_marks = fr_hour_marks,
	.minute_marks = fr_minute_marks,
	.hour = { NULL, "heure", "heures", 1 },
	.minute = { NULL, "minute", "minutes", 1 },
	.units = fr_units,
	.percent = " pour cent",
	.number_sign = "numéro ",
	.decade = fr_decade,
	.decade_word = "années",
	.range = " à ",
	.abbrevs = fr_abbrevs,
	.dot = " point ", .slash = " barre oblique ", .at = " arobase ",
	.dash = " tiret ", .underscore = " tiret bas ", .plus = " plus ",
	.labels = fr_labels,
	.certs = fr_certs,
	.under_age_pre = "interdit aux moins de ",
	.under_age_post = " ans",
};

static const struct lang_rules *const languages[] = { &english, &french };

/* Top-level domains that make "word.tld" a web address without http. */
static const char *const tlds[] = {
	"com", "org", "net", "edu", "gov", "io", "uk", "fr", "de", "eu", "info",
	"tv", "fm", "me", "be", "ch", "ca", "it", "es", "nl", "au", "us", "co",
	"ie", "ly", "app", "dev", NULL,
};

/* ---- character classes ------------------------------------------------- */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int lower(int c)
{
	return is_upper(c) ? c + 32 : c;
}

/*
 * Whether code point cp belongs to a word: ASCII letters and digits and
 * letters beyond ASCII. Punctuation, symbols, currency signs, stars and
 * emoji do not.
 */
static int is_word_cp(long cp)
{
	if (cp < 0x80)
		return cp >= 0 && (is_digit((int)cp) || is_alpha((int)cp));
	if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7)
		return 0;
	if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1f000 && cp <= 0x1faff))
		return 0;
	return 1;
}

/* The code point at p (p < end), or -1 for invalid UTF-8. */
static long cp_at(const char *p, const char *end)
{
	return utf8_decode(&p, end);
}

/* Whether a word character starts at p. */
static int word_at(const char *p, const char *end)
{
	return p < end && is_word_cp(cp_at(p, end));
}

/* Whether a word character ends just before p. */
static int word_before(const char *start, const char *p)
{
	const char *q = p;
	int n = 0;

	if (p <= start)
		return 0;
	while (q > start && n < 4 && ((unsigned char)q[-1] & 0xc0) == 0x80) {
		q--;
		n++;
	}
	if (q > start)
		q--;
	return is_word_cp(cp_at(q, p));
}

/* Whether the text at p begins with s. */
static int starts(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

/* Same, ignoring the case of ASCII letters. */
static int starts_icase(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s), i;

	if ((size_t)(end - p) < n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)p[i]) != lower((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Whether p starts one of the apostrophes (' ’ ‘); returns its length. */
static size_t apostrophe_at(const char *p, const char *end)
{
	if (p < end && *p == '\'')
		return 1;
	if (starts(p, end, U_RSQUO) || starts(p, end, U_LSQUO))
		return 3;
	return 0;
}

/*
 * Whether the word w[0..len) (ASCII case ignored) is in the NULL-ended
 * list.
 */
static int word_in(const char *w, size_t len, const char *const *list)
{
	size_t i;

	if (!list || !len)
		return 0;
	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == len && starts_icase(w, w + len, list[i]))
			return 1;
	return 0;
}

/*
 * The word ending just before p, after at most one space, as a pointer
 * and a length (0 when there is none or it is longer than WORD_CMP_MAX).
 * A full stop right after it is skipped ("c. 1999").
 */
static size_t word_before_at(const char *start, const char *p, const char **w)
{
	const char *e = p, *b;

	if (e > start && e[-1] == ' ')
		e--;
	if (e > start && e[-1] == '.')
		e--;
	b = e;
	while (b > start && (size_t)(e - b) <= WORD_CMP_MAX && word_before(start, b)) {
		b--;
		while (b > start && ((unsigned char)*b & 0xc0) == 0x80)
			b--;
	}
	if ((size_t)(e - b) > WORD_CMP_MAX || word_before(start, b))
		return 0;
	*w = b;
	return (size_t)(e - b);
}

/* The word starting at p after exactly one space (length 0 if none). */
static size_t word_after_at(const char *p, const char *end, const char **w)
{
	const char *q;

	if (p >= end || *p != ' ')
		return 0;
	q = ++p;
	while (q < end && (size_t)(q - p) <= WORD_CMP_MAX && is_alpha((unsigned char)*q))
		q++;
	if ((size_t)(q - p) > WORD_CMP_MAX || word_at(q, end))
		return 0;
	*w = p;
	return (size_t)(q - p);
}

/* ---- numbers ----------------------------------------------------------- */

/* A number as written: "1,299.99" is intp "1299", frac "99". */
struct num {
	size_t len;                 /* bytes of input */
	char intp[NUM_MAX + 1];
	char frac[NUM_MAX + 1];     /* "" when there is no decimal part */
	int grouped;                /* had thousands separators */
};

/*
 * Parses a number at p into *n: digits, optionally in groups of three
 * after `group` (0 for none), optionally a decimal part after one of the
 * characters in `decs`. Returns the bytes it takes; 0 when there is no
 * digit at p or a part has more than NUM_MAX digits. What follows the
 * number is for the caller to check.
 */
static size_t parse_num(const char *p, const char *end, char group, const char *decs,
			struct num *n)
{
	const char *q = p;
	size_t len = 0;

	memset(n, 0, sizeof(*n));
	while (q < end && is_digit((unsigned char)*q)) {
		if (len == NUM_MAX)
			return 0;
		n->intp[len++] = *q++;
	}
	if (!len)
		return 0;
	if (group && len <= 3) {
		while (end - q >= 4 && *q == group && is_digit((unsigned char)q[1]) &&
		       is_digit((unsigned char)q[2]) && is_digit((unsigned char)q[3]) &&
		       (end - q == 4 || !is_digit((unsigned char)q[4]))) {
			if (len + 3 > NUM_MAX)
				return 0;
			memcpy(n->intp + len, q + 1, 3);
			len += 3;
			q += 4;
			n->grouped = 1;
		}
	}
	n->intp[len] = '\0';
	if (end - q >= 2 && *q && strchr(decs, *q) && is_digit((unsigned char)q[1])) {
		size_t f = 0;

		q++;
		while (q < end && is_digit((unsigned char)*q)) {
			if (f == NUM_MAX)
				return 0;
			n->frac[f++] = *q++;
		}
		n->frac[f] = '\0';
	}
	n->len = (size_t)(q - p);
	return n->len;
}

/* The integer part's value, or -1 when it has more than 6 digits. */
static long num_int(const struct num *n)
{
	long v = 0;
	size_t i;

	if (strlen(n->intp) > 6)
		return -1;
	for (i = 0; n->intp[i]; i++)
		v = v * 10 + (n->intp[i] - '0');
	return v;
}

/* Whether n is exactly 1 ("1", "01"), without a decimal part. */
static int num_is_one(const struct num *n)
{
	return !n->frac[0] && num_int(n) == 1;
}

/* Appends a number as eSpeak NG should read it: no grouping, L's decimal. */
static void add_num(struct strbuf *out, const struct lang_rules *L, const struct num *n)
{
	strbuf_addstr(out, n->intp);
	if (n->frac[0]) {
		strbuf_addch(out, L->decimal);
		strbuf_addstr(out, n->frac);
	}
}

/*
 * Appends a count of unit u: "1 hour", "2 hours", "une heure", "3 and a
 * half stars", "3 étoiles et demie". `half` adds a half to n.
 */
static void add_quantity(struct strbuf *out, const struct lang_rules *L,
			 const struct num *n, int half, const struct unit *u)
{
	long v = num_int(n);
	int plural;

	if (L->plural_from_two)
		plural = v < 0 || v >= 2;
	else
		plural = !(num_is_one(n) && !half);
	if (num_is_one(n) && u->fem && L->one_fem)
		strbuf_addstr(out, L->one_fem);
	else
		add_num(out, L, n);
	if (half && L->half_after_number)
		strbuf_addstr(out, L->half_after_number);
	strbuf_addch(out, ' ');
	strbuf_addstr(out, plural ? u->many : u->one);
	if (half && !L->half_after_number)
		strbuf_addstr(out, u->fem ? L->half_after_fem : L->half_after_masc);
}

/* Makes a num from an integer; a negative v (an error value) becomes 0. */
static void num_from_int(struct num *n, long v)
{
	char tmp[NUM_MAX + 1];
	size_t len = 0, i;

	memset(n, 0, sizeof(*n));
	if (v < 0)
		v = 0;
	do {
		tmp[len++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && len < NUM_MAX);
	for (i = 0; i < len; i++)
		n->intp[i] = tmp[len - 1 - i];
}

/* ---- the state of one pass --------------------------------------------- */

struct norm {
	const struct lang_rules *L;
	const char *start, *end;    /* the input */
	struct strbuf out;
	int header;                 /* a header sentence ("Director: X") */
	int cert;                   /* a certificate value follows */
	const char *last_year_end;  /* end of the last number read as a year */
	const char *range_end;      /* where the second number of a range starts */
};

/*
 * Adds a space unless the output is empty or ends in a space or an
 * opening bracket or quote.
 */
static void space_before(struct norm *n)
{
	if (n->out.len && n->out.buf[n->out.len - 1] != ' ' &&
	    !strchr("([{<\"'", n->out.buf[n->out.len - 1]))
		strbuf_addch(&n->out, ' ');
}

/*
 * Adds a space when the input at p goes on with a word or an opening
 * bracket or quote, not with a space or closing punctuation.
 */
static void space_after(struct norm *n, const char *p)
{
	if (p < n->end && (word_at(p, n->end) || strchr("([\"", *p)))
		strbuf_addch(&n->out, ' ');
}

/* ---- matchers: each returns the bytes it consumed, 0 if none ----------- */

/* The label of table L->labels at p followed by " :" or ":"; sets *lab. */
static size_t label_at(struct norm *n, const char *p, const struct label **lab)
{
	const struct label *l;

	if (!n->L->labels)
		return 0;
	for (l = n->L->labels; l->name; l++) {
		size_t len = strlen(l->name);
		const char *q = p + len;

		if (!starts_icase(p, n->end, l->name))
			continue;
		if (q < n->end && *q == ' ')
			q++;
		if (q >= n->end || *q != ':')
			continue;
		q++;
		if (q < n->end && *q != ' ')
			continue;
		while (q < n->end && *q == ' ')
			q++;
		*lab = l;
		return (size_t)(q - p);
	}
	return 0;
}

/* Writes a label as spoken: its own text, then the separator for the colon. */
static void add_label(struct norm *n, const char *p, const struct label *l)
{
	strbuf_add(&n->out, p, strlen(l->name));
	strbuf_addstr(&n->out, l->sep);
	n->cert = l->cert;
}

/*
 * A second label inside a header sentence (header lines joined into one
 * paragraph): "Rated: 12A Running time: 1h 47m" ends the first part with
 * a full stop.
 */
static size_t m_next_label(struct norm *n, const char *p)
{
	const struct label *l;
	size_t used;

	if (!n->header || p == n->start || p[-1] != ' ' || !is_upper((unsigned char)*p))
		return 0;
	used = label_at(n, p, &l);
	if (!used)
		return 0;
	strbuf_rtrim(&n->out);
	if (n->out.len && !strchr(".!?,;:", n->out.buf[n->out.len - 1]))
		strbuf_addch(&n->out, '.');
	space_before(n);
	add_label(n, p, l);
	return used;
}

/* Whether c may be part of a host name or path in a web address. */
static int url_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_' ||
	       c == '/' || c == '~' || c == '?' || c == '#' || c == '=' || c == '&' ||
	       c == '%' || c == '+' || c == ':' || c == '@';
}

/*
 * Checks that h[0..len) is a host name: labels of letters, digits and
 * hyphens joined by single dots. Returns the number of labels, 0 if it
 * is not one.
 */
static int host_labels(const char *h, size_t len)
{
	size_t i, lab = 0;
	int labels = 0;

	if (!len)
		return 0;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)h[i];

		if (c == '.') {
			if (!lab)
				return 0;
			labels++;
			lab = 0;
		} else if (is_alpha(c) || is_digit(c) || c == '-') {
			lab++;
		} else {
			return 0;
		}
	}
	if (!lab)
		return 0;
	return labels + 1;
}

/* The last label of a host name h[0..len). */
static const char *host_tld(const char *h, size_t len, size_t *tlen)
{
	const char *e = h + len, *b = e;

	while (b > h && b[-1] != '.')
		b--;
	*tlen = (size_t)(e - b);
	return b;
}

/*
 * Appends one part of an address as said: letters and digits as they
 * are, a label of two to four consonants in capitals so that it is
 * spelled ("bbc" -> "BBC"), dots, slashes, dashes, underscores and plus
 * signs as words.
 */
static void add_url_part(struct norm *n, const char *s, size_t len)
{
	const struct lang_rules *L = n->L;
	size_t i = 0;

	while (i < len) {
		size_t j = i, k;
		int vowel = 0, letters = 1;

		while (j < len && (is_alpha((unsigned char)s[j]) || is_digit((unsigned char)s[j]))) {
			if (strchr("aeiouyAEIOUY", s[j]))
				vowel = 1;
			if (!is_alpha((unsigned char)s[j]))
				letters = 0;
			j++;
		}
		if (letters && !vowel && j - i >= 2 && j - i <= 4) {
			for (k = i; k < j; k++)
				strbuf_addch(&n->out, is_upper((unsigned char)s[k]) ? s[k] : s[k] - 32);
		} else {
			strbuf_add(&n->out, s + i, j - i);
		}
		if (j >= len)
			break;
		switch (s[j]) {
		case '.': strbuf_addstr(&n->out, L->dot); break;
		case '/': strbuf_addstr(&n->out, L->slash); break;
		case '-': strbuf_addstr(&n->out, L->dash); break;
		case '_': strbuf_addstr(&n->out, L->underscore); break;
		case '+': strbuf_addstr(&n->out, L->plus); break;
		default: strbuf_addch(&n->out, ' '); break;
		}
		i = j + 1;
	}
}

/*
 * A web address or an e-mail address, read as a person would say it:
 * "https://www.example.com/reviews" -> "example dot com slash reviews",
 * "a.b@example.org" -> "a dot b at example dot org". The scheme, "www."
 * and any query or fragment are not said. Needs a space, an opening
 * bracket or quote, or nothing before it.
 */
static size_t m_url(struct norm *n, const char *p)
{
	const char *e = p, *host, *at, *path_end, *q;
	size_t tlen;
	int scheme = 0, www = 0, labels;

	if (p > n->start && !strchr(" ([<\"'", p[-1]) &&
	    ((unsigned char)p[-1] < 0x80 || word_before(n->start, p)))
		return 0;
	if (!is_alpha((unsigned char)*p) && !is_digit((unsigned char)*p))
		return 0;
	while (e < n->end && e - p < LOOK_MAX && url_char((unsigned char)*e))
		e++;
	if (e - p >= LOOK_MAX)
		return 0;
	/* Trailing punctuation belongs to the sentence. */
	while (e > p && strchr(".,;:!?", e[-1]))
		e--;
	host = p;
	if (starts_icase(p, e, "https://")) {
		host = p + 8;
		scheme = 1;
	} else if (starts_icase(p, e, "http://")) {
		host = p + 7;
		scheme = 1;
	}
	if (starts_icase(host, e, "www.")) {
		host += 4;
		www = 1;
	}
	at = memchr(host, '@', (size_t)(e - host));
	if (at && !scheme && !www) {
		/* an e-mail address: local@domain.tld */
		const char *l;

		if (at == host || memchr(at + 1, '@', (size_t)(e - at - 1)))
			return 0;
		for (l = host; l < at; l++)
			if (!is_alpha((unsigned char)*l) && !is_digit((unsigned char)*l) &&
			    !strchr("._+-", *l))
				return 0;
		labels = host_labels(at + 1, (size_t)(e - at - 1));
		host_tld(at + 1, (size_t)(e - at - 1), &tlen);
		if (labels < 2 || tlen < 2)
			return 0;
		space_before(n);
		add_url_part(n, host, (size_t)(at - host));
		strbuf_addstr(&n->out, n->L->at);
		add_url_part(n, at + 1, (size_t)(e - at - 1));
		space_after(n, e);
		return (size_t)(e - p);
	}
	if (at)
		return 0;
	for (q = host; q < e && *q != '/' && *q != '?' && *q != '#' && *q != ':'; q++)
		;
	labels = host_labels(host, (size_t)(q - host));
	if (!scheme && !www) {
		const char *tld = host_tld(host, (size_t)(q - host), &tlen);

		/* lower case only: "the end.It was" is a missing space */
		if (labels < 2 || !word_in(tld, tlen, tlds) || is_upper((unsigned char)*tld))
			return 0;
	} else if (labels < 1) {
		return 0;
	}
	/* The path, up to a query, a fragment or anything unusual. */
	path_end = q;
	if (path_end < e && *path_end == '/') {
		while (path_end < e && (is_alpha((unsigned char)*path_end) ||
					is_digit((unsigned char)*path_end) ||
					strchr("/._~-", *path_end)))
			path_end++;
	}
	while (path_end > q && (path_end[-1] == '/' || path_end[-1] == '.'))
		path_end--;
	/* Whatever follows the address (a query, a port) is not said. */
	space_before(n);
	add_url_part(n, host, (size_t)(path_end - host));
	space_after(n, e);
	return (size_t)(e - p);
}

/*
 * A run of rating stars: "★★★★☆" -> "4 out of 5 stars", "★★★½" -> "3 and
 * a half stars", "★★★" -> "3 stars"; French "4 étoiles sur 5".
 */
static size_t m_stars(struct norm *n, const char *p)
{
	const struct lang_rules *L = n->L;
	const char *q = p;
	long full = 0, hollow = 0;
	int half = 0;
	struct num cnt, total;

	/* Not in the middle of a run that was too long to read. */
	if (p - n->start >= 3 && (starts(p - 3, n->end, U_STAR) ||
				  starts(p - 3, n->end, U_STAR_EMOJI) ||
				  starts(p - 3, n->end, U_STAR_HOLLOW)))
		return 0;
	while (q < n->end && q - p < LOOK_MAX) {
		if (!half && !hollow && (starts(q, n->end, U_STAR) ||
					 starts(q, n->end, U_STAR_EMOJI))) {
			full++;
			q += 3;
		} else if (!half && !hollow && starts(q, n->end, U_HALF) &&
			   (full || starts(q + 2, n->end, U_STAR_HOLLOW))) {
			half = 1;
			q += 2;
		} else if (starts(q, n->end, U_STAR_HOLLOW)) {
			hollow++;
			q += 3;
		} else {
			break;
		}
		/* An emoji star may carry a variation selector. */
		if (starts(q, n->end, "\xef\xb8\x8f"))
			q += 3;
	}
	if ((!full && !half) || full + hollow > STARS_MAX || q - p >= LOOK_MAX)
		return 0;
	space_before(n);
	num_from_int(&cnt, full);
	num_from_int(&total, full + half + hollow);
	if (!full && half) {
		strbuf_addstr(&n->out, L->half_a_star);
		if (hollow) {
			strbuf_addstr(&n->out, L->out_of);
			add_num(&n->out, L, &total);
		}
	} else if (!hollow) {
		add_quantity(&n->out, L, &cnt, half, &L->star);
	} else if (L->stars_total_after) {
		add_quantity(&n->out, L, &cnt, half, &L->star);
		strbuf_addstr(&n->out, L->out_of);
		add_num(&n->out, L, &total);
	} else {
		add_num(&n->out, L, &cnt);
		if (half)
			strbuf_addstr(&n->out, L->half_after_number);
		strbuf_addstr(&n->out, L->out_of);
		add_num(&n->out, L, &total);
		strbuf_addch(&n->out, ' ');
		strbuf_addstr(&n->out, L->star.many);
	}
	space_after(n, q);
	return (size_t)(q - p);
}

/* The currency whose symbol starts at p, or NULL. */
static const struct currency *currency_at(const struct lang_rules *L, const char *p,
					  const char *end)
{
	const struct currency *c;

	for (c = L->currencies; c && c->symbol; c++)
		if (starts(p, end, c->symbol))
			return c;
	return NULL;
}

/*
 * A multiplier at p ("m", "bn", " million", " M"), followed by something
 * that is not a word character; with optional space before it. Returns
 * the bytes it takes, 0 if none.
 */
static size_t multiplier_at(const struct lang_rules *L, const char *p, const char *end,
			    const struct multiplier **mult)
{
	const struct multiplier *m;
	const char *q = p;

	if (q < end && *q == ' ')
		q++;
	for (m = L->multipliers; m && m->written; m++) {
		size_t len = strlen(m->written);

		if (starts(q, end, m->written) && !word_at(q + len, end)) {
			*mult = m;
			return (size_t)(q + len - p);
		}
	}
	return 0;
}

/*
 * Appends an amount of money: "2 pounds 50", "1 pound", "1299 dollars
 * and 99 cents", "50 pence", "3 million pounds", "2 euros 50", "3
 * millions d'euros". An attributive amount of whole units takes the
 * singular: "a 12 pound ticket", "a 2 billion dollar budget".
 */
static void add_money(struct norm *n, const struct currency *c, const struct num *amount,
		      const struct multiplier *mult, int attributive)
{
	const struct lang_rules *L = n->L;
	struct strbuf *out = &n->out;

	if (mult) {
		const char *word = attributive ? c->major.one : c->major.many;
		long v = num_int(amount);
		int one = L->plural_from_two ? (v >= 0 && v < 2) : num_is_one(amount);

		add_num(out, L, amount);
		strbuf_addch(out, ' ');
		strbuf_addstr(out, one ? mult->one : mult->many);
		strbuf_addstr(out, strchr("aeiouAEIOU", word[0]) ? L->of_vowel : L->of_consonant);
		strbuf_addstr(out, word);
		return;
	}
	if (strlen(amount->frac) == 2) {
		struct num major = *amount, minor;
		long cents = (amount->frac[0] - '0') * 10 + (amount->frac[1] - '0');

		major.frac[0] = '\0';
		num_from_int(&minor, cents);
		if (num_int(&major) == 0 && cents) {
			add_quantity(out, L, &minor, 0, &c->minor);
			return;
		}
		add_quantity(out, L, &major, 0, &c->major);
		if (!cents)
			return;
		strbuf_addstr(out, c->join);
		if (c->minor_named)
			add_quantity(out, L, &minor, 0, &c->minor);
		else
			add_num(out, L, &minor);
		return;
	}
	if (attributive) {
		add_num(out, L, amount);
		strbuf_addch(out, ' ');
		strbuf_addstr(out, c->major.one);
		return;
	}
	add_quantity(out, L, amount, 0, &c->major);
}

/* A currency sign before an amount: "£2.50", "$1,299.99", "€15", "£3m". */
static size_t m_money_prefix(struct norm *n, const char *p)
{
	const struct lang_rules *L = n->L;
	const struct currency *c = currency_at(L, p, n->end);
	const struct multiplier *mult = NULL;
	const char *q, *w;
	struct num amount;
	char decs[2] = { L->decimal, '\0' };
	size_t wl;

	if (!c || word_before(n->start, p))
		return 0;
	q = p + strlen(c->symbol);
	if (!parse_num(q, n->end, L->group, decs, &amount))
		return 0;
	q += amount.len;
	q += multiplier_at(L, q, n->end, &mult);
	if (word_at(q, n->end))
		return 0;
	wl = word_before_at(n->start, p, &w);
	add_money(n, c, &amount, mult, wl && word_in(w, wl, L->attributive));
	/* "£10-£15": "10 pounds to 15 pounds" */
	if (L->range && q + 1 < n->end && *q == '-' && starts(q + 1, n->end, c->symbol)) {
		strbuf_addstr(&n->out, L->range);
		q++;
	}
	return (size_t)(q - p);
}

/*
 * After a number at q: a currency sign, with an optional space and
 * multiplier between ("15 €", "2,50 €", "3 M€"). Returns the bytes after
 * the number, 0 if there is none.
 */
static size_t money_suffix(struct norm *n, const char *q, const struct currency **cur,
			   const struct multiplier **mult)
{
	const char *r = q;

	*mult = NULL;
	r += multiplier_at(n->L, r, n->end, mult);
	if (r < n->end && *r == ' ')
		r++;
	/* multiplier_at wants a non-word character after it: "M€" has one */
	*cur = currency_at(n->L, r, n->end);
	if (!*cur)
		return 0;
	r += strlen((*cur)->symbol);
	if (word_at(r, n->end))
		return 0;
	return (size_t)(r - q);
}

/* A time mark from list at p ("h", "min"), not followed by a letter. */
static size_t mark_at(const char *const *list, const char *p, const char *end)
{
	size_t i;

	for (i = 0; list && list[i]; i++) {
		size_t len = strlen(list[i]);

		if (starts(p, end, list[i]) && !(p + len < end && word_at(p + len, end) &&
						 !is_digit((unsigned char)p[len])))
			return len;
	}
	return 0;
}

/*
 * A running time after the number h at q: "1h 47m", "2h", "1hr 30min",
 * "1h47", "1 h 47"; or minutes alone: "105 mins". Writes "1 hour 47
 * minutes", "une heure 47".
 */
static size_t running_time(struct norm *n, const struct num *h, const char *q)
{
	const struct lang_rules *L = n->L;
	const char *r = q, *save;
	size_t len;
	struct num m;

	if (h->frac[0] || h->grouped)
		return 0;
	if (r < n->end && *r == ' ')
		r++;
	len = mark_at(L->minute_marks, r, n->end);
	if (len && !is_digit((unsigned char)r[len])) {
		add_quantity(&n->out, L, h, 0, &L->minute);
		return (size_t)(r + len - q);
	}
	len = mark_at(L->hour_marks, r, n->end);
	if (!len)
		return 0;
	r += len;
	add_quantity(&n->out, L, h, 0, &L->hour);
	/* minutes after the hours */
	save = r;
	if (r < n->end && *r == ' ')
		r++;
	if (parse_num(r, n->end, 0, "", &m) && m.len <= 2 && num_int(&m) < 60) {
		const char *t = r + m.len, *u;
		size_t ml;

		u = t < n->end && *t == ' ' ? t + 1 : t;
		ml = mark_at(L->minute_marks, u, n->end);
		if (!ml && L->minute_letter && starts(u, n->end, L->minute_letter) &&
		    !word_at(u + strlen(L->minute_letter), n->end))
			ml = strlen(L->minute_letter);
		if (ml)
			t = u;
		/*
		 * Bare minutes ("1h47", "1 h 47.") only when they do not run
		 * on into the sentence ("2h 3 people" is not a time).
		 */
		if (ml || (!word_at(t, n->end) &&
			   (r == save || t >= n->end || *t != ' '))) {
			num_from_int(&m, num_int(&m));   /* "2h05": "5" */
			strbuf_addch(&n->out, ' ');
			if (ml || L->minutes_implied)
				add_quantity(&n->out, L, &m, 0, &L->minute);
			else
				add_num(&n->out, L, &m);
			return (size_t)(t + ml - q);
		}
	}
	return (size_t)(save - q);
}

/* A unit after a number: "5 km", "5km" -> "5 kilometres". */
static size_t unit_after(struct norm *n, const struct num *v, const char *q)
{
	const struct unit *u;
	const char *r = q;

	if (r < n->end && *r == ' ')
		r++;
	for (u = n->L->units; u && u->written; u++) {
		size_t len = strlen(u->written);

		if (starts(r, n->end, u->written) && !word_at(r + len, n->end)) {
			add_quantity(&n->out, n->L, v, 0, u);
			return (size_t)(r + len - q);
		}
	}
	return 0;
}

/*
 * A rating or fraction "A/B" at a number: "7/10" -> "7 out of 10", "4.5/5"
 * -> "4 and a half out of 5", "1/2" -> "one half", "24/7" -> "24 7". B of
 * 5, 10, 20 or 100 (4 when stars follow) makes a rating; anything else
 * is left alone.
 */
static size_t m_slash(struct norm *n, const struct num *a, const char *q)
{
	const struct lang_rules *L = n->L;
	const char *r = q + 1, *w;
	struct num b;
	long av, bv;
	size_t i, wl;

	if (!parse_num(r, n->end, 0, "", &b) || b.intp[0] == '0')
		return 0;
	r += b.len;
	if (r < n->end && (*r == '/' || word_at(r, n->end)))
		return 0;
	if (a->grouped || strlen(b.intp) > 3)
		return 0;
	av = num_int(a);
	bv = num_int(&b);
	if (!a->frac[0] && av == 24 && bv == 7) {
		strbuf_addstr(&n->out, "24 7");
		return (size_t)(r - q);
	}
	wl = word_after_at(r, n->end, &w);
	if (!(bv == 4 && wl && (starts_icase(w, n->end, L->star.one)))) {
		for (i = 0; !a->frac[0] && L->fractions && L->fractions[i]; i += 2) {
			const char *f = L->fractions[i], *slash = strchr(f, '/');

			if ((size_t)(slash - f) == strlen(a->intp) &&
			    !memcmp(f, a->intp, (size_t)(slash - f)) &&
			    !strcmp(slash + 1, b.intp)) {
				strbuf_addstr(&n->out, L->fractions[i + 1]);
				return (size_t)(r - q);
			}
		}
		if (bv != 5 && bv != 10 && bv != 20 && bv != 100)
			return 0;
	}
	if (av < 0 || av > bv || (av == bv && a->frac[0]))
		return 0;
	if (!strcmp(a->frac, "5") && av > 0 && L->half_after_number) {
		strbuf_addstr(&n->out, a->intp);
		strbuf_addstr(&n->out, L->half_after_number);
	} else {
		add_num(&n->out, L, a);
	}
	strbuf_addstr(&n->out, L->out_of);
	strbuf_addstr(&n->out, b.intp);
	return (size_t)(r - q);
}

/* A decade after a number: "1990s", "1990's", "90s" -> "nineteen nineties". */
static size_t decade_suffix(struct norm *n, const struct num *d, const char *q)
{
	size_t ap = apostrophe_at(q, n->end);
	const char *r = q + ap;
	size_t len = strlen(d->intp);

	if (!n->L->decade_suffix || d->frac[0] || d->grouped || (len != 2 && len != 4))
		return 0;
	if (r >= n->end || *r != 's' || word_at(r + 1, n->end))
		return 0;
	if (!n->L->decade(&n->out, (int)num_int(d)))
		return 0;
	return (size_t)(r + 1 - q);
}

/* Whether the character at p may follow a year ("1999." "1999)" "1999's"). */
static int year_end_at(const char *p, const char *end)
{
	if (p >= end)
		return 1;
	if (strchr(".,;:!?)]\"", *p) && *p)
		return !(p + 1 < end && is_digit((unsigned char)p[1]) && (*p == '.' || *p == ','));
	if (apostrophe_at(p, end))
		return 1;
	return starts(p, end, U_NDASH) || starts(p, end, "\xe2\x80\x94") ||
	       starts(p, end, "\xe2\x80\x9d") || starts(p, end, "\xc2\xbb");
}

/* Whether the number n starting at p is a year in English's sense. */
static int year_value(const struct num *v)
{
	long y;

	if (v->frac[0] || v->grouped || strlen(v->intp) != 4)
		return 0;
	y = num_int(v);
	return y >= 1100 && y <= 2099 ? (int)y : 0;
}

/*
 * A year: four digits, 1100-2099, standing alone, and either at the end
 * of the sentence or before punctuation, after a word such as "in" or a
 * month, before a word such as "film", or right after another year
 * ("1999 and 2001"). Said as "nineteen ninety-nine".
 */
static size_t m_year(struct norm *n, const char *p, const struct num *v)
{
	const struct lang_rules *L = n->L;
	const char *q = p + v->len, *w;
	int y = year_value(v);
	size_t wl;
	int is_year = 0;

	if (!L->year || !y)
		return 0;
	if (word_at(q, n->end))
		return 0;
	/* after another number ("0800 123 1999") it is not a year */
	if (p - n->start >= 2 && p[-1] == ' ' && is_digit((unsigned char)p[-2]))
		return 0;
	if (year_end_at(q, n->end))
		is_year = 1;
	wl = word_before_at(n->start, p, &w);
	if (wl && word_in(w, wl, L->year_before))
		is_year = 1;
	if (wl && n->last_year_end && p - n->last_year_end <= WORD_CMP_MAX &&
	    word_in(w, wl, L->year_joins))
		is_year = 1;
	wl = word_after_at(q, n->end, &w);
	if (wl && word_in(w, wl, L->year_after))
		is_year = 1;
	if (!is_year)
		return 0;
	L->year(&n->out, y);
	n->last_year_end = q;
	return v->len;
}

/*
 * After "années": "les années 1990" -> "les années quatre-vingt-dix". The
 * word is looked for before p; the number v ends at num_end.
 */
static size_t decade_after_word(struct norm *n, const char *p, const struct num *v,
				const char *num_end)
{
	const char *w;
	size_t wl;

	if (!n->L->decade_word || v->frac[0] || v->grouped || word_at(num_end, n->end))
		return 0;
	wl = word_before_at(n->start, p, &w);
	if (!wl || wl != strlen(n->L->decade_word) || !starts_icase(w, n->end, n->L->decade_word))
		return 0;
	return (size_t)n->L->decade(&n->out, (int)num_int(v));
}

/*
 * A range "A-B" or "A–B" at the number a: "10-15" -> "10 to 15", "1999-2001"
 * -> "nineteen ninety-nine to two thousand and one" (French "10 à 15").
 * Both whole numbers of at most three digits without a leading zero, or
 * both years; A less than B; not part of a longer chain ("020-123-456")
 * or a date ("2012-05-01"). Writes A and the joining word and consumes
 * "A-": B is then read on its own ("10-15 mins" -> "10 to 15 minutes").
 */
static size_t m_range(struct norm *n, const char *p, const struct num *a)
{
	const struct lang_rules *L = n->L;
	const char *q = p + a->len, *r, *e;
	struct num b;
	int ya, yb;

	if (!L->range || a->frac[0] || a->grouped || q >= n->end)
		return 0;
	if (*q == '-')
		r = q + 1;
	else if (starts(q, n->end, U_NDASH))
		r = q + 3;
	else
		return 0;
	if (!parse_num(r, n->end, 0, "", &b) || b.frac[0])
		return 0;
	e = r + b.len;
	if (e < n->end && (is_digit((unsigned char)*e) || ((*e == '-' || *e == '/' || *e == '.') &&
	    e + 1 < n->end && is_digit((unsigned char)e[1]))))
		return 0;
	if (num_int(a) >= num_int(&b))
		return 0;
	ya = year_value(a);
	yb = year_value(&b);
	if (ya && yb) {
		if (L->year) {
			L->year(&n->out, ya);
			strbuf_addstr(&n->out, L->range);
			L->year(&n->out, yb);
			n->last_year_end = e;
			return (size_t)(e - p);
		}
	} else if (strlen(a->intp) > 3 || strlen(b.intp) > 3 ||
		   (a->intp[0] == '0' && a->intp[1]) || b.intp[0] == '0') {
		return 0;
	}
	strbuf_addstr(&n->out, a->intp);
	strbuf_addstr(&n->out, L->range);
	n->range_end = r;
	return (size_t)(r - p);
}

/*
 * A number at a word start, and what follows it: a rating, a decade, an
 * amount of money, a running time, a percentage, a unit, a year.
 */
static size_t m_number(struct norm *n, const char *p)
{
	const struct lang_rules *L = n->L;
	struct num v;
	const char *q;
	size_t used;
	char decs[3] = { L->decimal, '\0', '\0' };

	if (!is_digit((unsigned char)*p) || word_before(n->start, p))
		return 0;
	/* Part of a number already passed: "3.14", "12/10/2024", "555-1999". */
	if (p != n->range_end && p - n->start >= 2 && strchr(".,/:-", p[-1]) &&
	    is_digit((unsigned char)p[-2]))
		return 0;
	if (L->decimal != '.')
		decs[1] = '.';  /* "4.5/5" in French too */

	/* French amounts may group thousands with spaces: "1 299,99 €". */
	if (L->currency_after && L->group_space_money &&
	    parse_num(p, n->end, ' ', ",", &v) && v.grouped) {
		const struct currency *c;
		const struct multiplier *mult;

		used = money_suffix(n, p + v.len, &c, &mult);
		if (used) {
			add_money(n, c, &v, mult, 0);
			return v.len + used;
		}
	}
	if (!parse_num(p, n->end, L->group, decs, &v))
		return 0;
	q = p + v.len;
	if (q < n->end && is_digit((unsigned char)*q))
		return 0;
	if (L->currency_after) {
		const struct currency *c;
		const struct multiplier *mult;

		used = money_suffix(n, q, &c, &mult);
		if (used) {
			add_money(n, c, &v, mult, 0);
			return v.len + used;
		}
	}
	if (q < n->end && *q == '/' && (used = m_slash(n, &v, q)))
		return v.len + used;
	if ((used = m_range(n, p, &v)))
		return used;
	/* "3.5 stars" -> "3 and a half stars" */
	if (!strcmp(v.frac, "5") && L->half_after_number && num_int(&v) > 0) {
		const char *w;
		size_t wl = word_after_at(q, n->end, &w);
		const char *const stars[] = { L->star.one, L->star.many, NULL };

		if (wl && word_in(w, wl, stars)) {
			strbuf_addstr(&n->out, v.intp);
			strbuf_addstr(&n->out, L->half_after_number);
			return v.len;
		}
	}
	if ((used = decade_suffix(n, &v, q)))
		return v.len + used;
	if ((used = running_time(n, &v, q)))
		return v.len + used;
	if ((used = unit_after(n, &v, q)))
		return v.len + used;
	if (L->percent) {
		const char *r = q;

		if (r < n->end && *r == ' ')
			r++;
		if (r < n->end && *r == '%') {
			add_num(&n->out, L, &v);
			strbuf_addstr(&n->out, L->percent);
			return (size_t)(r + 1 - p);
		}
	}
	if (decade_after_word(n, p, &v, q))
		return v.len;
	return m_year(n, p, &v);
}

/* "'90s" -> "nineties"; French "années '90" too. */
static size_t m_apostrophe_decade(struct norm *n, const char *p)
{
	size_t ap = apostrophe_at(p, n->end);
	const char *q = p + ap;
	struct num v;

	if (!ap || word_before(n->start, p) || !parse_num(q, n->end, 0, "", &v) ||
	    strlen(v.intp) != 2 || v.frac[0])
		return 0;
	if (n->L->decade_suffix) {
		size_t used = decade_suffix(n, &v, q + v.len);

		return used ? ap + v.len + used : 0;
	}
	if (n->L->decade_word && decade_after_word(n, p, &v, q + v.len))
		return ap + v.len;
	return 0;
}

/* "#1" -> "number 1". */
static size_t m_number_sign(struct norm *n, const char *p)
{
	if (*p != '#' || !n->L->number_sign || word_before(n->start, p) ||
	    p + 1 >= n->end || !is_digit((unsigned char)p[1]))
		return 0;
	strbuf_addstr(&n->out, n->L->number_sign);
	return 1;
}

/* Whether a capitalised word (ASCII or a two-byte Latin capital) is at p. */
static int capital_at(const char *p, const char *end)
{
	unsigned char c = p < end ? (unsigned char)*p : 0;

	if (is_upper(c))
		return 1;
	/* À-Þ (U+00C0-U+00DE), without × */
	return c == 0xc3 && p + 1 < end && (unsigned char)p[1] >= 0x80 &&
	       (unsigned char)p[1] <= 0x9e && (unsigned char)p[1] != 0x97;
}

/* Whether the word before p (after one space) starts with a capital. */
static int name_before(const char *start, const char *p)
{
	const char *w;
	size_t wl = word_before_at(start, p, &w);

	return wl && p > start && p[-1] == ' ' && capital_at(w, p);
}

/* An abbreviation from table t at p, under its condition. */
static size_t abbrev_from(struct norm *n, const char *p, const struct abbrev *t)
{
	const struct abbrev *a;

	for (a = t; a && a->written; a++) {
		size_t len = strlen(a->written);
		const char *q = p + len;
		int last = (unsigned char)a->written[len - 1];

		if (!starts(p, n->end, a->written))
			continue;
		if ((is_alpha(last) || is_digit(last)) && word_at(q, n->end))
			continue;
		if (last == '.' && q < n->end && is_alpha((unsigned char)*q))
			continue;
		switch (a->when) {
		case ABBR_ALWAYS:
			break;
		case ABBR_KEEP_STOP:
			strbuf_addstr(&n->out, a->spoken);
			/* the full stop also ends the sentence */
			if (q >= n->end || (q + 1 < n->end && *q == ' ' && capital_at(q + 1, n->end)))
				strbuf_addch(&n->out, '.');
			return len;
		case ABBR_BEFORE_NAME:
			if (!(q + 1 < n->end && *q == ' ' && capital_at(q + 1, n->end)))
				continue;
			break;
		case ABBR_BEFORE_NUMBER:
			if (q < n->end && *q == ' ')
				q++;
			if (!(q < n->end && is_digit((unsigned char)*q)))
				continue;
			strbuf_addstr(&n->out, a->spoken);
			strbuf_addch(&n->out, ' ');
			return (size_t)(q - p);
		case ABBR_AFTER_NAME:
			if (!name_before(n->start, p))
				continue;
			break;
		}
		strbuf_addstr(&n->out, a->spoken);
		return len;
	}
	return 0;
}

/* An abbreviation at a word start: "vs." -> "versus", "M. X" -> "Monsieur X". */
static size_t m_abbrev(struct norm *n, const char *p)
{
	if (word_before(n->start, p))
		return 0;
	return abbrev_from(n, p, n->L->abbrevs);
}

/*
 * A film certificate after "Rated:" or "Certificate:": "12A" -> "12 A",
 * "PG-13" -> "PG 13", French "-12" -> "interdit aux moins de 12 ans",
 * "TP" -> "tous publics".
 */
static size_t m_cert(struct norm *n, const char *p)
{
	const struct lang_rules *L = n->L;
	const char *q = p, *d;
	size_t used;

	if (!n->cert || word_before(n->start, p))
		return 0;
	if (*p == '-' && L->under_age_pre && (p == n->start || p[-1] == ' ')) {
		struct num v;

		if (parse_num(p + 1, n->end, 0, "", &v) && v.len <= 2 && !v.frac[0] &&
		    !word_at(p + 1 + v.len, n->end)) {
			strbuf_addstr(&n->out, L->under_age_pre);
			strbuf_addstr(&n->out, v.intp);
			strbuf_addstr(&n->out, L->under_age_post);
			return 1 + v.len;
		}
		return 0;
	}
	if ((used = abbrev_from(n, p, L->certs)))
		return used;
	/* 12A, 15A: digits then capitals */
	while (q < n->end && q - p < 3 && is_digit((unsigned char)*q))
		q++;
	if (q > p && q - p <= 2) {
		d = q;
		while (q < n->end && q - d < 3 && is_upper((unsigned char)*q))
			q++;
		if (q > d && q - d <= 2 && !word_at(q, n->end)) {
			strbuf_add(&n->out, p, (size_t)(d - p));
			strbuf_addch(&n->out, ' ');
			strbuf_add(&n->out, d, (size_t)(q - d));
			return (size_t)(q - p);
		}
		return 0;
	}
	/* PG-13, NC-17, TV-MA: capitals, a hyphen, capitals or digits */
	q = p;
	while (q < n->end && q - p < 4 && is_upper((unsigned char)*q))
		q++;
	if (q > p && q - p <= 3 && q < n->end && *q == '-') {
		d = ++q;
		while (q < n->end && q - d < 4 &&
		       (is_upper((unsigned char)*q) || is_digit((unsigned char)*q)))
			q++;
		if (q > d && q - d <= 3 && !word_at(q, n->end)) {
			strbuf_add(&n->out, p, (size_t)(d - 1 - p));
			strbuf_addch(&n->out, ' ');
			strbuf_add(&n->out, d, (size_t)(q - d));
			return (size_t)(q - p);
		}
	}
	return 0;
}

/* Every matcher, in the order they are tried. */
static size_t (*const matchers[])(struct norm *n, const char *p) = {
	m_next_label, m_url, m_stars, m_money_prefix, m_apostrophe_decade,
	m_number_sign, m_cert, m_number, m_abbrev,
};

/* ---- the pass ---------------------------------------------------------- */

/* The rules for BCP 47 tag `lang`, or NULL for a language without rules. */
static const struct lang_rules *rules_for(const char *lang)
{
	size_t i;

	if (!lang)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(languages); i++) {
		const char *tag = languages[i]->tag;
		size_t len = strlen(tag);

		if (starts_icase(lang, lang + strlen(lang), tag) &&
		    (lang[len] == '\0' || lang[len] == '-' || lang[len] == '_'))
			return languages[i];
	}
	return NULL;
}

/*
 * A header sentence starts with a known label and a colon and is short:
 * the label is written with its separator and the rest is read as usual.
 * Returns the bytes taken at the start.
 */
static size_t header_start(struct norm *n)
{
	const struct label *l;
	size_t used;

	if ((size_t)(n->end - n->start) > HEADER_MAX)
		return 0;
	used = label_at(n, n->start, &l);
	if (!used)
		return 0;
	n->header = 1;
	add_label(n, n->start, l);
	return used;
}

/* Ends a header sentence with a full stop, so that eSpeak NG pauses. */
static void header_end(struct norm *n)
{
	strbuf_rtrim(&n->out);
	if (n->out.len && !strchr(".!?,;:", n->out.buf[n->out.len - 1]) &&
	    !(n->out.len >= 3 && !memcmp(n->out.buf + n->out.len - 3, "\xe2\x80\xa6", 3)))
		strbuf_addch(&n->out, '.');
}

char *normalize_text(const char *lang, const char *in)
{
	struct norm n;
	const char *p;

	if (!in)
		return xstrdup("");
	memset(&n, 0, sizeof(n));
	n.L = rules_for(lang);
	if (!n.L)
		return xstrdup(in);
	n.start = in;
	n.end = in + strlen(in);
	strbuf_init(&n.out);
	strbuf_grow(&n.out, (size_t)(n.end - n.start) + 16);
	p = in + header_start(&n);
	while (p < n.end) {
		const char *q = p;
		size_t i, used = 0;
		long cp;

		for (i = 0; i < ARRAY_SIZE(matchers) && !used; i++)
			used = matchers[i](&n, p);
		if (used) {
			p += used;
			continue;
		}
		/* Nothing matched: copy the word, or the one character. */
		cp = utf8_decode(&q, n.end);
		if (is_word_cp(cp)) {
			while (q < n.end) {
				const char *r = q;

				if (!is_word_cp(utf8_decode(&r, n.end)))
					break;
				q = r;
			}
		}
		strbuf_add(&n.out, p, (size_t)(q - p));
		p = q;
	}
	if (n.header)
		header_end(&n);
	return strbuf_detach(&n.out, NULL);
}
