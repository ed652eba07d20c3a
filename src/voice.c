/*
 * voice.c - voice profiles read from INI files with inih. See voice.h.
 */
#include "voice.h"
#include "util.h"

#include <dirent.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef REVCAST_DATADIR
#define REVCAST_DATADIR "/usr/local/share/revcast"
#endif

const char *voice_dir(void)
{
	static char found[PATH_MAX];
	char exe[PATH_MAX - 16];
	const char *env = getenv("REVCAST_VOICES");
	ssize_t n;

	if (env && *env)
		return env;
	if (found[0])
		return found;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(found, sizeof(found), "%s/voices", exe);
			if (is_dir(found))
				return found;
		}
	}
	if (is_dir("voices")) {
		snprintf(found, sizeof(found), "voices");
		return found;
	}
	snprintf(found, sizeof(found), "%s/voices", REVCAST_DATADIR);
	return found;
}

void voice_profile_init(struct voice_profile *v)
{
	memset(v, 0, sizeof(*v));
	v->language = xstrdup("en-GB");
	v->espeak_voice = xstrdup("en");
	v->rate = 165;
	v->pitch = 50;
	v->range = 50;
	v->volume = 100;
	v->pause_title_ms = 900;
	v->pause_paragraph_ms = 700;
	v->pause_heading_ms = 900;
	v->pause_list_ms = 400;
	v->pause_dash_ms = 250;
	v->pause_paren_ms = 200;
	v->pause_end_ms = 500;
	v->intro = xstrdup("{title}. A review by {author}, read by a synthetic voice.");
	v->intro_anonymous = xstrdup("{title}. Read by a synthetic voice.");
}

void voice_profile_release(struct voice_profile *v)
{
	free(v->name);
	free(v->path);
	free(v->language);
	free(v->espeak_voice);
	free(v->variant);
	free(v->quote_variant);
	free(v->intro);
	free(v->intro_anonymous);
	free(v->outro);
	free(v->intro_jingle);
	free(v->outro_jingle);
	free(v->lexicon);
	memset(v, 0, sizeof(*v));
}

/* One key of a profile: where it is stored and what values it takes. */
enum key_type { K_STR, K_INT, K_NAME, K_PATH };
struct voice_key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	long min, max;
};

#define STR(sec, key, field) { sec, key, K_STR, offsetof(struct voice_profile, field), 0, 0 }
#define NAME(sec, key, field) { sec, key, K_NAME, offsetof(struct voice_profile, field), 0, 0 }
#define PATH(sec, key, field) { sec, key, K_PATH, offsetof(struct voice_profile, field), 0, 0 }
#define INT(sec, key, field, lo, hi) { sec, key, K_INT, offsetof(struct voice_profile, field), lo, hi }

static const struct voice_key voice_keys[] = {
	NAME("voice", "language", language),
	NAME("voice", "espeak", espeak_voice),
	NAME("voice", "variant", variant),
	NAME("voice", "quote_variant", quote_variant),
	INT("voice", "rate", rate, 80, 450),
	INT("voice", "pitch", pitch, 0, 100),
	INT("voice", "range", range, 0, 100),
	INT("voice", "volume", volume, 1, 200),
	INT("pauses", "title", pause_title_ms, 0, 10000),
	INT("pauses", "paragraph", pause_paragraph_ms, 0, 10000),
	INT("pauses", "heading", pause_heading_ms, 0, 10000),
	INT("pauses", "list", pause_list_ms, 0, 10000),
	INT("pauses", "dash", pause_dash_ms, 0, 5000),
	INT("pauses", "parenthesis", pause_paren_ms, 0, 5000),
	INT("pauses", "end", pause_end_ms, 0, 10000),
	STR("speech", "intro", intro),
	STR("speech", "intro_anonymous", intro_anonymous),
	STR("speech", "outro", outro),
	PATH("speech", "intro_jingle", intro_jingle),
	PATH("speech", "outro_jingle", outro_jingle),
	NAME("speech", "lexicon", lexicon),
};

