# tests/vm/ - real-kernel tests under qemu (see tests/vm/vm-run).
#
#   make vm                  on every kernel of KERNELS (see the top
#                            Makefile): boot it with the module built for
#                            it, run every scenario, fail unless all pass
#   make vm VM_ONLY="ops flood"  only the named scenarios
#   make vm KERNELS=6.1.0-57-amd64   one kernel (or KDIR=...)
#   make -j2 vm              the kernels' VMs side by side
#   make vm-shell CMD="..."  run one command in the VM (debugging; the
#                            first kernel of KERNELS)
#
# On a PREEMPT_RT kernel (an -rt- flavour) the VM runs the RT smoke set
# VM_RT_ONLY unless VM_ONLY names scenarios. Results of kernel KVER are in
# $(VM_OUT)/KVER. The VM shares this machine's root read-only, so
# everything it runs is built here first. A VM that does not boot, hangs
# or reports no results is a failure, never a skip; a failure names the
# kernel.
VM_TIMEOUT ?= 3000
VM_ONLY    ?=
VM_RT_ONLY ?= ops writers flood unload
VM_OUT     ?= $(BUILD)/vm/out
VM_TOOLS   := $(BUILD)/tests/vm/fsop $(BUILD)/tests/vm/flood \
              $(BUILD)/tests/vm/benchop $(BUILD)/tests/vm/drain

$(BUILD)/tests/vm/fsop $(BUILD)/tests/vm/flood $(BUILD)/tests/vm/benchop: $(BUILD)/tests/vm/%: $(BUILD)/tests/vm/%.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/tests/vm/drain: $(BUILD)/tests/vm/drain.o $(LIBPREMOD_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,libmnl)

.PHONY: vm-tools vm-shell bench bench-smoke
vm-tools: $(VM_TOOLS)

# The last line of the scenarios' output is "N passed, N failed"; vm-run's
# status is run-scenarios', which fails on any failure or on no passes.
vm_scenarios = $(or $(VM_ONLY),$(if $(findstring -rt-,$(1)),$(VM_RT_ONLY)))

.PHONY: vm $(addprefix vm@,$(KERNELS))
vm: $(addprefix vm@,$(KERNELS))
	@test -n "$(KERNELS)" || { echo "vm: no supported kernel installed (KERNELS is empty)" >&2; exit 1; }
	@echo "vm: passed on $(KERNELS)"

$(addprefix vm@,$(KERNELS)): vm@%: all vm-tools
	@echo "vm: kernel $*: $(or $(call vm_scenarios,$*),every scenario); results in $(VM_OUT)/$*"
	@rc=0; KVER=$* tests/vm/vm-run --quiet --timeout $(VM_TIMEOUT) \
		--out $(VM_OUT)/$* -- tests/vm/run-scenarios --build $(BUILD) \
		--ko $(KMOD_OUT)/$*/premod.ko $(call vm_scenarios,$*) || rc=$$?; \
	res=$$(tail -n 1 $(VM_OUT)/$*/output.log 2>/dev/null | tr -d '\r'); \
	if [ $$rc = 0 ] && echo "$$res" | grep -Eq '^[1-9][0-9]* passed, 0 failed$$'; then \
		echo "vm: kernel $*: $$res"; \
	else \
		grep -a '^FAIL ' $(VM_OUT)/$*/output.log 2>/dev/null | tr -d '\r' | \
			sed 's/^/vm: kernel $*: /' >&2; \
		echo "vm: FAIL on kernel $*: $${res:-no result} (vm-run status $$rc; see $(VM_OUT)/$*/output.log)" >&2; \
		exit 1; \
	fi

vm-shell: all vm-tools
	KVER=$(firstword $(KERNELS)) tests/vm/vm-run --timeout $(VM_TIMEOUT) \
		--out $(VM_OUT)/$(firstword $(KERNELS)) -- bash -c '$(CMD)'

# The VM benchmark (tests/vm/bench/run-bench): every configuration side by
# side in one boot, interleaved; writes docs/benchmarks.md and its plot.
# bench-smoke is a seconds-long run of the same (part of `make test`): it
# fails unless every configuration produced a number, never on speed. Both
# boot BENCH_KVER (default: the first kernel of KERNELS).
BENCH_OUT  ?= $(BUILD)/bench
BENCH_KVER ?= $(firstword $(KERNELS))
bench: all vm-tools
	KVER=$(BENCH_KVER) tests/vm/vm-run --timeout 5400 --out $(BENCH_OUT) -- \
		tests/vm/bench/run-bench --build $(BUILD) \
		--ko $(KMOD_OUT)/$(BENCH_KVER)/premod.ko --rounds 5
	tests/vm/bench/report $(BENCH_OUT)/bench.tsv --meta $(BENCH_OUT)/meta.txt \
		--md docs/benchmarks.md --png docs/benchmarks.png

bench-smoke: all vm-tools
	KVER=$(BENCH_KVER) tests/vm/vm-run --quiet --timeout 1200 --out $(BENCH_OUT)/smoke -- \
		tests/vm/bench/run-bench --build $(BUILD) \
		--ko $(KMOD_OUT)/$(BENCH_KVER)/premod.ko --rounds 1 --iter 90 --mix-seconds 1
	tests/vm/bench/report --check $(BENCH_OUT)/smoke/bench.tsv \
		--meta $(BENCH_OUT)/smoke/meta.txt --md $(BENCH_OUT)/smoke/benchmarks.md
