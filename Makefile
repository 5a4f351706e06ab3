# ct: build, test, install, man pages, demo, benchmark.
# Needs only a Rust toolchain and make (plus jq for `make bench`, which compares with it, and for `make bench-policy` and `make bench-gate`).

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(DESTDIR)$(PREFIX)/bin
MANDIR   := $(DESTDIR)$(PREFIX)/share/man
SHAREDIR := $(DESTDIR)$(PREFIX)/share
CARGO    ?= cargo
# The product: what `make build` compiles and `make install` installs. The developer tools,
# xtask (man pages, conformance) and xtask/synth (ct-synth, the generator of the sample trail,
# the benchmark trees and the policy-quality scenarios that bench/*.sh build and run), are
# workspace members left out of both.
TOOLS    := ct-fetch ct-unzip ct-filter ct-actions ct-policy ct-show ct-verify
REALDATA ?= ../shared/realdata
SIZE     ?= 1G
DEMO     := target/demo

.PHONY: help all build lookup-server test test-fast test-spark dist lint fmt man man-check demo bench bench-spark bench-policy bench-gate bench-fetch bench-lookup bench-verify fuzz conformance install uninstall clean

all: build

# The targets, with what each needs.
help:
	@echo "make build        the tools, release build (a Rust toolchain, a C compiler, the crate registry)"
	@echo "make test         every test of every crate, the pipeline under faults, every documented example"
	@echo "make test-fast    the same without ct-fetch (its AWS SDK is most of the build time)"
	@echo "make test-spark   the Spark job (spark/) in local mode gives the single run's bytes (Java 17; PySpark from PyPI)"
	@echo "make dist         dist/ct-VERSION-TARGET.tar.gz: stripped binaries and man pages, for Spark's --archives"
	@echo "make demo         the tools on the sample trail in tests/data/bucket"
	@echo "make install      the tools (stripped), man pages and bash/zsh/fish completions under PREFIX=$(PREFIX)"
	@echo "make uninstall    what make install put there"
	@echo "make lint         rustfmt and clippy, warnings as errors"
	@echo "make man          man pages and completions from the clap definitions (man-check: fail when stale)"
	@echo "make bench        speed against zcat | jq (and trailscraper when on PATH); needs jq"
	@echo "make bench-spark  the Spark job in local mode against the single pipeline; the plan's balance"
	@echo "make bench-policy policy quality of generated policies; bench-gate: the CI gate's; bench-fetch, -lookup, -verify"
	@echo "make conformance  the tools over the real AWS files in REALDATA=$(REALDATA)"
	@echo "make fuzz         the fuzz targets for FUZZ_TIME seconds each (cargo fuzz, nightly)"

build:
	$(CARGO) build --release --locked $(addprefix -p ,$(TOOLS))

# The tests' LookupEvents server, which plays AWS in the demo's event-history step.
lookup-server:
	$(CARGO) build --release --locked -p ct-fetch --example lookup-server

# Everything: unit, integration and man-page drift tests of every crate, then the pipeline
# under faults (tests/faults.sh), every command of the README and of each --help
# (tests/examples.sh), ct-fetch's work units against the single run (tests/units.sh), and the
# tests' LookupEvents server and ct-fetch --lookup against the
# AWS CLI from PyPI (tests/lookup-cli.sh, which makes its virtualenv under the build
# directory), all on the binaries the tests built.
test:
	$(CARGO) test --workspace --locked
	$(CARGO) build --locked -p ct-synth
	tests/faults.sh $${CARGO_TARGET_DIR:-target}/debug
	tests/examples.sh $${CARGO_TARGET_DIR:-target}/debug
	tests/units.sh $${CARGO_TARGET_DIR:-target}/debug
	tests/lookup-cli.sh $${CARGO_TARGET_DIR:-target}/debug

