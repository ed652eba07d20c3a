/*
 * site.c - the listening site. See site.h.
 *
 * Pages are built as text; every piece of text that comes from a review,
 * the catalog or feed.ini goes through html_escape() (libxml2), and a
 * review's own HTML is re-serialised by libxml2's HTML serialiser
 * (html_timed_body). CSS and JavaScript are constants below: no fonts,
 * scripts or styles are fetched from anywhere.
 */
#include "site.h"
#include "catalog.h"
#include "feedcfg.h"
#include "html.h"
#include "transcript.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* Shared by the pages and feed.xsl: it must not contain '<' or '&'. */
static const char site_css[] =
	":root{color-scheme:light dark;--bg:#f6f3ee;--card:#fffdf9;--ink:#1d2327;--muted:#5d6870;"
	"--line:#e4ddd2;--accent:#0f6a6e;--accent-ink:#fff;--glow:#e3f1ef;"
	"--shadow:0 1px 2px rgba(40,30,20,.06),0 8px 24px rgba(40,30,20,.07)}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#14171a;--card:#1c2024;"
	"--ink:#e8e6e3;--muted:#9aa3aa;--line:#2c3238;--accent:#5cc6c4;"
	"--accent-ink:#0d1a1b;--glow:#1f3535;--shadow:0 1px 2px rgba(0,0,0,.4)}}\n"
	"*{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%}\n"
	"body{margin:0;background:var(--bg);color:var(--ink);"
	"font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',"
	"Arial,sans-serif}\n"
	".wrap{max-width:46rem;margin:0 auto;padding:2.5rem 1.25rem 3rem}\n"
	"a{color:var(--accent)}\n"
	".show{display:flex;gap:1.5rem;align-items:flex-start;margin-bottom:2.5rem}\n"
	".cover{width:9.5rem;height:9.5rem;flex:none;border-radius:.9rem;"
	"box-shadow:var(--shadow);object-fit:cover;background:var(--line)}\n"
	".kicker{margin:0;font-size:.75rem;letter-spacing:.12em;text-transform:uppercase;"
	"color:var(--muted);font-weight:600}\n"
	"h1{margin:.15rem 0 .5rem;font-size:2rem;line-height:1.15;letter-spacing:-.01em}\n"
	".desc{margin:0 0 1rem;color:var(--muted)}\n"
	".actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 .75rem}\n"
	".button{display:inline-flex;align-items:center;gap:.4rem;padding:.45rem .9rem;"
	"border-radius:999px;background:var(--accent);color:var(--accent-ink);"
	"text-decoration:none;font-weight:600;font-size:.9rem;border:1px solid var(--accent);"
	"cursor:pointer;font-family:inherit}\n"
	".button.quiet{background:transparent;color:var(--accent)}\n"
	".feed-url{display:flex;gap:.5rem;align-items:center;font-size:.8rem;"
	"color:var(--muted);margin:0}\n"
	".feed-url code{background:var(--card);border:1px solid var(--line);"
	"border-radius:.4rem;padding:.2rem .45rem;min-width:0;overflow:hidden;"
	"text-overflow:ellipsis;white-space:nowrap}\n"
	".feed-url .button{padding:.2rem .7rem;font-size:.8rem}\n"
	".episode{background:var(--card);border:1px solid var(--line);border-radius:1rem;"
	"box-shadow:var(--shadow);padding:1.5rem 1.75rem 1.25rem;margin:0 0 1.75rem}\n"
	".episode h2{margin:0 0 .25rem;font-size:1.45rem;line-height:1.25}\n"
	".episode h2 a{color:inherit;text-decoration:none}\n"
	".episode h2 a:hover{text-decoration:underline}\n"
	".meta{margin:0 0 1rem;color:var(--muted);font-size:.9rem}\n"
	".meta span+span::before{content:'\\00b7';margin:0 .45rem}\n"
	"audio{display:block;width:100%;margin:0}\n"
	".caption{display:none;min-height:1.5em;margin:.6rem 0 0;color:var(--muted);"
	"font-size:.9rem;font-style:italic;text-align:center}\n"
	".captioned .caption{display:block}\n"
	".text{margin-top:1.25rem;padding-left:3.25rem;font-family:'Iowan Old Style',"
	"'Palatino Linotype',Palatino,Georgia,'DejaVu Serif',serif;font-size:1.06rem;"
	"line-height:1.65}\n"
	".text h2,.text h3,.text h4,.text h5,.text h6{font-family:system-ui,-apple-system,"
	"'Segoe UI',Roboto,sans-serif;font-size:1.05rem;margin:1.4rem 0 .4rem}\n"
	".text p{margin:0 0 .85rem}\n"
	".summary{margin:1rem 0 0}\n"
	".text blockquote{margin:0 0 .85rem;padding-left:1rem;border-left:3px solid var(--accent);"
	"font-style:italic}\n"
	".text ul{margin:0 0 .85rem;padding-left:1.2rem}\n"
	"[data-start]{position:relative;cursor:pointer;border-radius:.45rem;"
	"transition:background-color .2s}\n"
	"[data-start]:hover{background:var(--glow)}\n"
	"[data-start]:focus-visible{outline:2px solid var(--accent);outline-offset:2px}\n"
	"[data-start].now{background:var(--glow);box-shadow:-.5rem 0 0 var(--glow),"
	".5rem 0 0 var(--glow)}\n"
	"[data-at]::before{content:attr(data-at);position:absolute;left:-3.25rem;top:.2em;"
	"width:2.75rem;text-align:right;font:500 .72rem/1.6 ui-monospace,'DejaVu Sans Mono',"
	"monospace;color:var(--muted)}\n"
	"li[data-at]::before{left:-4.45rem}\n"
	"blockquote [data-at]::before{left:-4.45rem}\n"
	"[data-start].now::before,[data-start]:hover::before{color:var(--accent)}\n"
	".files{margin:1rem 0 0;padding-top:.8rem;border-top:1px solid var(--line);"
	"font-size:.82rem;color:var(--muted)}\n"
	".files a{margin-right:.8rem}\n"
	".back{display:inline-flex;align-items:center;gap:.6rem;color:var(--muted);"
	"text-decoration:none;font-size:.9rem;margin-bottom:1.5rem}\n"
	".back img{width:2.25rem;height:2.25rem;border-radius:.45rem}\n"
	".hint{background:var(--card);border:1px solid var(--line);border-radius:.8rem;"
	"padding:.9rem 1.1rem;margin:0 0 2rem;font-size:.92rem}\n"
	"footer{color:var(--muted);font-size:.8rem;text-align:center;margin-top:2rem}\n"
	"@media (max-width:600px){.show{flex-direction:column}.cover{width:7rem;height:7rem}"
	".episode{padding:1.1rem}.text{padding-left:0}"
	"[data-at]::before{position:static;display:inline;margin-right:.6em}}\n";

