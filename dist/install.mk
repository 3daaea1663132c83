# dist/ - installing premod on a host (see README.md, "Install").
#
#   make install KDIR=/lib/modules/<version>/build [PREFIX=/usr] [DESTDIR=...]
#       install-userspace and install-kmod
#   make install-userspace   premodd, premodctl, configuration, example
#                            policies, the systemd unit, modules-load.d,
#                            logrotate.d, man pages, bash completion
#   make install-kmod KDIR=...   premod.ko for that kernel, then depmod
#   make install-dkms        the module's source for DKMS (/usr/src/premod-V);
#                            without DESTDIR also dkms add, build and install
#                            for every kernel with headers
#   make uninstall[-userspace|-kmod|-dkms]
#
# DESTDIR stages the whole tree and never touches the live system: no
# depmod, no dkms. Configuration under SYSCONFDIR is never overwritten:
# premodd.json, policy.d/ and logrotate.d/premod are installed only when
# absent, and uninstall leaves them (logrotate.d/premod unless unchanged). The module goes to /lib/modules/KVER/extra whatever PREFIX.
# The module's kernel must be named (KDIR=): the default is only a guess.
#
# Every directory below can be overridden; these are the defaults.
SBINDIR        ?= $(PREFIX)/sbin
BINDIR         ?= $(PREFIX)/bin
DATADIR        ?= $(PREFIX)/share
MANDIR         ?= $(DATADIR)/man
SYSCONFDIR     ?= /etc
COMPLETIONDIR  ?= $(DATADIR)/bash-completion/completions
MODULEDIR      ?= /lib/modules/$(KVER)/extra
DKMS_SRCDIR    ?= /usr/src/premod-$(PREMOD_PKG_VERSION)
# systemd reads units and modules-load.d in /usr/local/lib too; with
# PREFIX=/usr the distribution's own directories (pkg-config systemd).
ifeq ($(PREFIX),/usr)
UNITDIR        ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/usr/lib/systemd/system)
MODULESLOADDIR ?= $(or $(shell pkg-config --variable=modulesloaddir systemd 2>/dev/null),/usr/lib/modules-load.d)
else
UNITDIR        ?= $(PREFIX)/lib/systemd/system
MODULESLOADDIR ?= $(PREFIX)/lib/modules-load.d
endif
DEPMOD         ?= depmod
DKMS           ?= dkms

# One version for the package: the DKMS one (premodd --version and the
# module's MODULE_VERSION are checked against it in tests/install).
PREMOD_PKG_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' kmod/dkms.conf)

MAN_PAGES := man/premodd.8 man/premodctl.8 man/premod.policy.5 man/premod.records.5
DKMS_FILES := kmod/dkms.conf kmod/Kbuild kmod/Makefile \
              $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h))

.PHONY: install install-userspace install-kmod install-dkms
.PHONY: uninstall uninstall-userspace uninstall-kmod uninstall-dkms

