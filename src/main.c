/*
 * main.c - the revcast command: git-style subcommands, one cmd_<name>()
 * each, registered in one table. Only this level may die().
 */
#include "audio.h"
#include "build.h"
#include "check.h"
#include "cover.h"
#include "episode.h"
#include "review.h"
#include "speech.h"
#include "text.h"
#include "util.h"
#include "voice.h"
#include "words.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef REVCAST_VERSION
#define REVCAST_VERSION "0.0.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct command *find_command(const char *name);

/* Prints a command's help to stdout (asked for) or stderr (a usage error). */
static int usage_of(const char *name, int err)
{
	const struct command *c = find_command(name);
	FILE *f = err ? stderr : stdout;

	fprintf(f, "usage: %s\n\n%s", c->usage, c->help);
	return err ? 2 : 0;
}

/* Options shared by the commands that render audio. */
enum {
	OPT_VOICE = 1000, OPT_FORMAT, OPT_BITRATE, OPT_VBR, OPT_QUALITY,
	OPT_RATE, OPT_COVER, OPT_ALBUM, OPT_SPEECH, OPT_HELP, OPT_VOICES,
	OPT_LOUDNESS, OPT_BASE_URL, OPT_FORCE, OPT_SHARD, OPT_ASSEMBLE, OPT_TIME_LIMIT, OPT_MEM_LIMIT,
};

/* Applies one audio or voice option; returns 0, or -1 with an error printed. */
static int audio_option(struct render_options *ro, int opt, const char *arg)
{
	long val;

	switch (opt) {
	case OPT_VOICE:
		ro->voice = arg;
		return 0;
	case OPT_VOICES:
		ro->voices_dir = arg;
		return 0;
	case OPT_FORMAT: {
		int f = audio_format_parse(arg);

		if (f < 0)
			return error("unknown format '%s' (use mp3, wav or flac)", arg);
		ro->audio.format = (enum audio_format)f;
		return 0;
	}
	case OPT_BITRATE:
		if (parse_long(arg, 8, 320, &val))
			return error("--bitrate wants kbit/s from 8 to 320, not '%s'", arg);
		ro->audio.bitrate = (int)val;
		ro->audio.vbr = 0;
		return 0;
	case OPT_VBR:
		if (parse_long(arg, 0, 9, &val))
			return error("--vbr wants a quality from 0 (best) to 9, not '%s'", arg);
		ro->audio.vbr = 1;
		ro->audio.vbr_quality = (int)val;
		return 0;
	case OPT_QUALITY:
		if (parse_long(arg, 0, 9, &val))
			return error("--quality wants 0 (best) to 9 (fastest), not '%s'", arg);
		ro->audio.quality = (int)val;
		return 0;
	case OPT_RATE:
		if (parse_long(arg, 8000, 48000, &val))
			return error("--sample-rate wants Hz, not '%s'", arg);
		ro->audio.sample_rate = (int)val;
		return 0;
	case OPT_COVER:
		ro->cover = arg;
		return 0;
	case OPT_ALBUM:
		ro->album = arg;
		return 0;
	case OPT_LOUDNESS: {
		double lufs;

		if (parse_double(arg, -30, -10, &lufs))
			return error("--loudness wants LUFS from -30 to -10, not '%s'", arg);
		ro->loudness = lufs;
		return 0;
	}
	}
	return error("internal: unknown option %d", opt);
}

#define AUDIO_LONG_OPTIONS \
	{ "voice", required_argument, NULL, OPT_VOICE }, \
	{ "voices", required_argument, NULL, OPT_VOICES }, \
	{ "format", required_argument, NULL, OPT_FORMAT }, \
	{ "bitrate", required_argument, NULL, OPT_BITRATE }, \
	{ "vbr", required_argument, NULL, OPT_VBR }, \
	{ "quality", required_argument, NULL, OPT_QUALITY }, \
	{ "sample-rate", required_argument, NULL, OPT_RATE }, \
	{ "cover", required_argument, NULL, OPT_COVER }, \
	{ "album", required_argument, NULL, OPT_ALBUM }, \
	{ "loudness", required_argument, NULL, OPT_LOUDNESS }