# The Spark job (spark/ct_spark.py) in local mode against the single-machine run, on the binaries
# `make test` builds (the first cargo line is a no-op after it) and ct-synth, which cargo test
# leaves out (it has no integration test): tests/spark.sh, which finds Java 17 and makes a
# virtualenv with PySpark under the build directory, or says SKIP without them.
test-spark:
	$(CARGO) test --workspace --locked --no-run
	$(CARGO) build --locked -p ct-synth
	tests/spark.sh $${CARGO_TARGET_DIR:-target}/debug

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
demo: build lookup-server
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo "== ct-fetch: the files of 1 pm on 2017-06-01 to 5 pm on the 2nd from the sample bucket (a local copy of one)"
	./target/release/ct-fetch tests/data/bucket --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm' --dry-run
	./target/release/ct-fetch tests/data/bucket --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm' -o $(DEMO)/logs
	@echo
	@echo "== the same again: nothing to fetch (an incremental mirror)"
	./target/release/ct-fetch tests/data/bucket --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm' -o $(DEMO)/logs
	@echo
	@echo "== ct-fetch --stdout | ct-unzip: the whole sample bucket, one event per line"
	./target/release/ct-fetch tests/data/bucket --start 2017-06-01 --end '2017-06-02 11:59 pm' --stdout | ./target/release/ct-unzip > $(DEMO)/events.ndjson
	@echo
	@echo "== the same with --dedupe: CloudTrail delivered one event twice"
	./target/release/ct-unzip --dedupe tests/data/bucket > /dev/null
	@echo
	@echo "== ct-show: events per service (eventSource), most first"
	./target/release/ct-show --format table --count-by source $(DEMO)/events.ndjson
	@echo
	@echo "== ct-filter | ct-show: console logins on 2017-06-01, newest first (who, from where, the outcome)"
	./target/release/ct-filter --event-name ConsoleLogin --start '2017-06-01 12:00 AM' --end '2017-06-01 11:59 PM' $(DEMO)/events.ndjson \
	  | ./target/release/ct-show --format table --sort -time --fields time,user,ip,responseElements.ConsoleLogin,additionalEventData.MFAUsed,errorMessage
	@echo
	@echo "== ct-filter | ct-show: stacks the deploy-agent role created between 1 pm on the 1st and 5 pm on the 2nd, in Melbourne time"
	./target/release/ct-filter --role deploy-agent --event-name CreateStack --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm' $(DEMO)/events.ndjson \
	  | ./target/release/ct-show --format table --tz Australia/Melbourne --fields time,user,event,resource-type,resource,error
	@echo
	@echo "== ct-fetch --lookup: the same question asked of the account's event history instead of a bucket"
	@echo "   (the tests' LookupEvents server plays AWS here, with its limit of two requests a second)"
	@./target/release/examples/lookup-server --now 2017-06-03T00:00:00Z $(DEMO)/events.ndjson > $(DEMO)/lookup-url & pid=$$!; \
	  trap "kill $$pid" EXIT; while [ ! -s $(DEMO)/lookup-url ]; do sleep 0.1; done; \
	  export AWS_ACCESS_KEY_ID=AKIACTTESTKEY0000001 AWS_SECRET_ACCESS_KEY=ct-test-secret-key-not-a-real-one \
	    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true; \
	  url=$$(cat $(DEMO)/lookup-url); \
	  echo "./target/release/ct-fetch --lookup --endpoint-url $$url --region us-east-1 --start '2017-06-01 12:00 AM' --end '2017-06-01 11:59 PM' --event-name ConsoleLogin | ./target/release/ct-show --format table --sort -time --fields time,user,ip,responseElements.ConsoleLogin,errorMessage"; \
	  ./target/release/ct-fetch --lookup --endpoint-url $$url --region us-east-1 \
	    --start '2017-06-01 12:00 AM' --end '2017-06-01 11:59 PM' --event-name ConsoleLogin \
	  | ./target/release/ct-show --format table --sort -time --fields time,user,ip,responseElements.ConsoleLogin,errorMessage
	@echo
	@echo "== ct-filter: calls refused for lack of permission, read straight from the bucket"
	./target/release/ct-filter -c --error-code 'AccessDenied*' --error-code '*UnauthorizedOperation' tests/data/bucket
	@echo
	@echo "== ct-actions: the IAM actions the deploy-agent role used (count, denied, resources)"
	./target/release/ct-filter --role deploy-agent $(DEMO)/events.ndjson | ./target/release/ct-actions > $(DEMO)/deploy-agent.actions
	./target/release/ct-show --format table --fields action,count,denied,first,last,resources $(DEMO)/deploy-agent.actions
	@echo
	@echo "== ct-policy: the least-privilege policy it needs, only in ap-southeast-2 and only for t2 instances"
	@echo "   (--trail: the whole trail shows the role inside the instance profile it launches with)"
	./target/release/ct-policy --restrict-region --restrict ec2:InstanceType --generalize --trail $(DEMO)/events.ndjson $(DEMO)/deploy-agent.actions > $(DEMO)/deploy-agent.policy.json
	@head -c 1200 $(DEMO)/deploy-agent.policy.json; echo; echo "  ... (whole policy in $(DEMO)/deploy-agent.policy.json)"
	@echo
	@echo "== ct-policy check: the deploy-agent's events against that policy (the gate passes: exit 0)"
	@echo "   (--trail: the whole trail shows the tags the role's instances were launched with, and the role"
	@echo "   inside the instance profile; without it those two decisions are Unknown, which fails the gate)"
	./target/release/ct-filter --role deploy-agent $(DEMO)/events.ndjson | ./target/release/ct-policy check --trail $(DEMO)/events.ndjson --policy $(DEMO)/deploy-agent.policy.json
	@echo
	@echo "== ct-policy check: the build-agent role against a gate that forbids terminating instances (fails: exit 1)"
	./target/release/ct-filter --role build-agent $(DEMO)/events.ndjson | ./target/release/ct-policy check --deny 'iam:*' --deny ec2:TerminateInstances > $(DEMO)/build-agent.findings; \
	  s=$$?; test $$s -eq 1 || { echo "the gate should have failed with exit 1, not $$s"; exit 1; }; echo "gate failed as it should (exit 1)"
	./target/release/ct-show --format table $(DEMO)/build-agent.findings
	@echo
	@echo "== ct-verify: the sample bucket against its digest files (signed with the test key of tests/data/digest-key)"
	./target/release/ct-verify tests/data/bucket --start 2017-06-01 --end 2017-06-02 --public-keys tests/data/digest-key/public-keys.json > $(DEMO)/verify.ndjson
	@echo
	@echo "== ct-verify: the same on a copy where one letter of one log file was changed: caught (exit 1)"
	@rm -rf $(DEMO)/tampered && cp -R tests/data/bucket $(DEMO)/tampered; \
	  f=$$(find $(DEMO)/tampered -path '*CloudTrail/ap-southeast-2/*' -name '*.json.gz' | sort | head -4 | tail -1); \
	  gzip -dc "$$f" | sed 's/"eventName":"./"eventName":"X/' | gzip > "$$f.new" && mv "$$f.new" "$$f"; \
	  echo "changed one letter of an event name in $$f"; \
	  ./target/release/ct-verify $(DEMO)/tampered --start 2017-06-01 --end 2017-06-02 \
	    --public-keys tests/data/digest-key/public-keys.json > $(DEMO)/tampered.ndjson; s=$$?; \
	  ./target/release/ct-show --format table --fields status,kind,key,reason $(DEMO)/tampered.ndjson | grep -v '^valid'; \
	  test $$s -eq 1 || { echo "ct-verify should have failed with exit 1, not $$s"; exit 1; }; echo "caught (exit 1)"
	@echo
	@echo "events written to $(DEMO)/events.ndjson"

