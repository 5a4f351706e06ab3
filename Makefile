# ct: build, test, install, man pages, demo, benchmark.
# Needs only a Rust toolchain and make (plus jq for `make bench`, which compares with it).

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(DESTDIR)$(PREFIX)/bin
MANDIR   := $(DESTDIR)$(PREFIX)/share/man
CARGO    ?= cargo
TOOLS    := ct-unzip
REALDATA ?= ../shared/realdata
SIZE     ?= 1G
DEMO     := target/demo

.PHONY: all build test test-fast lint fmt man man-check demo bench conformance install uninstall clean

all: build

build:
	$(CARGO) build --release --locked $(addprefix -p ,$(TOOLS))

# Everything: unit, integration and man-page drift tests of every crate.
test:
	$(CARGO) test --workspace --locked

# The same without ct-fetch, whose AWS SDK dominates build time (quick while iterating).
test-fast:
	$(CARGO) test --workspace --locked --exclude ct-fetch

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

man:
	$(CARGO) xtask man

man-check:
	$(CARGO) xtask man --check

# The main job on the sample trail shipped in tests/data/bucket.
demo: build
	@mkdir -p $(DEMO)
	@echo "== ct-unzip: the sample bucket (tests/data/bucket), one event per line"
	./target/release/ct-unzip tests/data/bucket > $(DEMO)/events.ndjson
	@echo
	@echo "== the same with --dedupe: CloudTrail delivered one event twice"
	./target/release/ct-unzip --dedupe tests/data/bucket > /dev/null
	@echo
	@echo "== events per service (eventSource), from the NDJSON stream"
	@grep -o '"eventSource":"[^"]*"' $(DEMO)/events.ndjson | cut -d'"' -f4 | sort | uniq -c | sort -rn | head -12
	@echo
	@echo "== the first event"
	@head -n 1 $(DEMO)/events.ndjson | cut -c 1-300
	@echo "..."
	@echo
	@echo "events written to $(DEMO)/events.ndjson"

bench:
	bench/run.sh $(SIZE)

# Real AWS-written files (../shared/realdata): event counts must match counts.tsv.
conformance: build
	$(CARGO) xtask conformance $(REALDATA) --bin target/release

install: build
	install -d $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man7
	install -m 755 $(addprefix target/release/,$(TOOLS)) $(BINDIR)/
	install -m 644 $(addsuffix .1,$(addprefix man/,$(TOOLS))) $(MANDIR)/man1/
	install -m 644 man/ct.7 $(MANDIR)/man7/

uninstall:
	rm -f $(addprefix $(BINDIR)/,$(TOOLS)) $(addsuffix .1,$(addprefix $(MANDIR)/man1/,$(TOOLS))) $(MANDIR)/man7/ct.7

clean:
	$(CARGO) clean
