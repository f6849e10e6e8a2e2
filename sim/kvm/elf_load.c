/* SPDX-License-Identifier: MIT */
/*
 * Checking and loading a csvsm image the way a PVH loader does (Xen
 * docs/misc/pvh.pandoc; the ELF64 layout from <elf.h>). Everything in the
 * file is checked before anything is trusted: header fields, table bounds,
 * overflow of offset + size, segments inside guest memory.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvm_runner.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* start_info layout: PVH boot ABI version 1 (src/plat/x86_64/x86_boot.h). */
struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};
_Static_assert(sizeof(struct pvh_start_info) == 56, "PVH start_info layout");

struct pvh_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};
_Static_assert(sizeof(struct pvh_memmap_entry) == 24, "PVH memmap entry layout");

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool range_in(uint64_t off, uint64_t size, uint64_t limit)
{
	return off <= limit && size <= limit - off;
}

/* Looks for the PVH entry in the notes [off, off + size) of the file. */
static bool find_pvh_note(const uint8_t *buf, uint64_t off, uint64_t size, uint64_t *entry)
{
	uint64_t p = off, end = off + size;

	while (end - p >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_off, desc_off, next;

		memcpy(&nh, buf + p, sizeof(nh));
		name_off = p + sizeof(nh);
		desc_off = name_off + ((nh.n_namesz + 3ull) & ~3ull);
		next = desc_off + ((nh.n_descsz + 3ull) & ~3ull);
		if (desc_off > end || next > end || nh.n_descsz > end - desc_off)
			return false;
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh.n_namesz == 4 &&
		    memcmp(buf + name_off, "Xen", 4) == 0 &&
		    (nh.n_descsz == 4 || nh.n_descsz == 8)) {
			uint64_t v = 0;

			memcpy(&v, buf + desc_off, nh.n_descsz); /* little-endian */
			*entry = v;
			return true;
		}
		p = next;
	}
	return false;
}

int kvm_image_parse(const uint8_t *buf, size_t len, uint64_t mem_size, struct kvm_image *img,
                    char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	bool have_entry = false, entry_loaded = false;

	memset(img, 0, sizeof(*img));
	if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file (no \\177ELF magic)");
	if (len < sizeof(eh))
		return fail(err, errlen, "truncated ELF header (%zu bytes)", len);
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "not ELF64 (class %u): csvsm images are 64-bit",
		            eh.e_ident[EI_CLASS]);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "not little-endian");
	if (eh.e_machine != EM_X86_64)
		return fail(err, errlen, "wrong machine %u (x86-64 is %u)", eh.e_machine,
		            EM_X86_64);
	if (eh.e_type != ET_EXEC)
		return fail(err, errlen, "not an executable (ELF type %u)", eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    !range_in(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), len))
		return fail(err, errlen, "program headers outside the file or malformed");

	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, buf + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE) {
			if (!range_in(ph.p_offset, ph.p_filesz, len))
				return fail(err, errlen, "note segment %u outside the file", i);
			if (!have_entry)
				have_entry =
				    find_pvh_note(buf, ph.p_offset, ph.p_filesz, &img->entry);
		} else if (ph.p_type == PT_LOAD && ph.p_memsz) {
			struct krun_segment *s;

			if (img->nseg == KVM_MAX_SEGMENTS)
				return fail(err, errlen, "more than %d loadable segments",
				            KVM_MAX_SEGMENTS);
			if (ph.p_filesz > ph.p_memsz || !range_in(ph.p_offset, ph.p_filesz, len))
				return fail(err, errlen, "segment %u: file data outside the file",
				            i);
			if (ph.p_paddr < KVM_IMAGE_MIN ||
			    !range_in(ph.p_paddr, ph.p_memsz, mem_size))
				return fail(err, errlen,
				            "segment %u at [%#llx, +%#llx) is outside guest memory "
				            "[%#x, %#llx)",
				            i, (unsigned long long)ph.p_paddr,
				            (unsigned long long)ph.p_memsz, KVM_IMAGE_MIN,
				            (unsigned long long)mem_size);
			for (unsigned int k = 0; k < img->nseg; k++) {
				const struct krun_segment *o = &img->seg[k];

				if (ph.p_paddr < o->paddr + o->memsz &&
				    o->paddr < ph.p_paddr + ph.p_memsz)
					return fail(err, errlen, "segment %u overlaps segment %u",
					            i, k);
			}
			s = &img->seg[img->nseg++];
			s->paddr = ph.p_paddr;
			s->filesz = ph.p_filesz;
			s->memsz = ph.p_memsz;
			s->offset = ph.p_offset;
			if (s->paddr + s->memsz > img->end)
				img->end = s->paddr + s->memsz;
		}
	}
	if (img->nseg == 0)
		return fail(err, errlen, "no loadable segment");
	if (!have_entry)
		return fail(err, errlen,
		            "no PVH entry note (Xen ELF note %d, XEN_ELFNOTE_PHYS32_ENTRY): not a "
		            "PVH-bootable image",
		            XEN_ELFNOTE_PHYS32_ENTRY);
	for (unsigned int k = 0; k < img->nseg; k++)
		if (img->entry >= img->seg[k].paddr &&
		    img->entry < img->seg[k].paddr + img->seg[k].filesz)
			entry_loaded = true;
	if (!entry_loaded || img->entry >= (1ull << 32))
		return fail(err, errlen, "the PVH entry %#llx is not inside a loaded segment",
		            (unsigned long long)img->entry);
	return 0;
}

