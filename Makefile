# premod - top-level build.
#
#   make            premod.ko (kmod/) and the userspace (build/)
#   make test       unit tests (natively, ASan/UBSan) and VM tests (real kernel)
#   make demo       a fresh Debian 12 machine to live events (see README.md)
#   make install    on a real host with module support
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
CPPFLAGS += -Iinclude -Ipolicy -Idaemon -Idaemon/libpremod -Idaemon/sinks -MMD -MP $(PKG_CFLAGS)

pc_libs = $(shell pkg-config --libs $(1))

.PHONY: all kmod userspace test unit schema-test vm bench-policy demo install clean check-deps
all: kmod userspace

kmod:
	$(MAKE) -C kmod KDIR=$(KDIR)

include policy/policy.mk
include daemon/daemon.mk
include tests/unit/unit.mk
include tests/bench/bench.mk
include tests/fuzz/fuzz.mk
include tests/vm/vm.mk
include tests/schema/schema.mk

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Unit tests run natively under ASan/UBSan in a build tree of their own;
# the VM tests use the plain build (the VM shares this machine's root).
test:
	$(MAKE) BUILD=build/san SANITIZE=1 unit
	$(MAKE) schema-test
	$(MAKE) vm

install: all
	$(MAKE) -C kmod KDIR=$(KDIR) install
	install -D -m 0755 $(BUILD)/premodd $(DESTDIR)$(PREFIX)/sbin/premodd
	install -D -m 0755 $(BUILD)/premodctl $(DESTDIR)$(PREFIX)/sbin/premodctl
	install -d $(DESTDIR)/etc/premod/policy.d
	install -m 0644 policy/examples/*.json $(DESTDIR)/etc/premod/policy.d/
	test -e $(DESTDIR)/etc/premod/premodd.json || \
		install -m 0644 daemon/premodd.json $(DESTDIR)/etc/premod/premodd.json
	install -D -m 0644 daemon/premodd.service \
		$(DESTDIR)/lib/systemd/system/premodd.service

demo:
	./tests/vm/demo.sh

clean:
	$(MAKE) -C kmod KDIR=$(KDIR) clean
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
