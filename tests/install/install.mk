# tests/install/ - what a user installs and runs first, checked natively
# (no VM, no module loaded):
#
#   make install-check KDIR=...   check-install: make install into a
#                     DESTDIR (the tree, nothing outside it, systemd-analyze
#                     verify, uninstall), check-man: the man pages render
#                     without a warning and match the programs, check-cli:
#                     --help, exit codes, bash completion. Part of make test.
#   make dkms-check DKMS_KERNELS="6.1.0-57-amd64 ..."   check-dkms: the
#                     DKMS source tree builds premod.ko with `dkms build` for
#                     each kernel (default: every kernel with headers);
#                     minutes, so not part of make test (.ci/run runs it).
.PHONY: install-check dkms-check

install-check: userspace kmod
	KDIR=$(KDIR) tests/install/check-install
	tests/install/check-man $(BUILD)
	tests/install/check-cli $(BUILD)

DKMS_KERNELS ?=
dkms-check:
	tests/install/check-dkms $(DKMS_KERNELS)
