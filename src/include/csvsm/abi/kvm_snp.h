/* SPDX-License-Identifier: MIT */
/*
 * The paravirtual SEV-SNP interface of the csvsm KVM runner (sim/kvm):
 * what replaces VMGEXIT on a machine without SNP, and the mailbox through
 * which the runner drives the guest program (guest/). One place for every
 * side; docs/kvm-snp.md explains the choices. The runner's base interface
 * (console, exit port, CPUID signature) is csvsm/abi/kvm_runner.h.
 *
 * Port I/O, not MSR exits: an OUT is the cheapest exit to user space KVM
 * has (about 10 us nested here), it carries no state of its own, and the
 * registers travel with it for free (KVM_CAP_SYNC_REGS). A VMMCALL does
 * not reach user space (only KVM_HC_MAP_GPA_RANGE does), and a filtered
 * WRMSR/RDMSR of the GHCB MSR would cost one exit per MSR access: three
 * exits per MSR-protocol request instead of one.
 */
#ifndef CSVSM_ABI_KVM_SNP_H
#define CSVSM_ABI_KVM_SNP_H

#include "csvsm/types.h"

/*
 * VMGEXIT: `out %eax, $KVMSNP_PORT_VMGEXIT` (the immediate form: an SVSM
 * call's RDX must reach the VMSA unchanged, so DX cannot name the port).
 * The value written is ignored. The GHCB MSR
 * (0xC001_0130) is not a KVM MSR: its value travels in RBX. Before the OUT,
 * RBX holds the value the code wrote to the GHCB MSR; after it, RBX holds
 * the value it would read back (the hypervisor's response). Every other
 * register is preserved unless the protocol says otherwise (a run-VMPL
 * request returns with the registers the VMSA holds). One exit per VMGEXIT.
 */
#define KVMSNP_PORT_VMGEXIT 0xf6

/*
 * The SVSM image's SNP services (src/plat/kvm on the runner): what
 * plat/snp does with an instruction becomes one request. `out %eax,
 * $KVMSNP_PORT_SNP` with EAX = the request (KVMSNP_REQ_*), arguments in
 * RDI, RSI, RDX, results in RAX (and RSI where said). The GHCB MSR
 * protocol and run-VMPL are VMGEXITs (the port above), as on SNP.
 */
#define KVMSNP_PORT_SNP 0xf7

