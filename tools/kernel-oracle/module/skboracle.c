// SPDX-License-Identifier: GPL-2.0-only
/*
 * skboracle - the skbscope kernel oracle.
 *
 * Executes skbscope traces (translated on the host into a small line-based
 * command format, see tools/kernel-oracle/oracle.mjs) with the real sk_buff
 * functions of the running kernel, and records the state of every object the
 * trace named after every operation, as JSON.
 *
 * Interface (debugfs):
 *   /sys/kernel/debug/skboracle/trace   write a command script; it runs when
 *                                      the line "end" arrives
 *   /sys/kernel/debug/skboracle/result  read the JSON of the last script
 *
 * Command script:
 *   trace <file name>
 *   policy <page-refs|destructor|shinfo-release|ubuf-orphan|msg-zerocopy|page-pool|io-uring-notif>
 *   op <line> <function> <result name or -> <arg>...   arg = r:<name>
 *                                                       | i:<decimal>
 *                                                       | k:<keyword>
 *   end
 *
 * Observation rules (see README.md):
 *  - every page the module names keeps one extra "observer" reference taken
 *    by the module, so that its count can be read safely; the reported
 *    refcount is page_ref_count() - 1 (and, for a page that is the current
 *    page of the per-CPU NAPI fragment cache, minus the references that the
 *    cache still holds for its unallocated part);
 *  - skb frees are observed with a kprobe on kfree_skbmem() (every free
 *    path except kfree_skb_partial(head_stolen = true), which is known);
 *  - operations that the kernel would BUG() on, or that would corrupt memory
 *    and so crash the VM later, are not executed: the step records an error
 *    starting with "refused:" that names the kernel check.
 *
 * This is our own code, written for skbscope (GPL-2.0-only).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/kprobes.h>
#include <linux/kmsg_dump.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/uio.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/if_ether.h>
#include <linux/ctype.h>
#include <linux/pipe_fs_i.h>
#include <net/sock.h>
#include <net/page_pool.h>
#include <net/net_namespace.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("skbscope kernel oracle: runs skb traces and records state");

#define OUT_CAP		(16u << 20)
#define IN_CAP		(256u << 10)
#define SMALL_CAP	(64u << 10)
#define NAMELEN		48
#define MAXOBJ		512
#define MAXHEADS	512
#define MAXUBUF		64
#define MAXARGS		8
#define EMU_PIPE_BUFS	PIPE_DEF_BUFFERS	/* 16, a default pipe */

/* ------------------------------------------------------------------ */
/* string building                                                    */
/* ------------------------------------------------------------------ */

struct sbuf {
	char *buf;
	size_t len, cap;
	bool overflow;
};

static void sb_reset(struct sbuf *s)
{
	s->len = 0;
	s->overflow = false;
	if (s->buf)
		s->buf[0] = 0;
}

static void sb_putc(struct sbuf *s, char c)
{
	if (s->len + 1 >= s->cap) {
		s->overflow = true;
		return;
	}
	s->buf[s->len++] = c;
	s->buf[s->len] = 0;
}

static __printf(2, 3) void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->len + 1 >= s->cap) {
		s->overflow = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (s->len + n >= s->cap) {
		s->overflow = true;
		s->len = s->cap - 1;
		s->buf[s->len] = 0;
		return;
	}
	s->len += n;
}

static void sb_str(struct sbuf *s, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	sb_putc(s, '"');
	for (; *p; p++) {
		switch (*p) {
		case '"':
			sb_printf(s, "\\\"");
			break;
		case '\\':
			sb_printf(s, "\\\\");
			break;
		case '\n':
			sb_printf(s, "\\n");
			break;
		case '\t':
			sb_printf(s, "\\t");
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				sb_printf(s, "\\u%04x", *p);
			else
				sb_putc(s, *p);
		}
	}
	sb_putc(s, '"');
}

static void sb_append(struct sbuf *dst, const struct sbuf *src)
{
	if (src->len)
		sb_printf(dst, "%s", src->buf);
}

static struct sbuf out;		/* the JSON of the current trace */
static struct sbuf evs;		/* events of the current step */
static struct sbuf cleanup_notes;	/* leak notes of the cleanup */
static char *inbuf;
static size_t inlen;

/* ------------------------------------------------------------------ */
/* symbols that are not exported to modules                           */
/* ------------------------------------------------------------------ */

typedef unsigned long (*lookup_name_t)(const char *name);
typedef int (*skb_shift_t)(struct sk_buff *tgt, struct sk_buff *skb,
			   int shiftlen);

static lookup_name_t oracle_lookup_name;
static skb_shift_t oracle_skb_shift;

/*
 * kallsyms_lookup_name() is not exported since 5.7.  A kprobe registered
 * on a symbol name resolves that name to an address; we register one on
 * "kallsyms_lookup_name" itself, read the address and unregister it at
 * once.  The lookup function is then used to find skb_shift (not exported
 * in 6.1) and the per-CPU napi_alloc_cache.  This is a test-module trick,
 * used only inside the oracle VM.
 */
static unsigned long resolve(const char *name)
{
	if (!oracle_lookup_name) {
		struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

		if (register_kprobe(&kp) < 0)
			return 0;
		oracle_lookup_name = (lookup_name_t)kp.addr;
		unregister_kprobe(&kp);
	}
	return oracle_lookup_name ? oracle_lookup_name(name) : 0;
}

/*
 * Mirror of the head of the private struct napi_alloc_cache of
 * net/core/skbuff.c (6.1.192): a page_frag_cache followed by the 1 KiB
 * "small" fragment cache.  Only read, to subtract the references the cache
 * holds for its unallocated part from a NAPI head page's count.
 */
struct oracle_frag_1k {
	void *va;
	u16 offset;
	bool pfmemalloc;
};

struct oracle_napi_cache {
	struct page_frag_cache page;
	struct oracle_frag_1k page_small;
};

static struct oracle_napi_cache __percpu *napi_cache;
static struct napi_struct oracle_napi;	/* __napi_alloc_skb reads ->dev */

/* ------------------------------------------------------------------ */
/* trace objects                                                      */
/* ------------------------------------------------------------------ */

enum otype { T_SKB = 1, T_PAGE, T_PIPE, T_SOCK, T_SEGS };

struct emu_pipe_buf {
	struct page *page;
	unsigned int offset, len;
};

struct emu_pipe {
	int nbufs;
	struct emu_pipe_buf bufs[EMU_PIPE_BUFS];
};

struct obj {
	char name[NAMELEN];
	int type;
	bool dead;	/* skb freed, pipe released */
	bool kpage;	/* a page the kernel allocated (kN) */
	bool anon;	/* an skb the kernel created inside a frag_list */
	bool stolen;	/* skb whose head skb_try_coalesce stole */
	int caller_refs;	/* references the trace (the caller) holds */
	void *ptr;
	int first_seg, nsegs;	/* T_SEGS */
	bool pp_from_pool;	/* a page of pp_pools[pp_pool] (page_pool_alloc) */
	int pp_pool;
};

static struct obj objs[MAXOBJ];
static int nobj;
static bool tracking;
static int next_kpage, next_anon;

struct head_id {
	void *head;
	int id;
	bool seen;
};
static struct head_id heads[MAXHEADS];
static int nheads, next_head;

struct oubuf {
	struct ubuf_info ubuf;
	int id;
	bool complete;
	struct page *pin;	/* io_send_zc: the registered buffer's pin */
};
static struct oubuf *ubufs[MAXUBUF];
static int nubuf;

static struct page_frag emu_frag;	/* the splice emulation's sk_page_frag */

enum policy { P_PAGE_REFS, P_DESTRUCTOR, P_SHINFO_RELEASE, P_UBUF_ORPHAN,
	      P_MSG_ZEROCOPY, P_PAGE_POOL, P_IO_URING_NOTIF, P_UNKNOWN };
static const char *const policy_names[] = {
	"page-refs", "destructor", "shinfo-release", "ubuf-orphan",
	"msg-zerocopy", "page-pool", "io-uring-notif", NULL
};
static int policy;
static char policy_text[64];
static char trace_name[256];

static struct kmsg_dump_iter kmsg_iter;

static struct obj *find_obj(const char *name)
{
	int i;

	for (i = 0; i < nobj; i++)
		if (!strcmp(objs[i].name, name))
			return &objs[i];
	return NULL;
}

static struct obj *find_ptr(int type, const void *ptr)
{
	int i;

	for (i = 0; i < nobj; i++)
		if (objs[i].type == type && objs[i].ptr == ptr && !objs[i].dead)
			return &objs[i];
	return NULL;
}

static struct obj *new_obj(const char *name, int type, void *ptr)
{
	struct obj *o;

	if (nobj >= MAXOBJ)
		return NULL;
	o = &objs[nobj];
	memset(o, 0, sizeof(*o));
	strscpy(o->name, name, sizeof(o->name));
	o->type = type;
	o->ptr = ptr;
	o->caller_refs = 1;
	smp_wmb();
	nobj++;
	return o;
}

/* kprobe on kfree_skbmem(): the struct of a tracked skb is being freed */
static int kfree_skbmem_pre(struct kprobe *p, struct pt_regs *regs)
{
	void *skb = (void *)regs->di;
	int i, n;

	if (!READ_ONCE(tracking))
		return 0;
	n = READ_ONCE(nobj);
	smp_rmb();
	for (i = 0; i < n; i++)
		if (objs[i].type == T_SKB && objs[i].ptr == skb)
			objs[i].dead = true;
	return 0;
}

static struct kprobe kp_free = {
	.symbol_name = "kfree_skbmem",
	.pre_handler = kfree_skbmem_pre,
};
static bool kp_free_ok;

/* ------------------------------------------------------------------ */
/* completion hooks                                                   */
/* ------------------------------------------------------------------ */

static void ev_sep(void)
{
	if (evs.len)
		sb_putc(&evs, ',');
}

/* Like 6.1.180+ vhost_zerocopy_callback: every call drops one reference;
 * the owner is told complete when the count reaches zero.
 */
static void oracle_ubuf_cb(struct sk_buff *skb, struct ubuf_info *uarg,
			   bool success)
{
	struct oubuf *u = container_of(uarg, struct oubuf, ubuf);
	bool zero = refcount_dec_and_test(&uarg->refcnt);

	ev_sep();
	sb_printf(&evs,
		  "{\"kind\":\"ubuf_callback\",\"ubuf\":\"u%d\",\"success\":%s,\"refcnt\":%d}",
		  u->id, success ? "true" : "false",
		  refcount_read(&uarg->refcnt));
	if (zero) {
		u->complete = true;
		sb_printf(&evs, ",{\"kind\":\"complete\",\"ubuf\":\"u%d\"}",
			  u->id);
	}
}

static void destructor_event(struct sk_buff *skb, const char *fn)
{
	struct obj *o = find_ptr(T_SKB, skb);

	ev_sep();
	sb_printf(&evs, "{\"kind\":\"destructor\",\"skb\":");
	sb_str(&evs, o ? o->name : "?");
	sb_printf(&evs, ",\"fn\":\"%s\"}", fn);
}

/* the destructor zerocopy_arm installs under the "destructor" policy */
static void oracle_destructor(struct sk_buff *skb)
{
	destructor_event(skb, "zerocopy_arm");
}

/*
 * kprobe on sock_rfree(), the destructor skb_set_owner_r() installs on local
 * delivery: record its calls on tracked skbs too (skb_orphan, final free).
 */
static int sock_rfree_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sk_buff *skb = (struct sk_buff *)regs->di;

	if (READ_ONCE(tracking) && find_ptr(T_SKB, skb))
		destructor_event(skb, "sock_rfree");
	return 0;
}

static struct kprobe kp_rfree = {
	.symbol_name = "sock_rfree",
	.pre_handler = sock_rfree_pre,
};
static bool kp_rfree_ok;

/* ------------------------------------------------------------------ */
/* kernel log: WARNING / BUG lines per step                           */
/* ------------------------------------------------------------------ */

static void kmsg_skip_all(void)
{
	char line[64];
	size_t len;

	while (kmsg_dump_get_line(&kmsg_iter, false, line, sizeof(line), &len))
		;
}

static bool interesting(const char *l)
{
	static const char *const keys[] = {
		"WARNING:", "BUG", "refcount_t:", "Oops", "skb_over_panic",
		"skb_under_panic", "Bad page", "corruption", "general protection",
		"UBSAN", "list_add", "list_del", "leak", NULL
	};
	int i;

	for (i = 0; keys[i]; i++)
		if (strstr(l, keys[i]))
			return true;
	return false;
}

/* "WARNING: CPU: 0 PID: 73 at net/core/skbuff.c:5534 f+0x1/0x2 [m]"
 * becomes "WARNING: at net/core/skbuff.c:5534 f": deterministic text.
 */
static void normalize(char *l)
{
	char *p, *q;

	p = strstr(l, "CPU: ");
	q = p ? strstr(p, " at ") : NULL;
	if (p && q)
		memmove(p, q + 1, strlen(q + 1) + 1);
	p = strstr(l, "+0x");
	if (p && strchr(p, '/'))
		*p = 0;
}

