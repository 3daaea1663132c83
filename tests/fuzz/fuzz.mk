# tests/fuzz/ - libFuzzer targets for the parsers (policy, netlink decoding).
#
#   make fuzz                      builds every tests/fuzz/fuzz_<name>.c
#   $(BUILD)/fuzz/fuzz_decode -max_total_time=60 tests/fuzz/corpus/decode
#
# Not part of `make test`. Each target is linked with the policy and daemon
# modules, rebuilt with clang for coverage (libraries, so a target pulls in
# only what it uses). A seed corpus, if any, lives in tests/fuzz/corpus/<name>.
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

.PHONY: fuzz
fuzz: $(FUZZ_BINS)

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