/*
 * Clicking (or Enter on) an element with data-start plays its episode
 * from there; the element being read is highlighted; the current cue is
 * shown under the player; one episode plays at a time.
 */
static const char site_js[] =
	"(function () {\n"
	"  'use strict';\n"
	"  var players = Array.prototype.slice.call(document.querySelectorAll('audio'));\n"
	"  function pauseOthers(a) {\n"
	"    players.forEach(function (o) { if (o !== a) o.pause(); });\n"
	"  }\n"
	"  function playFrom(a, t) {\n"
	"    pauseOthers(a);\n"
	"    var go = function () {\n"
	"      a.currentTime = t;\n"
	"      var p = a.play();\n"
	"      if (p && p.catch) p.catch(function () {});\n"
	"    };\n"
	"    if (a.readyState >= 1) go();\n"
	"    else a.addEventListener('loadedmetadata', go, { once: true });\n"
	"  }\n"
	"  document.querySelectorAll('article.episode').forEach(function (art) {\n"
	"    var a = art.querySelector('audio');\n"
	"    if (!a) return;\n"
	"    var blocks = Array.prototype.slice.call(art.querySelectorAll('[data-start]'));\n"
	"    var cap = art.querySelector('.caption');\n"
	"    var current = null;\n"
	"    blocks.forEach(function (b) {\n"
	"      b.addEventListener('click', function (ev) {\n"
	"        if (ev.target.closest('a')) return;\n"
	"        var sel = window.getSelection();\n"
	"        if (sel && !sel.isCollapsed) return;\n"
	"        playFrom(a, parseFloat(b.dataset.start));\n"
	"      });\n"
	"      b.addEventListener('keydown', function (ev) {\n"
	"        if (ev.key !== 'Enter' && ev.key !== ' ') return;\n"
	"        ev.preventDefault();\n"
	"        playFrom(a, parseFloat(b.dataset.start));\n"
	"      });\n"
	"    });\n"
	"    a.addEventListener('play', function () { pauseOthers(a); });\n"
	"    a.addEventListener('timeupdate', function () {\n"
	"      var t = a.currentTime, now = null;\n"
	"      blocks.forEach(function (b) {\n"
	"        if (t >= parseFloat(b.dataset.start) && t < parseFloat(b.dataset.end) + 0.6)\n"
	"          now = b;\n"
	"      });\n"
	"      if (now === current) return;\n"
	"      if (current) current.classList.remove('now');\n"
	"      if (now) now.classList.add('now');\n"
	"      current = now;\n"
	"    });\n"
	"    var track = a.querySelector('track');\n"
	"    if (track && cap && track.track) {\n"
	"      track.track.mode = 'hidden';\n"
	"      var shown = function () { art.classList.add('captioned'); };\n"
	"      if (track.readyState === 2) shown();\n"
	"      else track.addEventListener('load', shown);\n"
	"      track.track.addEventListener('cuechange', function () {\n"
	"        var c = this.activeCues && this.activeCues[0];\n"
	"        cap.textContent = c ? c.text.replace(/\\n/g, ' ') : '';\n"
	"      });\n"
	"    }\n"
	"  });\n"
	"  document.querySelectorAll('button[data-copy]').forEach(function (b) {\n"
	"    b.addEventListener('click', function () {\n"
	"      var text = b.getAttribute('data-copy'), label = b.textContent;\n"
	"      var done = function () {\n"
	"        b.textContent = 'Copied';\n"
	"        setTimeout(function () { b.textContent = label; }, 1500);\n"
	"      };\n"
	"      var select = function () {\n"
	"        var code = b.parentNode.querySelector('code'), r = document.createRange();\n"
	"        if (!code) return;\n"
	"        r.selectNodeContents(code);\n"
	"        window.getSelection().removeAllRanges();\n"
	"        window.getSelection().addRange(r);\n"
	"      };\n"
	"      if (navigator.clipboard && navigator.clipboard.writeText)\n"
	"        navigator.clipboard.writeText(text).then(done, select);\n"
	"      else\n"
	"        select();\n"
	"    });\n"
	"  });\n"
	"})();\n";

