# The SNP machine model (sim/machine/snp.h): the CPU's RMP checks and the
# hypervisor, shared by the shim and the KVM runner. Included from
# sim/local.mk; paths are relative to the top.
SIM_SOURCES += sim/machine/snp.h sim/machine/snp_cpu.c sim/machine/hv.c