# The kernel is named when KDIR came from the command line or the
# environment, not from the Makefile's guess (KVER follows KDIR); checked
# before anything is installed.
ifneq ($(filter install install-kmod uninstall uninstall-kmod,$(MAKECMDGOALS)),)
ifeq ($(filter-out file undefined,$(origin KDIR)),)
$(error name the kernel: make $(MAKECMDGOALS) KDIR=/lib/modules/<version>/build (installed: $(notdir $(wildcard /lib/modules/*))))
endif
endif

# The unit and the configuration are written for the directories given,
# straight into place (nothing is generated in the build tree as root).
fill_in = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: install-userspace install-kmod

install-userspace: userspace
	install -D -m 0755 $(BUILD)/premodd $(DESTDIR)$(SBINDIR)/premodd
	install -D -m 0755 $(BUILD)/premodctl $(DESTDIR)$(BINDIR)/premodctl
	install -d $(DESTDIR)$(DATADIR)/premod/policies
	install -m 0644 policy/examples/*.json $(DESTDIR)$(DATADIR)/premod/policies/
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/premod
	test -e $(DESTDIR)$(SYSCONFDIR)/premod/premodd.json || { \
		sed -e 's|"/etc/premod/|"$(SYSCONFDIR)/premod/|g' daemon/premodd.json \
			>$(DESTDIR)$(SYSCONFDIR)/premod/premodd.json && \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/premod/premodd.json; }
	test -e $(DESTDIR)$(SYSCONFDIR)/logrotate.d/premod || \
		install -D -m 0644 dist/logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/premod
	test -e $(DESTDIR)$(SYSCONFDIR)/premod/policy.d || { \
		install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/premod/policy.d && \
		install -m 0644 policy/examples/*.json $(DESTDIR)$(SYSCONFDIR)/premod/policy.d/; }
	install -d $(DESTDIR)$(UNITDIR)
	$(fill_in) daemon/premodd.service.in >$(DESTDIR)$(UNITDIR)/premodd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/premodd.service
	install -d $(DESTDIR)$(MODULESLOADDIR)
	printf '# premod.ko for premodd.service\npremod\n' >$(DESTDIR)$(MODULESLOADDIR)/premod.conf
	chmod 0644 $(DESTDIR)$(MODULESLOADDIR)/premod.conf
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(COMPLETIONDIR)
	install -m 0644 dist/completion/premodctl dist/completion/premodd $(DESTDIR)$(COMPLETIONDIR)/

install-kmod:
	$(MAKE) -C kmod KDIR=$(KDIR) KVER=$(KVER) DESTDIR=$(DESTDIR) MODULEDIR=$(MODULEDIR) DEPMOD=$(DEPMOD) install

# The DKMS source tree: kmod/ plus include/premod.h (kmod/Kbuild finds it
# in ./include there).
install-dkms:
	install -d $(DESTDIR)$(DKMS_SRCDIR)/include
	install -m 0644 $(DKMS_FILES) $(DESTDIR)$(DKMS_SRCDIR)/
	install -m 0644 include/premod.h $(DESTDIR)$(DKMS_SRCDIR)/include/
ifeq ($(DESTDIR),)
	@# a reinstall of the same version replaces the previous one
	-$(DKMS) remove -m premod -v $(PREMOD_PKG_VERSION) --all >/dev/null 2>&1
	$(DKMS) add -m premod -v $(PREMOD_PKG_VERSION)
	set -e; for b in /lib/modules/*/build; do \
		test -d "$$b" || continue; k=$${b%/build}; k=$${k##*/}; \
		$(DKMS) install -m premod -v $(PREMOD_PKG_VERSION) -k "$$k"; \
	done
endif

uninstall: uninstall-userspace uninstall-kmod

uninstall-userspace:
	rm -f $(DESTDIR)$(SBINDIR)/premodd $(DESTDIR)$(BINDIR)/premodctl
	rm -rf $(DESTDIR)$(DATADIR)/premod
	rm -f $(DESTDIR)$(UNITDIR)/premodd.service
	rm -f $(DESTDIR)$(MODULESLOADDIR)/premod.conf
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(filter %.5,$(MAN_PAGES))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(filter %.8,$(MAN_PAGES))))
	rm -f $(DESTDIR)$(COMPLETIONDIR)/premodctl $(DESTDIR)$(COMPLETIONDIR)/premodd
	! cmp -s dist/logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/premod || \
		rm -f $(DESTDIR)$(SYSCONFDIR)/logrotate.d/premod
	@echo "uninstall: $(DESTDIR)$(SYSCONFDIR)/premod (configuration, policies) is left in place"

uninstall-kmod:
	rm -f $(DESTDIR)$(MODULEDIR)/premod.ko
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KVER)
endif

uninstall-dkms:
ifeq ($(DESTDIR),)
	-$(DKMS) remove -m premod -v $(PREMOD_PKG_VERSION) --all
endif
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