static void collect_warnings(struct sbuf *w)
{
	static char rec[1024];
	size_t len;
	bool first = true;

	while (kmsg_dump_get_line(&kmsg_iter, false, rec, sizeof(rec) - 1,
				  &len)) {
		char *p = rec, *nl;

		rec[min(len, sizeof(rec) - 1)] = 0;
		while (p && *p) {
			nl = strchr(p, '\n');
			if (nl)
				*nl = 0;
			if (*p == '[') {	/* timestamp */
				char *e = strchr(p, ']');

				if (e)
					p = e + 1;
			}
			while (*p == ' ')
				p++;
			if (*p && interesting(p)) {
				normalize(p);
				if (!first)
					sb_putc(w, ',');
				sb_str(w, p);
				first = false;
			}
			p = nl ? nl + 1 : NULL;
		}
	}
}

/* ------------------------------------------------------------------ */
/* steps and arguments                                                */
/* ------------------------------------------------------------------ */

struct step {
	int line;
	char fn[NAMELEN];
	char dst[NAMELEN];
	int argc;
	char *argv[MAXARGS];
	char err[320];
	char result[64];
	bool has_fragstolen, fragstolen;
};

static __printf(2, 3) void fail(struct step *st, const char *fmt, ...)
{
	va_list ap;

	if (st->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
}

static const char *const type_names[] = {
	"?", "skb", "page", "pipe", "socket", "segment list"
};

static struct obj *arg_obj(struct step *st, int i, int type)
{
	struct obj *o;
	const char *a;

	if (st->err[0])
		return NULL;
	if (i >= st->argc) {
		fail(st, "missing argument %d", i + 1);
		return NULL;
	}
	a = st->argv[i];
	if (strncmp(a, "r:", 2)) {
		fail(st, "argument %d must name a %s", i + 1, type_names[type]);
		return NULL;
	}
	o = find_obj(a + 2);
	if (!o) {
		fail(st, "%s is not defined", a + 2);
		return NULL;
	}
	if (o->type != type) {
		fail(st, "%s is a %s, not a %s", o->name, type_names[o->type],
		     type_names[type]);
		return NULL;
	}
	if (o->dead) {
		fail(st, "refused: %s has been %s", o->name,
		     type == T_PIPE ? "released" : "freed");
		return NULL;
	}
	if (type == T_SKB && o->stolen &&
	    strcmp(st->fn, "kfree_skb_partial")) {
		fail(st, "refused: %s's head was stolen by skb_try_coalesce; only kfree_skb_partial(%s, true) may follow",
		     o->name, o->name);
		return NULL;
	}
	return o;
}

static struct sk_buff *arg_skb(struct step *st, int i, struct obj **op)
{
	struct obj *o = arg_obj(st, i, T_SKB);

	if (op)
		*op = o;
	return o ? o->ptr : NULL;
}

static bool arg_int(struct step *st, int i, long long min, long long max,
		    long long *v)
{
	const char *a;

	if (st->err[0])
		return false;
	if (i >= st->argc) {
		fail(st, "missing argument %d", i + 1);
		return false;
	}
	a = st->argv[i];
	if (strncmp(a, "i:", 2) || kstrtoll(a + 2, 10, v)) {
		fail(st, "argument %d must be an integer", i + 1);
		return false;
	}
	if (*v < min || *v > max) {
		fail(st, "refused: argument %d = %lld is outside [%lld, %lld]",
		     i + 1, *v, min, max);
		return false;
	}
	return true;
}

static bool arg_kw(struct step *st, int i, const char *a1, const char *a2,
		   bool *first)
{
	const char *a;

	if (st->err[0])
		return false;
	if (i >= st->argc) {
		fail(st, "missing argument %d", i + 1);
		return false;
	}
	a = st->argv[i];
	if (!strncmp(a, "k:", 2) && !strcmp(a + 2, a1)) {
		*first = true;
		return true;
	}
	if (!strncmp(a, "k:", 2) && !strcmp(a + 2, a2)) {
		*first = false;
		return true;
	}
	fail(st, "argument %d must be %s or %s", i + 1, a1, a2);
	return false;
}

static bool need_dst(struct step *st)
{
	if (st->err[0])
		return false;
	if (!st->dst[0]) {
		fail(st, "%s needs a result name (x = %s(...))", st->fn, st->fn);
		return false;
	}
	if (find_obj(st->dst)) {
		fail(st, "%s is already defined", st->dst);
		return false;
	}
	if (nobj >= MAXOBJ - 20) {
		fail(st, "too many objects");
		return false;
	}
	return true;
}

static bool no_dst(struct step *st)
{
	if (st->dst[0]) {
		fail(st, "%s returns no object to name", st->fn);
		return false;
	}
	return true;
}

static void set_result_int(struct step *st, long long v)
{
	snprintf(st->result, sizeof(st->result), "%lld", v);
}

static void set_result_bool(struct step *st, bool v)
{
	snprintf(st->result, sizeof(st->result), "%s", v ? "true" : "false");
}

/* ------------------------------------------------------------------ */
/* helpers on skbs                                                    */
/* ------------------------------------------------------------------ */

static unsigned int frag_bytes(struct sk_buff *skb)
{
	unsigned int i, n = 0;

	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++)
		n += skb_frag_size(&skb_shinfo(skb)->frags[i]);
	return n;
}

static bool in_list(struct sk_buff *list, struct sk_buff *skb, int depth)
{
	struct sk_buff *it;

	if (depth > 8)
		return false;
	for (it = list; it; it = it->next) {
		if (it == skb)
			return true;
		if (skb_has_frag_list(it) &&
		    in_list(skb_shinfo(it)->frag_list, skb, depth + 1))
			return true;
	}
	return false;
}

/*
 * Who holds skb as a container: a live tracked skb's frag_list or a live
 * socket's receive queue.  Freeing such an skb while users == 1 would leave
 * a dangling pointer there (a later use-after-free crash).
 */
static const char *container_of_skb(struct sk_buff *skb, char *buf, size_t n)
{
	int i;

	for (i = 0; i < nobj; i++) {
		struct obj *o = &objs[i];

		if (o->dead)
			continue;
		if (o->type == T_SKB && o->ptr != skb && !o->stolen) {
			struct sk_buff *p = o->ptr;

			if (skb_has_frag_list(p) &&
			    in_list(skb_shinfo(p)->frag_list, skb, 0)) {
				snprintf(buf, n, "%s's frag_list", o->name);
				return buf;
			}
		}
		if (o->type == T_SOCK) {
			struct socket *sock = o->ptr;
			struct sk_buff *it;

			skb_queue_walk(&sock->sk->sk_receive_queue, it)
				if (it == skb) {
					snprintf(buf, n, "%s's receive queue",
						 o->name);
					return buf;
				}
		}
	}
	return NULL;
}

/* refuse to free (users == 1) an skb that a container still points to */
static bool check_free_ok(struct step *st, struct obj *o, bool always)
{
	char buf[NAMELEN + 32];
	struct sk_buff *skb = o->ptr;

	if (st->err[0])
		return false;
	if ((always || refcount_read(&skb->users) == 1) &&
	    container_of_skb(skb, buf, sizeof(buf))) {
		fail(st, "refused: %s is held by %s; freeing it would leave a dangling pointer there",
		     o->name, buf);
		return false;
	}
	return true;
}

/* pskb_expand_head() BUG_ON(skb_shared(skb)) */
static bool check_expand_ok(struct step *st, struct obj *o, const char *why)
{
	struct sk_buff *skb = o->ptr;

	if (st->err[0])
		return false;
	if (skb_shared(skb)) {
		if (!strcmp(why, "pskb_expand_head"))
			fail(st, "refused: pskb_expand_head: BUG_ON(skb_shared(%s)) (users %u)",
			     o->name, refcount_read(&skb->users));
		else
			fail(st, "refused: %s calls pskb_expand_head(%s), which has BUG_ON(skb_shared()) (users %u)",
			     why, o->name, refcount_read(&skb->users));
		return false;
	}
	return true;
}

/* __pskb_pull_tail(skb, delta): BUG_ON(skb_copy_bits()) when delta >
 * data_len; pskb_expand_head() when the tail room is short or cloned.
 */
static bool check_pull_tail_ok(struct step *st, struct obj *o, long long delta,
			       const char *what)
{
	struct sk_buff *skb = o->ptr;
	long long eat = (long long)skb->tail + delta - skb->end;

	if (delta > skb->data_len) {
		if (!strcmp(what, "__pskb_pull_tail"))
			fail(st, "refused: __pskb_pull_tail(%s, %lld): BUG_ON(skb_copy_bits()) when delta > data_len (%u)",
			     o->name, delta, skb->data_len);
		else
			fail(st, "refused: %s: __pskb_pull_tail(%s, %lld): BUG_ON(skb_copy_bits()) when delta > data_len (%u)",
			     what, o->name, delta, skb->data_len);
		return false;
	}
	if (eat > 0 || skb_cloned(skb))
		return check_expand_ok(st, o, what);
	return true;
}

static struct obj *add_skb(struct step *st, const char *name,
			   struct sk_buff *skb)
{
	struct obj *o = new_obj(name, T_SKB, skb);

	if (!o)
		fail(st, "too many objects");
	return o;
}

/* ------------------------------------------------------------------ */
/* splice emulation                                                   */
/* ------------------------------------------------------------------ */

/*
 * There is no pipe and no socket in the oracle.  This reproduces what
 * 6.1 skb_splice_bits() -> __skb_splice_bits() -> spd_fill_page() ->
 * splice_to_pipe() do to page references:
 *  - the linear part, when skb_head_is_locked() (kmalloc'd or cloned head),
 *    is first copied into a page fragment (linear_to_page(), with the
 *    socket's sk_page_frag(); here a module-owned struct page_frag refilled
 *    with the kernel's skb_page_frag_refill(32, ..., GFP_KERNEL)); an
 *    unlocked head_frag head is used in place;
 *  - each piece that does not continue the previous entry of the same call
 *    (same page, adjacent offset) gets get_page() and a new entry; at most
 *    MAX_SKB_FRAGS entries per call;
 *  - entries move into the pipe while it has room (16 buffers, no reader
 *    ever consumes them); entries that do not fit are put back;
 *  - pipe_release() puts one reference per pipe buffer.
 */
struct emu_spd {
	int nr;
	struct page *pages[MAX_SKB_FRAGS];
	unsigned int off[MAX_SKB_FRAGS], len[MAX_SKB_FRAGS];
};

/* true: stop (descriptor full, or no page for a linear copy) */
static bool emu_fill(struct emu_spd *spd, struct page *page,
		     unsigned int *len, unsigned int off, bool linear)
{
	int n = spd->nr;

	if (n == MAX_SKB_FRAGS)
		return true;
	if (linear) {
		void *src = page_address(page) + off;

		if (!skb_page_frag_refill(32U, &emu_frag, GFP_KERNEL))
			return true;
		*len = min_t(unsigned int, *len,
			     emu_frag.size - emu_frag.offset);
		memcpy(page_address(emu_frag.page) + emu_frag.offset, src,
		       *len);
		page = emu_frag.page;
		off = emu_frag.offset;
		emu_frag.offset += *len;
	}
	if (n && spd->pages[n - 1] == page &&
	    spd->off[n - 1] + spd->len[n - 1] == off) {
		spd->len[n - 1] += *len;
		return false;
	}
	get_page(page);
	spd->pages[n] = page;
	spd->off[n] = off;
	spd->len[n] = *len;
	spd->nr = n + 1;
	return false;
}

static bool emu_segment(struct page *page, unsigned int poff,
			unsigned int plen, unsigned int *off,
			unsigned int *len, struct emu_spd *spd, bool linear)
{
	if (!*len)
		return true;
	if (*off >= plen) {	/* wholly before the requested offset */
		*off -= plen;
		return false;
	}
	poff += *off;
	plen -= *off;
	*off = 0;
	while (*len && plen) {
		unsigned int piece = min(*len, plen);

		if (emu_fill(spd, page, &piece, poff, linear))
			return true;
		poff += piece;
		plen -= piece;
		*len -= piece;
	}
	return false;
}

static bool emu_splice_skb(struct sk_buff *skb, unsigned int *off,
			   unsigned int *len, struct emu_spd *spd, int depth)
{
	struct sk_buff *it;
	int i;

	if (emu_segment(virt_to_page(skb->data), offset_in_page(skb->data),
			skb_headlen(skb), off, len, spd,
			skb_head_is_locked(skb)))
		return true;
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		if (emu_segment(skb_frag_page(f), skb_frag_off(f),
				skb_frag_size(f), off, len, spd, false))
			return true;
	}
	if (depth > 8)
		return false;
	skb_walk_frags(skb, it) {
		if (*off >= it->len) {
			*off -= it->len;
			continue;
		}
		if (emu_splice_skb(it, off, len, spd, depth + 1))
			return true;
	}
	return false;
}

