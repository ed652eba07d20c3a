#!/usr/bin/python3
"""feed-consistent.py DIR: exits 0 when DIR/feed.xml is well-formed RSS and
every enclosure it names exists in DIR with exactly the stated length.
Prints what is wrong otherwise. Used by the fault tests."""
import os, sys
import xml.etree.ElementTree as ET

d = sys.argv[1]
try:
    root = ET.parse(os.path.join(d, "feed.xml")).getroot()
except Exception as e:
    sys.exit(f"feed.xml does not parse: {e}")
self_ns = "{http://www.w3.org/2005/Atom}link"
base = None
for l in root.iter(self_ns):
    if l.get("rel") == "self":
        base = l.get("href")[: -len("feed.xml")]
if not base:
    sys.exit("no atom:link rel=self")
bad = 0
items = root.findall("./channel/item")
for it in items:
    enc = it.find("enclosure")
    url, length = enc.get("url"), int(enc.get("length"))
    if not url.startswith(base):
        sys.exit(f"enclosure {url} outside {base}")
    path = os.path.join(d, url[len(base):])
    if not os.path.isfile(path):
        print(f"missing: {path}")
        bad += 1
    elif os.path.getsize(path) != length:
        print(f"size: {path} has {os.path.getsize(path)} bytes, feed says {length}")
        bad += 1
print(f"{len(items)} items, {bad} problems")
sys.exit(1 if bad else 0)
