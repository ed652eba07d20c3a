#!/usr/bin/python3
"""tests/feeditems.py FEED.xml

Prints one line per <item> of an RSS feed, in feed order, with the fields
separated by tabs:

    guid  pubDate  itunes:episode  enclosure-url  length  type  itunes:duration  title

A missing field prints as "-". It reads the feed with Python's own XML
parser (not revcast's), so the tests can compare what the feed says.
"""
import sys
import xml.etree.ElementTree as ET

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def text(item, tag):
    el = item.find(tag)
    if el is None or el.text is None:
        return "-"
    return el.text.strip() or "-"


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    root = ET.parse(sys.argv[1]).getroot()
    for item in root.iter("item"):
        enc = item.find("enclosure")
        fields = [
            text(item, "guid"),
            text(item, "pubDate"),
            text(item, ITUNES + "episode"),
            enc.get("url", "-") if enc is not None else "-",
            enc.get("length", "-") if enc is not None else "-",
            enc.get("type", "-") if enc is not None else "-",
            text(item, ITUNES + "duration"),
            text(item, "title"),
        ]
        print("\t".join(f.replace("\t", " ") for f in fields))
    return 0


if __name__ == "__main__":
    sys.exit(main())