static int emu_to_pipe(struct emu_pipe *p, struct emu_spd *spd)
{
	int i = 0, ret = 0;

	if (!spd->nr)
		return 0;
	while (p->nbufs < EMU_PIPE_BUFS && i < spd->nr) {
		p->bufs[p->nbufs].page = spd->pages[i];
		p->bufs[p->nbufs].offset = spd->off[i];
		p->bufs[p->nbufs].len = spd->len[i];
		p->nbufs++;
		ret += spd->len[i];
		i++;
	}
	if (!ret)
		ret = -EAGAIN;
	for (; i < spd->nr; i++)	/* sock_spd_release() */
		put_page(spd->pages[i]);
	return ret;
}

/* ------------------------------------------------------------------ */
/* the operations                                                     */
/* ------------------------------------------------------------------ */

static void op_alloc_page(struct step *st)
{
	struct page *page;
	bool guest;

	if (!arg_kw(st, 0, "guest", "host", &guest) || !need_dst(st))
		return;
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		fail(st, "alloc_page returned NULL");
		return;
	}
	get_page(page);		/* the module's observer reference */
	if (!new_obj(st->dst, T_PAGE, page))
		fail(st, "too many objects");
}

static void op_page_ref(struct step *st, bool get)
{
	struct obj *p = arg_obj(st, 0, T_PAGE);

	if (!p || !no_dst(st))
		return;
	if (get) {
		get_page(p->ptr);
		p->caller_refs++;
		return;
	}
	if (p->caller_refs <= 0) {
		fail(st, "refused: put_page(%s): the caller holds no reference on %s (it was handed over); the put would underflow another holder's reference",
		     p->name, p->name);
		return;
	}
	if (page_ref_count(p->ptr) <= 1) {
		fail(st, "refused: put_page(%s) would free a page that is still in use",
		     p->name);
		return;
	}
	put_page(p->ptr);
	p->caller_refs--;
}

static void op_owner_reuse(struct step *st)
{
	struct obj *p = arg_obj(st, 0, T_PAGE);

	if (!p || !no_dst(st))
		return;
	/* the owner writes new data into the page: no kernel action */
}

static void op_alloc(struct step *st, int kind)
{
	struct sk_buff *skb;
	long long n;

	if (!arg_int(st, 0, 0, 1 << 20, &n) || !need_dst(st))
		return;
	if (kind == 0) {
		skb = alloc_skb(n, GFP_KERNEL);
	} else if (kind == 1) {
		skb = alloc_skb_fclone(n, GFP_KERNEL);
	} else {
		local_bh_disable();	/* NAPI context: softirq, per-CPU cache */
		skb = __napi_alloc_skb(&oracle_napi, n, GFP_ATOMIC);
		local_bh_enable();
	}
	if (!skb) {
		fail(st, "%s returned NULL", st->fn);
		return;
	}
	add_skb(st, st->dst, skb);
}

static void op_linear(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	long long n;

	if (!skb || !arg_int(st, 1, 0, INT_MAX, &n) || !no_dst(st))
		return;
	if (!strcmp(st->fn, "skb_reserve")) {
		if (n > (long long)skb->end - skb->tail) {
			fail(st, "refused: skb_reserve(%s, %lld) moves tail past end (end - tail = %u): the next skb_put would panic, writes would corrupt skb_shared_info",
			     o->name, n, skb->end - skb->tail);
			return;
		}
		skb_reserve(skb, n);
	} else if (!strcmp(st->fn, "skb_put")) {
		if (skb_is_nonlinear(skb)) {
			fail(st, "refused: skb_put: SKB_LINEAR_ASSERT BUGs on a nonlinear skb (data_len %u)",
			     skb->data_len);
			return;
		}
		if (n > (long long)skb->end - skb->tail) {
			fail(st, "refused: skb_put(%s, %lld): skb_over_panic (tail + len > end; room %u)",
			     o->name, n, skb->end - skb->tail);
			return;
		}
		skb_put(skb, n);
	} else if (!strcmp(st->fn, "skb_push")) {
		if (n > skb_headroom(skb)) {
			fail(st, "refused: skb_push(%s, %lld): skb_under_panic (data - len < head; headroom %u)",
			     o->name, n, skb_headroom(skb));
			return;
		}
		skb_push(skb, n);
	} else {	/* skb_pull */
		if (n > skb->len) {
			/* skb_pull returns NULL and changes nothing */
			set_result_bool(st, false);
			fail(st, "skb_pull returned NULL (len %lld > skb->len %u)",
			     n, skb->len);
			return;
		}
		if (skb->len - n < skb->data_len) {
			fail(st, "refused: skb_pull(%s, %lld): __skb_pull BUGs when skb->len < data_len after the pull (headlen %u)",
			     o->name, n, skb_headlen(skb));
			return;
		}
		skb_pull(skb, n);
		set_result_bool(st, true);
	}
}

static void op_fill(struct step *st, bool rx)
{
	struct obj *o, *p;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	long long i, off, size, truesize = 0;

	p = arg_obj(st, 2, T_PAGE);
	if (!skb || !p || !arg_int(st, 1, 0, INT_MAX, &i) ||
	    !arg_int(st, 3, 0, PAGE_SIZE, &off) ||
	    !arg_int(st, 4, 0, PAGE_SIZE, &size) ||
	    (rx && !arg_int(st, 5, 0, INT_MAX, &truesize)) || !no_dst(st))
		return;
	if (i != skb_shinfo(skb)->nr_frags) {
		fail(st, "refused: i = %lld must be nr_frags (%u): a lower i overwrites a descriptor and leaks its page reference, a higher one leaves garbage descriptors",
		     i, skb_shinfo(skb)->nr_frags);
		return;
	}
	if (i >= MAX_SKB_FRAGS) {
		fail(st, "refused: %s already has MAX_SKB_FRAGS (%d) frags",
		     o->name, (int)MAX_SKB_FRAGS);
		return;
	}
	if (off + size > PAGE_SIZE) {
		fail(st, "refused: offset + size = %lld exceeds the page",
		     off + size);
		return;
	}
	if (p->caller_refs <= 0) {
		fail(st, "refused: the caller holds no reference on %s to hand over (get_page first)",
		     p->name);
		return;
	}
	if (rx) {
		skb_add_rx_frag(skb, i, p->ptr, off, size, truesize);
	} else {
		skb_fill_page_desc(skb, i, p->ptr, off, size);
		/* the caller's part */
		skb->len += size;
		skb->data_len += size;
		skb->truesize += size;
	}
	p->caller_refs--;	/* handed over to the descriptor */
}

static void op_frag_add_head(struct step *st)
{
	struct obj *oa, *ob;
	struct sk_buff *a = arg_skb(st, 0, &oa), *b = arg_skb(st, 1, &ob);
	char buf[NAMELEN + 32];

	if (!a || !b || !no_dst(st))
		return;
	if (a == b) {
		fail(st, "refused: an skb cannot be its own frag_list member");
		return;
	}
	if (skb_has_frag_list(b) && in_list(skb_shinfo(b)->frag_list, a, 0)) {
		fail(st, "refused: %s is inside %s's frag_list (a cycle)",
		     oa->name, ob->name);
		return;
	}
	if (container_of_skb(b, buf, sizeof(buf))) {
		fail(st, "refused: %s is already held by %s (its next pointer is in use)",
		     ob->name, buf);
		return;
	}
	if (ob->caller_refs <= 0) {
		fail(st, "refused: the caller holds no reference on %s to hand over",
		     ob->name);
		return;
	}
	b->next = skb_shinfo(a)->frag_list;
	skb_shinfo(a)->frag_list = b;
	/* the caller's part */
	a->len += b->len;
	a->data_len += b->len;
	ob->caller_refs--;
}

static void op_skb_get(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);

	if (!skb || !no_dst(st))
		return;
	skb_get(skb);
	o->caller_refs++;
}

static void op_free(struct step *st, bool consume)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);

	if (!skb || !no_dst(st) || !check_free_ok(st, o, false))
		return;
	if (consume)
		consume_skb(skb);
	else
		kfree_skb(skb);
	if (o->caller_refs > 0)
		o->caller_refs--;
}

/*
 * skb_tx_error(skb) then kfree_skb(skb): a driver's xmit error path
 * (skbscope's skb_tx_error op; the kernel-doc says the skb must be freed
 * afterwards). A shared skb is refused, as skbscope's precondition says.
 */
static void op_tx_error(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);

	if (!skb || !no_dst(st) || !check_free_ok(st, o, false))
		return;
	if (refcount_read(&skb->users) != 1) {
		fail(st, "refused: %s is shared; a driver's error path frees the skb it owns", o->name);
		return;
	}
	skb_tx_error(skb);
	kfree_skb(skb);
	if (o->caller_refs > 0)
		o->caller_refs--;
}

static void op_free_list(struct step *st)
{
	struct obj *l = arg_obj(st, 0, T_SEGS), *o;
	struct sk_buff *it;
	int n = 0;

	if (!l || !no_dst(st))
		return;
	if (!l->nsegs)
		return;		/* an empty list: kfree_skb_list(NULL) */
	o = &objs[l->first_seg];
	if (o->dead) {
		fail(st, "refused: %s has been freed; the list would start at a freed skb",
		     o->name);
		return;
	}
	for (it = o->ptr; it; it = it->next) {
		struct obj *so = find_ptr(T_SKB, it);

		if (!so || ++n > MAX_SKB_FRAGS * 64) {
			fail(st, "refused: the ->next chain from %s reaches an skb that is not a live skb of the trace (freed or relinked)",
			     o->name);
			return;
		}
		if (!check_free_ok(st, so, false))
			return;
	}
	for (it = o->ptr; it; it = it->next) {
		struct obj *so = find_ptr(T_SKB, it);

		if (so && so->caller_refs > 0)
			so->caller_refs--;
	}
	kfree_skb_list(o->ptr);
}

static void op_clone_copy(struct step *st)
{
	struct sk_buff *skb = arg_skb(st, 0, NULL), *n;

	if (!skb || !need_dst(st))
		return;
	if (!strcmp(st->fn, "skb_clone"))
		n = skb_clone(skb, GFP_ATOMIC);
	else if (!strcmp(st->fn, "skb_copy"))
		n = skb_copy(skb, GFP_ATOMIC);
	else
		n = pskb_copy(skb, GFP_ATOMIC);
	if (!n) {
		fail(st, "%s returned NULL", st->fn);
		return;
	}
	add_skb(st, st->dst, n);
}

static void op_header_release(struct step *st)
{
	struct sk_buff *skb = arg_skb(st, 0, NULL);

	if (!skb || !no_dst(st))
		return;
	__skb_header_release(skb);
}

static void op_expand(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	long long nhead, ntail;
	int rc;

	if (!skb || !arg_int(st, 1, 0, 1 << 20, &nhead) ||
	    !arg_int(st, 2, 0, 1 << 20, &ntail) || !no_dst(st) ||
	    !check_expand_ok(st, o, "pskb_expand_head"))
		return;
	rc = pskb_expand_head(skb, nhead, ntail, GFP_ATOMIC);
	set_result_int(st, rc);
	if (rc)
		fail(st, "pskb_expand_head returned %d", rc);
}

static void op_split(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o), *b;
	long long len;
	int hl;

	if (!skb || !arg_int(st, 1, 0, INT_MAX, &len) || !need_dst(st))
		return;
	if (len > skb->len) {
		fail(st, "refused: skb_split(%s, %lld): len beyond skb->len (%u) makes the new skb's length negative",
		     o->name, len, skb->len);
		return;
	}
	if (skb_has_frag_list(skb)) {
		fail(st, "refused: skb_split does not handle frag_list; %s would keep frag_list bytes beyond its new length",
		     o->name);
		return;
	}
	if (skb_cloned(skb)) {
		fail(st, "refused: skb_split on a cloned skb rewrites the skb_shared_info it shares with its clone (tcp_fragment unclones first); the clone would claim bytes it has no frags for");
		return;
	}
	hl = skb_headlen(skb);
	b = alloc_skb(max_t(int, 0, hl - (int)len), GFP_ATOMIC);
	if (!b) {
		fail(st, "alloc_skb returned NULL");
		return;
	}
	skb_split(skb, b, len);
	add_skb(st, st->dst, b);
}

static void op_pull_tail(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	long long delta;
	void *p;

	if (!skb || !arg_int(st, 1, 0, INT_MAX, &delta) || !no_dst(st) ||
	    !check_pull_tail_ok(st, o, delta, "__pskb_pull_tail"))
		return;
	p = __pskb_pull_tail(skb, delta);
	set_result_bool(st, p != NULL);
	if (!p)
		fail(st, "__pskb_pull_tail returned NULL");
}

static void op_may_pull(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	long long len;

	if (!skb || !arg_int(st, 1, 0, INT_MAX, &len) || !no_dst(st))
		return;
	if (len <= skb_headlen(skb)) {
		set_result_bool(st, true);
		return;
	}
	if (len > skb->len) {
		set_result_bool(st, false);
		return;
	}
	if (!check_pull_tail_ok(st, o, len - skb_headlen(skb),
				"pskb_may_pull"))
		return;
	set_result_bool(st, pskb_may_pull(skb, len));
}