struct load_state {
	struct voice_profile *v;
	const char *path;
	const char *dir;    /* the voices directory, for relative PATH values */
	char msg[512];
};

/* A NAME value: letters, digits, '-', '_', '.', '+'; no '/' and no "..". */
static int valid_name(const char *s)
{
	const char *p;

	if (!*s || strlen(s) > 64 || strstr(s, ".."))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-_.+", *p)))
			return 0;
	return 1;
}

/* inih's callback: stores one key or records why it is wrong (returns 0). */
static int voice_ini_handler(void *user, const char *section, const char *name,
			     const char *value)
{
	struct load_state *st = user;
	size_t i;

	if (st->msg[0])
		return 0;   /* inih goes on after an error: keep the first */

	for (i = 0; i < ARRAY_SIZE(voice_keys); i++) {
		const struct voice_key *k = &voice_keys[i];
		char *base = (char *)st->v;

		if (strcmp(k->section, section) || strcmp(k->name, name))
			continue;
		if (k->type == K_INT) {
			long val;

			if (parse_long(value, k->min, k->max, &val)) {
				snprintf(st->msg, sizeof(st->msg),
					 "'%s' must be a whole number from %ld to %ld, not '%s'",
					 name, k->min, k->max, value);
				return 0;
			}
			*(int *)(base + k->offset) = (int)val;
		} else if (k->type == K_PATH) {
			char **field = (char **)(base + k->offset);
			char *p = NULL;

			if (*value) {
				p = value[0] == '/' ? xstrdup(value) : path_join(st->dir, value);
				if (!is_file(p)) {
					snprintf(st->msg, sizeof(st->msg), "'%s': no file '%s'",
						 name, p);
					free(p);
					return 0;
				}
			}
			free(*field);
			*field = p;
		} else {
			char **field = (char **)(base + k->offset);

			if (k->type == K_NAME && *value && !valid_name(value)) {
				snprintf(st->msg, sizeof(st->msg), "'%s' has a bad value '%s'",
					 name, value);
				return 0;
			}
			free(*field);
			*field = *value ? xstrdup(value) : NULL;
		}
		return 1;
	}
	if (!*section)
		snprintf(st->msg, sizeof(st->msg), "key '%s' outside a section", name);
	else
		snprintf(st->msg, sizeof(st->msg), "unknown key '%s' in section [%s]",
			 name, section);
	return 0;
}

static void list_profiles(const char *dir, struct strbuf *out)
{
	struct dirent **ents;
	int n, i;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t len = strlen(nm);

		if (len > 4 && !strcmp(nm + len - 4, ".ini") && nm[0] != '.') {
			if (out->len)
				strbuf_addstr(out, ", ");
			strbuf_add(out, nm, len - 4);
		}
		free(ents[i]);
	}
	free(ents);
}

int voice_profile_load(struct voice_profile *v, const char *dir, const char *name)
{
	struct load_state st;
	char *path;
	int line;

	voice_profile_init(v);
	if (strchr(name, '/')) {
		path = xstrdup(name);
	} else {
		if (!valid_name(name)) {
			voice_profile_release(v);
			return error("bad voice name '%s'", name);
		}
		path = xasprintf("%s/%s.ini", dir, name);
	}
	if (!is_file(path)) {
		struct strbuf known = STRBUF_INIT;

		list_profiles(dir, &known);
		error("unknown voice '%s' (no %s; known voices: %s)", name, path,
		      known.len ? known.buf : "none");
		strbuf_release(&known);
		free(path);
		voice_profile_release(v);
		return -1;
	}
	st.v = v;
	st.path = path;
	st.dir = dir;
	st.msg[0] = '\0';
	line = ini_parse(path, voice_ini_handler, &st);
	if (line) {
		if (line < 0)
			error("cannot read voice profile '%s'", path);
		else
			error("%s:%d: %s", path, line, st.msg[0] ? st.msg : "syntax error");
		free(path);
		voice_profile_release(v);
		return -1;
	}
	if (!v->espeak_voice) {
		error("%s: no eSpeak NG voice ('espeak' in [voice])", path);
		free(path);
		voice_profile_release(v);
		return -1;
	}
	{
		const char *base = path_base(path);
		const char *dot = strrchr(base, '.');

		v->name = dot ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
	}
	v->path = path;
	return 0;
}

