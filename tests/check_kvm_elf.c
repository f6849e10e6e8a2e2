/* SPDX-License-Identifier: MIT */
/*
 * The KVM runner's image checks (sim/kvm/elf_load.c), without KVM: the
 * built src/csvsm-kvm.elf is accepted, and copies of it broken in one way
 * each (not ELF, ELF32, big-endian, another machine, not an executable, no
 * PVH note, truncated, segments outside guest memory) are refused. The
 * PVH start_info written for the image has the layout of the PVH boot ABI
 * (Xen arch-x86/hvm/start_info.h: magic 0x336ec578, version 1).
 */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_runner.h"

#define MEM (128ull << 20)

static uint8_t *image;
static size_t image_len;

static void load_image(void)
{
	FILE *f = fopen(CSVSM_KVM_IMAGE, "rb");
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", CSVSM_KVM_IMAGE);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	ck_assert_int_gt(n, 0);
	image = malloc((size_t)n);
	ck_assert_ptr_nonnull(image);
	ck_assert_uint_eq(fread(image, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	image_len = (size_t)n;
}

static void free_image(void)
{
	free(image);
	image = NULL;
}

static int parse(const uint8_t *buf, size_t len, uint64_t mem, struct kvm_image *img, char *err)
{
	return kvm_image_parse(buf, len, mem, img, err, 256);
}

/* Offset of the PVH note's n_type field in the file (found independently). */
static size_t pvh_note_type_offset(void)
{
	for (size_t i = 12; i + 4 <= image_len; i++)
		if (memcmp(image + i, "Xen", 4) == 0) {
			uint32_t namesz, descsz, type;

			memcpy(&namesz, image + i - 12, 4);
			memcpy(&descsz, image + i - 8, 4);
			memcpy(&type, image + i - 4, 4);
			if (namesz == 4 && descsz == 8 && type == 18)
				return i - 4;
		}
	ck_abort_msg("no Xen note with type 18 in the image");
	return 0;
}

START_TEST(test_image_accepted)
{
	struct kvm_image img;
	char err[256] = "";
	uint64_t note_entry;
	Elf64_Ehdr eh;

	ck_assert_msg(parse(image, image_len, MEM, &img, err) == 0, "%s", err);
	memcpy(&note_entry, image + pvh_note_type_offset() + 8, 8);
	ck_assert_uint_eq(img.entry, note_entry);
	memcpy(&eh, image, sizeof(eh));
	ck_assert_uint_eq(img.entry, eh.e_entry); /* the linker script's ENTRY is the PVH entry */
	ck_assert_uint_ge(img.nseg, 1);
	ck_assert_uint_ge(img.seg[0].paddr, 0x100000);
	ck_assert_uint_le(img.end, MEM);
}
END_TEST

/* Copies the image, lets `mutate` break it, expects a refusal mentioning `what`. */
static void expect_refused(void (*mutate)(uint8_t *buf, size_t *len), uint64_t mem,
                           const char *what)
{
	uint8_t *copy = malloc(image_len);
	size_t len = image_len;
	struct kvm_image img;
	char err[256] = "";

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, image, image_len);
	if (mutate)
		mutate(copy, &len);
	ck_assert_int_eq(parse(copy, len, mem, &img, err), -1);
	ck_assert_msg(strstr(err, what) != NULL, "reason \"%s\" does not mention \"%s\"", err,
	              what);
	free(copy);
}

static void not_elf(uint8_t *b, size_t *len)
{
	memcpy(b, "#!/bin/sh\n", 10);
	(void)len;
}

static void elf32(uint8_t *b, size_t *len)
{
	b[EI_CLASS] = ELFCLASS32;
	(void)len;
}

static void big_endian(uint8_t *b, size_t *len)
{
	b[EI_DATA] = ELFDATA2MSB;
	(void)len;
}

static void wrong_machine(uint8_t *b, size_t *len)
{
	uint16_t m = EM_AARCH64;

	memcpy(b + offsetof(Elf64_Ehdr, e_machine), &m, 2);
	(void)len;
}

static void shared_object(uint8_t *b, size_t *len)
{
	uint16_t t = ET_DYN;

	memcpy(b + offsetof(Elf64_Ehdr, e_type), &t, 2);
	(void)len;
}

static void no_pvh_note(uint8_t *b, size_t *len)
{
	uint32_t other = 17;

	memcpy(b + pvh_note_type_offset(), &other, 4);
	(void)len;
}

static void truncated(uint8_t *b, size_t *len)
{
	(void)b;
	*len = 100;
}

static void truncated_segments(uint8_t *b, size_t *len)
{
	(void)b;
	*len = 0x1100; /* headers intact, segment data cut */
}

static void phdrs_outside(uint8_t *b, size_t *len)
{
	uint64_t off = *len - 8;

	memcpy(b + offsetof(Elf64_Ehdr, e_phoff), &off, 8);
}

START_TEST(test_bad_images_refused)
{
	expect_refused(not_elf, MEM, "not an ELF");
	expect_refused(elf32, MEM, "not ELF64");
	expect_refused(big_endian, MEM, "little-endian");
	expect_refused(wrong_machine, MEM, "wrong machine");
	expect_refused(shared_object, MEM, "not an executable");
	expect_refused(no_pvh_note, MEM, "no PVH entry note");
	expect_refused(truncated, MEM, "program headers");
	expect_refused(truncated_segments, MEM, "outside the file");
	expect_refused(phdrs_outside, MEM, "program headers");
	/* Guest memory that ends inside the image: 1 MiB + 4 KiB. */
	expect_refused(NULL, 0x101000, "outside guest memory");
}
END_TEST

START_TEST(test_empty_file_refused)
{
	struct kvm_image img;
	char err[256] = "";

	ck_assert_int_eq(parse((const uint8_t *)"", 0, MEM, &img, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an ELF"));
}
END_TEST

START_TEST(test_load_and_start_info)
{
	uint8_t *mem = calloc(1, 16 << 20);
	struct kvm_image img;
	char err[256];
	uint64_t si;
	uint32_t magic, version, entries;
	uint64_t cmd_pa, map_pa, e1[2];
	uint32_t t1;

	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(parse(image, image_len, 16 << 20, &img, err), 0);
	kvm_image_load(&img, image, mem);
	for (unsigned int k = 0; k < img.nseg; k++)
		ck_assert_int_eq(
		    memcmp(mem + img.seg[k].paddr, image + img.seg[k].offset, img.seg[k].filesz),
		    0);
	si = kvm_pvh_setup(mem, 16 << 20, "selftest x=1");
	memcpy(&magic, mem + si, 4);
	memcpy(&version, mem + si + 4, 4);
	memcpy(&cmd_pa, mem + si + 24, 8);
	memcpy(&map_pa, mem + si + 40, 8);
	memcpy(&entries, mem + si + 48, 4);
	ck_assert_uint_eq(magic, 0x336ec578u);
	ck_assert_uint_eq(version, 1);
	ck_assert_str_eq((const char *)mem + cmd_pa, "selftest x=1");
	ck_assert_uint_eq(entries, 2);
	/* The second entry: RAM (type 1) from 1 MiB to the end of memory. */
	memcpy(e1, mem + map_pa + 24, 16);
	memcpy(&t1, mem + map_pa + 24 + 16, 4);
	ck_assert_uint_eq(e1[0], 0x100000);
	ck_assert_uint_eq(e1[0] + e1[1], 16 << 20);
	ck_assert_uint_eq(t1, 1);
	free(mem);
}
END_TEST

static Suite *kvm_elf_suite(void)
{
	Suite *s = suite_create("kvm_elf");
	TCase *tc = tcase_create("image");

	tcase_add_checked_fixture(tc, load_image, free_image);
	tcase_add_test(tc, test_image_accepted);
	tcase_add_test(tc, test_bad_images_refused);
	tcase_add_test(tc, test_empty_file_refused);
	tcase_add_test(tc, test_load_and_start_info);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kvm_elf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