static void op_trim(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	long long len;
	int rc;

	if (!skb || !arg_int(st, 1, 0, INT_MAX, &len) || !no_dst(st))
		return;
	if (len < skb->len && skb->data_len && skb_cloned(skb) &&
	    !check_expand_ok(st, o, "___pskb_trim on a cloned skb"))
		return;
	rc = pskb_trim(skb, len);
	set_result_int(st, rc);
	if (rc)
		fail(st, "pskb_trim returned %d", rc);
}

static void op_linearize(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	int rc;

	if (!skb || !no_dst(st))
		return;
	if (skb_is_nonlinear(skb) &&
	    !check_pull_tail_ok(st, o, skb->data_len, "skb_linearize"))
		return;
	rc = skb_linearize(skb);
	set_result_int(st, rc);
	if (rc)
		fail(st, "skb_linearize returned %d", rc);
}

static void op_coalesce(struct step *st)
{
	struct obj *ot, *of;
	struct sk_buff *to = arg_skb(st, 0, &ot), *from = arg_skb(st, 1, &of);
	bool stolen = false, ok;
	int delta = 0;
	char buf[NAMELEN + 32];

	if (!to || !from || !no_dst(st))
		return;
	if (to == from) {
		fail(st, "refused: to and from are the same skb");
		return;
	}
	if (container_of_skb(from, buf, sizeof(buf))) {
		/* a stolen head would be freed a second time by the holder */
		fail(st, "refused: %s is held by %s; if its head were stolen, the holder's free would free it again",
		     of->name, buf);
		return;
	}
	ok = skb_try_coalesce(to, from, &stolen, &delta);
	set_result_bool(st, ok);
	st->has_fragstolen = true;
	st->fragstolen = stolen;
	if (ok && stolen)
		of->stolen = true;
}

static void op_free_partial(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	bool head_stolen;

	if (!skb || !arg_kw(st, 1, "true", "false", &head_stolen) ||
	    !no_dst(st))
		return;
	if (o->stolen && !head_stolen) {
		fail(st, "refused: %s's head was stolen; kfree_skb_partial(%s, false) would free it a second time",
		     o->name, o->name);
		return;
	}
	if (head_stolen && skb->fclone != SKB_FCLONE_UNAVAILABLE) {
		fail(st, "refused: kfree_skb_partial(head_stolen) frees the struct into skbuff_head_cache, but %s comes from the fclone cache",
		     o->name);
		return;
	}
	if (!check_free_ok(st, o, true))
		return;
	kfree_skb_partial(skb, head_stolen);
	if (head_stolen)	/* bypasses kfree_skbmem(): not seen by the kprobe */
		o->dead = true;
	o->caller_refs = 0;
}

static void op_shift(struct step *st)
{
	struct obj *ot, *os;
	struct sk_buff *tgt = arg_skb(st, 0, &ot), *skb = arg_skb(st, 1, &os);
	long long len;
	int rc;

	if (!tgt || !skb || !arg_int(st, 2, 0, INT_MAX, &len) || !no_dst(st))
		return;
	if (!oracle_skb_shift) {
		fail(st, "skb_shift could not be resolved (not exported in 6.1)");
		return;
	}
	if (tgt == skb) {
		fail(st, "refused: tgt and skb are the same skb");
		return;
	}
	if (len > skb->len) {
		fail(st, "refused: skb_shift: BUG_ON(shiftlen > skb->len) (%lld > %u)",
		     len, skb->len);
		return;
	}
	if (!skb_headlen(skb) && !skb_zcopy(tgt) && !skb_zcopy(skb)) {
		if (len > frag_bytes(skb)) {
			fail(st, "refused: skb_shift: BUG_ON(todo > 0 && !nr_frags): shiftlen %lld exceeds %s's frags (%u bytes)",
			     len, os->name, frag_bytes(skb));
			return;
		}
		if (skb_cloned(skb) &&
		    !check_expand_ok(st, os, "skb_shift (skb_prepare_for_shift)"))
			return;
		if (skb_cloned(tgt) &&
		    !check_expand_ok(st, ot, "skb_shift (skb_prepare_for_shift)"))
			return;
	}
	rc = oracle_skb_shift(tgt, skb, len);
	set_result_int(st, rc);
}

static void op_zerocopy(struct step *st)
{
	struct obj *ot, *of;
	struct sk_buff *to = arg_skb(st, 0, &ot), *from = arg_skb(st, 1, &of);
	long long len, hlen;
	int rc;

	if (!to || !from || !arg_int(st, 2, 0, INT_MAX, &len) ||
	    !arg_int(st, 3, 0, INT_MAX, &hlen) || !no_dst(st))
		return;
	if (to == from) {
		fail(st, "refused: to and from are the same skb");
		return;
	}
	if (!from->head_frag && !hlen) {
		fail(st, "refused: skb_zerocopy: BUG_ON(!from->head_frag && !hlen)");
		return;
	}
	if (len > from->len) {
		fail(st, "refused: skb_zerocopy: len %lld > from->len %u (to would claim bytes it has no data for)",
		     len, from->len);
		return;
	}
	if (len <= skb_tailroom(to)) {
		if (skb_is_nonlinear(to)) {
			fail(st, "refused: skb_zerocopy copies with skb_put(to), which BUGs on a nonlinear skb (SKB_LINEAR_ASSERT)");
			return;
		}
	} else if (hlen) {
		if (skb_is_nonlinear(to)) {
			fail(st, "refused: skb_zerocopy: skb_put(to, hlen) BUGs on a nonlinear skb (SKB_LINEAR_ASSERT)");
			return;
		}
		if (hlen > (long long)to->end - to->tail) {
			fail(st, "refused: skb_zerocopy: skb_put(to, %lld): skb_over_panic (room %u)",
			     hlen, to->end - to->tail);
			return;
		}
		if (hlen > len) {
			fail(st, "refused: skb_zerocopy: hlen %lld > len %lld makes the remaining length negative",
			     hlen, len);
			return;
		}
		if (len - hlen > frag_bytes(from)) {
			fail(st, "refused: skb_zerocopy: the %lld bytes after hlen exceed from's frags (%u); to would claim bytes it has no frags for",
			     len - hlen, frag_bytes(from));
			return;
		}
	} else {
		if (len > skb_headlen(from) + frag_bytes(from)) {
			fail(st, "refused: skb_zerocopy: len %lld exceeds from's head + frags (%u); to would claim bytes it has no frags for",
			     len, skb_headlen(from) + frag_bytes(from));
			return;
		}
		if (skb_headlen(from) && len &&
		    skb_shinfo(from)->nr_frags >= MAX_SKB_FRAGS) {
			fail(st, "refused: skb_zerocopy: head page + %u frags overflow to's frags[] (MAX_SKB_FRAGS %d)",
			     skb_shinfo(from)->nr_frags, (int)MAX_SKB_FRAGS);
			return;
		}
	}
	rc = skb_zerocopy(to, from, len, hlen);
	set_result_int(st, rc);
	if (rc)
		fail(st, "skb_zerocopy returned %d", rc);
}

/* the bug checks of skb_segment() for frag_list members, made before */
static bool check_segment_ok(struct step *st, struct obj *o,
			     struct sk_buff *skb, unsigned int mss)
{
	unsigned int start = skb_headlen(skb) + frag_bytes(skb);
	struct sk_buff *m;

	skb_walk_frags(skb, m) {
		unsigned int rest = skb->len - start;
		unsigned int want = min(mss, rest);

		if (skb_has_frag_list(m)) {
			fail(st, "refused: skb_segment: a frag_list member with its own frag_list");
			return false;
		}
		if (!skb_headlen(m)) {
			if (!skb_shinfo(m)->nr_frags) {
				fail(st, "refused: skb_segment: BUG_ON(!nfrags) for an empty frag_list member");
				return false;
			}
		} else if (start % mss == 0) {
			/* a segment starts at the member: it is cloned */
			if (skb_headlen(m) > want) {
				fail(st, "refused: skb_segment: BUG_ON(skb_headlen(list_skb) > len) (member headlen %u > %u)",
				     skb_headlen(m), want);
				return false;
			}
			if (skb_headlen(m) + frag_bytes(m) < want) {
				fail(st, "refused: skb_segment: BUG_ON(i >= nfrags) (member holds %u bytes < %u)",
				     skb_headlen(m) + frag_bytes(m), want);
				return false;
			}
		} else if (!m->head_frag) {
			fail(st, "refused: skb_segment: BUG_ON(!list_skb->head_frag) for a member with a kmalloc'd head that starts inside a segment");
			return false;
		}
		start += m->len;
	}
	return true;
}

static void op_segment(struct step *st)
{
	struct obj *o, *l;
	struct sk_buff *skb = arg_skb(st, 0, &o), *segs, *it;
	long long mss;
	int i;

	if (!skb || !arg_int(st, 1, 1, GSO_BY_FRAGS - 1, &mss) ||
	    !need_dst(st) || !check_segment_ok(st, o, skb, mss))
		return;
	/* GSO setup: TCPv4 type, doffset 0 (mac header at data), SG + csum */
	skb_shinfo(skb)->gso_size = mss;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	skb->protocol = htons(ETH_P_IP);
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	segs = skb_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
	if (IS_ERR_OR_NULL(segs)) {
		fail(st, "skb_segment returned %ld", PTR_ERR(segs));
		return;
	}
	l = new_obj(st->dst, T_SEGS, segs);
	if (!l) {
		fail(st, "too many objects");
		return;
	}
	l->first_seg = nobj;
	for (i = 0, it = segs; it; it = it->next, i++) {
		char name[NAMELEN];

		snprintf(name, sizeof(name), "%s[%d]", st->dst, i);
		if (!add_skb(st, name, it))
			break;
	}
	l->nsegs = i;
	set_result_int(st, i);
}

static void op_splice(struct step *st)
{
	struct obj *o, *q = NULL;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	long long off, len;
	unsigned int uoff, ulen;
	struct emu_spd spd = { 0 };
	struct emu_pipe *pipe;
	int rc;

	if (!skb || !arg_int(st, 1, 0, INT_MAX, &off) ||
	    !arg_int(st, 2, 0, INT_MAX, &len))
		return;
	if (st->argc >= 4) {
		q = arg_obj(st, 3, T_PIPE);
		if (!q || !no_dst(st))
			return;
		pipe = q->ptr;
	} else {
		if (!need_dst(st))
			return;
		pipe = kzalloc(sizeof(*pipe), GFP_KERNEL);
		if (!pipe) {
			fail(st, "no memory for the pipe");
			return;
		}
		q = new_obj(st->dst, T_PIPE, pipe);
		if (!q) {
			kfree(pipe);
			fail(st, "too many objects");
			return;
		}
	}
	uoff = off;
	ulen = len;
	emu_splice_skb(skb, &uoff, &ulen, &spd, 0);
	rc = spd.nr ? emu_to_pipe(pipe, &spd) : 0;
	set_result_int(st, rc);
	if (rc < 0)
		fail(st, "skb_splice_bits returned %d", rc);
}

static void op_pipe_release(struct step *st)
{
	struct obj *q = arg_obj(st, 0, T_PIPE);
	struct emu_pipe *pipe;
	int i;

	if (!q || !no_dst(st))
		return;
	pipe = q->ptr;
	for (i = 0; i < pipe->nbufs; i++)
		put_page(pipe->bufs[i].page);
	pipe->nbufs = 0;
	q->dead = true;
}

/*
 * do_tcp_sendpages(b, q): the pipe q is spliced into a TCP socket whose
 * write-queue tail skb is b.  There is no TCP socket in the oracle; this
 * reproduces, with the real helpers, what 6.1 splice_from_pipe_feed() ->
 * pipe_to_sendpage() -> tcp_sendpage() -> do_tcp_sendpages() ->
 * tcp_build_frag() (net/ipv4/tcp.c l.984-1049) do to b and to the page
 * references, buffer by buffer in pipe order:
 *  - skb_can_coalesce(b, nr_frags, page, offset): extend the last frag
 *    (skb_frag_size_add, no new reference); otherwise, when nr_frags has
 *    reached sysctl_max_skb_frags (17), stop (TCP would tcp_mark_push()
 *    and start a new skb: the rest stays in the pipe); else get_page() and
 *    skb_fill_page_desc_noacc();
 *  - SKBFL_SHARED_FRAG is set (splice passes no MSG_NO_SHARED_FRAGS);
 *    len, data_len and truesize grow by the buffer's bytes;
 *  - the buffer, now empty, is released (generic_pipe_buf_release:
 *    put_page) and leaves the pipe.
 * No size_goal, memory accounting, sequence numbers or transmission: a
 * buffer is taken whole or not at all.
 */