enum kvmsnp_req {
	/* RDI = page (SVSM memory) to receive struct plat_boot_info; RAX = 0 or -CSVSM_EINVAL. */
	KVMSNP_REQ_BOOT_INFO = 1,
	/*
	 * RAX = the index (0..count-1) of the vCPU making the request
	 * (plat/kvm knows it from its per-CPU data and does not ask).
	 */
	KVMSNP_REQ_VCPU_INDEX = 2,
	/*
	 * PVALIDATE: RDI = GPA, RSI = size (enum rmp_page_size), RDX = validate.
	 * RAX = the instruction's code (>= 0) or -CSVSM_EFAULT after a #NPF/#VC;
	 * RSI = 1 when nothing changed (CF).
	 */
	KVMSNP_REQ_PVALIDATE = 3,
	/* RMPADJUST: RDI = GPA, RSI = size, RDX = attributes. RAX as PVALIDATE. */
	KVMSNP_REQ_RMPADJUST = 4,
	/*
	 * A VMPL0 access the SVSM is about to make (KVM cannot see the RMP):
	 * RDI = GPA, RSI = length, RDX = access bits (read 1, write 2). RAX = 0
	 * allowed, 1 #VC (not validated), 2 #NPF (events recorded as on SNP); a
	 * malformed request (length 0 or wrapping, other access bits) is 2, no event.
	 */
	KVMSNP_REQ_ACCESS = 5,
	/*
	 * The image serves the runner's SNP machine (`csvsm-sim --target kvm`):
	 * RDI = a page of the image (struct kvmsnp_shared) the runner fills
	 * and keeps updating. RAX = 0, or -CSVSM_EINVAL (not a page of the
	 * image's memory). Sent once, by the boot vCPU, before anything else.
	 */
	KVMSNP_REQ_HELLO = 6,
	/* svsm_boot() returned RDI (0 or -csvsm error): the runner's BOOT event. RAX = 0. */
	KVMSNP_REQ_BOOT_DONE = 7,
	/*
	 * Guest-memory copies made by the runner (the slow path, see struct
	 * kvmsnp_shared): the RMP check at VMPL0 with its events, the copy
	 * between GPA RDI and the image's buffer at RSI (RDX bytes, identity
	 * mapped image memory), and for reads the hypervisor policy's
	 * after-read hook, exactly as the shim's plat_guest_read/write.
	 * RAX = 0 or -CSVSM_EFAULT.
	 */
	KVMSNP_REQ_GUEST_READ = 8,
	KVMSNP_REQ_GUEST_WRITE = 9,
	/* xchg of the byte at GPA RDI with RSI: RAX = 0 or -CSVSM_EFAULT, RSI = the old byte. */
	KVMSNP_REQ_XCHG8 = 10,
	/*
	 * SNP guest request (csvsm/plat/guest_msg.h): RDI = request page, RSI =
	 * response page, RDX = certificate buffer or 0, R8 = its length (image
	 * addresses). RAX = 0 or -CSVSM_EIO; RSI = SW_EXITINFO2, RDX = the
	 * certificate length.
	 */
	KVMSNP_REQ_GUEST_REQUEST = 11,
	/* The vTPM ran a guest command: RDI = code, RSI = size, RDX = rc, R8 = response size. */
	KVMSNP_REQ_VTPM_EVENT = 12,
	/*
	 * The host-memory NV device (struct kvmsnp_shared.nv_kind ==
	 * KVMSNP_NV_HOST): RDI = enum kvmsnp_nv_op, RSI = byte offset, RDX =
	 * the image's buffer, R8 = length. RAX = 0 or the device's -csvsm
	 * error (-CSVSM_ERANGE beyond it, -CSVSM_EIO), -CSVSM_EINVAL for a
	 * buffer outside the image's memory or no such device.
	 */
	KVMSNP_REQ_NV = 13,
	/*
	 * Reproducible randomness (struct kvmsnp_shared.rand_replay): the next
	 * RSI bytes (1..4096) of one of the machine's seeded streams into the
	 * image's buffer RDI. RDX = KVMSNP_RAND_LIBRARIES: what one RAND_bytes
	 * call returns in the shim (sim/vtpm_rand.c: libtpms' and OpenSSL's
	 * randomness); KVMSNP_RAND_PLATFORM: what the shim's plat_entropy_get
	 * returns (sim/plat_entropy.c: the core's own, e.g. platformAuth and
	 * the NV store's IVs). RAX = 0, -CSVSM_ENOTSUP when the runner did not
	 * ask for it, -CSVSM_EINVAL for a bad buffer, length or stream.
	 */
	KVMSNP_REQ_RAND = 14,
	/*
	 * DMA memory for the NV device's driver (struct kvmsnp_shared.dma_size
	 * non-zero): the shim's own allocator (sim/mmio_bus.c, first fit over
	 * [dma_base, +dma_size), zeroed), so the bus addresses the driver
	 * hands the device are the shim's. ALLOC: RDI = bytes; RAX = the bus
	 * address (= the image's GPA and VA) or 0. FREE: RDI = that address,
	 * RSI = the same bytes; RAX = 0 or -CSVSM_EINVAL.
	 */
	KVMSNP_REQ_DMA_ALLOC = 15,
	KVMSNP_REQ_DMA_FREE = 16,
};

/* The streams of KVMSNP_REQ_RAND (RDX). */
#define KVMSNP_RAND_LIBRARIES 0u
#define KVMSNP_RAND_PLATFORM  1u

/* What holds the vTPM's state (struct kvmsnp_shared.nv_kind). */
enum kvmsnp_nv {
	KVMSNP_NV_NONE = 0,   /* no device: the vTPM stays unavailable */
	KVMSNP_NV_HOST = 1,   /* host memory behind KVMSNP_REQ_NV (the shim's RAM device) */
	KVMSNP_NV_PFLASH = 2, /* a CFI flash at nv_base (MMIO, read-array mode mapped read-only) */
	KVMSNP_NV_VIRTIO =
	    3, /* a virtio-mmio block device at nv_base, DMA in [dma_base, +dma_size) */
};