bench:
	bench/run.sh $(SIZE)
	bench/lookup.sh
	bench/verify.sh

# The Spark job in local mode against the single pipeline on the tree of make bench, and the
# balance of ct-fetch --plan (bench/README.md); needs Java 17 and PyPI once, like test-spark.
bench-spark:
	bench/spark.sh $(SIZE)

# ct-verify on a day of a trail (ct-synth tree, signed digests).
bench-verify:
	bench/verify.sh

# ct-fetch --lookup against the LookupEvents server of the tests (2 requests a second).
bench-lookup:
	bench/lookup.sh

# Policy quality (bench/README.md): ct-policy's policies from 7 days judged on the 8th; then
# the gate quality on the same scenario.
bench-policy:
	bench/policy-quality.sh
	bench/gate-quality.sh

# Gate quality (bench/README.md): ct-policy check with correct policies on the 8th day's calls
# (false failures) and on calls the roles must never make (missed attacks).
bench-gate:
	bench/gate-quality.sh

# Each fuzz target for FUZZ_TIME seconds (cargo fuzz, on the nightly toolchain), starting from
# the seeds in fuzz/seeds/ and the corpus grown by earlier runs (fuzz/corpus/, not committed).
FUZZ_TIME    ?= 60
FUZZ_TARGETS ?= reader time filter policy eval fetch_keys event mapping
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  echo "== fuzz $$t for $(FUZZ_TIME) s"; \
	  $(CARGO) +nightly fuzz run $$t fuzz/corpus/$$t fuzz/seeds/$$t -- -max_total_time=$(FUZZ_TIME) -rss_limit_mb=2048 || exit 1; \
	done

