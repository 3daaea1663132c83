# premod - top-level build.
#
#   make            premod.ko (kmod/) and the userspace (build/)
#   make test       unit tests (natively, ASan/UBSan), fuzz smoke, VM tests (real kernel)
#   make demo       a fresh Debian 12 machine to live events (see README.md)
#   make install    on a real host with module support (dist/install.mk)
#
# Userspace is built out of tree in $(BUILD); each directory contributes a
# fragment (*.mk) that adds its own targets.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
KDIR     ?= $(lastword $(sort $(wildcard /lib/modules/*/build)))
KVER     ?= $(notdir $(patsubst %/build,%,$(KDIR)))

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

.PHONY: all kmod userspace test unit schema-test vm bench-policy demo install clean check-deps
all: kmod userspace

kmod:
	$(MAKE) -C kmod KDIR=$(KDIR)

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
# install-check installs into a scratch DESTDIR; each fuzz target runs for
# a bounded time from its seeds; the VM tests use the plain build (the VM
# shares this machine's root).
test:
	$(MAKE) BUILD=build/san SANITIZE=1 unit
	$(MAKE) KDIR=$(KDIR) install-check
	$(MAKE) fuzz-smoke
	$(MAKE) schema-test
	$(MAKE) vm

demo:
	./tests/vm/demo.sh

clean:
	$(MAKE) -C kmod KDIR=$(KDIR) clean
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
