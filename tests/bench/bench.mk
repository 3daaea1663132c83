# tests/bench/ - benchmarks print ratios and rates; they never fail on speed.
#
#   make bench-policy    the policy engine at 10, 100 and 1000 rules, and the
#                        end-to-end replay rate (JSON decoding included)

BENCH_POLICY := $(BUILD)/tests/bench/bench_policy

$(BENCH_POLICY): $(BUILD)/tests/bench/bench_policy.o $(POLICY_LIB) $(LIBPREMOD_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(POLICY_LIBS) $(LIBPREMOD_LIBS)

bench-policy: $(BENCH_POLICY)
	$(BENCH_POLICY)

# bench-daemon: premodd's pipeline (decode -> evaluate -> render -> JSONL)
# fed with kernel-shaped datagrams, no kernel: events/s per core, RSS.
BENCH_DAEMON := $(BUILD)/tests/bench/bench_daemon

$(BENCH_DAEMON): $(BUILD)/tests/bench/bench_daemon.o $(DAEMON_LIB) $(POLICY_LIB) $(LIBPREMOD_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DAEMON_LIBS) $(POLICY_LIBS)

bench-daemon: $(BENCH_DAEMON)
	$(BENCH_DAEMON)
