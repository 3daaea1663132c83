# premod - top-level build.
#
#   make            premod.ko for every supported kernel installed
#                   (build/kmod/KVER/) and the userspace (build/)
#   make test       unit tests (natively, ASan/UBSan), install checks, fuzz
#                   smoke, VM tests on every one of those kernels
#   make demo       a fresh Debian 12 machine to live events (see README.md)
#   make install    on a real host with module support (dist/install.mk)
#
# Userspace is built out of tree in $(BUILD); each directory contributes a
# fragment (*.mk) that adds its own targets.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=

# Kernels. premod supports Debian 12's 6.1 and 6.12 series (6.12's -rt
# flavour included). KERNELS names the kernel versions (uname -r) the module
# is built for and the VM tests boot; by default every installed kernel of
# a supported series that has its headers. KDIR=<headers> (with KVER when
# KDIR is not /lib/modules/KVER/build) builds for that one kernel only.
SUPPORTED_SERIES := 6.1 6.12
INSTALLED_KERNELS := $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build)))
ifneq ($(KDIR),)
KVER     ?= $(patsubst linux-headers-%,%,$(notdir $(patsubst %/build,%,$(patsubst %/,%,$(KDIR)))))
KERNELS  := $(KVER)
else
# The PREEMPT_RT flavour only when named (KERNELS=...-rt-amd64): its smoke
# set (VM_RT_ONLY) is not yet proven clean.
KERNELS  ?= $(sort $(foreach s,$(SUPPORTED_SERIES),$(filter $(s).%,$(filter-out %-rt-amd64,$(INSTALLED_KERNELS)))))
endif
kdir_of   = $(if $(and $(KDIR),$(filter $(1),$(KVER))),$(KDIR),/lib/modules/$(1)/build)
KMOD_OUT ?= build/kmod

PKGS     := jansson libmnl libnl-genl-3.0 libsystemd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wno-missing-field-initializers -fno-strict-aliasing -pthread
ifeq ($(CI),true)
CFLAGS   += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif
CPPFLAGS += -Iinclude -Ipolicy -Idaemon -Idaemon/libpremod -Idaemon/sinks \
            -Idaemon/premodctl -MMD -MP $(PKG_CFLAGS)

pc_libs = $(shell pkg-config --libs $(1))

.PHONY: all kmod userspace test unit schema-test vm bench-policy demo install clean check-deps \
	print-kernels
all: kmod userspace

print-kernels:
	@echo $(KERNELS)

# One build directory per kernel: links to kmod/'s sources (and the uapi
# header) that Kbuild compiles as an external module of that kernel.
KMOD_SRC := kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c)) \
	    $(wildcard kmod/*.h) include/premod.h

kmod: $(foreach k,$(KERNELS),$(KMOD_OUT)/$(k)/premod.ko)
	@test -n "$(KERNELS)" || { echo "kmod: no headers of a supported kernel ($(SUPPORTED_SERIES)) under /lib/modules/*/build; install linux-headers-amd64 (6.1) or linux-headers-6.12-amd64, or set KDIR" >&2; exit 1; }
	@echo "kmod: premod.ko built for $(KERNELS) (in $(KMOD_OUT)/KVER/)"

$(KMOD_OUT)/%/premod.ko: $(KMOD_SRC)
	@test -d $(call kdir_of,$*) || { echo "kmod: no headers for kernel $* ($(call kdir_of,$*)); install linux-headers-$*" >&2; exit 1; }
	@mkdir -p $(@D)
	@find $(@D) -maxdepth 1 -type l -delete
	@ln -s $(abspath $(filter kmod/%,$(KMOD_SRC))) $(@D)/
	@ln -s $(abspath include) $(@D)/include
	$(MAKE) -C $(call kdir_of,$*) M=$(abspath $(@D)) modules

include daemon/libpremod/libpremod.mk
include policy/policy.mk
include daemon/daemon.mk
include tests/unit/unit.mk
include tests/bench/bench.mk
include tests/fuzz/fuzz.mk
include tests/vm/vm.mk
include dist/install.mk
include tests/install/install.mk
include tests/schema/schema.mk

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Unit tests run natively under ASan/UBSan in a build tree of their own;
# install-check installs into a scratch DESTDIR (for the first kernel);
# each fuzz target runs for a bounded time from its seeds; the VM tests use
# the plain build (the VM shares this machine's root). The kernels' VMs, and
# the seconds-long benchmark smoke run, go side by side (VM_JOBS at once).
VM_JOBS ?= 2
test:
	$(MAKE) BUILD=build/san SANITIZE=1 unit
	$(MAKE) KDIR=/lib/modules/$(firstword $(KERNELS))/build install-check
	$(MAKE) fuzz-smoke
	$(MAKE) schema-test
	$(MAKE) all vm-tools
	$(MAKE) -j$(VM_JOBS) vm bench-smoke

demo:
	./tests/vm/demo.sh

clean:
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
		kmod/modules.order kmod/Module.symvers
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