static void op_sendpages(struct step *st)
{
	struct obj *o, *q;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	struct emu_pipe *pipe;
	long long bytes = 0;
	int used = 0;

	q = arg_obj(st, 1, T_PIPE);
	if (!skb || !q || !no_dst(st))
		return;
	if (skb_cloned(skb)) {
		fail(st, "refused: do_tcp_sendpages: %s is cloned; a TCP write-queue skb never is (it is cloned when sent, after it left the write queue), and adding frags would rewrite the skb_shared_info it shares with its clone",
		     o->name);
		return;
	}
	if (skb_zcopy(skb)) {
		fail(st, "refused: do_tcp_sendpages: %s carries a ubuf (zero-copy); tcp_downgrade_zcopy_pure() and zero-copy frags are not emulated",
		     o->name);
		return;
	}
	pipe = q->ptr;
	while (used < pipe->nbufs) {
		struct emu_pipe_buf *buf = &pipe->bufs[used];
		struct skb_shared_info *sh = skb_shinfo(skb);
		int i = sh->nr_frags;
		bool can_coalesce = skb_can_coalesce(skb, i, buf->page,
						     buf->offset);

		if (!can_coalesce && i >= READ_ONCE(sysctl_max_skb_frags))
			break;
		if (can_coalesce) {
			skb_frag_size_add(&sh->frags[i - 1], buf->len);
		} else {
			get_page(buf->page);
			skb_fill_page_desc_noacc(skb, i, buf->page,
						 buf->offset, buf->len);
		}
		sh->flags |= SKBFL_SHARED_FRAG;
		skb->len += buf->len;
		skb->data_len += buf->len;
		skb->truesize += buf->len;
		bytes += buf->len;
		put_page(buf->page);	/* pipe_buf_release() */
		used++;
	}
	pipe->nbufs -= used;
	memmove(pipe->bufs, pipe->bufs + used,
		pipe->nbufs * sizeof(pipe->bufs[0]));
	set_result_int(st, bytes);
}

static void op_sock_create(struct step *st)
{
	struct socket *sock;
	int rc;

	if (!need_dst(st))
		return;
	rc = sock_create_kern(&init_net, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
			      &sock);
	if (rc) {
		fail(st, "sock_create_kern returned %d", rc);
		return;
	}
	if (!new_obj(st->dst, T_SOCK, sock)) {
		sock_release(sock);
		fail(st, "too many objects");
	}
}

static void op_queue_rcv(struct step *st)
{
	struct obj *s = arg_obj(st, 0, T_SOCK), *o;
	struct sk_buff *skb = arg_skb(st, 1, &o);
	struct socket *sock;
	char buf[NAMELEN + 32];
	int rc;

	if (!s || !skb || !no_dst(st))
		return;
	sock = s->ptr;
	if (container_of_skb(skb, buf, sizeof(buf))) {
		fail(st, "refused: %s is already held by %s (its list pointers are in use)",
		     o->name, buf);
		return;
	}
	if (o->caller_refs <= 0) {
		fail(st, "refused: the caller holds no reference on %s to hand to the queue",
		     o->name);
		return;
	}
	o->caller_refs--;
	/* 6.1 __netif_receive_skb_core before the final delivery */
	rc = skb_orphan_frags_rx(skb, GFP_ATOMIC);
	if (rc) {
		fail(st, "skb_orphan_frags_rx returned %d; dropped with kfree_skb as __netif_receive_skb_core does",
		     rc);
		kfree_skb(skb);
		return;
	}
	rc = sock_queue_rcv_skb(sock->sk, skb);
	if (rc) {
		fail(st, "sock_queue_rcv_skb returned %d; dropped with kfree_skb as the protocol does",
		     rc);
		kfree_skb(skb);
	}
}

static void op_copy_datagram(struct step *st)
{
	struct sk_buff *skb = arg_skb(st, 0, NULL);
	long long off, len;
	struct kvec kv;
	struct iov_iter iter;
	void *buf;
	int rc;

	if (!skb || !arg_int(st, 1, 0, INT_MAX, &off) ||
	    !arg_int(st, 2, 0, 1 << 20, &len) || !no_dst(st))
		return;
	buf = kvmalloc(len ? len : 1, GFP_KERNEL);
	if (!buf) {
		fail(st, "no memory for the read buffer");
		return;
	}
	kv.iov_base = buf;
	kv.iov_len = len;
	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	rc = skb_copy_datagram_iter(skb, off, &iter, len);
	kvfree(buf);
	set_result_int(st, rc);
	if (rc)
		fail(st, "skb_copy_datagram_iter returned %d", rc);
}

static void op_eat(struct step *st)
{
	struct obj *s = arg_obj(st, 0, T_SOCK), *o;
	struct sk_buff *skb = arg_skb(st, 1, &o), *it;
	struct socket *sock;
	bool found = false;

	if (!s || !skb || !no_dst(st))
		return;
	sock = s->ptr;
	skb_queue_walk(&sock->sk->sk_receive_queue, it)
		if (it == skb)
			found = true;
	if (!found) {
		fail(st, "refused: %s is not on %s's receive queue; __skb_unlink would corrupt memory",
		     o->name, s->name);
		return;
	}
	sk_eat_skb(sock->sk, skb);
}

static void op_orphan(struct step *st)
{
	struct sk_buff *skb = arg_skb(st, 0, NULL);

	if (!skb || !no_dst(st))
		return;
	if (!skb->destructor && skb->sk) {
		fail(st, "refused: skb_orphan: BUG_ON(skb->sk) without a destructor");
		return;
	}
	skb_orphan(skb);
}

static struct oubuf *new_ubuf(struct step *st, u8 flags)
{
	struct oubuf *u;

	if (nubuf >= MAXUBUF) {
		fail(st, "too many ubufs");
		return NULL;
	}
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u) {
		fail(st, "no memory for the ubuf");
		return NULL;
	}
	u->ubuf.callback = oracle_ubuf_cb;
	refcount_set(&u->ubuf.refcnt, 1);
	u->ubuf.flags = flags;
	u->id = nubuf + 1;
	ubufs[nubuf++] = u;
	return u;
}

/* --- managed frags: io_uring's zero-copy send, emulated --------------------
 *
 * io_uring is not callable from a module. io_send_zc(a, p, off, len) builds
 * what 6.1 io_send_zc() with a registered buffer leaves behind
 * (io_uring/net.c l.1069-1216, io_uring/notif.c l.28-83), with the
 * kernel's own helpers: a notification ubuf_info (SKBFL_ZEROCOPY_FRAG |
 * SKBFL_DONT_ORPHAN, refcnt 1) and the send's reference (2);
 * SKBFL_PURE_ZEROCOPY on an empty skb (tcp.c l.1407); io_sg_from_iter:
 * SKBFL_MANAGED_FRAG_REFS on a fragless skb and the frag without a page
 * reference (__skb_fill_page_desc_noacc), or, on an unmanaged skb that has
 * frags, with one (get_page, as __zerocopy_sg_from_iter's); skb_zcopy_set
 * (3); the callback for net_zcopy_put (2); a plain decrement for
 * io_notif_flush (1). The caller's page reference becomes the notif's pin,
 * put when its refcnt reaches zero (the request's rsrc node goes). What
 * pskb_expand_head, skb_split, skb_tx_error and the frees then do to the
 * skb is the real 6.1 code's. Not recorded: io_uring itself, the socket
 * and its memory accounting.
 */
static void notif_unpin(struct oubuf *u)
{
	if (u->pin) {
		put_page(u->pin);
		u->pin = NULL;
	}
}

/* io_uring_tx_zerocopy_callback: one reference per call; at zero the
 * notification completes and the request drops the pin
 */
static void oracle_notif_cb(struct sk_buff *skb, struct ubuf_info *uarg,
			    bool success)
{
	struct oubuf *u = container_of(uarg, struct oubuf, ubuf);

	oracle_ubuf_cb(skb, uarg, success);
	if (u->complete)
		notif_unpin(u);
}

/* io_notif_flush: the master reference, no callback call */
static void notif_flush(struct oubuf *u)
{
	if (refcount_dec_and_test(&u->ubuf.refcnt)) {
		u->complete = true;
		ev_sep();
		sb_printf(&evs, "{\"kind\":\"complete\",\"ubuf\":\"u%d\"}", u->id);
		notif_unpin(u);
	}
}

/* io_alloc_notif() and tcp_sendmsg_locked()'s net_zcopy_get() */
static struct oubuf *notif_alloc(struct step *st)
{
	struct oubuf *u = new_ubuf(st, SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN);

	if (!u)
		return NULL;
	u->ubuf.callback = oracle_notif_cb;
	refcount_inc(&u->ubuf.refcnt);
	return u;
}

/* skb_zcopy_set(), net_zcopy_put() and io_notif_flush() */
static void notif_send_end(struct sk_buff *skb, struct oubuf *u)
{
	skb_zcopy_set(skb, &u->ubuf, NULL);
	u->ubuf.callback(NULL, &u->ubuf, true);
	notif_flush(u);
}

static void op_io_send_zc(struct step *st)
{
	struct obj *o, *p;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	struct skb_shared_info *shinfo;
	long long off, len;
	struct oubuf *u;
	int i;

	p = arg_obj(st, 1, T_PAGE);
	if (!skb || !p || !arg_int(st, 2, 0, PAGE_SIZE, &off) ||
	    !arg_int(st, 3, 1, PAGE_SIZE, &len) || !no_dst(st))
		return;
	shinfo = skb_shinfo(skb);
	if (skb_shared(skb) || skb_cloned(skb) || skb_zcopy(skb)) {
		fail(st, "refused: io_send_zc: %s is shared, cloned or zero-copy already; tcp_sendmsg_locked would use a new skb",
		     o->name);
		return;
	}
	if (off + len > PAGE_SIZE || shinfo->nr_frags >= MAX_SKB_FRAGS) {
		fail(st, "refused: io_send_zc: the frag does not fit");
		return;
	}
	if (p->caller_refs <= 0) {
		fail(st, "refused: io_send_zc: the caller holds no reference on %s to pin (get_page first)",
		     p->name);
		return;
	}
	u = notif_alloc(st);
	if (!u)
		return;
	if (!skb->len)
		shinfo->flags |= SKBFL_PURE_ZEROCOPY;
	i = shinfo->nr_frags;
	if (!i)
		shinfo->flags |= SKBFL_MANAGED_FRAG_REFS;
	else if (!skb_zcopy_managed(skb))
		get_page(p->ptr);	/* __zerocopy_sg_from_iter's reference */
	__skb_fill_page_desc_noacc(shinfo, i, p->ptr, off, len);
	shinfo->nr_frags = i + 1;
	skb->len += len;
	skb->data_len += len;
	skb->truesize += PAGE_ALIGN(off + len);
	u->pin = p->ptr;	/* the caller's reference, now the notif's */
	p->caller_refs--;
	notif_send_end(skb, u);
}

/* zerocopy_arm under io-uring-notif: the unregistered path, whose frags
 * hold their own page references (io_sg_from_iter_iovec)
 */
static void notif_arm(struct step *st, struct sk_buff *skb)
{
	struct oubuf *u = notif_alloc(st);

	if (u)
		notif_send_end(skb, u);
}

static void op_zerocopy_arm(struct step *st)
{
	struct obj *o;
	struct sk_buff *skb = arg_skb(st, 0, &o);
	struct oubuf *u;

	if (!skb || !no_dst(st))
		return;
	switch (policy) {
	case P_UBUF_ORPHAN:
		/* vhost/tun: refcnt 1, no SKBFL_DONT_ORPHAN, skb_zcopy_init */
		if (skb_zcopy(skb)) {
			fail(st, "refused: %s already carries a ubuf; skb_zcopy_init would overwrite it",
			     o->name);
			return;
		}
		u = new_ubuf(st, SKBFL_ZEROCOPY_FRAG);
		if (u)
			skb_zcopy_init(skb, &u->ubuf);
		break;
	case P_MSG_ZEROCOPY:
		/* MSG_ZEROCOPY: skb_zcopy_set takes a reference, the end of
		 * sendmsg drops the initial one (net_zcopy_put)
		 */
		u = new_ubuf(st, SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN);
		if (!u)
			return;
		skb_zcopy_set(skb, &u->ubuf, NULL);
		u->ubuf.callback(NULL, &u->ubuf, true);
		break;
	case P_IO_URING_NOTIF:
		notif_arm(st, skb);
		break;
	case P_DESTRUCTOR:
		if (skb->destructor) {
			fail(st, "refused: %s already has a destructor", o->name);
			return;
		}
		skb->destructor = oracle_destructor;
		break;
	case P_PAGE_POOL:
		/* the driver marks its RX skb (core/policy/page-pool.ts) */
		skb_mark_for_recycle(skb);
		break;
	default:
		/* page-refs, shinfo-release: nothing in the 6.1 kernel */
		break;
	}
}

static void op_orphan_frags(struct step *st, int which)
{
	struct sk_buff *skb = arg_skb(st, 0, NULL);
	int rc;

	if (!skb || !no_dst(st))
		return;
	if (which == 0)
		rc = skb_orphan_frags(skb, GFP_ATOMIC);
	else if (which == 1)
		rc = skb_orphan_frags_rx(skb, GFP_ATOMIC);
	else
		rc = skb_copy_ubufs(skb, GFP_ATOMIC);
	set_result_int(st, rc);
	if (rc)
		fail(st, "%s returned %d", st->fn, rc);
}