struct files_state {
	const char *dir;
	struct strbuf *out;
};

/* inih handler of voice_profile_files(): collects the PATH keys' values. */
static int files_handler(void *user, const char *section, const char *name,
			 const char *value)
{
	struct files_state *st = user;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(voice_keys); i++) {
		const struct voice_key *k = &voice_keys[i];

		if (k->type != K_PATH || strcmp(k->section, section) ||
		    strcmp(k->name, name) || !*value)
			continue;
		if (value[0] == '/') {
			strbuf_addstr(st->out, value);
		} else {
			char *p = path_join(st->dir, value);

			strbuf_addstr(st->out, p);
			free(p);
		}
		strbuf_addch(st->out, '\0');
	}
	return 1;
}

void voice_profile_files(const char *path, const char *dir, struct strbuf *out)
{
	struct files_state st;

	st.dir = dir;
	st.out = out;
	ini_parse(path, files_handler, &st);
}

/* The language key of a profile file, or NULL. */
static int language_handler(void *user, const char *section, const char *name,
			    const char *value)
{
	char **out = user;

	if (!strcmp(section, "voice") && !strcmp(name, "language") && !*out)
		*out = xstrdup(value);
	return 1;
}

/* Length of the primary subtag of a language tag ("en" of "en-GB"). */
static size_t primary_len(const char *tag)
{
	size_t n = strcspn(tag, "-_");

	return n;
}

char *voice_choose(const char *dir, const char *explicit_name, const char *lang,
		   const char *fallback)
{
	struct dirent **ents;
	char *exact = NULL, *primary = NULL;
	int n, i;

	if (explicit_name)
		return xstrdup(explicit_name);
	if (!lang || !*lang)
		return xstrdup(fallback);
	n = scandir(dir, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t len = strlen(nm);

		if (len > 4 && !strcmp(nm + len - 4, ".ini") && nm[0] != '.') {
			char *file = path_join(dir, nm), *tag = NULL;

			ini_parse(file, language_handler, &tag);
			if (tag && !exact && !strcasecmp(tag, lang))
				exact = xstrndup(nm, len - 4);
			if (tag && !primary && primary_len(tag) == primary_len(lang) &&
			    !strncasecmp(tag, lang, primary_len(lang)))
				primary = xstrndup(nm, len - 4);
			free(tag);
			free(file);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	/* The fallback wins over another profile of the same primary language. */
	if (!exact && primary && fallback) {
		char *file = xasprintf("%s/%s.ini", dir, fallback), *tag = NULL;

		ini_parse(file, language_handler, &tag);
		if (tag && primary_len(tag) == primary_len(lang) &&
		    !strncasecmp(tag, lang, primary_len(lang))) {
			free(primary);
			primary = xstrdup(fallback);
		}
		free(tag);
		free(file);
	}
	if (exact) {
		free(primary);
		return exact;
	}
	if (primary)
		return primary;
	error("no voice profile in '%s' reads language '%s'", dir, lang);
	return NULL;
}

char *voice_expand(const char *tmpl, const char *title, const char *author,
		   const char *feed, const char *date)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = tmpl;

	while (*p) {
		const char *val = NULL;
		size_t skip = 0;

		if (*p == '{') {
			if (!strncmp(p, "{title}", 7)) {
				val = title;
				skip = 7;
			} else if (!strncmp(p, "{author}", 8)) {
				val = author;
				skip = 8;
			} else if (!strncmp(p, "{feed}", 6)) {
				val = feed;
				skip = 6;
			} else if (!strncmp(p, "{date}", 6)) {
				val = date;
				skip = 6;
			}
		}
		if (skip) {
			if (val)
				strbuf_addstr(&sb, val);
			p += skip;
		} else {
			strbuf_addch(&sb, *p++);
		}
	}
	return strbuf_detach(&sb, NULL);
}
