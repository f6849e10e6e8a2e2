/* SPDX-License-Identifier: MIT */
/*
 * Intrusive circular doubly-linked lists. A list is a `struct list_node`
 * head that links to itself when empty; elements embed a `struct list_node`
 * and are recovered with container_of. No allocation, no locking: callers
 * serialize access.
 *
 * An unlinked node (after list_init or list_del) points to itself, so
 * list_empty() on a node says whether it is on a list.
 */
#ifndef CSVSM_LIB_LIST_H
#define CSVSM_LIB_LIST_H

#include "csvsm/types.h"

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

/* Static initializer of an empty list head `name`. */
#define LIST_HEAD_INIT(name)                                                                       \
	{                                                                                          \
		&(name), &(name)                                                                   \
	}

/* Makes `node` an empty list (or an unlinked node). */
static inline void list_init(struct list_node *node)
{
	node->next = node;
	node->prev = node;
}

/* True when the list `head` has no element (or the node is unlinked). */
static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Links `node` between the adjacent nodes `prev` and `next`. */
static inline void list_insert_between(struct list_node *node, struct list_node *prev,
                                       struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

/* Inserts `node`, which must not be on a list, at the front of `head`. */
static inline void list_add(struct list_node *node, struct list_node *head)
{
	list_insert_between(node, head, head->next);
}

/* Inserts `node`, which must not be on a list, at the back of `head`. */
static inline void list_add_tail(struct list_node *node, struct list_node *head)
{
	list_insert_between(node, head->prev, head);
}

/*
 * Unlinks `node` from its list and re-initializes it (so it is empty and
 * may be deleted again harmlessly). Never pass the list head itself.
 */
static inline void list_del(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

/* Number of elements on `head`; O(n). */
static inline size_t list_count(const struct list_node *head)
{
	const struct list_node *n;
	size_t count = 0;

	for (n = head->next; n != head; n = n->next)
		count++;
	return count;
}

/* The element that embeds `node` as `member` of `type`. */
#define list_entry(node, type, member) container_of(node, type, member)

/* The first element of `head`; the list must not be empty. */
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)

/* The last element of `head`; the list must not be empty. */
#define list_last_entry(head, type, member) list_entry((head)->prev, type, member)

/*
 * Iterates `pos` (a pointer to the element type) over `head`, front to
 * back. The body must not unlink `pos`: use list_for_each_entry_safe.
 */
#define list_for_each_entry(pos, head, member)                                                     \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member);                         \
	     &(pos)->member != (head);                                                             \
	     (pos) = list_entry((pos)->member.next, __typeof__(*(pos)), member))

/*
 * Like list_for_each_entry, but `tmp` (same type as `pos`) holds the next
 * element, so the body may unlink (and free) `pos`. It must not unlink
 * any other element.
 */
#define list_for_each_entry_safe(pos, tmp, head, member)                                           \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member),                         \
	    (tmp) = list_entry((pos)->member.next, __typeof__(*(pos)), member);                    \
	     &(pos)->member != (head);                                                             \
	     (pos) = (tmp), (tmp) = list_entry((tmp)->member.next, __typeof__(*(pos)), member))

#endif /* CSVSM_LIB_LIST_H */
