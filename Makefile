# revcast - audio editions of written reviews.
# Plain Makefile in the style of redis and git: pkg-config for libraries,
# automatic header dependencies, strict warnings, a sanitizer switch.

VERSION = 0.1.0
PREFIX ?= /usr/local
DATADIR ?= $(PREFIX)/share/revcast

CC ?= cc
PKGS = espeak-ng lame sndfile soxr libebur128 yaml-0.1 libcmark inih \
       sqlite3 libxml-2.0 libpng libjpeg nettle uuid

WARNINGS = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
           -Wvla -Wwrite-strings -Wno-unused-parameter
OPT ?= -O2 -g
CFLAGS ?= $(OPT)
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARNINGS) $(CFLAGS) \
             -DREVCAST_VERSION='"$(VERSION)"' -DREVCAST_DATADIR='"$(DATADIR)"' \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# make SANITIZE=address,undefined
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

BUILD ?= build
BIN ?= revcast
SRC = $(wildcard src/*.c)
OBJ = $(patsubst src/%.c,$(BUILD)/%.o,$(SRC))
LIB_OBJ = $(filter-out $(BUILD)/main.o,$(OBJ))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
DEP = $(OBJ:.o=.d) $(UNIT_BIN:=.d)

# Debian packages: to build, and (in addition) to run the tests and benchmarks.
DEBS_BUILD = build-essential pkg-config libespeak-ng-dev espeak-ng-data \
	libmp3lame-dev libsndfile1-dev libsoxr-dev libebur128-dev \
	libyaml-dev libcmark-dev libinih-dev libsqlite3-dev libxml2-dev \
	libpng-dev libjpeg-dev nettle-dev uuid-dev wbritish wamerican wfrench
DEBS_TEST = libcmocka-dev ffmpeg mp3val libxml2-utils python3 \
	python3-feedparser python3-podcastparser gpodder sox libsox-fmt-mp3 \
	lame espeak-ng hyperfine valgrind time sqlite3 \
	clang libclang-rt-14-dev chromium xsltproc parallel strace

.PHONY: all deps deps-test check test check-sanitize fuzz example clean install

all: $(BIN)

$(BIN): $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Isrc $(shell pkg-config --cflags cmocka) -MMD -MP \
		-o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LIBS) $(shell pkg-config --libs cmocka)

$(BUILD):
	@mkdir -p $(BUILD)

-include $(DEP)

# Installs the Debian packages that are missing (as root, or through sudo).
deps:
	@sh tests/install-debs.sh $(DEBS_BUILD)

deps-test:
	@sh tests/install-debs.sh $(DEBS_BUILD) $(DEBS_TEST)

# The main job: build the bundled example feed into public/example/.
example: deps
	$(MAKE) revcast
	./revcast build -v example

# Every test, as CI runs it: the suite, the suite again under AddressSanitizer
# and UndefinedBehaviorSanitizer, and every fuzz target for FUZZ_SECONDS.
check: deps-test
	$(MAKE) test
	$(MAKE) check-sanitize
	$(MAKE) fuzz

# The suite: unit tests (cmocka), then integration tests with real tools.
test:
	$(MAKE) revcast $(UNIT_BIN)
	@sh tests/run.sh $(UNIT_BIN)

# The suite again, built with ASan and UBSan into build-asan/.
check-sanitize:
	$(MAKE) BUILD=build-asan SANITIZE=address,undefined OPT='-O1 -g' \
		BIN=build-asan/revcast build-asan/revcast $(UNIT_BIN:$(BUILD)/%=build-asan/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		REVCAST=$(CURDIR)/build-asan/revcast TEST_OUT=$(CURDIR)/tests/out/asan \
		sh tests/run.sh $(UNIT_BIN:$(BUILD)/%=build-asan/%)

# libFuzzer targets (clang), under ASan and UBSan. `make fuzz` runs each for
# FUZZ_SECONDS from its seed corpus in tests/fuzz/corpus/ and replays the
# crashes found so far (tests/fuzz/regressions/); new inputs go to tests/out.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = review_text review_md feedcfg voice lexicon normalize feed
FUZZ_BUILD = build-fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link -Isrc -DREVCAST_VERSION='"$(VERSION)"' \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LIB_OBJ = $(patsubst src/%.c,$(FUZZ_BUILD)/%.o,$(filter-out src/main.c,$(SRC)))
FUZZ_BIN = $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))

$(FUZZ_BUILD)/%.o: src/%.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.c $(FUZZ_LIB_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< tests/fuzz/fuzz_common.c \
		$(FUZZ_LIB_OBJ) $(LIBS)

fuzz: $(FUZZ_BIN)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) build-asan $(FUZZ_BUILD) revcast tests/out

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/voices
	install -m 755 revcast $(DESTDIR)$(PREFIX)/bin/revcast
	install -m 644 voices/* $(DESTDIR)$(DATADIR)/voices/
