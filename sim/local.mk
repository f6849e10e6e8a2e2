# The simulator: the platform interface implemented for a Linux process.
SIM_SOURCES += sim/plat_console.c sim/plat_cpu.c sim/plat_heap.c sim/plat_entropy.c \
	sim/plat_time.c sim/sim_plat.h sim/machine.h sim/plat_machine.c sim/sim.c sim/trace.c
SIM_SOURCES += sim/plat_memcheck.c sim/vtpm_rand.c
csvsmincludedir = $(includedir)/csvsm
csvsminclude_HEADERS = sim/include/csvsm/sim.h
include sim/machine/rmp.mk
include sim/machine/snp.mk
include sim/ctx.mk
