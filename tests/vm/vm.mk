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
VM_TOOLS   := $(BUILD)/tests/vm/fsop $(BUILD)/tests/vm/flood

$(BUILD)/tests/vm/fsop $(BUILD)/tests/vm/flood: $(BUILD)/tests/vm/%: $(BUILD)/tests/vm/%.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

.PHONY: vm-tools vm-shell
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
