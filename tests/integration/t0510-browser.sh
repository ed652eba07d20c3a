#!/bin/bash
# The listening page in a real browser: Debian's Chromium driven by
# playwright-core (tests/browser/, from the npm registry; no browser is
# downloaded), served over HTTP on 127.0.0.1 with Range support.
# Screenshots are kept in tests/out/t0510-browser/.
. tests/lib.sh
B=$ROOT/tests/browser

test_expect_success 'build a copy of the example feed' '
	mkdir feeds &&
	cp -r "$ROOT/feeds/example" feeds/ &&
	rm -f feeds/example/catalog.db feeds/example/.revcast.lock &&
	"$REVCAST" build -o public feeds/example &&
	test -s public/example/index.html
'

test_expect_success 'Chromium, Node.js and playwright-core are installed' '
	{ test -x /usr/bin/chromium || sh "$ROOT/tests/install-debs.sh" chromium; } &&
	{ command -v node >/dev/null || sh "$ROOT/tests/install-debs.sh" nodejs; } &&
	{ command -v npm >/dev/null || sh "$ROOT/tests/install-debs.sh" npm; } &&
	cd "$B" &&
	if ! test -f node_modules/playwright-core/package.json ||
	   ! grep -q "\"version\": \"$(sed -n "s/.*\"playwright-core\": \"\(.*\)\".*/\1/p" package.json)\"" \
		node_modules/playwright-core/package.json; then
		PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	fi &&
	/usr/bin/chromium --version
'

test_expect_success 'the listening page works in Chromium (node --test)' '
	SITE_DIR="$T/public/example" OUT_DIR="$T" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
		node --test --test-reporter=spec "$B/listen.test.mjs" &&
	test -s index.png
'

test_done
