/*
 * subr_vmem_tree.c: vmem's ordered indexes, red-black trees of tags keyed
 * by start address.
 *
 * ---- Theory, part 4: the ordered indexes (part 1 is in subr_vmem.c)
 *
 * 4.1 Use.  An arena keeps two indexes of its tags by start address:
 * the span index (every span tag: vmem_add1 finds a new span's place in
 * the segment list, vmem_contains its span) and the busy index (every
 * busy segment, from the first partial free or interior lookup on: see
 * subr_vmem_busy.c).  Both are a struct bt_tree, used the way rbtree(3)
 * is: the caller embeds the links in its tags (bt_tchild, bt_tred),
 * inserts and removes tags, and asks for the tag at or below an address
 * (bt_tree_floor) or the first one above it (bt_tree_above); it never
 * sees the rebalancing.  Start addresses are distinct within an index:
 * spans do not overlap, and neither do busy segments.
 *
 * 4.2 Balance.  The trees are red-black: the root is black, a red tag
 * has no red child, and every path from a tag down to a missing child
 * meets the same number of black tags.  So a path is at most twice as
 * long as the shortest, and the depth of a tree of n tags is at most
 * 2 log2(n + 1): every operation here is O(log n) in the worst case,
 * whatever the order in which addresses come.  vmem_check (VMEM_DEBUG)
 * checks all three rules.
 *
 * 4.3 Top-down passes.  Insertion and removal rebalance on the way down,
 * in one pass from the root, with no parent links and no recursion or
 * stack: insertion splits a black tag with two red children as it passes
 * (a colour flip), and fixes a red tag under a red parent with one or two
 * rotations at the grandparent; removal pushes a red tag down ahead of
 * itself (by a flip, or a rotation at the parent), so that the tag
 * finally unlinked, the removed tag or its in-order predecessor, is red
 * or the root, and unlinking it breaks no rule.  A false root on the stack
 * (head) stands above the real one, so that the root is no special case.
 * The predecessor then takes the removed tag's place, links and colour.
 *
 * Locking: the arena lock protects an index and the links of its tags;
 * every function here is called with it held.
 */

#define	_VMEM_PRIVATE

#include <sys/param.h>
#include <sys/mutex.h>
#include <sys/queue.h>
#include <sys/systm.h>
#include <sys/vmem.h>
#include <sys/vmem_impl.h>

/* Is bt a red tag (not a missing child)? */
static inline bool
bt_red(const bt_t *bt)
{

	return bt != NULL && bt->bt_tred;
}

/*
 * Rotate the subtree at t towards dir: its child on the other side comes
 * up, black, and t goes down, red.  Returns the new top.
 */
static bt_t *
bt_tree_rot1(bt_t *t, int dir)
{
	bt_t *s = t->bt_tchild[!dir];

	t->bt_tchild[!dir] = s->bt_tchild[dir];
	s->bt_tchild[dir] = t;
	t->bt_tred = true;
	s->bt_tred = false;
	return s;
}

/* Rotate twice: the grandchild on the inner side comes up to the top. */
static bt_t *
bt_tree_rot2(bt_t *t, int dir)
{

	t->bt_tchild[!dir] = bt_tree_rot1(t->bt_tchild[!dir], !dir);
	return bt_tree_rot1(t, dir);
}

/* The link (in head's tree) that points to bt. */
static bt_t **
bt_tree_link(bt_t *head, const bt_t *bt)
{
	bt_t **link = &head->bt_tchild[1];

	while (*link != bt) {
		KASSERTMSG(*link != NULL, "vmem: tag %p is not in its index",
		    bt);
		link = &(*link)->bt_tchild[(*link)->bt_start < bt->bt_start];
	}
	return link;
}

/*
 * bt_tree_insert: enter bt in the tree, by bt_start (4.3).
 * => no tag of the tree has bt's start.
 */