void kvm_image_load(const struct kvm_image *img, const uint8_t *buf, uint8_t *mem)
{
	for (unsigned int k = 0; k < img->nseg; k++) {
		const struct krun_segment *s = &img->seg[k];

		memcpy(mem + s->paddr, buf + s->offset, s->filesz);
		memset(mem + s->paddr + s->filesz, 0, s->memsz - s->filesz);
	}
}

uint64_t kvm_pvh_setup(uint8_t *mem, uint64_t mem_size, const char *cmdline)
{
	const uint64_t si_pa = KVM_LOW_BASE, map_pa = KVM_LOW_BASE + 0x100,
	               cmd_pa = KVM_LOW_BASE + 0x1000;
	struct pvh_start_info si = {0};
	struct pvh_memmap_entry map[2] = {
	    {0, 0xa0000, 1, 0},                              /* low RAM */
	    {KVM_IMAGE_MIN, mem_size - KVM_IMAGE_MIN, 1, 0}, /* RAM from 1 MiB */
	};
	size_t n = strnlen(cmdline, KVM_CMDLINE_MAX - 1);

	si.magic = 0x336ec578u;
	si.version = 1;
	si.cmdline_paddr = cmd_pa;
	si.memmap_paddr = map_pa;
	si.memmap_entries = 2;
	memcpy(mem + si_pa, &si, sizeof(si));
	memcpy(mem + map_pa, map, sizeof(map));
	memcpy(mem + cmd_pa, cmdline, n);
	mem[cmd_pa + n] = '\0';
	return si_pa;
}

uint64_t kvm_image_symbol(const uint8_t *buf, size_t len, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(const void *)buf;

	if (len < sizeof(*eh) || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
	    (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > len - eh->e_shoff)
		return 0;
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr sh, str;

		memcpy(&sh, buf + eh->e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_SYMTAB || sh.sh_entsize != sizeof(Elf64_Sym) ||
		    sh.sh_link >= eh->e_shnum || sh.sh_offset > len ||
		    sh.sh_size > len - sh.sh_offset)
			continue;
		memcpy(&str, buf + eh->e_shoff + sh.sh_link * sizeof(str), sizeof(str));
		if (str.sh_offset > len || str.sh_size > len - str.sh_offset)
			continue;
		for (uint64_t k = 0; k < sh.sh_size / sizeof(Elf64_Sym); k++) {
			Elf64_Sym s;
			size_t nl = strlen(name);

			memcpy(&s, buf + sh.sh_offset + k * sizeof(s), sizeof(s));
			if (ELF64_ST_BIND(s.st_info) != STB_GLOBAL || s.st_name >= str.sh_size ||
			    str.sh_size - s.st_name <= nl)
				continue;
			if (!memcmp(buf + str.sh_offset + s.st_name, name, nl + 1))
				return s.st_value;
		}
	}
	return 0;
}
