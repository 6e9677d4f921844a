# sel4ts SDK: make fragment for building protection domains.
#
# Include it from any Makefile (the SDK's own Makefile does too):
#
#     CONFIG    ?= debug            # debug | release
#     TOOLCHAIN ?= clang            # clang | gcc
#     include path/to/sdk/sdk.mk
#     $(eval $(call microkit_pd,build/hello.elf,hello.c))
#
# It defines the toolchain variables (MICROKIT_CC, MICROKIT_CFLAGS, MICROKIT_LD,
# MICROKIT_LDFLAGS, MICROKIT_LIBS), the rules that build libmicrokit.a for the chosen
# configuration, and the macro microkit_pd that turns a list of sources into a PD ELF.
# sdk/README.md documents every variable.

# Including this file must not change the includer's default goal (restored at the end).
MICROKIT_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

# Absolute directory of this file (evaluated while it is being included).
SEL4TS_SDK := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

CONFIG ?= debug
TOOLCHAIN ?= clang

ifeq ($(CONFIG),debug)
MICROKIT_CONFIG_FLAGS := -DMICROKIT_CONFIG_DEBUG
else ifeq ($(CONFIG),release)
MICROKIT_CONFIG_FLAGS :=
else
$(error CONFIG must be 'debug' or 'release', not '$(CONFIG)')
endif

ifeq ($(TOOLCHAIN),clang)
MICROKIT_CC ?= clang --target=aarch64-none-elf
MICROKIT_LD ?= ld.lld
MICROKIT_AR ?= llvm-ar
MICROKIT_TOOLCHAIN_LIBS :=
# What keeps our own memset/memcpy loops from being compiled into calls to themselves.
MICROKIT_NO_LOOP_IDIOMS := -fno-builtin
else ifeq ($(TOOLCHAIN),gcc)
CROSS_COMPILE ?= aarch64-linux-gnu-
MICROKIT_CC ?= $(CROSS_COMPILE)gcc
MICROKIT_LD ?= $(CROSS_COMPILE)ld
MICROKIT_AR ?= $(CROSS_COMPILE)ar
# libgcc for the helpers GCC may call (e.g. 128-bit division).
MICROKIT_TOOLCHAIN_LIBS := $(shell $(MICROKIT_CC) -print-libgcc-file-name)
MICROKIT_NO_LOOP_IDIOMS := -fno-builtin -fno-tree-loop-distribute-patterns
else
$(error TOOLCHAIN must be 'clang' or 'gcc', not '$(TOOLCHAIN)')
endif

# Where the SDK's own outputs go: libmicrokit.a, its objects, monitor.elf.
MICROKIT_BUILD_DIR ?= $(SEL4TS_SDK)/build/$(CONFIG)
# Where microkit_pd puts the objects of user PDs (relative to the including Makefile).
MICROKIT_OBJ_DIR ?= build/$(CONFIG)/obj

MICROKIT_LIB := $(MICROKIT_BUILD_DIR)/libmicrokit.a
MICROKIT_LDSCRIPT := $(SEL4TS_SDK)/microkit.ld

# -mgeneral-regs-only keeps FP/SIMD registers out of the generated code; clear
# MICROKIT_FPU_FLAGS for PDs that use floating point (the PD's FPU is enabled by default).
MICROKIT_ARCH_FLAGS ?= -march=armv8-a -mno-outline-atomics
MICROKIT_FPU_FLAGS ?= -mgeneral-regs-only
MICROKIT_OPT_FLAGS ?= -O2
# DWARF line tables only (-g1, in the compiler's default DWARF version): sel4ts keeps them in the
# boot image to name the source line of a fault. (With clang they can reorder a prologue
# instruction or two: the frame moves they add are scheduling barriers.) The prefix maps keep
# this machine's directories out of the programs: the including directory becomes '.', the SDK 'sdk'.
MICROKIT_DEBUG_FLAGS ?= -g1 -fdebug-prefix-map=$(CURDIR)=. -fdebug-prefix-map=$(SEL4TS_SDK)=sdk
# Warnings: the SDK's own sources are kept clean under -Wall -Wextra; PDs get PD_WARNINGS
# (code written for Microkit often leaves entry-point parameters unused).
MICROKIT_SDK_WARNINGS := -Wall -Wextra
PD_WARNINGS ?= -Wall

MICROKIT_CFLAGS := -std=gnu11 $(MICROKIT_OPT_FLAGS) $(MICROKIT_DEBUG_FLAGS) -ffreestanding -nostdlib -fno-stack-protector \
    -fno-pic -fno-pie -fno-common -fno-asynchronous-unwind-tables -fno-unwind-tables \
    $(MICROKIT_ARCH_FLAGS) $(MICROKIT_FPU_FLAGS) $(MICROKIT_CONFIG_FLAGS) \
    -I$(SEL4TS_SDK)/include

