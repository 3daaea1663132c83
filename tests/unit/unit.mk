# tests/unit/ - one check_<module>.c per module, each its own binary, run
# from the top of the tree (tests find their data under tests/unit/data/).
UNIT_SRCS := $(wildcard tests/unit/check_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
CHECK_LIBS := $(call pc_libs,check)

$(BUILD)/tests/unit/check_%: $(BUILD)/tests/unit/check_%.o $(PREMODCTL_LIB) \
		$(DAEMON_LIB) $(POLICY_LIB) $(LIBPREMOD_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(DAEMON_LIBS) $(POLICY_LIBS)

# Every binary runs even when an earlier one fails; the target fails if any did.
unit: $(UNIT_BINS)
	@test -n "$(UNIT_BINS)" || { echo "unit: no tests found" >&2; exit 1; }
	@fail=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; CK_TIMEOUT_MULTIPLIER=4 $$t || fail=1; \
	done; exit $$fail

# check_premodctl runs the premodctl built next to it.
$(BUILD)/tests/unit/check_premodctl: | $(BUILD)/premodctl