# ct-fetch on loopback against the tests' S3 server: 2,000 small files, -j 1 and -j 16.
bench-fetch:
	bench/fetch.sh 2000

# Real AWS-written files (../shared/realdata): event counts must match counts.tsv.
conformance: build
	$(CARGO) xtask conformance $(REALDATA) --bin target/release

# Binaries stripped of their symbols (ct-fetch: 109 MB to about 15 MB); completions where
# bash-completion, zsh and fish look for them under PREFIX.
install: build
	install -d $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man7 $(SHAREDIR)/bash-completion/completions \
		$(SHAREDIR)/zsh/site-functions $(SHAREDIR)/fish/vendor_completions.d
	install -s -m 755 $(addprefix target/release/,$(TOOLS)) $(BINDIR)/
	install -m 644 $(addsuffix .1,$(addprefix man/,$(TOOLS))) $(MANDIR)/man1/
	install -m 644 man/ct.7 $(MANDIR)/man7/
	for t in $(TOOLS); do \
		install -m 644 man/completions/$$t.bash $(SHAREDIR)/bash-completion/completions/$$t && \
		install -m 644 man/completions/_$$t $(SHAREDIR)/zsh/site-functions/_$$t && \
		install -m 644 man/completions/$$t.fish $(SHAREDIR)/fish/vendor_completions.d/$$t.fish || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(BINDIR)/,$(TOOLS)) $(addsuffix .1,$(addprefix $(MANDIR)/man1/,$(TOOLS))) $(MANDIR)/man7/ct.7
	for t in $(TOOLS); do \
		rm -f $(SHAREDIR)/bash-completion/completions/$$t $(SHAREDIR)/zsh/site-functions/_$$t \
			$(SHAREDIR)/fish/vendor_completions.d/$$t.fish; \
	done

# What Spark's --archives ships to the executors (README, "When one machine is not enough"):
# dist/ct-VERSION-TARGET.tar.gz holding ct/bin/ (the stripped release binaries of TOOLS),
# ct/share/man/, ct/README.md and ct/LICENSE. TARGET is this machine's (rustc -vV); another
# (aarch64-unknown-linux-gnu for Graviton nodes) needs its Rust target, a linker and
# STRIP=aarch64-linux-gnu-strip. The binaries need the glibc of the build machine or older:
# EMR 7 and Glue 5 have 2.34 (Amazon Linux 2023); the last line says what these need.
VERSION     := $(shell sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
HOST        := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
TARGET      ?= $(HOST)
STRIP       ?= strip
DIST        := dist/ct-$(VERSION)-$(TARGET)
RELEASE_DIR := $(or $(CARGO_TARGET_DIR),target)/$(if $(filter $(HOST),$(TARGET)),,$(TARGET)/)release
dist:
	$(CARGO) build --release --locked $(if $(filter $(HOST),$(TARGET)),,--target $(TARGET)) $(addprefix -p ,$(sort $(TOOLS)))
	rm -rf $(DIST) $(DIST).tar.gz && mkdir -p $(DIST)/ct/bin $(DIST)/ct/share/man/man1 $(DIST)/ct/share/man/man7
	for t in $(sort $(TOOLS)); do cp $(RELEASE_DIR)/$$t $(DIST)/ct/bin/ && $(STRIP) $(DIST)/ct/bin/$$t || exit 1; done
	cp $(addsuffix .1,$(addprefix man/,$(sort $(TOOLS)))) $(DIST)/ct/share/man/man1/
	cp man/ct.7 $(DIST)/ct/share/man/man7/
	cp README.md LICENSE $(DIST)/ct/
	tar -C $(DIST) -czf $(DIST).tar.gz --owner=0 --group=0 ct
	rm -rf $(DIST)
	@echo "$(DIST).tar.gz: $$(du -h $(DIST).tar.gz | cut -f1); the binaries need glibc" \
	  "$$(tar -xzOf $(DIST).tar.gz ct/bin/ct-fetch | grep -ao 'GLIBC_2\.[0-9]*' | sort -uV | tail -1 | cut -c7-)"

clean:
	$(CARGO) clean
