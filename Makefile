# revcast - audio editions of written reviews.
# Plain Makefile in the style of redis and git: pkg-config for libraries,
# automatic header dependencies, strict warnings, a sanitizer switch.

VERSION = 0.1.0
PREFIX ?= /usr/local
DATADIR ?= $(PREFIX)/share/revcast

CC ?= cc
PKGS = espeak-ng lame sndfile samplerate libebur128 yaml-0.1 libcmark inih \
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
SRC = $(wildcard src/*.c)
OBJ = $(patsubst src/%.c,$(BUILD)/%.o,$(SRC))
LIB_OBJ = $(filter-out $(BUILD)/main.o,$(OBJ))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
DEP = $(OBJ:.o=.d) $(UNIT_BIN:=.d)

# Debian packages: to build, and (in addition) to run the tests and benchmarks.
DEBS_BUILD = build-essential pkg-config libespeak-ng-dev espeak-ng-data \
	libmp3lame-dev libsndfile1-dev libsamplerate0-dev libebur128-dev \
	libyaml-dev libcmark-dev libinih-dev libsqlite3-dev libxml2-dev \
	libpng-dev libjpeg-dev nettle-dev uuid-dev
DEBS_TEST = libcmocka-dev ffmpeg mp3val libxml2-utils python3 \
	python3-feedparser python3-podcastparser gpodder sox libsox-fmt-mp3 \
	lame espeak-ng hyperfine valgrind time

.PHONY: all deps deps-test check unit integration example clean install

all: revcast

revcast: $(OBJ)
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

# Every test: unit tests (cmocka), then integration tests with real tools.
check: deps-test
	$(MAKE) revcast $(UNIT_BIN)
	@sh tests/run.sh $(UNIT_BIN)

clean:
	rm -rf $(BUILD) revcast tests/out

install: revcast
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/voices
	install -m 755 revcast $(DESTDIR)$(PREFIX)/bin/revcast
	install -m 644 voices/* $(DESTDIR)$(DATADIR)/voices/