/* Appends ` name="value"` with value escaped. */
static void attr(struct strbuf *out, const char *name, const char *value)
{
	strbuf_addf(out, " %s=\"", name);
	html_escape(out, value ? value : "");
	strbuf_addch(out, '"');
}

/* Appends <tag>text</tag> with text escaped. */
static void element(struct strbuf *out, const char *tag, const char *text)
{
	strbuf_addf(out, "<%s>", tag);
	html_escape(out, text ? text : "");
	strbuf_addf(out, "</%s>", tag);
}

/* The start of a page: doctype, head with title, inline CSS. */
static void page_head(struct strbuf *out, const struct feed_config *c, const char *title,
		      const char *description, const char *root)
{
	char *href;

	strbuf_addstr(out, "<!DOCTYPE html>\n<html");
	if (c->language && *c->language)
		attr(out, "lang", c->language);
	strbuf_addstr(out, ">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	element(out, "title", title);
	strbuf_addstr(out, "\n<meta name=\"description\"");
	attr(out, "content", description);
	strbuf_addstr(out, ">\n<meta name=\"generator\" content=\"revcast\">\n<link rel=\"icon\"");
	href = xasprintf("%s%s", root, c->cover_name ? c->cover_name : "cover.jpg");
	attr(out, "href", href);
	free(href);
	strbuf_addstr(out, ">\n<link rel=\"alternate\" type=\"application/rss+xml\"");
	attr(out, "title", c->title);
	href = xasprintf("%sfeed.xml", root);
	attr(out, "href", href);
	free(href);
	strbuf_addstr(out, ">\n<style>\n");
	strbuf_addstr(out, site_css);
	strbuf_addstr(out, "</style>\n</head>\n<body>\n<div class=\"wrap\">\n");
}

static void page_foot(struct strbuf *out, const struct feed_config *c)
{
	strbuf_addstr(out, "<footer><p>");
	html_escape(out, c->copyright && *c->copyright ? c->copyright : c->title);
	strbuf_addstr(out, " \xc2\xb7 Read by a synthetic voice; published with revcast.</p>"
		      "</footer>\n</div>\n<script>\n");
	strbuf_addstr(out, site_js);
	strbuf_addstr(out, "</script>\n</body>\n</html>\n");
}

/*
 * The times of an episode's blocks, from its WebVTT transcript in dir:
 * block B starts with cue "bB-1" and ends with its last cue. *nr is 0
 * when there is no transcript (nothing printed: the page goes without).
 */
static struct block_time *block_times(const char *dir, const struct episode *e, size_t *nr)
{
	struct strbuf sb = STRBUF_INIT;
	struct transcript t;
	struct block_time *bt = NULL;
	size_t i, n = 0, j;
	char *path;

	*nr = 0;
	if (!e->transcript_vtt || !*e->transcript_vtt)
		return NULL;
	path = path_join(dir, e->transcript_vtt);
	transcript_init(&t);
	if (!is_file(path) || read_file(path, &sb, 64u << 20) ||
	    transcript_parse_vtt(&t, sb.buf, sb.len, path))
		goto out;
	for (i = 0; i < t.nr; i++) {
		const char *id = t.cues[i].id, *dash;
		long block, part;
		char *num;

		if (!id || id[0] != 'b' || !(dash = strchr(id, '-')))
			continue;
		num = xstrndup(id + 1, (size_t)(dash - id - 1));
		if (parse_long(num, 0, 1000000, &block) || parse_long(dash + 1, 1, 1000000, &part)) {
			free(num);
			continue;
		}
		free(num);
		if ((size_t)block >= n) {
			bt = xrealloc(bt, ((size_t)block + 1) * sizeof(*bt));
			for (j = n; j <= (size_t)block; j++)
				bt[j].start_ms = bt[j].end_ms = -1;
			n = (size_t)block + 1;
		}
		if (part == 1)
			bt[block].start_ms = t.cues[i].start_ms;
		if (t.cues[i].end_ms > bt[block].end_ms)
			bt[block].end_ms = t.cues[i].end_ms;
	}
	*nr = n;
out:
	transcript_release(&t);
	strbuf_release(&sb);
	free(path);
	return bt;
}

/* Appends "1 May 2024" for Unix seconds t (UTC), and the ISO date to iso. */
static void human_date(struct strbuf *out, char iso[16], int64_t t)
{
	static const char months[12][10] = { "January", "February", "March", "April", "May",
					     "June", "July", "August", "September", "October",
					     "November", "December" };
	struct tm tm;
	time_t tt = (time_t)(t < 0 ? 0 : t > INT64_C(253402300799) ? INT64_C(253402300799) : t);

	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	strbuf_addf(out, "%d %s %d", tm.tm_mday, months[(unsigned)tm.tm_mon % 12u],
		    tm.tm_year + 1900);
	snprintf(iso, 16, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

/* A block_times() result, so that site_write() reads each transcript once. */
struct times {
	struct block_time *bt;
	size_t nr;
};

/*
 * One episode as an <article>, its blocks timed by t. `here` is the prefix
 * that makes a name relative to the feed's output usable from the page
 * ("" for index.html, which lives there; for a page in episodes/, names
 * lose "episodes/").
 */

static int article(struct strbuf *out, const struct feed_config *c, const struct episode *e,
		   int own_page, const struct times *t)
{
	struct strbuf date = STRBUF_INIT;
	char iso[16];
	int ret;
#define REL(name) (own_page ? path_base(name) : (name))

	strbuf_addstr(out, "<article class=\"episode\"");
	if (e->slug)
		attr(out, "id", e->slug);
	strbuf_addstr(out, ">\n");
	if (own_page || !e->page || !*e->page) {
		strbuf_addstr(out, own_page ? "<h1>" : "<h2>");
		html_escape(out, e->title);
		strbuf_addstr(out, own_page ? "</h1>\n" : "</h2>\n");
	} else {
		strbuf_addstr(out, "<h2><a");
		attr(out, "href", e->page);
		strbuf_addch(out, '>');
		html_escape(out, e->title);
		strbuf_addstr(out, "</a></h2>\n");
	}
	strbuf_addstr(out, "<p class=\"meta\">");
	if (e->author && *e->author) {
		strbuf_addstr(out, "<span>By ");
		html_escape(out, e->author);
		strbuf_addstr(out, "</span>");
	}
	human_date(&date, iso, e->pub_date);
	strbuf_addstr(out, "<span><time");
	attr(out, "datetime", iso);
	strbuf_addch(out, '>');
	html_escape(out, date.buf);
	strbuf_addstr(out, "</time></span><span>");
	strbuf_reset(&date);
	html_clock(&date, e->duration + 0.5);
	html_escape(out, date.buf);
	strbuf_addstr(out, "</span></p>\n<audio controls preload=\"metadata\"");
	attr(out, "src", REL(e->file ? e->file : ""));
	strbuf_addstr(out, ">\n");
	if (e->transcript_vtt && *e->transcript_vtt) {
		strbuf_addstr(out, "<track kind=\"captions\"");
		attr(out, "src", REL(e->transcript_vtt));
		if (c->language && *c->language)
			attr(out, "srclang", c->language);
		strbuf_addstr(out, " label=\"Transcript\" default>\n");
	}
	strbuf_addstr(out, "</audio>\n<p class=\"caption\" aria-live=\"off\"></p>\n"
		      "<div class=\"text\">\n");
	ret = html_timed_body(out, e->content_html, t->bt, t->nr);
	strbuf_addstr(out, "</div>\n<p class=\"files\">");
	if (e->transcript_vtt && *e->transcript_vtt) {
		strbuf_addstr(out, "<a");
		attr(out, "href", REL(e->transcript_vtt));
		strbuf_addstr(out, ">Transcript (WebVTT)</a>");
	}
	if (e->transcript_srt && *e->transcript_srt) {
		strbuf_addstr(out, "<a");
		attr(out, "href", REL(e->transcript_srt));
		strbuf_addstr(out, ">Transcript (SRT)</a>");
	}
	if (e->chapters && *e->chapters) {
		strbuf_addstr(out, "<a");
		attr(out, "href", REL(e->chapters));
		strbuf_addstr(out, ">Chapters (JSON)</a>");
	}
	strbuf_addstr(out, "<a");
	attr(out, "href", REL(e->file ? e->file : ""));
	strbuf_addstr(out, " download>MP3</a></p>\n</article>\n");
#undef REL
	strbuf_release(&date);
	return ret;
}

/* The same, timed by e's transcript in dir (without one, untimed). */
static int episode_article(struct strbuf *out, const char *dir, const struct feed_config *c,
			   const struct episode *e, int own_page)
{
	struct times t;
	int ret;

	t.bt = block_times(dir, e, &t.nr);
	ret = article(out, c, e, own_page, &t);
	free(t.bt);
	return ret;
}

/*
 * index.html into out; with `times` (one per episode), the episodes'
 * block times come from there instead of their transcripts in dir.
 */
static int index_html(struct strbuf *out, const char *dir, const struct feed_config *c,
		      const struct episode *eps, size_t nr, const struct times *times)
{
	char *feed_url = feed_config_feed_url(c);
	size_t i;
	int ret = 0;

	page_head(out, c, c->title, c->description, "");
	strbuf_addstr(out, "<header class=\"show\">\n<img class=\"cover\" alt=\"\" width=\"152\" "
		      "height=\"152\"");
	attr(out, "src", c->cover_name ? c->cover_name : "cover.jpg");
	strbuf_addstr(out, ">\n<div>\n<p class=\"kicker\">Podcast</p>\n");
	element(out, "h1", c->title);
	strbuf_addstr(out, "\n<p class=\"desc\">");
	html_escape(out, c->description);
	strbuf_addstr(out, "</p>\n<p class=\"actions\"><a class=\"button\" href=\"feed.xml\">"
		      "Subscribe</a><a class=\"button quiet\" href=\"episodes.m3u\">"
		      "Playlist (M3U)</a></p>\n<p class=\"feed-url\">Feed: <code>");
	html_escape(out, feed_url);
	strbuf_addstr(out, "</code><button type=\"button\" class=\"button quiet\"");
	attr(out, "data-copy", feed_url);
	strbuf_addstr(out, ">Copy</button></p>\n</div>\n</header>\n<main>\n");
	if (!nr)
		strbuf_addstr(out, "<p class=\"hint\">No episodes yet.</p>\n");
	for (i = 0; i < nr; i++)
		if (times ? article(out, c, &eps[i], 0, &times[i]) :
			    episode_article(out, dir, c, &eps[i], 0))
			ret = -1;
	strbuf_addstr(out, "</main>\n");
	page_foot(out, c);
	free(feed_url);
	return ret;
}

int site_index_html(struct strbuf *out, const char *dir, const struct feed_config *c,
		    const struct episode *eps, size_t nr)
{
	return index_html(out, dir, c, eps, nr, NULL);
}

/* An episode's page into out, its block times from t or (NULL) its transcript. */
static int episode_html(struct strbuf *out, const char *dir, const struct feed_config *c,
			const struct episode *e, const struct times *t)
{
	char *title = xasprintf("%s \xe2\x80\x94 %s", e->title ? e->title : "", c->title);
	char *cover = xasprintf("../%s", c->cover_name ? c->cover_name : "cover.jpg");
	int ret;

	page_head(out, c, title, e->summary ? e->summary : c->description, "../");
	strbuf_addstr(out, "<a class=\"back\" href=\"../index.html\"><img alt=\"\"");
	attr(out, "src", cover);
	strbuf_addstr(out, "><span>\xe2\x86\x90 ");
	html_escape(out, c->title);
	strbuf_addstr(out, "</span></a>\n<main>\n");
	ret = t ? article(out, c, e, 1, t) : episode_article(out, dir, c, e, 1);
	strbuf_addstr(out, "</main>\n");
	page_foot(out, c);
	free(title);
	free(cover);
	return ret;
}

int site_episode_html(struct strbuf *out, const char *dir, const struct feed_config *c,
		      const struct episode *e)
{
	return episode_html(out, dir, c, e, NULL);
}

void site_m3u(struct strbuf *out, const char *title, const struct episode *eps,
	      size_t nr, int serial)
{
	size_t k;

	strbuf_addstr(out, "#EXTM3U\n");
	if (title) {
		struct strbuf t = STRBUF_INIT;
		const char *p;

		for (p = title; *p; p++)
			strbuf_addch(&t, *p == '\n' || *p == '\r' ? ' ' : *p);
		strbuf_addf(out, "#PLAYLIST:%s\n", t.buf);
		strbuf_release(&t);
	}
	for (k = 0; k < nr; k++) {
		const struct episode *e = &eps[serial ? nr - 1 - k : k];
		struct strbuf line = STRBUF_INIT;
		const char *p;
		double d = isfinite(e->duration) && e->duration > 0 ? e->duration : 0;

		if (!e->file)
			continue;
		if (e->author && *e->author)
			strbuf_addf(&line, "%s - ", e->author);
		strbuf_addstr(&line, e->title ? e->title : "");
		strbuf_addf(out, "#EXTINF:%lld,", (long long)llround(d));
		for (p = line.buf; *p; p++)
			strbuf_addch(out, *p == '\n' || *p == '\r' ? ' ' : *p);
		strbuf_addf(out, "\n%s\n", e->file);
		strbuf_release(&line);
	}
}

void site_feed_xsl(struct strbuf *out)
{
	strbuf_addstr(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!-- Shows a revcast feed as a page when it is opened in a browser. -->\n"
		"<xsl:stylesheet version=\"1.0\"\n"
		"    xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"\n"
		"    xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"\n"
		"    xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"\n"
		"    xmlns:atom=\"http://www.w3.org/2005/Atom\"\n"
		"    exclude-result-prefixes=\"itunes podcast atom\">\n"
		"<xsl:output method=\"html\" encoding=\"UTF-8\" indent=\"yes\""
		" doctype-system=\"about:legacy-compat\"/>\n"
		"<xsl:variable name=\"self\" select=\"/rss/channel/atom:link[@rel='self']/@href\"/>\n"
		"<xsl:variable name=\"base\" select=\"substring-before($self, 'feed.xml')\"/>\n"
		"\n"
		"<!-- A URL under the feed's own address, made relative so that a local copy works. -->\n"
		"<xsl:template name=\"rel\">\n"
		"  <xsl:param name=\"url\"/>\n"
		"  <xsl:choose>\n"
		"    <xsl:when test=\"$base != '' and starts-with($url, $base)\">"
		"<xsl:value-of select=\"substring-after($url, $base)\"/></xsl:when>\n"
		"    <xsl:otherwise><xsl:value-of select=\"$url\"/></xsl:otherwise>\n"
		"  </xsl:choose>\n"
		"</xsl:template>\n"
		"\n"
		"<xsl:template name=\"clock\">\n"
		"  <xsl:param name=\"s\"/>\n"
		"  <xsl:choose>\n"
		"    <xsl:when test=\"$s >= 3600\"><xsl:value-of select=\"floor($s div 3600)\"/>:"
		"<xsl:value-of select=\"format-number(floor($s div 60) mod 60, '00')\"/>:"
		"<xsl:value-of select=\"format-number($s mod 60, '00')\"/></xsl:when>\n"
		"    <xsl:otherwise><xsl:value-of select=\"floor($s div 60)\"/>:"
		"<xsl:value-of select=\"format-number($s mod 60, '00')\"/></xsl:otherwise>\n"
		"  </xsl:choose>\n"
		"</xsl:template>\n"
		"\n"
		"<xsl:template match=\"/\">\n"
		"<html lang=\"{/rss/channel/language}\">\n"
		"<head>\n"
		"<meta charset=\"utf-8\"/>\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
		"<title><xsl:value-of select=\"/rss/channel/title\"/> (podcast feed)</title>\n"
		"<link rel=\"icon\"><xsl:attribute name=\"href\"><xsl:call-template name=\"rel\">"
		"<xsl:with-param name=\"url\" select=\"/rss/channel/itunes:image/@href\"/>"
		"</xsl:call-template></xsl:attribute></link>\n"
		"<style>\n");
	strbuf_addstr(out, site_css);
	strbuf_addstr(out,
		"</style>\n"
		"</head>\n"
		"<body>\n"
		"<div class=\"wrap\">\n"
		"<xsl:for-each select=\"/rss/channel\">\n"
		"<header class=\"show\">\n"
		"  <img class=\"cover\" alt=\"\" width=\"152\" height=\"152\">\n"
		"    <xsl:attribute name=\"src\"><xsl:call-template name=\"rel\">"
		"<xsl:with-param name=\"url\" select=\"itunes:image/@href\"/>"
		"</xsl:call-template></xsl:attribute>\n"
		"  </img>\n"
		"  <div>\n"
		"    <p class=\"kicker\">Podcast feed</p>\n"
		"    <h1><xsl:value-of select=\"title\"/></h1>\n"
		"    <p class=\"desc\"><xsl:value-of select=\"description\"/></p>\n"
		"    <p class=\"actions\"><a class=\"button\" href=\"index.html\">Listen on the web</a>"
		"<a class=\"button quiet\" href=\"episodes.m3u\">Playlist (M3U)</a></p>\n"
		"  </div>\n"
		"</header>\n"
		"<div class=\"hint\"><strong>This is a podcast feed.</strong> To subscribe, copy its"
		" address into your podcast app: <code><xsl:value-of select=\"$self\"/></code></div>\n"
		"<main>\n"
		"<xsl:for-each select=\"item\">\n"
		"<article class=\"episode\">\n"
		"  <h2><a><xsl:attribute name=\"href\"><xsl:call-template name=\"rel\">"
		"<xsl:with-param name=\"url\" select=\"link\"/></xsl:call-template></xsl:attribute>"
		"<xsl:value-of select=\"title\"/></a></h2>\n"
		"  <p class=\"meta\">"
		"<xsl:if test=\"itunes:author\"><span>By <xsl:value-of select=\"itunes:author\"/></span></xsl:if>"
		"<span><xsl:value-of select=\"substring(pubDate, 6, 11)\"/></span>"
		"<span><xsl:call-template name=\"clock\"><xsl:with-param name=\"s\""
		" select=\"number(itunes:duration)\"/></xsl:call-template></span></p>\n"
		"  <audio controls=\"controls\" preload=\"none\">\n"
		"    <xsl:attribute name=\"src\"><xsl:call-template name=\"rel\">"
		"<xsl:with-param name=\"url\" select=\"enclosure/@url\"/>"
		"</xsl:call-template></xsl:attribute>\n"
		"  </audio>\n"
		"  <p class=\"summary\"><xsl:value-of select=\"description\"/></p>\n"
		"  <p class=\"files\">\n"
		"    <xsl:for-each select=\"podcast:transcript\"><a><xsl:attribute name=\"href\">"
		"<xsl:call-template name=\"rel\"><xsl:with-param name=\"url\" select=\"@url\"/>"
		"</xsl:call-template></xsl:attribute>Transcript (<xsl:choose>"
		"<xsl:when test=\"@type = 'text/vtt'\">WebVTT</xsl:when>"
		"<xsl:otherwise>SRT</xsl:otherwise></xsl:choose>)</a></xsl:for-each>\n"
		"    <xsl:for-each select=\"podcast:chapters\"><a><xsl:attribute name=\"href\">"
		"<xsl:call-template name=\"rel\"><xsl:with-param name=\"url\" select=\"@url\"/>"
		"</xsl:call-template></xsl:attribute>Chapters (JSON)</a></xsl:for-each>\n"
		"  </p>\n"
		"</article>\n"
		"</xsl:for-each>\n"
		"</main>\n"
		"<footer><p><xsl:value-of select=\"copyright\"/></p></footer>\n"
		"</xsl:for-each>\n"
		"</div>\n"
		"</body>\n"
		"</html>\n"
		"</xsl:template>\n"
		"</xsl:stylesheet>\n");
}

/*
 * What a build may skip. A page is rebuilt only when a digest of its
 * inputs changes or the file on disk is not the one the last build
 * wrote or checked. The manifest (a text file beside the catalog, written
 * atomically) holds, per page and for index.html, the digest and the
 * file's size, modification time (ns) and inode as they were after that
 * build; a page whose digest and stat both match is neither rebuilt nor
 * read. Trusted without reading: the transcript behind a page's block
 * times is the one its render key made (the VTT file is named after the
 * key, and a build renders again when it is missing), and a page that
 * still has the size, nanosecond mtime and inode recorded has the bytes
 * written then (an edit that restores all three, `touch -r` after a
 * same-size edit, goes unnoticed; `revcast build --force` rewrites every
 * page).
 */

/* Bump when the pages' HTML changes in a way their inputs do not show. */
#define SITE_FORMAT 1
#define MANIFEST_MAGIC "revcast-site 1"
#ifndef REVCAST_VERSION
#define REVCAST_VERSION "unknown"
#endif

/* Everything of feed.ini and this program that the pages show. */
static uint64_t config_digest(const struct feed_config *c)
{
	uint64_t h = DIGEST_INIT;

	h = digest_num(h, SITE_FORMAT);
	h = digest_str(h, REVCAST_VERSION);
	h = digest_str(h, c->language);
	h = digest_str(h, c->cover_name);
	h = digest_str(h, c->title);
	h = digest_str(h, c->description);
	h = digest_str(h, c->copyright);
	return h;
}

/* Everything of one episode that its article shows (here or in the index). */
static uint64_t episode_digest(uint64_t h, const struct episode *e)
{
	double d = e->duration;

	h = digest_str(h, e->slug);
	h = digest_str(h, e->page);
	h = digest_str(h, e->title);
	h = digest_str(h, e->author);
	h = digest_str(h, e->summary);
	h = digest_str(h, e->content_html);
	h = digest_num(h, e->pub_date);
	h = digest_bytes(h, &d, sizeof(d));
	h = digest_str(h, e->file);
	h = digest_str(h, e->transcript_vtt);
	h = digest_str(h, e->transcript_srt);
	h = digest_str(h, e->chapters);
	/* stands for the VTT's contents, the block times */
	return digest_str(h, e->render_key);
}

/* One manifest line: a file of the site as the last build left it. */
struct site_record {
	const char *name;     /* relative to the output; points into the manifest or eps */
	uint64_t digest;
	long long size, mtime_ns;
	unsigned long long ino;
};

struct site_manifest {
	struct strbuf text;           /* the file as read; names point into it */
	struct site_record *old;      /* sorted by name */
	size_t nr_old;
	struct site_record *now;      /* what this build leaves */
	size_t nr_now, alloc_now;
	int changed;
	int dir_fd;                   /* the output folder, or -1: stat by path */
};

static int cmp_record(const void *a, const void *b)
{
	return strcmp(((const struct site_record *)a)->name,
		      ((const struct site_record *)b)->name);
}

/*
 * Reads the manifest at path, made for output dir: a missing, foreign or
 * damaged one reads as empty (everything is checked the slow way).
 */
static void manifest_read(struct site_manifest *m, const char *path, const char *dir)
{
	char *header = xasprintf("%s %s\t%s\n", MANIFEST_MAGIC, REVCAST_VERSION, dir);
	char *p, *end;
	size_t alloc = 0, hl = strlen(header);

	memset(m, 0, sizeof(*m));
	strbuf_init(&m->text);
	m->changed = 1;
	/* one walk down dir's path instead of one per page */
	m->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!path || !is_file(path) || read_file(path, &m->text, 256u << 20) ||
	    m->text.len < hl || memcmp(m->text.buf, header, hl))
		goto out;
	p = m->text.buf + hl;
	end = m->text.buf + m->text.len;
	while (p < end) {
		struct site_record r;
		char *nl = memchr(p, '\n', (size_t)(end - p)), *q;

		if (!nl)
			break;
		*nl = '\0';
		errno = 0;
		r.digest = strtoull(p, &q, 16);
		r.size = strtoll(q, &q, 10);
		r.mtime_ns = strtoll(q, &q, 10);
		r.ino = strtoull(q, &q, 10);
		if (errno || *q != ' ' || !q[1])
			break;
		r.name = q + 1;
		ALLOC_GROW(m->old, m->nr_old + 1, alloc);
		m->old[m->nr_old++] = r;
		p = nl + 1;
	}
	if (p != end) {   /* damaged: trust none of it */
		m->nr_old = 0;
		goto out;
	}
	qsort(m->old, m->nr_old, sizeof(*m->old), cmp_record);
	m->changed = 0;
out:
	free(header);
}

/*
 * Whether file `name` under dir is up to date: the manifest has it with
 * this digest and the file still has the size, time and inode recorded.
 * If so, the record is carried over to this build's.
 */
static int manifest_fresh(struct site_manifest *m, const char *dir, const char *name,
			  uint64_t digest)
{
	struct site_record key, *r;
	struct stat st;
	int ok;

	key.name = name;
	r = m->nr_old ? bsearch(&key, m->old, m->nr_old, sizeof(*m->old), cmp_record) : NULL;
	if (!r || r->digest != digest)
		return 0;
	ok = !stat_in(m->dir_fd, dir, name, &st) && S_ISREG(st.st_mode) && st.st_size == r->size &&
	     st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec == r->mtime_ns &&
	     (unsigned long long)st.st_ino == r->ino;
	if (ok) {
		ALLOC_GROW(m->now, m->nr_now + 1, m->alloc_now);
		m->now[m->nr_now++] = *r;
	}
	return ok;
}

/* Records file `name` under dir, just written or checked, with digest. */
static void manifest_note(struct site_manifest *m, const char *dir, const char *name,
			  uint64_t digest)
{
	struct site_record r;
	struct stat st;
	int ok = !stat_in(m->dir_fd, dir, name, &st);

	m->changed = 1;
	if (!ok)
		return;
	r.name = name;
	r.digest = digest;
	r.size = (long long)st.st_size;
	r.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	r.ino = (unsigned long long)st.st_ino;
	ALLOC_GROW(m->now, m->nr_now + 1, m->alloc_now);
	m->now[m->nr_now++] = r;
}

/*
 * Writes this build's records when they differ from the file's. A
 * failure only costs time (the next build checks every page again), so
 * it is a warning.
 */
static void manifest_write(struct site_manifest *m, const char *path, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (!path || (!m->changed && m->nr_now == m->nr_old))
		return;
	strbuf_addf(&sb, "%s %s\t%s\n", MANIFEST_MAGIC, REVCAST_VERSION, dir);
	for (i = 0; i < m->nr_now; i++)
		strbuf_addf(&sb, "%016llx %lld %lld %llu %s\n",
			    (unsigned long long)m->now[i].digest, m->now[i].size,
			    m->now[i].mtime_ns, m->now[i].ino, m->now[i].name);
	if (write_file_atomic(path, sb.buf, sb.len))
		warning("the next build checks every page of '%s' again", dir);
	strbuf_release(&sb);
}

static void manifest_release(struct site_manifest *m)
{
	if (m->dir_fd >= 0)
		close(m->dir_fd);
	strbuf_release(&m->text);
	free(m->old);
	free(m->now);
}

/* Writes one file of the site under dir. */
static int site_file(const char *dir, const char *name, const struct strbuf *sb)
{
	char *path = path_join(dir, name);
	int ret = publish_file(path, sb->buf, sb->len);

	free(path);
	return ret;
}

/* eps[i]'s block times, read from its transcript the first time they are needed. */
static const struct times *times_of(struct times *times, char *have, const char *dir,
				    const struct episode *eps, size_t i)
{
	if (!have[i]) {
		times[i].bt = block_times(dir, &eps[i], &times[i].nr);
		have[i] = 1;
	}
	return &times[i];
}

int site_write(const char *dir, const struct feed_config *c,
	       const struct episode *eps, size_t nr, const char *manifest, int force)
{
	struct strbuf sb = STRBUF_INIT;
	struct site_manifest m;
	struct times *times = xcalloc(nr ? nr : 1, sizeof(*times));
	char *have = xcalloc(nr ? nr : 1, 1);
	uint64_t *digests = xcalloc(nr ? nr : 1, sizeof(*digests));
	uint64_t cfg = config_digest(c), index_digest;
	char *feed_url = feed_config_feed_url(c);
	size_t i;
	int ret = 0, index_ok;

	manifest_read(&m, force ? NULL : manifest, dir);
	index_digest = digest_str(digest_str(cfg, "index.html"), feed_url);
	for (i = 0; i < nr; i++) {
		digests[i] = episode_digest(cfg, &eps[i]);
		index_digest = digest_num(index_digest, (int64_t)digests[i]);
		if (!eps[i].page || !*eps[i].page ||
		    manifest_fresh(&m, dir, eps[i].page, digests[i]))
			continue;
		strbuf_reset(&sb);
		if (episode_html(&sb, dir, c, &eps[i], times_of(times, have, dir, eps, i)) ||
		    site_file(dir, eps[i].page, &sb))
			ret = -1;   /* no record: tried again next time */
		else
			manifest_note(&m, dir, eps[i].page, digests[i]);
	}
	if (!manifest_fresh(&m, dir, "index.html", index_digest)) {
		for (i = 0; i < nr; i++)
			times_of(times, have, dir, eps, i);
		strbuf_reset(&sb);
		index_ok = !index_html(&sb, dir, c, eps, nr, times) &&
			   !site_file(dir, "index.html", &sb);
		if (index_ok)
			manifest_note(&m, dir, "index.html", index_digest);
		else
			ret = -1;
	}
	for (i = 0; i < nr; i++)
		free(times[i].bt);
	free(times);
	free(have);
	free(digests);
	free(feed_url);
	strbuf_reset(&sb);
	site_feed_xsl(&sb);
	if (site_file(dir, SITE_FEED_XSL, &sb))
		ret = -1;
	strbuf_reset(&sb);
	site_m3u(&sb, c->title, eps, nr, c->serial);
	if (site_file(dir, "episodes.m3u", &sb))
		ret = -1;
	strbuf_release(&sb);
	manifest_write(&m, manifest, dir);
	manifest_release(&m);
	return ret;
}