/* "3:12.345" for a duration in seconds. */
static void format_duration(char *out, size_t n, double secs)
{
	long ms = (long)(secs * 1000.0 + 0.5);

	if (ms >= 3600000)
		snprintf(out, n, "%ld:%02ld:%02ld.%03ld", ms / 3600000, ms / 60000 % 60,
			 ms / 1000 % 60, ms % 1000);
	else
		snprintf(out, n, "%ld:%02ld.%03ld", ms / 60000, ms / 1000 % 60, ms % 1000);
}

/* The default output name: the review's base name with the format's extension. */
static char *default_output(const char *review, enum audio_format f)
{
	const char *base = path_base(review);
	const char *dot = strrchr(base, '.');
	size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);

	return xasprintf("%.*s.%s", (int)len, base, audio_format_name(f));
}

static int cmd_render(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, OPT_HELP },
		AUDIO_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct render_options ro;
	struct review r;
	struct episode_result res;
	const char *output = NULL;
	char *out_path, dur[32];
	int c, ret;

	render_options_init(&ro);
	/* One render: with a core to spare, pass 2 runs in two processes. */
	if (cores_available() > 1)
		ro.processes = 2;
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		if (c == 'o')
			output = optarg;
		else if (c == 'q')
			util_quiet = 1;
		else if (c == OPT_HELP)
			return usage_of("render", 0);
		else if (c == '?')
			return usage_of("render", 1);
		else if (audio_option(&ro, c, optarg))
			return 1;
	}
	if (optind != argc - 1)
		return usage_of("render", 1);
	if (review_read(&r, argv[optind]))
		return 1;
	out_path = output ? xstrdup(output) : default_output(argv[optind], ro.audio.format);
	{
		/* Create the output's directory, as a build would. */
		const char *base = path_base(out_path);

		if (base != out_path) {
			char *dir = xstrndup(out_path, (size_t)(base - out_path));

			if (!is_dir(dir) && mkdir_p(dir, 0755)) {
				free(dir);
				free(out_path);
				review_release(&r);
				return 1;
			}
			free(dir);
		}
	}
	ret = episode_render(&r, &ro, out_path, &res);
	if (!ret) {
		format_duration(dur, sizeof(dur), res.audio.duration);
		info("wrote %s: %s (%lld samples at %d Hz), %lld bytes, voice %s",
		     out_path, dur, res.audio.frames, res.audio.rate, res.audio.bytes,
		     res.voice);
		if (res.join_at > 0)
			info("encoded in two pieces%s, joined in a pause at %.3f s",
			     ro.processes > 1 ? " side by side" : "", res.join_at);
		printf("%s\t%.6f\t%lld\t%lld\n", out_path, res.audio.duration,
		       res.audio.frames, res.audio.bytes);
		episode_result_release(&res);
	}
	free(out_path);
	review_release(&r);
	return ret ? 1 : 0;
}

static void print_script(const struct script *s)
{
	size_t i, j;

	for (i = 0; i < s->nr; i++) {
		const struct segment *seg = &s->segs[i];

		if (seg->line)
			printf("\n[%s, line %d]\n", seg_kind_name(seg->kind), seg->line);
		else
			printf("\n[%s]\n", seg_kind_name(seg->kind));
		for (j = 0; j < seg->nr_sentences; j++)
			printf("%s\n", seg->sentences[j].spoken);
		printf("[pause %d ms]\n", seg->pause_after_ms);
	}
}

