/* SPDX-License-Identifier: MIT */
/*
 * Test-and-test-and-set spinlocks. Taking a lock is an acquire, releasing
 * it a release, so the critical sections of one lock are totally ordered.
 * Not recursive, not fair, no owner tracking: keep critical sections short.
 */
#ifndef CSVSM_LIB_SPINLOCK_H
#define CSVSM_LIB_SPINLOCK_H

#include "csvsm/plat/cpu.h"
#include "csvsm/types.h"

struct spinlock {
	uint32_t locked; /* 0 free, 1 held */
};

/* Static initializer of an unlocked spinlock. */
#define SPINLOCK_INIT                                                                              \
	{                                                                                          \
		.locked = 0                                                                        \
	}

/* Makes `lock` unlocked. */
static inline void spin_init(struct spinlock *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELAXED);
}

/*
 * Takes `lock` if it is free and returns true; returns false at once,
 * changing nothing, when it is held (also when held by the caller).
 */
static inline bool spin_trylock(struct spinlock *lock)
{
	return __atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

/*
 * Takes `lock`, spinning (with plat_cpu_relax) until it is free. Taking a
 * lock that the caller already holds deadlocks.
 */
static inline void spin_lock(struct spinlock *lock)
{
	while (!spin_trylock(lock)) {
		/* Wait on plain loads so the cache line is not bounced by writes. */
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED) != 0)
			plat_cpu_relax();
	}
}

/* Releases `lock`, which the caller must hold. */
static inline void spin_unlock(struct spinlock *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

/* True when `lock` is held by someone: only for assertions. */
static inline bool spin_is_locked(const struct spinlock *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) != 0;
}

#endif /* CSVSM_LIB_SPINLOCK_H */
