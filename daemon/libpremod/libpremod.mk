# daemon/libpremod/ - libpremod, the client library of premod.ko (connect,
# subscribe, decode, render): a static archive the programs link, a shared
# library with a soname for other consumers, a pkg-config file and the
# examples/ programs built on it.
#
#   make examples        $(BUILD)/examples/* against the in-tree library
#   make install-lib     headers, .a, .so and premod.pc under PREFIX
#   make check-lib       installs into a scratch PREFIX and builds
#                        examples/monitor.c there through pkg-config
LIBPREMOD_VERSION := 0.1.0
LIBPREMOD_SOMAJOR := 0
LIBPREMOD_SRCS    := $(wildcard daemon/libpremod/*.c)
LIBPREMOD_OBJS    := $(LIBPREMOD_SRCS:%.c=$(BUILD)/%.o)
LIBPREMOD_A       := $(BUILD)/libpremod.a
LIBPREMOD_SO      := $(BUILD)/libpremod.so.$(LIBPREMOD_VERSION)
LIBPREMOD_PC      := $(BUILD)/premod.pc
LIBPREMOD_LIBS    := $(call pc_libs,libmnl)
LIBPREMOD_HEADERS := daemon/libpremod/libpremod.h daemon/libpremod/event.h \
                     daemon/libpremod/decode.h daemon/libpremod/genl.h \
                     daemon/libpremod/event_text.h include/premod.h
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
EXAMPLE_SRCS := $(wildcard examples/*.c)
EXAMPLE_BINS := $(EXAMPLE_SRCS:examples/%.c=$(BUILD)/examples/%)

.PHONY: examples install-lib uninstall-lib uninstall check-lib FORCE

# The headers as they are installed, so examples/ include them exactly as
# an outside program does: <premod/libpremod.h>.
LIBPREMOD_STAGE := $(BUILD)/include/premod
$(LIBPREMOD_STAGE)/.stamp: $(LIBPREMOD_HEADERS)
	@mkdir -p $(dir $@)
	cp $^ $(dir $@)
	@touch $@

# One set of objects serves both libraries.
$(LIBPREMOD_OBJS): CFLAGS += -fPIC

$(LIBPREMOD_A): $(LIBPREMOD_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBPREMOD_SO): $(LIBPREMOD_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared \
		-Wl,-soname,libpremod.so.$(LIBPREMOD_SOMAJOR) -Wl,--no-undefined \
		-o $@ $^ $(LIBPREMOD_LIBS)
	ln -sf $(notdir $@) $(BUILD)/libpremod.so.$(LIBPREMOD_SOMAJOR)
	ln -sf libpremod.so.$(LIBPREMOD_SOMAJOR) $(BUILD)/libpremod.so

# Regenerated when PREFIX, LIBDIR or INCLUDEDIR change (the file is only
# replaced when its text does).
$(LIBPREMOD_PC): daemon/libpremod/premod.pc.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(LIBPREMOD_VERSION)|' $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/examples/%.o: examples/%.c $(LIBPREMOD_STAGE)/.stamp
	@mkdir -p $(dir $@)
	$(CC) -I$(BUILD)/include -MMD -MP $(CFLAGS) -c -o $@ $<

$(BUILD)/examples/%: $(BUILD)/examples/%.o $(LIBPREMOD_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBPREMOD_LIBS)

examples: $(EXAMPLE_BINS)
userspace: $(LIBPREMOD_A) $(LIBPREMOD_SO) $(LIBPREMOD_PC) examples

install-lib: $(LIBPREMOD_A) $(LIBPREMOD_SO) $(LIBPREMOD_PC)
	install -d $(DESTDIR)$(INCLUDEDIR)/premod $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0644 $(LIBPREMOD_HEADERS) $(DESTDIR)$(INCLUDEDIR)/premod/
	install -m 0644 $(LIBPREMOD_A) $(DESTDIR)$(LIBDIR)/
	install -m 0755 $(LIBPREMOD_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libpremod.so.$(LIBPREMOD_VERSION) \
		$(DESTDIR)$(LIBDIR)/libpremod.so.$(LIBPREMOD_SOMAJOR)
	ln -sf libpremod.so.$(LIBPREMOD_SOMAJOR) $(DESTDIR)$(LIBDIR)/libpremod.so
	install -m 0644 $(LIBPREMOD_PC) $(DESTDIR)$(LIBDIR)/pkgconfig/premod.pc

uninstall-lib:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/premod/,$(notdir $(LIBPREMOD_HEADERS)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/premod
	rm -f $(DESTDIR)$(LIBDIR)/libpremod.a $(DESTDIR)$(LIBDIR)/libpremod.so \
		$(DESTDIR)$(LIBDIR)/libpremod.so.$(LIBPREMOD_SOMAJOR) \
		$(DESTDIR)$(LIBDIR)/libpremod.so.$(LIBPREMOD_VERSION) \
		$(DESTDIR)$(LIBDIR)/pkgconfig/premod.pc

install: install-lib
uninstall: uninstall-lib

check-lib:
	tests/lib/check-pkgconfig.sh $(BUILD)
test: check-lib
