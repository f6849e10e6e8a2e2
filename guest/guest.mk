# The guest program (guest/, csvsm/abi/kvm_snp.h): a freestanding x86_64
# guest the KVM runner loads at KVMG_LOAD_GPA. Built with the freestanding
# flags (the small code model: it runs at a low address), linked by
# guest/guest.ld into guest/csvsm-guest.elf (the runner loads its PT_LOAD
# segments).
GUEST_CFLAGS = $(CSVSM_WARN_CFLAGS) $(FREESTANDING_CFLAGS) -mcmodel=small -fno-omit-frame-pointer
GUEST_OBJS = guest/guest.o guest/entry.o guest/setjmp.o
EXTRA_DIST += guest/guest.c guest/entry.S guest/guest.ld
noinst_HEADERS += src/include/csvsm/abi/kvm_snp.h
noinst_DATA += guest/csvsm-guest.elf
CLEANFILES += $(GUEST_OBJS) guest/csvsm-guest.elf

guest/guest.o: $(top_srcdir)/guest/guest.c $(top_srcdir)/src/include/csvsm/abi/kvm_snp.h $(top_srcdir)/src/plat/x86_64/x86_user.h
	@$(MKDIR_P) guest
	$(AM_V_CC)$(CC) $(GUEST_CFLAGS) -I$(top_srcdir)/src/include -I$(top_srcdir)/src/plat/x86_64 -c -o $@ $(top_srcdir)/guest/guest.c
guest/entry.o: $(top_srcdir)/guest/entry.S
	@$(MKDIR_P) guest
	$(AM_V_CC)$(CC) $(GUEST_CFLAGS) -c -o $@ $(top_srcdir)/guest/entry.S
guest/setjmp.o: $(top_srcdir)/src/plat/libc/setjmp.S
	@$(MKDIR_P) guest
	$(AM_V_CC)$(CC) $(GUEST_CFLAGS) -I$(top_srcdir)/src/plat/libc/include -c -o $@ $(top_srcdir)/src/plat/libc/setjmp.S
guest/csvsm-guest.elf: $(GUEST_OBJS) $(top_srcdir)/guest/guest.ld
	$(AM_V_GEN)$(LD) -nostdlib -static -T $(top_srcdir)/guest/guest.ld -o $@ $(GUEST_OBJS)
