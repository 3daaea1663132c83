# tests/vm/ - real-kernel tests under qemu (see tests/vm/vm-run).
#
#   make vm                  boot the kernel the module was built against,
#                            run every scenario, fail unless all pass
#   make vm VM_ONLY="ops flood"  only the named scenarios
#   make vm-shell CMD="..."  run one command in the VM (debugging)
#
# The VM shares this machine's root read-only, so everything it runs is
# built here first. A VM that does not boot, hangs or reports no results is
# a failure, never a skip.
VM_TIMEOUT ?= 1800
VM_ONLY    ?=
VM_OUT     ?= $(BUILD)/vm/out
VM_TOOLS   := $(BUILD)/tests/vm/fsop $(BUILD)/tests/vm/flood \
              $(BUILD)/tests/vm/benchop $(BUILD)/tests/vm/drain

$(BUILD)/tests/vm/fsop $(BUILD)/tests/vm/flood $(BUILD)/tests/vm/benchop: $(BUILD)/tests/vm/%: $(BUILD)/tests/vm/%.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/tests/vm/drain: $(BUILD)/tests/vm/drain.o $(DAEMON_LIB) $(POLICY_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DAEMON_LIBS) $(POLICY_LIBS)

.PHONY: vm-tools vm-shell bench bench-smoke
vm-tools: $(VM_TOOLS)

# The last line of the scenarios' output is "N passed, N failed"; vm-run's
# status is run-scenarios', which fails on any failure or on no passes.
vm: all vm-tools
	@test -f kmod/premod.ko || { echo "vm: kmod/premod.ko was not built" >&2; exit 1; }
	KVER=$(KVER) tests/vm/vm-run --timeout $(VM_TIMEOUT) --out $(VM_OUT) -- \
		tests/vm/run-scenarios --build $(BUILD) $(VM_ONLY)
	@tail -n 1 $(VM_OUT)/output.log | tr -d '\r' | \
		grep -Eq '^[1-9][0-9]* passed, 0 failed$$' || \
		{ echo "vm: the scenarios did not all pass (see $(VM_OUT)/output.log)" >&2; exit 1; }

vm-shell: all vm-tools
	KVER=$(KVER) tests/vm/vm-run --timeout $(VM_TIMEOUT) --out $(VM_OUT) -- \
		bash -c '$(CMD)'

# The VM benchmark (tests/vm/bench/run-bench): every configuration side by
# side in one boot, interleaved; writes docs/benchmarks.md and its plot.
# bench-smoke is a seconds-long run of the same (part of `make test`): it
# fails unless every configuration produced a number, never on speed.
BENCH_OUT ?= $(BUILD)/bench
bench: all vm-tools
	KVER=$(KVER) tests/vm/vm-run --timeout 5400 --out $(BENCH_OUT) -- \
		tests/vm/bench/run-bench --build $(BUILD) --rounds 5
	tests/vm/bench/report $(BENCH_OUT)/bench.tsv --meta $(BENCH_OUT)/meta.txt \
		--md docs/benchmarks.md --png docs/benchmarks.png

bench-smoke: all vm-tools
	KVER=$(KVER) tests/vm/vm-run --timeout 1200 --out $(BENCH_OUT)/smoke -- \
		tests/vm/bench/run-bench --build $(BUILD) --rounds 1 --iter 90 --mix-seconds 1
	tests/vm/bench/report --check $(BENCH_OUT)/smoke/bench.tsv \
		--meta $(BENCH_OUT)/smoke/meta.txt --md $(BENCH_OUT)/smoke/benchmarks.md