enum kvmsnp_nv_op {
	KVMSNP_NV_READ = 0,
	KVMSNP_NV_WRITE = 1,
	KVMSNP_NV_FLUSH = 2,
};

/*
 * The page the image names in KVMSNP_REQ_HELLO. The runner maps the
 * whole SNP machine's guest physical space ([0, alias_size): guest RAM,
 * then SVSM memory, as in the shim) at guest physical `alias_base` of the
 * image's VM; the image maps it (no execute) at the same virtual address
 * and reaches guest physical X at alias_base + X.
 *
 * The fast path: while `fast` is non-zero, bit (X >> 12) of the bitmap at
 * `bitmap_pa` (image memory the image gave in `bitmap_pa`/`bitmap_len`
 * before HELLO) says whether VMPL0 may read and write page X now (the
 * RMP's answer, which the runner keeps current: only it changes the RMP).
 * A set bit lets the image access the page without an exit (nothing is
 * recorded for an access that succeeds); a clear bit, or `fast` zero (a
 * hypervisor policy watches the SVSM's reads), means: ask the runner.
 */
struct kvmsnp_shared {
	uint64_t alias_base; /* runner: GPA (= VA) of guest physical 0 */
	uint64_t alias_size; /* runner: bytes of guest physical space */
	uint64_t bitmap_pa;  /* image: its bitmap buffer (set after HELLO), 0 = none */
	uint64_t bitmap_len; /* image: its length in bytes */
	uint32_t fast;       /* runner: the bitmap may be used */
	uint32_t vcpu_count; /* runner */
	/*
	 * image: the core's live heap allocations (mm_live_allocs), stored
	 * before each run-VMPL VMGEXIT, so the runner can check the heap after
	 * a run (tests/kvm_smp_stress.c); read it while no vCPU is in VMPL0.
	 */
	uint64_t mm_live_allocs;
	/*
	 * runner: the vTPM's NV device, the one the shim's machine would have
	 * (docs/kvm-snp.md, "The vTPM's NV device"): enum kvmsnp_nv; the
	 * medium's size and write unit; for MMIO devices their window at
	 * nv_base (image GPA = the machine's address, which the image maps)
	 * and the device-visible memory for DMA at dma_base (image GPA = bus
	 * address; 0 = none), allocated first fit as in the shim.
	 */
	uint32_t nv_kind;
	uint32_t nv_write_unit;
	uint64_t nv_base;
	uint64_t nv_size;
	uint64_t dma_base;
	uint64_t dma_size;
	/* runner: 1 = the libraries' random bytes come from KVMSNP_REQ_RAND. */
	uint32_t rand_replay;
	uint32_t pad;
	uint64_t reserved[500];
};
_Static_assert(sizeof(struct kvmsnp_shared) == 4096, "kvmsnp_shared layout");

/* The guest program's "batch done" exit: OUT of 4 bytes, value ignored. */
#define KVMSNP_PORT_GUEST_DONE 0x521

/* ---- The guest program (guest/): where it lives and how it is driven ---- */

/*
 * Guest physical layout of the guest program, in [16 KiB, 640 KiB) (the
 * shim's layout leaves it unused; the runner's PVH start_info and command
 * line sit below 16 KiB): identity page tables built by the runner, the
 * program (code, data), then one area per vCPU with its stack page and its
 * mailbox. A vCPU starts at the ELF entry with RDI = its
 * mailbox and RSP = the top of its stack.
 */
