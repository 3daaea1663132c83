# daemon/ - premodd and premodctl, laid out by role:
#   daemon/            premodd's pipeline (main, modes, config, receiver, ...)
#   daemon/libpremod/  talking to premod.ko: connect, subscribe, decode, render
#   daemon/sinks/      where records go: the sink queue and each sink
#   daemon/premodctl/  the operator CLI
# daemon/premodd.c and daemon/premodctl/*.c hold the two programs; every
# other daemon/**.c is a module in libdaemon.a, which the unit tests link too,
# but for daemon/libpremod/, a library of its own (libpremod.mk) that the
# policy library needs too, so it comes last on every link line.
DAEMON_MAINS := daemon/premodd.c $(wildcard daemon/premodctl/*.c)
DAEMON_SRCS  := $(filter-out $(DAEMON_MAINS),$(wildcard daemon/*.c \
                daemon/sinks/*.c))
PREMODCTL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard daemon/premodctl/*.c))
DAEMON_LIB   := $(BUILD)/libdaemon.a
# premodctl's modules without netlink or I/O of their own, which the unit
# tests drive directly
PREMODCTL_PURE := daemon/premodctl/daemon_view.c daemon/premodctl/journal_search.c
PREMODCTL_LIB  := $(BUILD)/libpremodctl.a
DAEMON_LIBS  := $(call pc_libs,jansson libmnl libsystemd) -lpthread

$(DAEMON_LIB): $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(PREMODCTL_LIB): $(PREMODCTL_PURE:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/premodd: $(BUILD)/daemon/premodd.o $(DAEMON_LIB) $(POLICY_LIB) $(LIBPREMOD_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DAEMON_LIBS) $(POLICY_LIBS)

$(BUILD)/premodctl: $(PREMODCTL_OBJS) $(DAEMON_LIB) $(POLICY_LIB) $(LIBPREMOD_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,libnl-genl-3.0) \
		$(DAEMON_LIBS) $(POLICY_LIBS)

userspace: $(BUILD)/premodd $(BUILD)/premodctl
