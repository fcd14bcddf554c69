/*
 * fdt.c: read the few facts the kernel needs from the device tree.
 *
 * A flattened device tree is a header, a block of tokens and a block of
 * property names, all big-endian.  The tokens describe the nodes in
 * preorder: BEGIN_NODE name, its properties (PROP length nameoff value),
 * its children, END_NODE.  One pass over the tokens, remembering the path
 * down to depth 2, is enough for /chosen, /memory, /cpus and /cpus/cpu@N.
 */

#include <sys/param.h>
#include <sys/systm.h>

#include <machine/fdt.h>

#define	FDT_MAGIC		0xd00dfeedU
#define	FDT_BEGIN_NODE		1
#define	FDT_END_NODE		2
#define	FDT_PROP		3
#define	FDT_NOP			4
#define	FDT_END			9

/* Header words, by index. */
#define	FDTH_MAGIC		0
#define	FDTH_TOTALSIZE		1
#define	FDTH_OFF_STRUCT		2
#define	FDTH_OFF_STRINGS	3

/* Where the walk is: the node names on the path and the hart being read. */
struct fdt_walk {
	const char	*fw_path[3];	/* names at depth 1 and 2 */
	int		fw_depth;
	bool		fw_hart_ok;	/* status is "okay" (or absent) */
	bool		fw_hart_reg;	/* reg seen */
	u_long		fw_hart;
};

static uint32_t
fdt32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static uint64_t
fdt64(const void *p)
{

	return (uint64_t)fdt32(p) << 32 | fdt32((const uint8_t *)p + 4);
}

/* Whether name is base, or base@unit. */
static bool
fdt_name_is(const char *name, const char *base)
{
	size_t n = strlen(base);

	return name != NULL && strncmp(name, base, n) == 0 &&
	    (name[n] == '\0' || name[n] == '@');
}

/* Take in one property of the current node. */
static void
fdt_prop(struct fdt_walk *fw, struct fdt_info *fi, const char *pname,
    const uint8_t *val, uint32_t len)
{
	const char *n1 = fw->fw_path[1], *n2 = fw->fw_path[2];

	if (fw->fw_depth == 1 && fdt_name_is(n1, "chosen") &&
	    strcmp(pname, "bootargs") == 0)
		strlcpy(fi->fi_bootargs, (const char *)val,
		    MIN(sizeof(fi->fi_bootargs), (size_t)len + 1));
	else if (fw->fw_depth == 1 && fdt_name_is(n1, "memory") &&
	    strcmp(pname, "reg") == 0 && len >= 16 && fi->fi_mem_end == 0) {
		fi->fi_mem_start = fdt64(val);
		fi->fi_mem_end = fi->fi_mem_start + fdt64(val + 8);
	} else if (fw->fw_depth == 1 && fdt_name_is(n1, "cpus") &&
	    strcmp(pname, "timebase-frequency") == 0 && len >= 4)
		fi->fi_timebase = len >= 8 ? fdt64(val) : fdt32(val);
	else if (fw->fw_depth == 2 && fdt_name_is(n1, "cpus") &&
	    fdt_name_is(n2, "cpu")) {
		if (strcmp(pname, "reg") == 0 && len >= 4) {
			fw->fw_hart = len >= 8 ? fdt64(val) : fdt32(val);
			fw->fw_hart_reg = true;
		} else if (strcmp(pname, "status") == 0)
			fw->fw_hart_ok = strcmp((const char *)val, "okay") == 0;
	}
}

/* Leave a node: a finished cpu node adds its hart. */
static void
fdt_end_node(struct fdt_walk *fw, struct fdt_info *fi)
{

	if (fw->fw_depth == 2 && fdt_name_is(fw->fw_path[1], "cpus") &&
	    fdt_name_is(fw->fw_path[2], "cpu") && fw->fw_hart_reg &&
	    fw->fw_hart_ok && fi->fi_nharts < MAXCPUS)
		fi->fi_harts[fi->fi_nharts++] = fw->fw_hart;
	if (fw->fw_depth < 3)
		fw->fw_path[fw->fw_depth] = NULL;
	fw->fw_depth--;
}

/* Parse the blob at fdt into fi; returns 0, or -1 if it is not a tree. */
int
fdt_parse(const void *fdt, struct fdt_info *fi)
{
	const uint32_t *h = fdt;
	const uint8_t *p, *strings;
	struct fdt_walk fw;
	uint32_t tok, len;

	memset(fi, 0, sizeof(*fi));
	memset(&fw, 0, sizeof(fw));
	fw.fw_depth = -1;
	if (fdt32(&h[FDTH_MAGIC]) != FDT_MAGIC)
		return -1;
	fi->fi_start = (paddr_t)(uintptr_t)fdt;
	fi->fi_end = fi->fi_start + fdt32(&h[FDTH_TOTALSIZE]);
	p = (const uint8_t *)fdt + fdt32(&h[FDTH_OFF_STRUCT]);
	strings = (const uint8_t *)fdt + fdt32(&h[FDTH_OFF_STRINGS]);
	for (;;) {
		tok = fdt32(p);
		p += 4;
		switch (tok) {
		case FDT_BEGIN_NODE:
			fw.fw_depth++;
			if (fw.fw_depth < 3)
				fw.fw_path[fw.fw_depth] = (const char *)p;
			if (fw.fw_depth == 2) {
				fw.fw_hart_ok = true;
				fw.fw_hart_reg = false;
			}
			p += roundup2(strlen((const char *)p) + 1, 4);
			break;
		case FDT_END_NODE:
			fdt_end_node(&fw, fi);
			break;
		case FDT_PROP:
			len = fdt32(p);
			fdt_prop(&fw, fi, (const char *)strings + fdt32(p + 4),
			    p + 8, len);
			p += 8 + roundup2(len, 4);
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return 0;
		default:
			return -1;
		}
	}
}