/* ------------------------------------------------------------------ */
/* page_pool (skbscope's pagepool ops)                                */
/* ------------------------------------------------------------------ */

/*
 * page_pool_alloc(pool), skb_mark_for_recycle(skb),
 * page_pool_put_full_page(pool, p). A pool is created on the first use of
 * its name (page_pool_create: order 0, no DMA mapping, no device) and
 * destroyed at the trace's cleanup. A pool page keeps NO observer
 * reference: __page_pool_put_page() recycles only at page_ref_count() == 1,
 * so an extra reference would change what is measured. Its refcount is
 * reported as page_ref_count() itself; once it reads 0 the page went back
 * to the page allocator: it is reported as 0 from then on and never read
 * again (the object is marked dead, so a later page at the same address
 * gets a name of its own). "pp" is reported while page->pp_magic says
 * page_pool and page->pp is the pool; "pp_in_pool" while the pool's ring
 * or alloc cache holds the page.
 */
#define PP_MAXPOOLS	4

static int napi_cache_share(struct page *page);

struct oracle_pool {
	char name[NAMELEN];
	struct page_pool *pool;
};

static struct oracle_pool pp_pools[PP_MAXPOOLS];
static int pp_npools;

static struct oracle_pool *pp_pool_named(struct step *st, int i, bool create)
{
	struct page_pool_params pp = {
		.order = 0,
		.flags = 0,
		.pool_size = 256,
		.nid = NUMA_NO_NODE,
		.dma_dir = DMA_FROM_DEVICE,
	};
	struct page_pool *pool;
	const char *a;
	int k;

	if (st->err[0])
		return NULL;
	if (i >= st->argc || strncmp(st->argv[i], "r:", 2)) {
		fail(st, "argument %d must name a page_pool", i + 1);
		return NULL;
	}
	a = st->argv[i] + 2;
	for (k = 0; k < pp_npools; k++)
		if (!strcmp(pp_pools[k].name, a))
			return &pp_pools[k];
	if (!create) {
		fail(st, "refused: no page of page_pool %s was allocated", a);
		return NULL;
	}
	if (pp_npools >= PP_MAXPOOLS) {
		fail(st, "too many page_pools");
		return NULL;
	}
	pool = page_pool_create(&pp);
	if (IS_ERR(pool)) {
		fail(st, "page_pool_create returned %ld", PTR_ERR(pool));
		return NULL;
	}
	strscpy(pp_pools[pp_npools].name, a, NAMELEN);
	pp_pools[pp_npools].pool = pool;
	return &pp_pools[pp_npools++];
}

/* the pool a named page came from (page_pool_alloc), or NULL */
static struct oracle_pool *pp_pool_of_obj(struct obj *o)
{
	return o->type == T_PAGE && o->pp_pool >= 0 && o->pp_pool < pp_npools &&
	       o->pp_from_pool ? &pp_pools[o->pp_pool] : NULL;
}

static bool pp_is_pool_page(struct page *page, struct page_pool *pool)
{
	return (page->pp_magic & ~0x3UL) == PP_SIGNATURE && page->pp == pool;
}

static bool pp_in_ring(struct page *page, struct page_pool *pool)
{
	int k;

	for (k = 0; k < pool->alloc.count; k++)
		if (pool->alloc.cache[k] == page)
			return true;
	for (k = 0; k < pool->ring.size; k++)
		if (READ_ONCE(pool->ring.queue[k]) == page)
			return true;
	return false;
}

static void op_page_pool_alloc(struct step *st)
{
	struct oracle_pool *op = pp_pool_named(st, 0, true);
	struct page *page;
	struct obj *o;

	if (!op || !need_dst(st))
		return;
	page = page_pool_dev_alloc_pages(op->pool);
	if (!page) {
		fail(st, "page_pool_dev_alloc_pages returned NULL");
		return;
	}
	o = new_obj(st->dst, T_PAGE, page);
	if (!o) {
		page_pool_put_full_page(op->pool, page, false);
		fail(st, "too many objects");
		return;
	}
	o->pp_from_pool = true;		/* no observer reference: see above */
	o->pp_pool = op - pp_pools;
}

static void op_mark_for_recycle(struct step *st)
{
	struct sk_buff *skb = arg_skb(st, 0, NULL);

	if (!skb || !no_dst(st))
		return;
	skb_mark_for_recycle(skb);
}

static void op_page_pool_put(struct step *st)
{
	struct oracle_pool *op = pp_pool_named(st, 0, false);
	struct obj *p = arg_obj(st, 1, T_PAGE);

	if (!op || !p || !no_dst(st))
		return;
	if (pp_pool_of_obj(p) != op || !pp_is_pool_page(p->ptr, op->pool)) {
		fail(st, "refused: %s is not a page of page_pool %s", p->name, op->name);
		return;
	}
	if (p->caller_refs <= 0) {
		fail(st, "refused: the caller holds no reference on %s to give back", p->name);
		return;
	}
	page_pool_put_full_page(op->pool, p->ptr, false);
	p->caller_refs--;
}

/* the refcount a page reports: pool pages carry no observer reference */
static int pp_reported_refcount(struct obj *o)
{
	struct page *p = o->ptr;

	if (!pp_pool_of_obj(o))
		return page_ref_count(p) - 1 - napi_cache_share(p);
	if (o->dead)
		return 0;
	if (page_ref_count(p) == 0) {
		o->dead = true;	/* back at the page allocator: never read again */
		return 0;
	}
	return page_ref_count(p);
}

/* ,"pp":"pool"[,"pp_in_pool":true] for a page of one of the trace's pools */
static void pp_emit_page(struct obj *o)
{
	struct oracle_pool *op = pp_pool_of_obj(o);

	if (!op || o->dead || !pp_is_pool_page(o->ptr, op->pool))
		return;
	sb_printf(&out, ",\"pp\":");
	sb_str(&out, op->name);
	if (pp_in_ring(o->ptr, op->pool))
		sb_printf(&out, ",\"pp_in_pool\":true");
}

/*
 * Cleanup: the caller's references on pool pages go back through the pool
 * (as a driver gives back a page it did not use), then each pool is
 * destroyed (page_pool_destroy frees what its ring and cache hold).
 */
static void pp_cleanup(void)
{
	int i;

	for (i = 0; i < nobj; i++) {
		struct obj *o = &objs[i];
		struct oracle_pool *op = pp_pool_of_obj(o);

		if (!op || o->dead || page_ref_count(o->ptr) == 0)
			continue;
		while (o->caller_refs > 0 && page_ref_count(o->ptr) > 0) {
			if (pp_is_pool_page(o->ptr, op->pool))
				page_pool_put_full_page(op->pool, o->ptr, false);
			else
				put_page(o->ptr);
			o->caller_refs--;
		}
		if (page_ref_count(o->ptr) > 0 && !pp_in_ring(o->ptr, op->pool))
			sb_printf(&cleanup_notes,
				  "%s\"page %s still has %d references after cleanup\"",
				  cleanup_notes.len ? "," : "", o->name,
				  page_ref_count(o->ptr));
	}
	for (i = 0; i < pp_npools; i++)
		page_pool_destroy(pp_pools[i].pool);
	pp_npools = 0;
}

/* ------------------------------------------------------------------ */
/* delivery (issue 10 item 2): a packet tap's clone, one uarg shared   */
/* by several skbs                                                     */
/* ------------------------------------------------------------------ */

/* The tap's socket while dev_queue_xmit_nit runs, and what it got. */
static struct sock *tap_sk;
static struct sk_buff *tap_got;

/*
 * What net/packet/af_packet.c packet_rcv() (6.1 l.2194) does to lifetimes
 * with no filter: a second clone when the skb is shared, skb_set_owner_r,
 * the receive queue.  Anything not ours (another packet while the tap is
 * registered) is freed: the tap owns the reference it is handed.
 */
static int oracle_tap_rcv(struct sk_buff *skb, struct net_device *dev,
			  struct packet_type *pt, struct net_device *orig_dev)
{
	struct sk_buff *nskb;

	if (!tap_sk || tap_got) {
		kfree_skb(skb);
		return 0;
	}
	if (skb_shared(skb)) {
		nskb = skb_clone(skb, GFP_ATOMIC);
		consume_skb(skb);
		if (!nskb)
			return 0;
		skb = nskb;
	}
	skb->dev = NULL;
	skb_set_owner_r(skb, tap_sk);
	skb_queue_tail(&tap_sk->sk_receive_queue, skb);
	tap_got = skb;
	return 0;
}

static struct packet_type oracle_tap = {
	.type = cpu_to_be16(ETH_P_ALL),
	.func = oracle_tap_rcv,
};

/* t = dev_queue_xmit_nit(k, a): the real dev_queue_xmit_nit() on the
 * loopback device with one ETH_P_ALL tap registered for the call */
static void op_xmit_nit(struct step *st)
{
	struct obj *s = arg_obj(st, 0, T_SOCK), *t;
	struct sk_buff *skb = arg_skb(st, 1, NULL);
	struct net_device *dev = init_net.loopback_dev, *old;

	if (!s || !skb || !need_dst(st))
		return;
	tap_sk = ((struct socket *)s->ptr)->sk;
	tap_got = NULL;
	old = skb->dev;
	skb->dev = dev;
	dev_add_pack(&oracle_tap);
	local_bh_disable();
	dev_queue_xmit_nit(skb, dev);
	local_bh_enable();
	dev_remove_pack(&oracle_tap);
	skb->dev = old;
	tap_sk = NULL;
	if (!tap_got) {
		fail(st, "the tap got nothing: skb_clone or skb_orphan_frags_rx failed");
		return;
	}
	t = add_skb(st, st->dst, tap_got);
	if (t)
		t->caller_refs = 0;	/* the receive queue holds it */
}

/* skb_zcopy_set(b, a): the same sendmsg goes on into b with a's uarg */
static void op_zcopy_set(struct step *st)
{
	struct obj *ob, *oa;
	struct sk_buff *b = arg_skb(st, 0, &ob), *a = arg_skb(st, 1, &oa);
	struct ubuf_info *uarg;

	if (!a || !b || !no_dst(st))
		return;
	uarg = skb_zcopy(a);
	if (!uarg) {
		fail(st, "%s carries no ubuf: no uarg to continue", oa->name);
		return;
	}
	if (skb_zcopy(b) && skb_zcopy(b) != uarg) {
		fail(st, "skb_zerocopy_iter_stream: -EEXIST: %s carries another ubuf", ob->name);
		return;
	}
	skb_zcopy_set(b, uarg, NULL);
}

static void exec_op(struct step *st)
{
	const char *f = st->fn;

	if (!strcmp(f, "alloc_page"))
		op_alloc_page(st);
	else if (!strcmp(f, "get_page"))
		op_page_ref(st, true);
	else if (!strcmp(f, "put_page"))
		op_page_ref(st, false);
	else if (!strcmp(f, "owner_reuse"))
		op_owner_reuse(st);
	else if (!strcmp(f, "alloc_skb"))
		op_alloc(st, 0);
	else if (!strcmp(f, "alloc_skb_fclone"))
		op_alloc(st, 1);
	else if (!strcmp(f, "napi_alloc_skb"))
		op_alloc(st, 2);
	else if (!strcmp(f, "skb_reserve") || !strcmp(f, "skb_put") ||
		 !strcmp(f, "skb_push") || !strcmp(f, "skb_pull"))
		op_linear(st);
	else if (!strcmp(f, "skb_fill_page_desc"))
		op_fill(st, false);
	else if (!strcmp(f, "skb_add_rx_frag"))
		op_fill(st, true);
	else if (!strcmp(f, "skb_frag_add_head"))
		op_frag_add_head(st);
	else if (!strcmp(f, "skb_get"))
		op_skb_get(st);
	else if (!strcmp(f, "kfree_skb"))
		op_free(st, false);
	else if (!strcmp(f, "consume_skb"))
		op_free(st, true);
	else if (!strcmp(f, "kfree_skb_list"))
		op_free_list(st);
	else if (!strcmp(f, "skb_clone") || !strcmp(f, "skb_copy") ||
		 !strcmp(f, "pskb_copy"))
		op_clone_copy(st);
	else if (!strcmp(f, "__skb_header_release") ||
		 !strcmp(f, "skb_header_release"))
		op_header_release(st);
	else if (!strcmp(f, "pskb_expand_head"))
		op_expand(st);
	else if (!strcmp(f, "skb_split"))
		op_split(st);
	else if (!strcmp(f, "__pskb_pull_tail"))
		op_pull_tail(st);
	else if (!strcmp(f, "pskb_may_pull"))
		op_may_pull(st);
	else if (!strcmp(f, "pskb_trim"))
		op_trim(st);
	else if (!strcmp(f, "skb_linearize"))
		op_linearize(st);
	else if (!strcmp(f, "skb_try_coalesce"))
		op_coalesce(st);
	else if (!strcmp(f, "kfree_skb_partial"))
		op_free_partial(st);
	else if (!strcmp(f, "skb_shift"))
		op_shift(st);
	else if (!strcmp(f, "skb_zerocopy"))
		op_zerocopy(st);
	else if (!strcmp(f, "skb_segment"))
		op_segment(st);
	else if (!strcmp(f, "skb_splice_bits"))
		op_splice(st);
	else if (!strcmp(f, "pipe_release"))
		op_pipe_release(st);
	else if (!strcmp(f, "do_tcp_sendpages"))
		op_sendpages(st);
	else if (!strcmp(f, "sock_create"))
		op_sock_create(st);
	else if (!strcmp(f, "sock_queue_rcv_skb"))
		op_queue_rcv(st);
	else if (!strcmp(f, "skb_copy_datagram_iter"))
		op_copy_datagram(st);
	else if (!strcmp(f, "sk_eat_skb"))
		op_eat(st);
	else if (!strcmp(f, "skb_orphan"))
		op_orphan(st);
	else if (!strcmp(f, "zerocopy_arm"))
		op_zerocopy_arm(st);
	else if (!strcmp(f, "skb_orphan_frags"))
		op_orphan_frags(st, 0);
	else if (!strcmp(f, "skb_orphan_frags_rx"))
		op_orphan_frags(st, 1);
	else if (!strcmp(f, "skb_copy_ubufs"))
		op_orphan_frags(st, 2);
	else if (!strcmp(f, "io_send_zc"))
		op_io_send_zc(st);
	else if (!strcmp(f, "skb_tx_error"))
		op_tx_error(st);
	else if (!strcmp(f, "page_pool_alloc"))
		op_page_pool_alloc(st);
	else if (!strcmp(f, "skb_mark_for_recycle"))
		op_mark_for_recycle(st);
	else if (!strcmp(f, "page_pool_put_full_page"))
		op_page_pool_put(st);
	else if (!strcmp(f, "dev_queue_xmit_nit"))
		op_xmit_nit(st);
	else if (!strcmp(f, "skb_zcopy_set"))
		op_zcopy_set(st);
	else if (!strcmp(f, "skb_recycle_check"))
		fail(st, "skb_recycle_check does not exist in Linux 6.1 (2.6.32 only)");
	else
		fail(st, "unknown operation %s", f);
}

