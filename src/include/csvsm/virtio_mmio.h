/* SPDX-License-Identifier: MIT */
/*
 * virtio 1.x constants: the MMIO transport's registers (spec 1.2 section
 * 4.2.2), device status bits (2.1), feature bits (6, 5.2.3), the split
 * virtqueue layout (2.7) and block requests (5.2.6). Shared by the driver
 * and, through the include path, by the simulator's device model.
 */
#ifndef CSVSM_VIRTIO_MMIO_H
#define CSVSM_VIRTIO_MMIO_H

#include "csvsm/types.h"

#define VIRTIO_MMIO_MAGIC_VALUE       0x000u
#define VIRTIO_MMIO_VERSION           0x004u
#define VIRTIO_MMIO_DEVICE_ID         0x008u
#define VIRTIO_MMIO_VENDOR_ID         0x00cu
#define VIRTIO_MMIO_DEVICE_FEATURES   0x010u
#define VIRTIO_MMIO_DEVICE_FEAT_SEL   0x014u
#define VIRTIO_MMIO_DRIVER_FEATURES   0x020u
#define VIRTIO_MMIO_DRIVER_FEAT_SEL   0x024u
#define VIRTIO_MMIO_QUEUE_SEL         0x030u
#define VIRTIO_MMIO_QUEUE_NUM_MAX     0x034u
#define VIRTIO_MMIO_QUEUE_NUM         0x038u
#define VIRTIO_MMIO_QUEUE_READY       0x044u
#define VIRTIO_MMIO_QUEUE_NOTIFY      0x050u
#define VIRTIO_MMIO_INTERRUPT_STATUS  0x060u
#define VIRTIO_MMIO_INTERRUPT_ACK     0x064u
#define VIRTIO_MMIO_STATUS            0x070u
#define VIRTIO_MMIO_QUEUE_DESC_LOW    0x080u
#define VIRTIO_MMIO_QUEUE_DESC_HIGH   0x084u
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW  0x090u
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094u
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW  0x0a0u
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4u
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fcu
#define VIRTIO_MMIO_CONFIG            0x100u
#define VIRTIO_MMIO_WINDOW            0x200u

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_ID_BLOCK   2u

#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER      2u
#define VIRTIO_STATUS_DRIVER_OK   4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED      128u

#define VIRTIO_BLK_F_SIZE_MAX    1u
#define VIRTIO_BLK_F_SEG_MAX     2u
#define VIRTIO_BLK_F_RO          5u
#define VIRTIO_BLK_F_BLK_SIZE    6u
#define VIRTIO_BLK_F_FLUSH       9u
#define VIRTIO_F_VERSION_1       32u
#define VIRTIO_F_ACCESS_PLATFORM 33u

/* Block device configuration (5.2.4): byte offsets inside the config space. */
#define VIRTIO_BLK_CFG_CAPACITY 0x00u /* u64, 512-byte sectors */
#define VIRTIO_BLK_CFG_BLK_SIZE 0x14u /* u32 */

#define VIRTIO_BLK_T_IN    0u
#define VIRTIO_BLK_T_OUT   1u
#define VIRTIO_BLK_T_FLUSH 4u

#define VIRTIO_BLK_S_OK     0u
#define VIRTIO_BLK_S_IOERR  1u
#define VIRTIO_BLK_S_UNSUPP 2u

#define VIRTIO_BLK_SECTOR 512u

#define VIRTQ_DESC_F_NEXT          1u
#define VIRTQ_DESC_F_WRITE         2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc (2.7.5)");
_Static_assert(__builtin_offsetof(struct virtq_desc, len) == 8, "virtq_desc.len");
_Static_assert(__builtin_offsetof(struct virtq_desc, flags) == 12, "virtq_desc.flags");
_Static_assert(__builtin_offsetof(struct virtq_desc, next) == 14, "virtq_desc.next");

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem (2.7.8)");

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "virtio_blk_req header (5.2.6)");
_Static_assert(__builtin_offsetof(struct virtio_blk_req_hdr, sector) == 8, "sector");

/* Split ring offsets for `n` entries (2.7.6, 2.7.8): flags, idx, ring[n]. */
#define VIRTQ_AVAIL_IDX     2u
#define VIRTQ_AVAIL_RING(i) (4u + 2u * (i))
#define VIRTQ_USED_IDX      2u
#define VIRTQ_USED_RING(i)  (4u + 8u * (i))

#endif /* CSVSM_VIRTIO_MMIO_H */
