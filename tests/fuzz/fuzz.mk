# tests/fuzz/ - libFuzzer targets for the parsers (policy, netlink decoding).
#
#   make fuzz                      builds every tests/fuzz/fuzz_<name>.c
#   make fuzz-smoke                runs each for FUZZ_SECS from its seeds
#   $(BUILD)/fuzz/fuzz_decode -max_total_time=60 tests/fuzz/corpus/decode
#
# `make test` runs fuzz-smoke: every target, FUZZ_SECS (20 s) each, from
# its checked-in seed corpus tests/fuzz/corpus/<name> (every target must
# have one); a crash, a leak, an input slower than FUZZ_TIMEOUT s or past
# FUZZ_RSS_MB fails it, and the input is kept under $(BUILD)/fuzz/crashes.
# New inputs go to a scratch directory, never into the checked-in seeds.
# Each target is linked with the policy and daemon modules, rebuilt with
# clang for coverage (libraries, so a target pulls in only what it uses).
FUZZ_CC      ?= clang
FUZZ_SAN     := address,undefined
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -pthread -fno-omit-frame-pointer \
                -fno-sanitize-recover=undefined
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_OBJDIR  := $(BUILD)/fuzz/obj
FUZZ_POLICY  := $(BUILD)/fuzz/libpolicy.a
FUZZ_DAEMON  := $(BUILD)/fuzz/libdaemon.a
FUZZ_LIBPREMOD := $(BUILD)/fuzz/libpremod.a

FUZZ_SECS    ?= 20
FUZZ_TIMEOUT ?= 10
FUZZ_RSS_MB  ?= 2048

.PHONY: fuzz fuzz-smoke
fuzz: $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@fail=0; for b in $(FUZZ_BINS); do \
		n=$${b##*/fuzz_}; seeds=tests/fuzz/corpus/$$n; \
		work=$(BUILD)/fuzz/work/$$n; crashes=$(BUILD)/fuzz/crashes/$$n; \
		if [ -z "$$(ls -A $$seeds 2>/dev/null)" ]; then \
			echo "fuzz-smoke: $$n has no seed corpus in $$seeds" >&2; \
			fail=1; continue; \
		fi; \
		rm -rf $$work; mkdir -p $$work $$crashes; \
		echo "== fuzz_$$n: $(FUZZ_SECS) s from $$seeds"; \
		$$b -max_total_time=$(FUZZ_SECS) -timeout=$(FUZZ_TIMEOUT) \
		    -rss_limit_mb=$(FUZZ_RSS_MB) -print_final_stats=1 \
		    -artifact_prefix=$$crashes/ $$work $$seeds \
		    > $(BUILD)/fuzz/$$n.log 2>&1 || { \
			tail -n 40 $(BUILD)/fuzz/$$n.log >&2; \
			echo "fuzz-smoke: fuzz_$$n failed; input in $$crashes" >&2; \
			fail=1; }; \
		grep -E '^stat::number_of_executed_units' $(BUILD)/fuzz/$$n.log || true; \
	done; exit $$fail

$(FUZZ_OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c -o $@ $<

$(FUZZ_POLICY): $(POLICY_SRCS:%.c=$(FUZZ_OBJDIR)/%.o)
	rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_DAEMON): $(DAEMON_SRCS:%.c=$(FUZZ_OBJDIR)/%.o)
	rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_LIBPREMOD): $(LIBPREMOD_SRCS:%.c=$(FUZZ_OBJDIR)/%.o)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/fuzz/fuzz_%: $(FUZZ_OBJDIR)/tests/fuzz/fuzz_%.o $(FUZZ_DAEMON) $(FUZZ_POLICY) \
		$(FUZZ_LIBPREMOD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $^ \
		$(DAEMON_LIBS) $(POLICY_LIBS)

# Keep the objects between builds (they are intermediate to make).
.PRECIOUS: $(FUZZ_OBJDIR)/%.o