static int cmd_text(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "speech", no_argument, NULL, OPT_SPEECH },
		{ "voice", required_argument, NULL, OPT_VOICE },
		{ "voices", required_argument, NULL, OPT_VOICES },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct render_options ro;
	struct review r;
	int c, speech = 0, ret = 0;
	size_t i;

	render_options_init(&ro);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_SPEECH)
			speech = 1;
		else if (c == OPT_VOICE)
			ro.voice = optarg;
		else if (c == OPT_VOICES)
			ro.voices_dir = optarg;
		else if (c == OPT_HELP)
			return usage_of("text", 0);
		else
			return usage_of("text", 1);
	}
	if (optind != argc - 1)
		return usage_of("text", 1);
	if (review_read(&r, argv[optind]))
		return 1;
	printf("title: %s\n", r.title);
	printf("author: %s\n", r.author ? r.author : "(unknown)");
	printf("date: %s\n", r.date ? r.date : "(none)");
	printf("language: %s\n", r.lang ? r.lang : "(not given)");
	if (r.voice)
		printf("voice: %s\n", r.voice);
	for (i = 0; i < r.nr_notices; i++)
		printf("skipped: line %d: '%s' (%s)\n", r.notices[i].line,
		       r.notices[i].what, r.notices[i].why);
	if (!speech) {
		for (i = 0; i < r.nr_blocks; i++) {
			const struct block *b = &r.blocks[i];

			printf("\n[%s, line %d]\n%s\n", block_kind_name(b->kind), b->line, b->text);
		}
	} else {
		struct episode_job job;

		if (episode_prepare(&job, &r, &ro)) {
			ret = 1;
		} else {
			const struct voice_profile *v = &job.voice;

			printf("voice profile: %s (eSpeak NG %s%s%s)\n", v->name, v->espeak_voice,
			       v->variant ? "+" : "", v->variant ? v->variant : "");
			print_script(&job.script);
			episode_job_release(&job);
		}
	}
	review_release(&r);
	return ret;
}

/* Every feed folder under feeds/ (those with a feed.ini), sorted. */
static int all_feeds(char ***out, size_t *nr)
{
	struct dirent **ents;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int i, count;

	count = scandir("feeds", &ents, NULL, alphasort);
	if (count < 0)
		return error("no feeds folder here (cannot read 'feeds')");
	for (i = 0; i < count; i++) {
		char *ini = xasprintf("feeds/%s/feed.ini", ents[i]->d_name);

		if (ents[i]->d_name[0] != '.' && is_file(ini)) {
			ALLOC_GROW(names, n + 1, alloc);
			names[n++] = xasprintf("feeds/%s", ents[i]->d_name);
		}
		free(ini);
		free(ents[i]);
	}
	free(ents);
	if (!n)
		return error("no feeds under 'feeds' (a feed is a folder with a feed.ini)");
	*out = names;
	*nr = n;
	return 0;
}