#define KVMG_PML4_GPA     0x4000ull /* PML4, PDPT, 4 page directories: [0x4000, 0xa000) */
#define KVMG_PT_PAGES     6u        /* identity map of the first 4 GiB, 2 MiB pages */
#define KVMG_LOAD_GPA     0x10000ull
#define KVMG_IMAGE_MAX    0x20000ull /* [0x10000, 0x30000) */
#define KVMG_VCPU_BASE    0x30000ull
#define KVMG_VCPU_STRIDE  0x3000ull /* a stack page, then the mailbox */
#define KVMG_MAILBOX_SIZE 0x2000u
#define KVMG_MAX_VCPUS    36u /* the areas end below 0xa0000 (640 KiB) */
#define KVMG_LOW_END      (KVMG_VCPU_BASE + KVMG_MAX_VCPUS * KVMG_VCPU_STRIDE)
_Static_assert(KVMG_LOW_END <= 0xa0000, "the guest program stays below 640 KiB");
#define KVMG_STACK_TOP(v) (KVMG_VCPU_BASE + (v)*KVMG_VCPU_STRIDE + 0x1000ull)
#define KVMG_MAILBOX(v)   (KVMG_STACK_TOP(v))

#define KVMG_MAGIC 0x47565343u /* "CSVG" */

/* Actions (one per batch in the runner; the program accepts up to KVMG_MAX_ACTIONS). */
enum kvmg_op {
	KVMG_OP_NOP = 0,
	KVMG_OP_READ = 1,  /* read [gpa, gpa + len) into data[] */
	KVMG_OP_WRITE = 2, /* write data[0..len) to gpa */
	KVMG_OP_CALL = 3,  /* SVSM call: regs[0..4] = RAX, RCX, RDX, R8, R9; gpa = the CA */
	KVMG_OP_MSR = 4,   /* GHCB MSR protocol request regs[0]; response in out[0] */
	KVMG_OP_SPIN = 5,  /* len iterations of a 2-instruction loop (dec, jnz): benches */
};

/* The outcome of an action, written by the program (or by the runner after a fault). */
enum kvmg_status {
	KVMG_ST_PENDING = 0,
	KVMG_ST_OK = 1,
	KVMG_ST_FAULT = 2, /* the runner stopped the access: fault_gpa, fault_kind */
	KVMG_ST_BAD = 3,   /* malformed action (the program refused it) */
};

struct kvmg_action {
	uint32_t op;  /* enum kvmg_op */
	uint32_t len; /* READ/WRITE: bytes, <= KVMG_DATA_MAX */
	uint64_t gpa; /* READ/WRITE: address; CALL: the CA */
	uint64_t regs[5];
	/* Results. */
	uint32_t status;   /* enum kvmg_status */
	uint32_t serviced; /* CALL: xchg(call_pending, 0) found 0 */
	uint64_t out[5];   /* CALL: RAX, RCX, RDX, R8, R9 after; MSR: the response */
	uint64_t fault_gpa;
	uint64_t fault_kind; /* the runner's classification (csvsm_sim_access_result) */
	uint64_t ghcb;       /* CALL: the GHCB MSR after the VMGEXIT (RUN_VMPL response) */
};
_Static_assert(sizeof(struct kvmg_action) == 128, "kvmg_action layout");

#define KVMG_MAX_ACTIONS 8u
#define KVMG_DATA_OFFSET 2048u /* the data of the batch's READ/WRITE actions */
#define KVMG_DATA_MAX    (KVMG_MAILBOX_SIZE - KVMG_DATA_OFFSET)

/*
 * The mailbox of a vCPU at KVMG_MAILBOX(vcpu). The runner fills `count`
 * actions and the data, then runs the program; the program performs them
 * in order, fills the results and exits through KVMSNP_PORT_GUEST_DONE;
 * the next run starts the next batch. `resume_rip` is set by the program
 * at start: after a fault the runner records it in the current action and
 * continues the program there with RDI = the mailbox: it returns to the
 * state saved in `jmp` and goes on with the next action.
 */
struct kvmg_mailbox {
	uint32_t magic;   /* KVMG_MAGIC, written by the program once it runs */
	uint32_t count;   /* actions in this batch */
	uint32_t current; /* index of the action being performed */
	uint32_t batches; /* batches completed */
	uint64_t resume_rip;
	uint64_t jmp[8]; /* the program's: where the current action started */
	uint64_t reserved[5];
	struct kvmg_action act[KVMG_MAX_ACTIONS];
};
_Static_assert(sizeof(struct kvmg_mailbox) == 128 + 8 * 128, "kvmg_mailbox layout");
_Static_assert(sizeof(struct kvmg_mailbox) <= KVMG_DATA_OFFSET, "mailbox header before data");

#endif
