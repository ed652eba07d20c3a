#!/bin/bash
# Transcripts, chapters and the listening site of a built feed, judged by
# independent tools: ffmpeg (decoding, silencedetect), ffprobe (the MP3's
# ID3 chapters), python3 (json, xml.etree, html.parser), xmllint and
# xsltproc (Debian package xsltproc).
. tests/lib.sh

P=public/example

# Checks a WebVTT and an SRT file against each other and the episode:
#   cues.py VTT SRT DURATION STARTS_OUT
# Every cue lies inside [0, DURATION], in order, without overlap, with at
# most two lines of at most 42 characters; the SRT has the same cues.
# Writes "ID START" of each cue to STARTS_OUT.
cat >"$T/cues.py" <<'EOF'
import html, re, sys

def parse(path, vtt):
    text = open(path, encoding="utf-8").read()
    if vtt:
        assert text.startswith("WEBVTT"), "no WEBVTT header"
        text = text.split("\n", 1)[1]
    sep = "." if vtt else ","
    tm = r"(\d\d):(\d\d):(\d\d)" + re.escape(sep) + r"(\d\d\d)"
    cues = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        i = next(k for k, l in enumerate(lines) if "-->" in l)
        m = re.fullmatch(tm + " --> " + tm, lines[i])
        assert m, "bad timing line %r in %s" % (lines[i], path)
        g = [int(x) for x in m.groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        body = lines[i + 1:]
        if vtt:
            assert "<" not in "".join(body), "unescaped < in %s" % path
            body = [html.unescape(l) for l in body]
        cues.append((lines[0] if i == 1 else None, start, end, body))
    return cues

vtt = parse(sys.argv[1], True)
srt = parse(sys.argv[2], False)
duration = float(sys.argv[3])
assert len(vtt) > 5, "only %d cues" % len(vtt)
assert [c[1:] for c in vtt] == [c[1:] for c in srt], "the VTT and the SRT differ"
assert [c[0] for c in srt] == [str(i + 1) for i in range(len(srt))], "SRT numbering"
prev_end = 0.0
for cid, start, end, body in vtt:
    assert 0 <= start < end <= duration, "cue %s [%g, %g] outside [0, %g]" % (cid, start, end, duration)
    assert start >= prev_end, "cue %s starts at %g before the previous ends at %g" % (cid, start, prev_end)
    assert 1 <= len(body) <= 2, "cue %s has %d lines" % (cid, len(body))
    for line in body:
        assert 0 < len(line) <= 42, "cue %s: line of %d characters: %r" % (cid, len(line), line)
    prev_end = end
with open(sys.argv[4], "w") as f:
    for cid, start, end, body in vtt:
        f.write("%s %.3f %s\n" % (cid, start, " ".join(body)))
EOF

# The text of each review block, one a line: from `revcast text` on
# standard input, or (--cues FILE) joined from the cues "bN-K" of cues.py.
cat >"$T/blocks.py" <<'EOF'
import re, sys
if sys.argv[1:2] == ["--cues"]:
    blocks = {}
    for line in open(sys.argv[2], encoding="utf-8"):
        cid, start, text = line.rstrip("\n").split(" ", 2)
        if cid.startswith("b"):
            blocks.setdefault(int(cid[1:].split("-")[0]), []).append(text)
    for b in range(max(blocks) + 1):
        print(" ".join(blocks.get(b, [])))
else:
    for m in re.finditer(r"^\[[a-z ]+, line \d+\]\n(.*)$", sys.stdin.read(), re.M):
        print(" ".join(m.group(1).split()))
EOF

# Checks chapters JSON against the duration and the MP3's ID3 chapters
# (ffprobe -show_chapters -of json): chapters.py JSON FFPROBE_JSON DURATION
cat >"$T/chapters.py" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
id3 = json.load(open(sys.argv[2]))["chapters"]
duration = float(sys.argv[3])
assert doc["version"] == "1.2.0", doc.get("version")
ch = doc["chapters"]
assert ch and ch[0]["startTime"] == 0, "the first chapter starts at 0"
for a, b in zip(ch, ch[1:]):
    assert a["startTime"] < b["startTime"], "startTime not ascending"
for c in ch:
    assert 0 <= c["startTime"] < duration, c
    assert c["startTime"] < c.get("endTime", duration) <= duration + 0.0005, c
    assert isinstance(c["title"], str) and c["title"], c
assert len(id3) == len(ch), "%d ID3 chapters, %d JSON chapters" % (len(id3), len(ch))
for c, i in zip(ch, id3):
    assert abs(float(i["start_time"]) - c["startTime"]) <= 0.001, (c, i["start_time"])
    assert i["tags"]["title"] == c["title"], (c["title"], i["tags"]["title"])
for c in ch:
    print("%.3f" % c["startTime"])
EOF

# Checks feed.xml's items: transcripts, chapters and pages named, present
# in the output: feed.py FEED OUTDIR; prints "FILE DURATION VTT SRT JSON PAGE".
cat >"$T/feed.py" <<'EOF'
import os, sys, xml.etree.ElementTree as ET
NS = {"podcast": "https://podcastindex.org/namespace/1.0",
      "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "atom": "http://www.w3.org/2005/Atom"}
ch = ET.parse(sys.argv[1]).getroot().find("channel")
base = ch.find("atom:link", NS).get("href")[:-len("feed.xml")]
def local(url):
    assert url.startswith(base), url
    path = url[len(base):]
    assert os.path.isfile(os.path.join(sys.argv[2], path)), "missing " + path
    return path
items = ch.findall("item")
assert len(items) >= 2
for it in items:
    tr = {t.get("type"): local(t.get("url")) for t in it.findall("podcast:transcript", NS)}
    assert set(tr) == {"text/vtt", "application/x-subrip"}, tr
    chap = it.find("podcast:chapters", NS)
    assert chap.get("type") == "application/json+chapters"
    mp3 = local(it.find("enclosure").get("url"))
    stem = mp3[:-len(".mp3")]
    names = [tr["text/vtt"], tr["application/x-subrip"], local(chap.get("url")), local(it.find("link").text)]
    assert names == [stem + ".vtt", stem + ".srt", stem + ".chapters.json", stem + ".html"], names
    print(mp3, it.find("itunes:duration", NS).text, *names)
EOF

# Checks an HTML page of the site: site.py PAGE ITEMS CUES...; ITEMS is
# feed.py's output, CUES the cue lists (cues.py) of the episodes the page shows.
cat >"$T/site.py" <<'EOF'
import os, sys
from html.parser import HTMLParser
page, items = sys.argv[1], [l.split() for l in open(sys.argv[2])]
here = os.path.dirname(page)
cues = {}
for path in sys.argv[3:]:
    cues[path] = [l.split(" ", 2) for l in open(path)]

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.audio, self.tracks, self.timed, self.scripts, self.urls = [], [], [], 0, []
        self.articles = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if k in a:
                self.urls.append(a[k])
        if tag == "article":
            self.articles += 1
            self.timed.append([])
        if tag == "audio":
            assert "controls" in a and a.get("preload") == "metadata", a
            self.audio.append(a["src"])
        if tag == "track":
            assert a.get("kind") == "captions" and "default" in a, a
            self.tracks.append(a["src"])
        if "data-start" in a:
            self.timed[-1].append(float(a["data-start"]))
        if tag == "script":
            assert "src" not in a, "external script"
            self.scripts += 1
        if tag == "link":
            assert a.get("rel") != "stylesheet", "external stylesheet"

p = Page()
p.feed(open(page, encoding="utf-8").read())
assert p.scripts == 1, "%d scripts" % p.scripts
for u in p.urls:
    assert "://" not in u and not u.startswith("//"), "external URL " + u
    assert os.path.isfile(os.path.normpath(os.path.join(here, u))), "broken link " + u
shown = [os.path.normpath(os.path.join(here, s)) for s in p.audio]
assert len(shown) == len(sys.argv[3:]) == p.articles, (shown, p.articles)
for k, (src, track) in enumerate(zip(shown, p.tracks)):
    assert os.path.normpath(os.path.join(here, track)) == src[:-4] + ".vtt", (src, track)
    # each block's data-start is the start of its first cue "bN-1", in order
    firsts = [float(c[1]) for c in cues[sys.argv[3 + k]] if c[0].startswith("b") and c[0].endswith("-1")]
    assert p.timed[k] == firsts, (p.timed[k], firsts)
print(len(shown), "episodes,", sum(len(t) for t in p.timed), "timed blocks")
EOF

test_expect_success 'build a copy of the example feed' '
	mkdir feeds &&
	cp -r "$ROOT/feeds/example" feeds/ &&
	rm -f feeds/example/catalog.db feeds/example/.revcast.lock &&
	"$REVCAST" build -o public feeds/example &&
	ls $P/episodes >files &&
	test $(grep -c "\.mp3$" files) -eq 2 &&
	test $(grep -c "\.vtt$" files) -eq 2 &&
	test $(grep -c "\.srt$" files) -eq 2 &&
	test $(grep -c "\.chapters\.json$" files) -eq 2 &&
	test $(grep -c "\.html$" files) -eq 2 &&
	test -s $P/index.html && test -s $P/feed.xsl && test -s $P/episodes.m3u
'

test_expect_success 'the feed is valid XML, links its stylesheet, and names every file' '
	xmllint --noout $P/feed.xml &&
	sed -n 2p $P/feed.xml | grep -xF "<?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl\"?>" &&
	/usr/bin/python3 feed.py $P/feed.xml $P >items &&
	test $(wc -l <items) -eq 2
'

test_expect_success 'every cue lies inside the decoded episode, in order, two lines at most' '
	while read -r mp3 dur vtt srt json page; do
		n=$(ffmpeg -nostdin -v error -i $P/$mp3 -f s16le -ac 1 - | wc -c) &&
		d=$(awk -v n=$n "BEGIN { printf \"%.6f\", n / 2 / 44100 }") &&
		test_near "$d" "$dur" 1 &&
		/usr/bin/python3 cues.py $P/$vtt $P/$srt "$d" $(basename $mp3 .mp3).cues || exit 1
	done <items
'

test_expect_success 'the cues say every word of the review, in order' '
	"$REVCAST" text feeds/example/reviews/rust-and-bone.txt | /usr/bin/python3 blocks.py >expect.1 &&
	/usr/bin/python3 blocks.py --cues the-tenderness-of-rust-and-bone-*.cues >actual.1 &&
	test_cmp expect.1 actual.1 &&
	"$REVCAST" text feeds/example/reviews/the-quiet-lighthouse.md | /usr/bin/python3 blocks.py >expect.2 &&
	/usr/bin/python3 blocks.py --cues the-quiet-lighthouse-*.cues >actual.2 &&
	test_cmp expect.2 actual.2
'

test_expect_success 'each paragraph starts where the silence before it ends (ffmpeg silencedetect, 100 ms)' '
	while read -r mp3 rest; do
		ffmpeg -nostdin -nostats -i $P/$mp3 -af silencedetect=noise=-50dB:d=0.3 -f null - 2>&1 |
			sed -n "s/.*silence_end: \([0-9.]*\).*/\1/p" >silence-ends &&
		test -s silence-ends &&
		grep "^b[0-9]*-1 " $(basename $mp3 .mp3).cues | cut -d" " -f2 >para-starts &&
		test $(wc -l <para-starts) -ge 5 &&
		while read -r s; do
			awk -v s=$s "{ d = \$1 - s; if (d < 0) d = -d; if (d < best || NR == 1) best = d }
				END { printf \"paragraph at %s: silence ends %.3f s away\n\", s, best; exit !(best <= 0.1) }" silence-ends || exit 1
		done <para-starts
	done <items
'

test_expect_success 'chapters: valid JSON, inside the episode, the same as the MP3s ID3 chapters' '
	while read -r mp3 dur vtt srt json page; do
		n=$(ffmpeg -nostdin -v error -i $P/$mp3 -f s16le -ac 1 - | wc -c) &&
		d=$(awk -v n=$n "BEGIN { printf \"%.6f\", n / 2 / 44100 }") &&
		ffprobe -v error -show_chapters -of json $P/$mp3 >id3.json &&
		/usr/bin/python3 chapters.py $P/$json id3.json "$d" >starts &&
		test $(wc -l <starts) -ge 3 &&
		# after the intro, each chapter starts with a block of the text
		cues=$(basename $mp3 .mp3).cues &&
		tail -n +2 starts | while read -r s; do
			grep -q "^b[0-9]*-1 $s " $cues || { echo "no block starts at chapter $s"; exit 1; }
		done || exit 1
	done <items
'

test_expect_success 'the XSL stylesheet shows the feed as a page (xsltproc)' '
	xmllint --noout $P/feed.xsl &&
	xsltproc $P/feed.xsl $P/feed.xml >feed.html &&
	grep -F "<title>Revcast Reviews, Read Aloud (podcast feed)</title>" feed.html &&
	grep -F "This is a podcast feed." feed.html &&
	grep -F "The Quiet Lighthouse</a>" feed.html &&
	grep -F "The Tenderness of Rust And Bone</a>" feed.html &&
	test $(grep -c "<audio" feed.html) -eq 2 &&
	# URLs under the feed address are made relative, so a local copy plays
	grep -F "src=\"episodes/the-quiet-lighthouse-" feed.html &&
	grep -F "src=\"cover.png\"" feed.html
'

test_expect_success 'index.html: players, captions, timed paragraphs, nothing external' '
	cues=$(while read -r mp3 rest; do printf "%s " $(basename $mp3 .mp3).cues; done <items) &&
	/usr/bin/python3 site.py $P/index.html items $cues &&
	grep -F "<a class=\"button\" href=\"feed.xml\">Subscribe</a>" $P/index.html &&
	grep -F "<img class=\"cover\"" $P/index.html
'

test_expect_success 'each episode has its own page' '
	while read -r mp3 dur vtt srt json page; do
		/usr/bin/python3 site.py $P/$page items $(basename $mp3 .mp3).cues || exit 1
	done <items
'

test_expect_success 'episodes.m3u lists every episode with its duration' '
	head -1 $P/episodes.m3u | grep -x "#EXTM3U" &&
	grep "^#EXTINF:" $P/episodes.m3u | sed "s/^#EXTINF:\([0-9]*\),.*/\1/" >m3u-durations &&
	grep -v "^#" $P/episodes.m3u >m3u-files &&
	cut -d" " -f2 items >feed-durations &&
	cut -d" " -f1 items >feed-files &&
	test_cmp feed-durations m3u-durations &&
	test_cmp feed-files m3u-files
'

test_expect_success 'a build with nothing changed writes nothing' '
	(cd $P && find . -type f -printf "%p %i %s %T@\n" | sort) >before &&
	"$REVCAST" build -v -o public feeds/example 2>log &&
	grep "2 unchanged" log &&
	(cd $P && find . -type f -printf "%p %i %s %T@\n" | sort) >after &&
	test_cmp before after
'

# traced_build: a build under strace; the pages and transcripts it opened in
# $T/opened (LeakSanitizer cannot run under ptrace).
traced_build() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=openat -o "$T/trace" \
		"$REVCAST" build -v -o public feeds/example 2>"$T/log" &&
	{ grep -o "[^/\"]*\.\(html\|vtt\)\"" "$T/trace" | tr -d "\"" | sort -u >"$T/opened" || :; }
}
# inodes: "NAME INODE" of the site's HTML files.
inodes() { (cd $P && find . -name "*.html" -printf "%p %i\n" | sort); }

test_expect_success 'an unchanged build neither rebuilds nor reads a page or a transcript' '
	test -s feeds/example/.revcast-site &&
	(cd $P && find . -type f -printf "%p %i %s %T@\n" | sort) >before &&
	traced_build &&
	grep -q "2 unchanged" log &&
	grep -q "catalog.db" trace &&
	test_cmp /dev/null opened &&
	(cd $P && find . -type f -printf "%p %i %s %T@\n" | sort) >after &&
	test_cmp before after
'

test_expect_success 'a deleted page is restored, and a page edited by hand' '
	page=$(sed -n 1p items | cut -d" " -f6) &&
	cp $P/$page saved.html &&
	cp $P/index.html saved-index.html &&
	rm $P/$page &&
	"$REVCAST" build -o public feeds/example &&
	cmp saved.html $P/$page &&
	echo "<p>vandalised</p>" >>$P/$page &&
	: >$P/index.html &&
	"$REVCAST" build -o public feeds/example &&
	cmp saved.html $P/$page &&
	cmp saved-index.html $P/index.html &&
	# the same size, the old time: the inode tells
	sed "s/<html/<HTML/" saved.html >edited.html &&
	touch -r $P/$page edited.html &&
	cp -p edited.html $P/$page.new && mv $P/$page.new $P/$page &&
	"$REVCAST" build -o public feeds/example &&
	cmp saved.html $P/$page
'

test_expect_success 'a damaged or foreign manifest only costs time' '
	inodes >inodes.before &&
	printf "revcast-site 1 0.1.0\tpublic/example\nnot a record\n" >feeds/example/.revcast-site &&
	"$REVCAST" build -o public feeds/example &&
	inodes >inodes.after &&
	test_cmp inodes.before inodes.after &&
	head -1 feeds/example/.revcast-site | grep -F "public/example" &&
	! grep -q "not a record" feeds/example/.revcast-site &&
	traced_build &&
	test_cmp /dev/null opened
'

test_expect_success 'a feed.ini change the pages show rewrites every page and the index' '
	cp feeds/example/feed.ini feed.ini.saved &&
	inodes >inodes.before &&
	sed -i "s/^copyright = .*/copyright = Changed Rights Holder/" feeds/example/feed.ini &&
	"$REVCAST" build -v -o public feeds/example 2>log &&
	grep -q "0 rendered" log &&
	inodes >inodes.after &&
	test $(wc -l <inodes.after) -eq 3 &&
	! grep -Fxf inodes.before inodes.after &&
	for f in $(cut -d" " -f1 inodes.after); do
		grep -q "Changed Rights Holder" $P/$f || { echo "$f not rewritten"; exit 1; }
	done &&
	cp feed.ini.saved feeds/example/feed.ini &&
	"$REVCAST" build -o public feeds/example &&
	cmp saved.html $P/$(sed -n 1p items | cut -d" " -f6) &&
	cmp saved-index.html $P/index.html
'

test_expect_success 'an output folder deleted and built again has the same files' '
	cp -R $P site-before &&
	rm -rf $P &&
	"$REVCAST" build -o public feeds/example &&
	diff -r site-before $P
'

test_expect_success 'a lost transcript is made again by rendering that episode' '
	vtt=$(sed -n 1p items | cut -d" " -f3) &&
	cp $P/$vtt saved.vtt &&
	rm $P/$vtt &&
	"$REVCAST" build -v -o public feeds/example 2>log &&
	grep "rendering" log &&
	grep "1 rendered, 1 unchanged" log &&
	cmp saved.vtt $P/$vtt
'

test_expect_success 'a changed review gets new transcripts; the old ones go' '
	cp items items.old &&
	printf "\nOne more paragraph, added later.\n" >>feeds/example/reviews/rust-and-bone.txt &&
	(cd $P && find . -type f -name "the-quiet*" -printf "%p %i %T@\n" | sort) >quiet-before &&
	index_before=$(stat -c %i $P/index.html) &&
	"$REVCAST" build -o public feeds/example &&
	test "$(stat -c %i $P/index.html)" != "$index_before" &&
	grep -F "One more paragraph, added later." $P/index.html &&
	/usr/bin/python3 feed.py $P/feed.xml $P >items &&
	! cmp items items.old &&
	for f in $(grep the-tender items.old); do
		case $f in *.*) test ! -e $P/$f || { echo "$f left behind"; exit 1; } ;; esac
	done &&
	(cd $P && find . -type f -name "the-quiet*" -printf "%p %i %T@\n" | sort) >quiet-after &&
	test_cmp quiet-before quiet-after &&
	vtt=$(grep the-tender items | cut -d" " -f3) &&
	tail -3 $P/$vtt | grep -F "One more paragraph, added later."
'

test_expect_success 'text from reviews is escaped in the pages and the feed' '
	mkdir -p esc/reviews &&
	cp feeds/example/feed.ini feeds/example/cover.png esc/ &&
	printf "%s\n" "---" "title: Fish & <Chips> \"Quoted\"" "author: A <b>Bold</b> Author" "---" "" \
		"Plain text with \\<script>alert(1)\\</script> & an ampersand." >esc/reviews/esc.md &&
	grep -F "with \<script>" esc/reviews/esc.md &&
	"$REVCAST" build -o public esc &&
	! grep -F "<script>alert" public/esc/index.html &&
	! grep -F "<Chips>" public/esc/index.html &&
	grep -F "Fish &amp; &lt;Chips&gt; &quot;Quoted&quot;" public/esc/index.html &&
	grep -F "&lt;script&gt;alert(1)&lt;/script&gt;" public/esc/index.html &&
	grep -F "By A &lt;b&gt;Bold&lt;/b&gt; Author" public/esc/index.html &&
	test $(grep -c "<script>" public/esc/index.html) -eq 1 &&
	xmllint --noout public/esc/feed.xml &&
	grep -F "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" public/esc/episodes/*.vtt &&
	/usr/bin/python3 -c "import json, sys; json.load(open(sys.argv[1]))" public/esc/episodes/*.chapters.json
'

test_done
