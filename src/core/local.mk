# The core proper: boot, request loop, vCPUs, guest addresses, protocols.
CORE_SOURCES += src/core/boot.c src/core/svsm_boot.c src/core/request.c src/core/gpa.c \
	src/core/vcpu.c src/core/names.c src/protocols/core.c
noinst_HEADERS += \
	src/include/csvsm/abi/ghcb.h \
	src/include/csvsm/abi/secrets.h \
	src/include/csvsm/abi/svsm.h \
	src/include/csvsm/abi/vmsa.h \
	src/include/csvsm/boot.h \
	src/include/csvsm/compiler.h \
	src/include/csvsm/error.h \
	src/include/csvsm/fault.h \
	src/include/csvsm/gpa.h \
	src/include/csvsm/log.h \
	src/include/csvsm/mm.h \
	src/include/csvsm/names.h \
	src/include/csvsm/panic.h \
	src/include/csvsm/plat/boot.h \
	src/include/csvsm/plat/console.h \
	src/include/csvsm/plat/cpu.h \
	src/include/csvsm/plat/entropy.h \
	src/include/csvsm/plat/ghcb.h \
	src/include/csvsm/plat/memory.h \
	src/include/csvsm/plat/mmio.h \
	src/include/csvsm/plat/rmp.h \
	src/include/csvsm/plat/time.h \
	src/include/csvsm/plat/vmpl.h \
	src/include/csvsm/svsm.h \
	src/include/csvsm/types.h \
	src/include/csvsm/vcpu.h