static int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "base-url", required_argument, NULL, OPT_BASE_URL },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "assemble", required_argument, NULL, OPT_ASSEMBLE },
		{ "time-limit", required_argument, NULL, OPT_TIME_LIMIT },
		{ "memory-limit", required_argument, NULL, OPT_MEM_LIMIT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char **assemble = NULL;
	struct build_options bo;
	char **feeds = NULL;
	size_t nr = 0, i;
	int c, worst = 0;
	long val;

	build_options_init(&bo);
	bo.progress = isatty(2);
	while ((c = getopt_long(argc, argv, "o:j:qv", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			bo.out_dir = optarg;
			break;
		case 'j':
			if (parse_long(optarg, 1, 256, &val))
				return error("-j wants a number of processes from 1 to 256, not '%s'",
					     optarg), 2;
			bo.jobs = (int)val;
			break;
		case 'q':
			bo.progress = 0;
			util_quiet = 1;
			break;
		case 'v':
			bo.progress = 1;
			break;
		case OPT_BASE_URL:
			bo.base_url = optarg;
			break;
		case OPT_FORCE:
			bo.force = 1;
			break;
		case OPT_SHARD: {
			long k, n;
			char *slash = strchr(optarg, '/');

			if (!slash)
				return error("--shard wants K/N, not '%s'", optarg), 2;
			*slash = '\0';
			if (parse_long(optarg, 1, 10000, &k) || parse_long(slash + 1, 1, 10000, &n) ||
			    k > n)
				return error("--shard wants K/N with 1 <= K <= N"), 2;
			bo.shard_k = (int)k;
			bo.shard_n = (int)n;
			break;
		}
		case OPT_ASSEMBLE:
			assemble = xrealloc(assemble, (bo.nr_assemble + 1) * sizeof(*assemble));
			assemble[bo.nr_assemble++] = optarg;
			bo.assemble = assemble;
			break;
		case OPT_TIME_LIMIT:
			if (parse_long(optarg, 0, 86400 * 7, &val))
				return error("--time-limit wants seconds, not '%s'", optarg), 2;
			bo.time_limit = (int)val;
			break;
		case OPT_MEM_LIMIT:
			if (parse_long(optarg, 0, 1L << 30, &val))
				return error("--memory-limit wants megabytes, not '%s'", optarg), 2;
			bo.memory_limit_mb = val;
			break;
		case OPT_HELP:
			return usage_of("build", 0);
		default:
			return usage_of("build", 1);
		}
	}
	if (optind < argc) {
		for (i = 0; i < (size_t)(argc - optind); i++) {
			char *dir = build_feed_dir(argv[optind + (int)i]);

			if (!dir) {
				worst = -1;
				continue;
			}
			feeds = xrealloc(feeds, (nr + 1) * sizeof(*feeds));
			feeds[nr++] = dir;
		}
	} else if (all_feeds(&feeds, &nr)) {
		return 1;
	}
	for (i = 0; i < nr; i++) {
		struct build_stats st;
		int r = build_feed(feeds[i], &bo, &st);

		if (r < 0 || (r > 0 && worst >= 0))
			worst = r;
		free(feeds[i]);
	}
	free(feeds);
	free(assemble);
	return worst == 0 ? 0 : 1;
}

static int cmd_cover(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	long size = 1400;
	int c;

	while ((c = getopt_long(argc, argv, "s:", opts, NULL)) != -1) {
		if (c == 's') {
			if (parse_long(optarg, 1400, 3000, &size))
				return error("--size wants 1400 to 3000 pixels, not '%s'", optarg), 2;
		} else if (c == OPT_HELP) {
			return usage_of("cover", 0);
		} else {
			return usage_of("cover", 1);
		}
	}
	if (optind != argc - 2)
		return usage_of("cover", 1);
	return cover_draw(argv[optind], (int)size, argv[optind + 1]) ? 1 : 0;
}

static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = "public";
	char **feeds = NULL;
	size_t nr = 0, i;
	int c, bad = 0;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == OPT_HELP)
			return usage_of("check", 0);
		else
			return usage_of("check", 1);
	}
	if (optind < argc) {
		nr = (size_t)(argc - optind);
		feeds = xcalloc(nr, sizeof(*feeds));
		for (i = 0; i < nr; i++) {
			const char *f = argv[optind + (int)i];
			char *ini = path_join(f, "feed.ini");

			/* A feed folder or name: its published folder; else a published folder. */
			if (is_file(ini) || !strchr(f, '/'))
				feeds[i] = path_join(out, path_base(f));
			else
				feeds[i] = xstrdup(f);
			free(ini);
		}
	} else if (all_feeds(&feeds, &nr)) {
		return 1;
	} else {
		for (i = 0; i < nr; i++) {
			char *p = path_join(out, path_base(feeds[i]));

			free(feeds[i]);
			feeds[i] = p;
		}
	}
	for (i = 0; i < nr; i++) {
		int n = check_published(feeds[i]);

		if (n)
			bad = 1;
		if (n > 0)
			fprintf(stderr, "%s: %d problem%s\n", feeds[i], n, n == 1 ? "" : "s");
		else if (!n)
			info("%s: no problems", feeds[i]);
		free(feeds[i]);
	}
	free(feeds);
	return bad;
}

static int cmd_version(int argc, char **argv)
{
	printf("revcast %s (eSpeak NG %s)\n", REVCAST_VERSION, speech_engine_version());
	return 0;
}

