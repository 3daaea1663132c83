# tests/vm/ - real-kernel tests under qemu.
vm:
	@echo "vm: not written yet" >&2; exit 1