/* ------------------------------------------------------------------ */
/* observation                                                        */
/* ------------------------------------------------------------------ */

/* references the NAPI per-CPU fragment caches still hold on a page */
static int napi_cache_share(struct page *page)
{
	struct oracle_napi_cache *nc;
	int share = 0;

	if (!napi_cache)
		return 0;
	local_bh_disable();
	nc = this_cpu_ptr(napi_cache);
	if (nc->page.va && virt_to_head_page(nc->page.va) == page)
		share += nc->page.pagecnt_bias;
	if (nc->page_small.va && virt_to_head_page(nc->page_small.va) == page)
		share += nc->page_small.offset / SZ_1K;
	local_bh_enable();
	return share;
}

/*
 * Start every trace with fresh NAPI fragment-cache pages, so that the offsets
 * of NAPI heads do not depend on the traces that ran before in the same boot:
 * use up what is left of the current page of both per-CPU caches (the 32 KiB
 * page_frag_cache through __napi_alloc_frag_align(), the 1 KiB-slice cache
 * through small __napi_alloc_skb() calls) and free it again.  The next NAPI
 * allocation then starts at the top of a page.
 */
static void napi_cache_reset(void)
{
	struct oracle_napi_cache *nc;
	struct sk_buff *small[4];
	void *frag = NULL;
	int i, n = 0;

	if (!napi_cache)
		return;
	local_bh_disable();
	nc = this_cpu_ptr(napi_cache);
	if (nc->page.va && nc->page.offset &&
	    SKB_DATA_ALIGN(nc->page.offset) == nc->page.offset)
		frag = __napi_alloc_frag_align(nc->page.offset, ~0u);
	if (nc->page_small.va)
		for (n = 0; n < ARRAY_SIZE(small) &&
			    nc->page_small.offset >= SZ_1K; n++) {
			small[n] = __napi_alloc_skb(&oracle_napi, 1, GFP_ATOMIC);
			if (!small[n])
				break;
		}
	local_bh_enable();
	if (frag)
		page_frag_free(frag);
	for (i = 0; i < n; i++)
		kfree_skb(small[i]);
}

/* name of a page; a page first seen here is a kernel page kN and gets the
 * observer reference
 */
static struct obj *page_obj(struct page *page)
{
	struct obj *o;
	char name[16];

	page = compound_head(page);
	o = find_ptr(T_PAGE, page);
	if (o)
		return o;
	do	/* k1, k2, ...: skip a name the trace itself already uses */
		snprintf(name, sizeof(name), "k%d", ++next_kpage);
	while (find_obj(name));
	o = new_obj(name, T_PAGE, page);
	if (!o)
		return NULL;
	get_page(page);		/* observer */
	o->kpage = true;
	o->caller_refs = 0;
	return o;
}

static int head_name(void *head)
{
	int i;

	for (i = 0; i < nheads; i++)
		if (heads[i].head == head) {
			heads[i].seen = true;
			return heads[i].id;
		}
	if (nheads >= MAXHEADS)
		return 0;
	heads[nheads].head = head;
	heads[nheads].id = ++next_head;
	heads[nheads].seen = true;
	nheads++;
	return next_head;
}

/* name anonymous frag_list members; name heads and pages in order of first
 * appearance; retire head ids that no live skb uses any more
 */
static void discover(void)
{
	int i, j, k;
	struct sk_buff *it;

	for (i = 0; i < nobj; i++) {	/* nobj may grow inside the loop */
		struct obj *o = &objs[i];

		if (o->type != T_SKB || o->dead || o->stolen)
			continue;
		skb_walk_frags((struct sk_buff *)o->ptr, it) {
			if (!find_ptr(T_SKB, it)) {
				char name[16];
				struct obj *n;

				snprintf(name, sizeof(name), "~s%d",
					 ++next_anon);
				n = new_obj(name, T_SKB, it);
				if (n) {
					n->anon = true;
					n->caller_refs = 0;
				}
			}
		}
	}
	for (i = 0; i < nheads; i++)
		heads[i].seen = false;
	for (i = 0; i < nobj; i++) {
		struct obj *o = &objs[i];
		struct sk_buff *skb = o->ptr;

		if (o->type == T_SKB && !o->dead) {
			head_name(skb->head);
			if (skb->head_frag && !o->stolen)
				page_obj(virt_to_head_page(skb->head));
			for (j = 0; j < skb_shinfo(skb)->nr_frags; j++)
				page_obj(skb_frag_page(&skb_shinfo(skb)->frags[j]));
		}
		if (o->type == T_PIPE && !o->dead) {
			struct emu_pipe *p = o->ptr;

			for (j = 0; j < p->nbufs; j++)
				page_obj(p->bufs[j].page);
		}
	}
	if (emu_frag.page)
		page_obj(emu_frag.page);
	for (i = 0, k = 0; i < nheads; i++)
		if (heads[i].seen)
			heads[k++] = heads[i];
	nheads = k;
}

/* offsets are reported relative to the compound head, whose name is used */
static unsigned int head_offset(struct page *page, unsigned int off)
{
	return off + (unsigned int)(page - compound_head(page)) * PAGE_SIZE;
}

static const char *page_label(struct page *page)
{
	struct obj *o = page_obj(page);

	return o ? o->name : "?";
}

/*
 * sharedfrag: skb_shinfo()->flags beyond the ubuf, dumped only when set
 * (`"shared_frag":true`), so a recording of a trace without them is the
 * same as before; the recording's "oracle" object says the field exists
 * ("shared_frag":true), and the engine compares it only then.
 */
static void emit_shinfo_flags(const struct skb_shared_info *sh)
{
	if (sh->flags & SKBFL_SHARED_FRAG)
		sb_printf(&out, ",\"shared_frag\":true");
}

static void emit_skb(struct obj *o)
{
	struct sk_buff *skb = o->ptr, *it;
	struct skb_shared_info *sh = skb_shinfo(skb);
	const char *fc;
	int j;
	bool first = true;

	fc = skb->fclone == SKB_FCLONE_ORIG ? "orig" :
	     skb->fclone == SKB_FCLONE_CLONE ? "clone" : "none";
	sb_printf(&out, "{\"name\":");
	sb_str(&out, o->name);
	sb_printf(&out,
		  ",\"users\":%u,\"cloned\":%s,\"nohdr\":%s,\"len\":%u,\"data_len\":%u,\"headlen\":%u,\"headroom\":%u,\"head\":\"h%d\",\"dataref\":%u",
		  refcount_read(&skb->users), skb->cloned ? "true" : "false",
		  skb->nohdr ? "true" : "false", skb->len, skb->data_len,
		  skb_headlen(skb), skb_headroom(skb), head_name(skb->head),
		  (unsigned int)atomic_read(&sh->dataref));
	sb_printf(&out, ",\"frags\":[");
	for (j = 0; j < sh->nr_frags; j++) {
		skb_frag_t *f = &sh->frags[j];

		sb_printf(&out, "%s{\"page\":", j ? "," : "");
		sb_str(&out, page_label(skb_frag_page(f)));
		sb_printf(&out, ",\"offset\":%u,\"size\":%u}",
			  head_offset(skb_frag_page(f), skb_frag_off(f)),
			  skb_frag_size(f));
	}
	sb_printf(&out, "],\"frag_list\":[");
	skb_walk_frags(skb, it) {
		struct obj *m = find_ptr(T_SKB, it);

		if (!first)
			sb_putc(&out, ',');
		sb_str(&out, m ? m->name : "?");
		first = false;
	}
	sb_printf(&out,
		  "],\"tailroom\":%u,\"truesize\":%u,\"head_frag\":%s,\"fclone\":\"%s\",\"zerocopy\":%s,\"destructor\":%s%s",
		  skb->end - skb->tail, skb->truesize,
		  skb->head_frag ? "true" : "false", fc,
		  skb_zcopy(skb) ? "true" : "false",
		  skb->destructor ? "true" : "false",
		  skb->pp_recycle ? ",\"pp_recycle\":true" : "");
	emit_shinfo_flags(sh);
	/* io_send_zc's flags, only when set: older recordings stay valid */
	if (sh->flags & SKBFL_MANAGED_FRAG_REFS)
		sb_printf(&out, ",\"managed_frag_refs\":true");
	if (sh->flags & SKBFL_PURE_ZEROCOPY)
		sb_printf(&out, ",\"pure_zerocopy\":true");
	sb_putc(&out, '}');
}

static void emit_state(void)
{
	int i, j;
	bool first;

	sb_printf(&out, ",\"skbs\":[");
	first = true;
	for (i = 0; i < nobj; i++)
		if (objs[i].type == T_SKB && !objs[i].dead) {
			if (!first)
				sb_putc(&out, ',');
			emit_skb(&objs[i]);
			first = false;
		}
	sb_printf(&out, "],\"pages\":[");
	first = true;
	for (i = 0; i < nobj; i++)
		if (objs[i].type == T_PAGE) {
			struct page *p = objs[i].ptr;

			if (!first)
				sb_putc(&out, ',');
			sb_printf(&out, "{\"name\":");
			sb_str(&out, objs[i].name);
			sb_printf(&out, ",\"refcount\":%d", pp_reported_refcount(&objs[i]));
			pp_emit_page(&objs[i]);
			sb_putc(&out, '}');
			first = false;
		}
	sb_printf(&out, "],\"pipes\":[");
	first = true;
	for (i = 0; i < nobj; i++)
		if (objs[i].type == T_PIPE) {
			struct emu_pipe *p = objs[i].ptr;

			if (!first)
				sb_putc(&out, ',');
			sb_printf(&out, "{\"name\":");
			sb_str(&out, objs[i].name);
			sb_printf(&out, ",\"released\":%s,\"bufs\":[",
				  objs[i].dead ? "true" : "false");
			for (j = 0; j < p->nbufs; j++) {
				sb_printf(&out, "%s{\"page\":", j ? "," : "");
				sb_str(&out, page_label(p->bufs[j].page));
				sb_printf(&out, ",\"offset\":%u,\"len\":%u}",
					  head_offset(p->bufs[j].page,
						      p->bufs[j].offset),
					  p->bufs[j].len);
			}
			sb_printf(&out, "]}");
			first = false;
		}
	sb_printf(&out, "],\"sockets\":[");
	first = true;
	for (i = 0; i < nobj; i++)
		if (objs[i].type == T_SOCK) {
			struct socket *sock = objs[i].ptr;
			struct sk_buff *it;
			bool f2 = true;

			if (!first)
				sb_putc(&out, ',');
			sb_printf(&out, "{\"name\":");
			sb_str(&out, objs[i].name);
			sb_printf(&out, ",\"queue\":[");
			skb_queue_walk(&sock->sk->sk_receive_queue, it) {
				struct obj *m = find_ptr(T_SKB, it);

				if (!f2)
					sb_putc(&out, ',');
				sb_str(&out, m ? m->name : "?");
				f2 = false;
			}
			sb_printf(&out, "]}");
			first = false;
		}
	sb_printf(&out, "],\"ubufs\":[");
	for (i = 0; i < nubuf; i++)
		sb_printf(&out, "%s{\"name\":\"u%d\",\"refcnt\":%d,\"complete\":%s}",
			  i ? "," : "", ubufs[i]->id,
			  refcount_read(&ubufs[i]->ubuf.refcnt),
			  ubufs[i]->complete ? "true" : "false");
	sb_printf(&out, "]");
}