# Assembly sources get no debug information: clang's integrated assembler ignores the prefix
# maps and would put this machine's directories into the program.
MICROKIT_ASFLAGS := $(filter-out $(MICROKIT_DEBUG_FLAGS),$(MICROKIT_CFLAGS))

MICROKIT_LDFLAGS := -static -nostdlib -z max-page-size=0x1000 -z common-page-size=0x1000 \
    -z noexecstack --build-id=none -T $(MICROKIT_LDSCRIPT)

# Libraries a PD links against, in link order (after the PD's own objects).
MICROKIT_LIBS := $(MICROKIT_LIB) $(MICROKIT_TOOLCHAIN_LIBS)

# Rebuild everything when the toolchain or flags change (both toolchains share
# build/<config>): this file holds the settings of the last build.
MICROKIT_STAMP := $(MICROKIT_BUILD_DIR)/toolchain.stamp
MICROKIT_STAMP_TEXT := $(TOOLCHAIN) | $(MICROKIT_CC) | $(MICROKIT_CFLAGS)
ifneq ($(shell cat $(MICROKIT_STAMP) 2>/dev/null),$(MICROKIT_STAMP_TEXT))
$(shell mkdir -p $(MICROKIT_BUILD_DIR) && echo '$(MICROKIT_STAMP_TEXT)' > $(MICROKIT_STAMP))
endif

# ---- libmicrokit.a ------------------------------------------------------------------------

MICROKIT_LIB_OBJ_DIR := $(MICROKIT_BUILD_DIR)/lib
MICROKIT_LIB_OBJS := $(addprefix $(MICROKIT_LIB_OBJ_DIR)/,crt0.o main.o dbg.o mem.o)

$(MICROKIT_LIB): $(MICROKIT_LIB_OBJS)
	rm -f $@
	$(MICROKIT_AR) rcs $@ $^

$(MICROKIT_LIB_OBJ_DIR)/%.o: $(SEL4TS_SDK)/src/%.c $(MICROKIT_STAMP)
	@mkdir -p $(@D)
	$(MICROKIT_CC) $(MICROKIT_CFLAGS) $(MICROKIT_SDK_WARNINGS) -MMD -MP -c $< -o $@

$(MICROKIT_LIB_OBJ_DIR)/%.o: $(SEL4TS_SDK)/src/%.S $(MICROKIT_STAMP)
	@mkdir -p $(@D)
	$(MICROKIT_CC) $(MICROKIT_ASFLAGS) $(MICROKIT_SDK_WARNINGS) -MMD -MP -c $< -o $@

$(MICROKIT_LIB_OBJ_DIR)/mem.o: MICROKIT_CFLAGS += $(MICROKIT_NO_LOOP_IDIOMS)

-include $(MICROKIT_LIB_OBJS:.o=.d)

# ---- microkit_pd: sources -> PD ELF --------------------------------------------------------
#
# $(eval $(call microkit_pd,<output.elf>,<sources>))
#
# Compiles each source (.c, .S, .s) with MICROKIT_CFLAGS, PD_WARNINGS and PD_CFLAGS into
# $(MICROKIT_OBJ_DIR)/<elf name>/ and links them with libmicrokit.a and microkit.ld.

# Object file of source $(2) for ELF $(1); directory separators become "__".
microkit_obj_of = $(MICROKIT_OBJ_DIR)/$(basename $(notdir $(1)))/$(subst /,__,$(subst ..,up,$(basename $(2)))).o

define microkit_pd_object
$(call microkit_obj_of,$(1),$(2)): $(2) $(MICROKIT_STAMP)
	@mkdir -p $$(@D)
	$$(MICROKIT_CC) $(if $(filter %.c,$(2)),$$(MICROKIT_CFLAGS),$$(MICROKIT_ASFLAGS)) $$(PD_WARNINGS) $$(PD_CFLAGS) -MMD -MP -c $$< -o $$@
-include $(patsubst %.o,%.d,$(call microkit_obj_of,$(1),$(2)))
endef

define microkit_pd
$(foreach s,$(2),$(eval $(call microkit_pd_object,$(1),$(s))))
$(1): $(foreach s,$(2),$(call microkit_obj_of,$(1),$(s))) $(MICROKIT_LIBS) $(MICROKIT_LDSCRIPT)
	@mkdir -p $$(@D)
	$$(MICROKIT_LD) $$(MICROKIT_LDFLAGS) $(foreach s,$(2),$(call microkit_obj_of,$(1),$(s))) $$(MICROKIT_LIBS) -o $$@
endef

.DEFAULT_GOAL := $(MICROKIT_SAVED_DEFAULT_GOAL)