static const struct command commands[] = {
	{ "render", cmd_render,
	  "revcast render REVIEW [-o FILE] [--voice NAME] [--format mp3|wav|flac] [options]",
	  "Speaks one review and writes one audio file (default: the review's name\n"
	  "with the format's extension, in the current directory).\n\n"
	  "  -o, --output FILE     where to write (created atomically)\n"
	  "      --voice NAME      voice profile from the voices directory\n"
	  "      --voices DIR      the voices directory (default: ./voices)\n"
	  "      --format FMT      mp3 (default), wav or flac\n"
	  "      --bitrate KBPS    MP3 constant bitrate (default 96)\n"
	  "      --vbr Q           MP3 variable bitrate, quality 0 (best) to 9\n"
	  "      --quality Q       LAME algorithm quality 0 (best) to 9 (default 5)\n"
	  "      --sample-rate HZ  output rate (default 44100)\n"
	  "      --cover IMAGE     JPEG or PNG to embed in the MP3\n"
	  "      --album TEXT      ID3 album (default: the title)\n"
	  "      --loudness LUFS   integrated loudness (default -16; true peak <= -1 dBTP)\n"
	  "  -q, --quiet           no progress messages\n\n"
	  "Prints a line: FILE<TAB>SECONDS<TAB>SAMPLES<TAB>BYTES.\n" },
	{ "text", cmd_text,
	  "revcast text [--speech] [--voice NAME] REVIEW",
	  "Prints what revcast understood of a review: title, author, date,\n"
	  "language, what was skipped and why, and the paragraphs.\n\n"
	  "      --speech          print the script as it will be spoken instead\n"
	  "      --voice NAME      with --speech: the voice profile to use\n" },
	{ "build", cmd_build,
	  "revcast build [-o DIR] [-j N] [--base-url URL] [--force] [--shard K/N]\n"
	  "              [--assemble DIR]... [-q|-v] [FEED...]",
	  "Publishes feeds: renders the reviews that are new or changed, keeps the\n"
	  "catalog, and writes DIR/NAME/: the episodes, the cover and feed.xml.\n"
	  "FEED is a folder name under feeds/ or the path of a feed folder; with\n"
	  "none, every feed under feeds/ is built.\n\n"
	  "  -o, --output DIR      where to publish (default: public)\n"
	  "  -j, --jobs N          render in N processes (default: the number of cores)\n"
	  "      --base-url URL    publish for this URL instead of feed.ini's base_url\n"
	  "      --force           render every review again\n"
	  "      --time-limit S    stop a review's render after S seconds (default 1800)\n"
	  "      --memory-limit MB limit a render's memory (default 4096)\n"
	  "      --shard K/N       render only share K of N into DIR, with a manifest\n"
	  "                        (shard-K-of-N.tsv); no feed is written\n"
	  "      --assemble DIR    take renders from a shard's DIR (repeatable), then\n"
	  "                        publish as usual\n"
	  "  -q, --quiet           errors only\n"
	  "  -v, --verbose         progress and a summary even when not on a terminal\n\n"
	  "Exit status: 0 when every review was published, 1 otherwise.\n" },
	{ "cover", cmd_cover,
	  "revcast cover [--size PX] FILE.png TITLE",
	  "Draws a square RGB PNG cover (default 1400 pixels, Apple's minimum)\n"
	  "whose colours and shape come from TITLE.\n" },
	{ "check", cmd_check,
	  "revcast check [-o DIR] [FEED...]",
	  "Lints published feeds (DIR/NAME/, default DIR: public): feed.xml is\n"
	  "well-formed, has what Apple and the Podcast Index require, every GUID is\n"
	  "unique and not a permalink, dates are RFC 2822, the category is Apple's,\n"
	  "the cover is a square RGB image of 1400-3000 pixels, and every enclosure\n"
	  "exists with exactly its stated size and duration. FEED is a feed name,\n"
	  "a feed folder, or a published folder. Exit status 1 on any problem.\n" },
	{ "words", cmd_words, words_usage, words_help },
	{ "version", cmd_version, "revcast --version", "Prints the version.\n" },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: revcast COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\n'revcast COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		main_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(argc, argv);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		main_usage(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c) {
		error("'%s' is not a revcast command", argv[1]);
		main_usage(stderr);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