/* ------------------------------------------------------------------ */
/* trace driver                                                       */
/* ------------------------------------------------------------------ */

static bool header_done;

static void emit_header(void)
{
	if (header_done)
		return;
	header_done = true;
	sb_printf(&out, "{\"trace\":");
	sb_str(&out, trace_name);
	sb_printf(&out, ",\"kernel\":");
	{
		char k[sizeof(init_utsname()->release) +
		       sizeof(init_utsname()->version) + 2];

		snprintf(k, sizeof(k), "%s %s", init_utsname()->release,
			 init_utsname()->version);
		sb_str(&out, k);
	}
	sb_printf(&out, ",\"policy\":");
	sb_str(&out, policy_text);
	sb_printf(&out, ",\"oracle\":{\"kprobe_kfree_skbmem\":%s,\"kprobe_sock_rfree\":%s,\"skb_shift\":%s,\"napi_cache\":%s,\"shared_frag\":true}",
		  kp_free_ok ? "true" : "false",
		  kp_rfree_ok ? "true" : "false",
		  oracle_skb_shift ? "true" : "false",
		  napi_cache ? "true" : "false");
	sb_printf(&out, ",\"steps\":[");
}

static int nsteps;

static void run_step(struct step *st)
{
	struct sbuf w;
	static char wbuf[SMALL_CAP];

	w.buf = wbuf;
	w.cap = sizeof(wbuf);
	sb_reset(&w);
	sb_reset(&evs);
	kmsg_skip_all();
	WRITE_ONCE(tracking, true);
	if (!st->err[0])
		exec_op(st);
	collect_warnings(&w);
	discover();

	sb_printf(&out, "%s{\"line\":%d,\"error\":", nsteps ? "," : "",
		  st->line);
	nsteps++;
	if (st->err[0])
		sb_str(&out, st->err);
	else
		sb_printf(&out, "null");
	if (st->result[0])
		sb_printf(&out, ",\"result\":%s", st->result);
	if (st->has_fragstolen)
		sb_printf(&out, ",\"fragstolen\":%s",
			  st->fragstolen ? "true" : "false");
	emit_state();
	sb_printf(&out, ",\"events\":[");
	sb_append(&out, &evs);
	sb_printf(&out, "],\"warnings\":[");
	sb_append(&out, &w);
	sb_printf(&out, "]}");
}

/* drop everything the trace still holds, so that traces are independent */
static void cleanup_trace(struct sbuf *w)
{
	int i, pass, progress;

	sb_reset(&evs);
	kmsg_skip_all();
	/* pipes */
	for (i = 0; i < nobj; i++)
		if (objs[i].type == T_PIPE) {
			struct emu_pipe *p = objs[i].ptr;
			int j;

			if (!objs[i].dead)
				for (j = 0; j < p->nbufs; j++)
					put_page(p->bufs[j].page);
			kfree(p);
			objs[i].dead = true;
		}
	/* sockets: the reader frees what is queued, then the socket goes */
	for (i = 0; i < nobj; i++)
		if (objs[i].type == T_SOCK) {
			struct socket *sock = objs[i].ptr;
			struct sk_buff *skb;

			while ((skb = skb_dequeue(&sock->sk->sk_receive_queue)))
				kfree_skb(skb);
			sock_release(sock);
			objs[i].dead = true;
		}
	/* the caller's skb references, holders first */
	for (pass = 0; pass < 16; pass++) {
		progress = 0;
		for (i = 0; i < nobj; i++) {
			struct obj *o = &objs[i];
			char buf[NAMELEN + 32];

			if (o->type != T_SKB || o->dead || o->caller_refs <= 0)
				continue;
			if (o->stolen) {
				if (container_of_skb(o->ptr, buf, sizeof(buf)))
					continue;
				kfree_skb_partial(o->ptr, true);
				o->dead = true;
				progress++;
				continue;
			}
			if (refcount_read(&((struct sk_buff *)o->ptr)->users) == 1 &&
			    container_of_skb(o->ptr, buf, sizeof(buf)))
				continue;
			kfree_skb(o->ptr);
			o->caller_refs--;
			progress++;
		}
		if (!progress)
			break;
	}
	for (i = 0; i < nobj; i++) {
		struct obj *o = &objs[i];

		if (o->type == T_SKB && !o->dead) {
			sb_printf(&cleanup_notes, "%s\"skb %s leaked (users %u)\"",
				  cleanup_notes.len ? "," : "", o->name,
				  refcount_read(&((struct sk_buff *)o->ptr)->users));
		}
	}
	WRITE_ONCE(tracking, false);
	/* the caller's page references, then the observer references */
	if (emu_frag.page) {
		put_page(emu_frag.page);
		emu_frag.page = NULL;
	}
	for (i = 0; i < nobj; i++) {
		struct obj *o = &objs[i];
		struct page *p = o->ptr;

		if (o->type != T_PAGE || pp_pool_of_obj(o))
			continue;
		while (o->caller_refs > 0 && page_ref_count(p) > 1) {
			put_page(p);
			o->caller_refs--;
		}
		if (page_ref_count(p) - napi_cache_share(p) > 1)
			sb_printf(&cleanup_notes,
				  "%s\"page %s still has %d references after cleanup\"",
				  cleanup_notes.len ? "," : "", o->name,
				  page_ref_count(p) - 1 - napi_cache_share(p));
		if (page_ref_count(p) >= 1)
			put_page(p);
	}
	pp_cleanup();
	/* ubufs: free those that completed; a live one may still be named by
	 * a leaked Data, so it is leaked with it
	 */
	for (i = 0; i < nubuf; i++) {
		if (refcount_read(&ubufs[i]->ubuf.refcnt) == 0)
			kfree(ubufs[i]);
		else
			sb_printf(&cleanup_notes,
				  "%s\"ubuf u%d leaked (refcnt %d)\"",
				  cleanup_notes.len ? "," : "", ubufs[i]->id,
				  refcount_read(&ubufs[i]->ubuf.refcnt));
	}
	collect_warnings(w);
}

static void reset_trace(void)
{
	nobj = 0;
	nheads = 0;
	next_head = 0;
	next_kpage = 0;
	next_anon = 0;
	nubuf = 0;
	nsteps = 0;
	header_done = false;
	memset(&emu_frag, 0, sizeof(emu_frag));
	policy = P_PAGE_REFS;
	strscpy(policy_text, "page-refs", sizeof(policy_text));
	trace_name[0] = 0;
	sb_reset(&out);
	sb_reset(&cleanup_notes);
}

static void run_script(char *script)
{
	char *line, *cur = script;
	struct sbuf w;
	static char wbuf[SMALL_CAP];

	reset_trace();
	napi_cache_reset();
	while ((line = strsep(&cur, "\n")) != NULL) {
		char *tok[MAXARGS + 6];
		int n = 0, i;
		char *p = line;

		while (n < ARRAY_SIZE(tok)) {
			char *t = strsep(&p, " ");

			if (!t)
				break;
			if (*t)
				tok[n++] = t;
		}
		if (!n)
			continue;
		if (!strcmp(tok[0], "trace") && n >= 2) {
			strscpy(trace_name, tok[1], sizeof(trace_name));
		} else if (!strcmp(tok[0], "policy") && n >= 2) {
			strscpy(policy_text, tok[1], sizeof(policy_text));
			policy = P_UNKNOWN;
			for (i = 0; policy_names[i]; i++)
				if (!strcmp(tok[1], policy_names[i]))
					policy = i;
		} else if (!strcmp(tok[0], "op") && n >= 4) {
			struct step st;
			long v;

			memset(&st, 0, sizeof(st));
			if (kstrtol(tok[1], 10, &v))
				v = 0;
			st.line = v;
			strscpy(st.fn, tok[2], sizeof(st.fn));
			if (strcmp(tok[3], "-"))
				strscpy(st.dst, tok[3], sizeof(st.dst));
			for (i = 4; i < n && st.argc < MAXARGS; i++)
				st.argv[st.argc++] = tok[i];
			emit_header();
			if (policy == P_UNKNOWN)
				fail(&st, "unknown policy %s", policy_text);
			run_step(&st);
		} else if (!strcmp(tok[0], "end")) {
			break;
		}
	}
	emit_header();
	w.buf = wbuf;
	w.cap = sizeof(wbuf);
	sb_reset(&w);
	cleanup_trace(&w);
	sb_printf(&out, "],\"cleanup\":{\"events\":[");
	sb_append(&out, &evs);
	sb_printf(&out, "],\"warnings\":[");
	sb_append(&out, &w);
	sb_printf(&out, "],\"notes\":[");
	sb_append(&out, &cleanup_notes);
	sb_printf(&out, "]}");
	if (out.overflow)
		sb_printf(&out, ",\"truncated\":true");
	sb_printf(&out, "}\n");
	if (out.overflow) {	/* keep the output valid JSON */
		sb_reset(&out);
		sb_printf(&out, "{\"trace\":");
		sb_str(&out, trace_name);
		sb_printf(&out, ",\"error\":\"oracle output buffer overflow\",\"steps\":[]}\n");
	}
}

/* ------------------------------------------------------------------ */
/* debugfs                                                            */
/* ------------------------------------------------------------------ */

static DEFINE_MUTEX(oracle_lock);
static struct dentry *dir;

static ssize_t trace_write(struct file *f, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	ssize_t ret = count;

	if (!mutex_trylock(&oracle_lock))
		return -EBUSY;
	if (inlen + count >= IN_CAP) {
		inlen = 0;
		ret = -EFBIG;
		goto out;
	}
	if (copy_from_user(inbuf + inlen, ubuf, count)) {
		ret = -EFAULT;
		goto out;
	}
	inlen += count;
	inbuf[inlen] = 0;
	/* run when a line "end" has arrived */
	if ((inlen >= 4 && !strcmp(inbuf + inlen - 4, "end\n") &&
	     (inlen == 4 || inbuf[inlen - 5] == '\n'))) {
		run_script(inbuf);
		inlen = 0;
	}
out:
	mutex_unlock(&oracle_lock);
	return ret;
}

static ssize_t result_read(struct file *f, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	return simple_read_from_buffer(ubuf, count, ppos, out.buf, out.len);
}

static const struct file_operations trace_fops = {
	.owner = THIS_MODULE,
	.write = trace_write,
	.llseek = noop_llseek,
};

static const struct file_operations result_fops = {
	.owner = THIS_MODULE,
	.read = result_read,
	.llseek = default_llseek,
};

static int __init skboracle_init(void)
{
	unsigned long addr;

	out.buf = vzalloc(OUT_CAP);
	out.cap = OUT_CAP;
	evs.buf = vzalloc(SMALL_CAP);
	evs.cap = SMALL_CAP;
	cleanup_notes.buf = vzalloc(SMALL_CAP);
	cleanup_notes.cap = SMALL_CAP;
	inbuf = vzalloc(IN_CAP);
	if (!out.buf || !evs.buf || !cleanup_notes.buf || !inbuf) {
		pr_err("skboracle: no memory\n");
		return 0;	/* busybox insmod would retry a failing init */
	}

	oracle_skb_shift = (skb_shift_t)resolve("skb_shift");
	addr = resolve("napi_alloc_cache");
	/* sanity check of the per-CPU address against an exported one */
	if (addr && resolve("softnet_data") == (unsigned long)&softnet_data)
		napi_cache = (struct oracle_napi_cache __percpu *)addr;
	kp_free_ok = register_kprobe(&kp_free) == 0;
	kp_rfree_ok = register_kprobe(&kp_rfree) == 0;

	kmsg_dump_rewind(&kmsg_iter);
	kmsg_skip_all();

	dir = debugfs_create_dir("skboracle", NULL);
	debugfs_create_file("trace", 0200, dir, NULL, &trace_fops);
	debugfs_create_file("result", 0400, dir, NULL, &result_fops);
	pr_info("skboracle: ready (skb_shift %s, napi_alloc_cache %s, kprobes kfree_skbmem %s, sock_rfree %s)\n",
		oracle_skb_shift ? "resolved" : "MISSING",
		napi_cache ? "resolved" : "MISSING",
		kp_free_ok ? "registered" : "FAILED",
		kp_rfree_ok ? "registered" : "FAILED");
	return 0;
}

static void __exit skboracle_exit(void)
{
	debugfs_remove_recursive(dir);
	if (kp_free_ok)
		unregister_kprobe(&kp_free);
	if (kp_rfree_ok)
		unregister_kprobe(&kp_rfree);
	vfree(out.buf);
	vfree(evs.buf);
	vfree(cleanup_notes.buf);
	vfree(inbuf);
}

module_init(skboracle_init);
module_exit(skboracle_exit);