void
bt_tree_insert(struct bt_tree *tr, bt_t *bt)
{
	bt_t head, *g, *t, *p, *q;
	int dir = 0, last = 0, top;

	bt->bt_tchild[0] = bt->bt_tchild[1] = NULL;
	bt->bt_tred = true;
	head.bt_tchild[0] = NULL;
	head.bt_tchild[1] = tr->tr_root;
	t = &head;
	g = p = NULL;
	q = tr->tr_root;
	for (;;) {
		if (q == NULL) {
			q = bt;
			if (p == NULL)
				head.bt_tchild[1] = q;
			else
				p->bt_tchild[dir] = q;
		} else if (bt_red(q->bt_tchild[0]) && bt_red(q->bt_tchild[1])) {
			q->bt_tred = true;
			q->bt_tchild[0]->bt_tred = false;
			q->bt_tchild[1]->bt_tred = false;
		}
		if (bt_red(q) && bt_red(p)) {
			top = t->bt_tchild[1] == g;
			t->bt_tchild[top] = q == p->bt_tchild[last] ?
			    bt_tree_rot1(g, !last) : bt_tree_rot2(g, !last);
		}
		if (q == bt)
			break;
		KASSERT(q->bt_start != bt->bt_start);
		last = dir;
		dir = q->bt_start < bt->bt_start;
		if (g != NULL)
			t = g;
		g = p;
		p = q;
		q = q->bt_tchild[dir];
	}
	tr->tr_root = head.bt_tchild[1];
	tr->tr_root->bt_tred = false;
}

/*
 * Removal's step at q, p's child on side last, before going on towards
 * dir: if q and its child that way are black, make one of them red.
 * Returns q's parent afterwards.
 */
static bt_t *
bt_tree_push_red(bt_t *g, bt_t *p, bt_t *q, int last, int dir)
{
	bt_t *s, *top;
	int side;

	if (bt_red(q) || bt_red(q->bt_tchild[dir]))
		return p;
	if (bt_red(q->bt_tchild[!dir])) {
		p->bt_tchild[last] = bt_tree_rot1(q, dir);
		return p->bt_tchild[last];
	}
	if ((s = p->bt_tchild[!last]) == NULL)
		return p;
	if (!bt_red(s->bt_tchild[0]) && !bt_red(s->bt_tchild[1])) {
		p->bt_tred = false;
		s->bt_tred = true;
		q->bt_tred = true;
		return p;
	}
	side = g->bt_tchild[1] == p;
	top = bt_red(s->bt_tchild[last]) ? bt_tree_rot2(p, last) :
	    bt_tree_rot1(p, last);
	g->bt_tchild[side] = top;
	q->bt_tred = top->bt_tred = true;
	top->bt_tchild[0]->bt_tred = false;
	top->bt_tchild[1]->bt_tred = false;
	return p;
}

/*
 * bt_tree_remove: take bt out of the tree (4.3).
 * => bt is in the tree.
 */
void
bt_tree_remove(struct bt_tree *tr, bt_t *bt)
{
	bt_t head, *g, *p, *q;
	int dir = 1, last;

	KASSERT(tr->tr_root != NULL);
	head.bt_tchild[0] = NULL;
	head.bt_tchild[1] = tr->tr_root;
	head.bt_tred = false;
	q = &head;
	g = p = NULL;
	while (q->bt_tchild[dir] != NULL) {
		last = dir;
		g = p;
		p = q;
		q = q->bt_tchild[dir];
		dir = q->bt_start < bt->bt_start;
		p = bt_tree_push_red(g, p, q, last, dir);
	}
	/* q, bt or its predecessor, has at most one child. */
	p->bt_tchild[p->bt_tchild[1] == q] =
	    q->bt_tchild[q->bt_tchild[0] == NULL];
	if (q != bt) {
		q->bt_tchild[0] = bt->bt_tchild[0];
		q->bt_tchild[1] = bt->bt_tchild[1];
		q->bt_tred = bt->bt_tred;
		*bt_tree_link(&head, bt) = q;
	}
	tr->tr_root = head.bt_tchild[1];
	if (tr->tr_root != NULL)
		tr->tr_root->bt_tred = false;
}

/* bt_tree_floor: the tag with the greatest start at or below addr, or NULL. */
bt_t *
bt_tree_floor(const struct bt_tree *tr, vmem_addr_t addr)
{
	bt_t *t = tr->tr_root, *found = NULL;

	while (t != NULL) {
		if (t->bt_start <= addr) {
			found = t;
			t = t->bt_tchild[1];
		} else
			t = t->bt_tchild[0];
	}
	return found;
}

/* bt_tree_above: the tag with the least start above addr, or NULL. */
bt_t *
bt_tree_above(const struct bt_tree *tr, vmem_addr_t addr)
{
	bt_t *t = tr->tr_root, *found = NULL;

	while (t != NULL) {
		if (t->bt_start > addr) {
			found = t;
			t = t->bt_tchild[0];
		} else
			t = t->bt_tchild[1];
	}
	return found;
}
