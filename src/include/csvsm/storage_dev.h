/* SPDX-License-Identifier: MIT */
/*
 * Drivers for the SVSM's persistent-state devices, each behind the block
 * interface (csvsm/blkdev.h), reaching hardware only through
 * csvsm/plat/mmio.h and csvsm/plat/dma.h. Every register value, status
 * byte and ring entry a device returns is untrusted (the hypervisor
 * emulates it): it is checked, and a device that lies gets -CSVSM_EIO (or
 * is refused at open), never an access outside the driver's own buffers.
 */
#ifndef CSVSM_STORAGE_DEV_H
#define CSVSM_STORAGE_DEV_H

#include "csvsm/blkdev.h"
#include "csvsm/types.h"

/*
 * CFI parallel flash, Intel/Sharp command set (QEMU's pflash_cfi01), at
 * physical address `base`, `window` bytes of address space. Probes the
 * bank width (1, 2 or 4 bytes) by CFI query and reads the geometry from
 * the CFI table: one erase region, block size a power of two from 512
 * bytes to 64 KiB, device size = blocks x block size <= window, buffered
 * write size (used when present). Leaves the flash in read-array mode.
 *
 * The device: dev->size = the flash size, dev->write_unit = the erase
 * block (a write within one block either completes or, after a power loss,
 * leaves only that block in an unknown state: writes never touch blocks
 * outside their range). A write reads each block it touches, and when the
 * new bytes need a bit set from 0 to 1 erases the block and programs the
 * merged contents; otherwise it only programs the words that change. Every
 * written block is read back: data that did not stick is -CSVSM_EIO.
 * Writes are durable when they return (flush does nothing).
 * Errors of erase and program (status bits), a device never ready
 * (bounded polling) and read-back mismatches are -CSVSM_EIO; the flash is
 * then returned to read-array mode (clear status, read array), which a
 * device that never answered may not obey.
 *
 * Returns 0; -CSVSM_EINVAL (NULL dev, window 0); -CSVSM_ENOENT (no CFI
 * flash answers at `base`); -CSVSM_ENOTSUP (another command set, several
 * erase regions, a block size outside the range); -CSVSM_ECORRUPT (a
 * geometry that does not add up or exceeds the window); -CSVSM_ENOMEM.
 * pflash_close frees what open allocated and zeroes `dev` (NULL and
 * devices of other drivers are ignored).
 */
int pflash_open(struct blkdev *dev, uint64_t base, uint64_t window) CSVSM_MUST_CHECK;
void pflash_close(struct blkdev *dev);

/*
 * virtio block device on the virtio-mmio transport, version 2 (virtio 1.x:
 * spec 1.2 sections 2, 4.2 and 5.2), registers at physical `base`.
 *
 * Open resets the device, negotiates features (VIRTIO_F_VERSION_1 is
 * required; VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_RO and
 * VIRTIO_F_ACCESS_PLATFORM are accepted when offered; nothing else),
 * reads the capacity (config generation checked) and sets up one split
 * virtqueue of 4 entries. All memory the device may touch, the ring, one
 * request header, one status byte and a 64 KiB bounce buffer, comes from
 * plat_dma_alloc; the caller's buffers are never posted. Completion is
 * polled (no interrupts; bounded by 10 s of plat_time_ns, or 2^20 polls
 * when that clock stands still: a device that never answers is an error).
 *
 * The device: dev->size = capacity x 512 bytes, dev->write_unit = 512 (or
 * the device's block size when it offers one from 512 to 64 KiB). Reads
 * and writes are split into requests of at most 64 KiB; a range not
 * aligned to 512 bytes is read, merged and written back. flush sends
 * VIRTIO_BLK_T_FLUSH when negotiated (without it the device is
 * write-through, spec 5.2.6.4, and flush does nothing).
 *
 * Untrusted device: every used-ring entry is checked (exactly one new
 * entry per request, the id of the posted chain, a length within what was
 * posted writable and, for reads, covering the data), and the status byte
 * must be OK, IOERR or UNSUPP; only then is data copied out of the bounce
 * buffer, with the driver's own lengths. IOERR/UNSUPP are -CSVSM_EIO. A
 * protocol violation (garbage in the used ring, a bad status byte, no
 * answer) is -CSVSM_EIO too and marks the device failed (status FAILED):
 * every later call is -CSVSM_EIO. Writes to a read-only device are
 * -CSVSM_EIO.
 *
 * Open returns 0; -CSVSM_EINVAL (NULL dev); -CSVSM_ENOENT (no virtio-mmio
 * device at `base`, or not a block device: the one error not logged, as
 * callers probe windows that may be empty); -CSVSM_ENOTSUP (a legacy
 * version 1 transport, no VIRTIO_F_VERSION_1, FEATURES_OK refused, no
 * usable queue); -CSVSM_ECORRUPT (config fields out of range or never
 * stable); -CSVSM_ENOMEM. On error the device is left reset (or FAILED).
 * vblk_close resets the device, frees the DMA memory and zeroes `dev`
 * (NULL and devices of other drivers are ignored).
 */
int vblk_open(struct blkdev *dev, uint64_t base) CSVSM_MUST_CHECK;
void vblk_close(struct blkdev *dev);

/*
 * Opens the device that boot information describes, in one of the forms
 *   pflash@BASE:SIZE                a CFI flash of SIZE bytes at BASE
 *   virtio@BASE                     a virtio-mmio block device at BASE
 *   virtio-scan@BASE:COUNT          the first virtio block device among
 *                                   COUNT 512-byte virtio-mmio windows from
 *                                   BASE (QEMU's microvm: 0xfeb00000:24)
 *   virtio_mmio.device=SIZE@BASE:IRQ[:ID]   (Linux's form, which QEMU's
 *                                   microvm appends to the command line
 *                                   for each virtio-mmio transport in use)
 * given as spec[0..len) (not NUL-terminated). Numbers are decimal or 0x
 * hexadecimal; SIZE may end in K, M or G. Returns what pflash_open or
 * vblk_open returns (a scan that finds nothing: -CSVSM_ENOENT), or
 * -CSVSM_EINVAL for a malformed spec (an address
 * range that wraps included).
 */
int storage_open_spec(struct blkdev *dev, const char *spec, size_t len) CSVSM_MUST_CHECK;

/*
 * Scans a kernel-style command line (words separated by spaces) for
 * `virtio_mmio.device=` words and opens the first that is a virtio block
 * device. Returns 0, or -CSVSM_ENOENT when none is (other errors of
 * vblk_open are logged and the scan goes on).
 */
int storage_find_virtio(struct blkdev *dev, const char *cmdline) CSVSM_MUST_CHECK;

/*
 * The NV round trip a bare-metal image runs at boot for the QEMU and KVM
 * tests (`nvtest=SPEC` on its command line, SPEC as for
 * storage_open_spec). Opens the device and an NV store on it. A store holding
 * a boot number k must also hold the libtpms-shaped blobs of boot k
 * ("permall" 1299 bytes, "volatilestate" 8970 bytes, contents derived
 * from k), byte for byte; then the blobs of boot k + 1 (k = 0 on a blank
 * device) are committed. Prints "nvtest: DEVICE: verified boot k, stored
 * boot k+1" (or "blank device, stored boot 1") and returns the stored
 * boot number, or a negative error with a line saying why.
 */
int storage_nvtest(const char *spec, size_t len);

/* Closes a device opened by any driver above (NULL and zeroed devices are ignored). */
void storage_close(struct blkdev *dev);

#endif /* CSVSM_STORAGE_DEV_H */
