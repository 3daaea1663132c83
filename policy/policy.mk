# policy/ - the policy engine library (every policy/*.c).
POLICY_SRCS := $(wildcard policy/*.c)
POLICY_LIB  := $(BUILD)/libpolicy.a
POLICY_LIBS := $(call pc_libs,jansson)

$(POLICY_LIB): $(POLICY_SRCS:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
