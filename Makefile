# piazza: plain make with pkg-config.
#
#   make run     bootstrap, build and start piazza on SQLite under ./piazza-data/
#   make test    bootstrap, build (sanitizers) and run every test; ends "N passed, N failed"
#   make lint    clang-format check, clang-tidy, cppcheck
#   make fuzz    the libFuzzer targets, longer (FUZZ_SECONDS each, default 60)
#   make bench   wrk against piazza and nginx; writes docs/BENCHMARKS.md

VERSION := 0.1.0
CC ?= cc
PKGS := libmicrohttpd sqlite3 libsodium jansson libqrencode libpng libzip gmime-3.0 libutf8proc
WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Werror
DEFS := -D_GNU_SOURCE -DPZ_VERSION='"$(VERSION)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lstemmer -lpthread
CFLAGS_REL := -O2 -g $(WARN) $(DEFS) -Isrc -Ibuild/gen
CFLAGS_SAN := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer $(WARN) $(DEFS) -Isrc -Ibuild/gen

CLI_SRC := $(sort $(wildcard src/cli/*.c))
LIB_SRC := $(sort $(filter-out $(CLI_SRC),$(wildcard src/*/*.c)))
ALL_SRC := $(LIB_SRC) $(CLI_SRC)
HEADERS := $(wildcard src/*/*.h)
GEN_SRC := build/gen/migrations.c build/gen/web_assets.c
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_HDR := $(wildcard tests/fuzz/*.h)
WEB_SRC := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null)

REL_OBJ := $(patsubst src/%.c,build/rel/%.o,$(LIB_SRC)) build/rel/gen/migrations.o build/rel/gen/web_assets.o
SAN_OBJ := $(patsubst src/%.c,build/san/%.o,$(LIB_SRC)) build/san/gen/migrations.o build/san/gen/web_assets.o
UNIT_BIN := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRC))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

.PHONY: all run test lint fuzz bench bootstrap web clean check-unit format print-libs

all: build/piazza

bootstrap:
	@bash scripts/bootstrap.sh run

run: bootstrap
	@$(MAKE) --no-print-directory build/piazza
	@mkdir -p piazza-data
	./build/piazza serve --db piazza-data/piazza.db

test:
	@bash scripts/bootstrap.sh test
	@$(MAKE) --no-print-directory build/piazza build/san/piazza $(UNIT_BIN) $(FUZZ_BIN)
	@bash tests/run.sh

# --- the web UI -------------------------------------------------------------
web: web/dist/index.html

web/dist/index.html: $(WEB_SRC) package.json package-lock.json
	npm run --silent build
	@touch $@

# --- generated sources ------------------------------------------------------
build/embed: tools/embed.c src/core/text.c src/http/mime.c src/core/text.h src/http/mime.h
	@mkdir -p $(@D)
	$(CC) -O1 $(WARN) $(DEFS) -Isrc -o $@ tools/embed.c src/core/text.c src/http/mime.c

build/gen/migrations.c: build/embed $(wildcard sql/*.sql)
	@mkdir -p $(@D)
	./build/embed sql $@ $(sort $(wildcard sql/*.sql))

build/gen/web_assets.c: build/embed web/dist/index.html
	@mkdir -p $(@D)
	./build/embed web $@ web/dist

# --- release build ----------------------------------------------------------
build/rel/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_REL) $(PKG_CFLAGS) -c -o $@ $<

build/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) -c -o $@ $<

build/piazza: $(REL_OBJ) $(patsubst src/%.c,build/rel/%.o,$(CLI_SRC))
	$(CC) -o $@ $^ $(PKG_LIBS)

# --- sanitizer build (tests) ------------------------------------------------
build/san/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "  CC san  $<"
	@$(CC) $(CFLAGS_SAN) $(PKG_CFLAGS) -c -o $@ $<

build/san/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -c -o $@ $<

build/san/piazza: $(SAN_OBJ) $(patsubst src/%.c,build/san/%.o,$(CLI_SRC))
	$(CC) -fsanitize=address,undefined -o $@ $^ $(PKG_LIBS)

build/san/tests/%: tests/unit/%.c $(SAN_OBJ) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $(PKG_CFLAGS) -o $@ $< $(SAN_OBJ) $(PKG_LIBS) -lcmocka

# --- fuzzing (clang, libFuzzer) ---------------------------------------------
# The library is compiled once for every target (fuzzer-no-link instruments it
# without a main); each target is then its own file linked against these objects.
CFLAGS_FUZZ := -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(WARN) $(DEFS) -Isrc -Ibuild/gen
FUZZ_OBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRC)) build/fuzz/obj/gen/migrations.o \
            build/fuzz/obj/gen/web_assets.o
.SECONDARY: $(FUZZ_OBJ)

build/fuzz/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "  CC fuzz $<"
	@clang $(CFLAGS_FUZZ) $(PKG_CFLAGS) -c -o $@ $<

build/fuzz/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	clang $(CFLAGS_FUZZ) -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ) $(HEADERS) $(FUZZ_HDR)
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(WARN) $(DEFS) -Isrc -Ibuild/gen \
	  $(PKG_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)

fuzz:
	@bash scripts/bootstrap.sh test
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-60} bash tests/fuzz/run.sh

# --- checks -----------------------------------------------------------------
lint:
	@bash scripts/bootstrap.sh lint
	@$(MAKE) --no-print-directory build/gen/migrations.c build/gen/web_assets.c
	clang-format --dry-run --Werror $(ALL_SRC) $(HEADERS) tools/embed.c $(UNIT_SRC) $(FUZZ_SRC) $(FUZZ_HDR)
	clang-tidy --quiet $(ALL_SRC) tools/embed.c -- $(WARN) $(DEFS) -Isrc -Ibuild/gen $(PKG_CFLAGS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE -Isrc src tools

format:
	clang-format -i $(ALL_SRC) $(HEADERS) tools/embed.c $(UNIT_SRC) $(FUZZ_SRC) $(FUZZ_HDR)

bench:
	@bash scripts/bootstrap.sh bench
	@$(MAKE) --no-print-directory build/piazza
	@bash bench/run.sh

# The libraries piazza links with, for programs built outside this Makefile (bench/inbox).
print-libs:
	@echo $(PKG_LIBS)

clean:
	rm -rf build
