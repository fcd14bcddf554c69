/*
 * subr_prf.c: printf, snprintf and panic for the test kernel.
 *
 * One formatting engine (kvprintf) writes through a sink: the console,
 * or a buffer for snprintf.  It knows the conversions kernel code uses:
 * d i u o x X c s p %, with the flags - + space # 0, a width and a
 * precision (either may be *), and the length modifiers hh h l ll j z t q.
 *
 * The console is shared by every CPU.  printf formats and writes a whole
 * message under cons_lock, a spin lock taken at IPL_HIGH without the
 * mutex code (so that mutex panics can print), so lines from different
 * CPUs do not mix.  A panic waits a bounded time for the lock and then
 * prints anyway: the CPU holding it may be the one that is stuck.
 */

#include <sys/param.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/kernel.h>
#include <sys/systm.h>

#define	CONS_PANIC_SPINS	10000000UL

/* Legend: a atomic. */
static volatile u_int cons_owner;	/* a: 1 + index of holding CPU, or 0 */
static volatile u_int panicking;	/* a: a CPU is in panic */

/* Where formatted characters go. */
struct prf_sink {
	char	*ps_buf;	/* NULL: the console */
	size_t	ps_size;
	size_t	ps_len;		/* characters produced so far */
};

/* ---- the formatting engine */

static void
prf_putc(struct prf_sink *ps, int c)
{

	if (ps->ps_buf == NULL)
		cons_putc(c);
	else if (ps->ps_len + 1 < ps->ps_size)
		ps->ps_buf[ps->ps_len] = (char)c;
	ps->ps_len++;
}

/* Write c n times. */
static void
prf_pad(struct prf_sink *ps, int c, int n)
{

	while (n-- > 0)
		prf_putc(ps, c);
}

/* The argument of an integer conversion, by length modifier. */
static uintmax_t
prf_arg(va_list *ap, int lmod, bool sgn)
{

	switch (lmod) {
	case 'H':
		return sgn ? (uintmax_t)(signed char)va_arg(*ap, int) :
		    (unsigned char)va_arg(*ap, int);
	case 'h':
		return sgn ? (uintmax_t)(short)va_arg(*ap, int) :
		    (unsigned short)va_arg(*ap, int);
	case 'l':
		return sgn ? (uintmax_t)va_arg(*ap, long) :
		    va_arg(*ap, unsigned long);
	case 'q':
		return sgn ? (uintmax_t)va_arg(*ap, long long) :
		    va_arg(*ap, unsigned long long);
	case 'j':
		return sgn ? (uintmax_t)va_arg(*ap, intmax_t) :
		    va_arg(*ap, uintmax_t);
	case 'z':
		return sgn ? (uintmax_t)va_arg(*ap, ssize_t) :
		    va_arg(*ap, size_t);
	case 't':
		return (uintmax_t)va_arg(*ap, ptrdiff_t);
	default:
		return sgn ? (uintmax_t)va_arg(*ap, int) :
		    va_arg(*ap, unsigned int);
	}
}

/* One integer conversion, laid out per the flags. */
struct prf_spec {
	bool	left, plus, space, alt, zero;
	int	width, prec;	/* prec < 0: none */
};

static void
prf_int(struct prf_sink *ps, const struct prf_spec *sp, uintmax_t v,
    bool neg, u_int base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, len, zeros, plen = (int)strlen(prefix);

	while (v != 0 || (n == 0 && sp->prec != 0)) {
		buf[n++] = digits[v % base];
		v /= base;
	}
	zeros = sp->prec > n ? sp->prec - n : 0;
	len = n + zeros + plen + (neg || sp->plus || sp->space);
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > len) {
		zeros += sp->width - len;
		len = sp->width;
	}
	if (!sp->left)
		prf_pad(ps, ' ', sp->width - len);
	if (neg || sp->plus || sp->space)
		prf_putc(ps, neg ? '-' : sp->plus ? '+' : ' ');
	while (*prefix != '\0')
		prf_putc(ps, *prefix++);
	prf_pad(ps, '0', zeros);
	while (n > 0)
		prf_putc(ps, buf[--n]);
	if (sp->left)
		prf_pad(ps, ' ', sp->width - len);
}

/* A string conversion. */
static void
prf_str(struct prf_sink *ps, const struct prf_spec *sp, const char *s)
{
	int n = 0;

	if (s == NULL)
		s = "(null)";
	while (s[n] != '\0' && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		prf_pad(ps, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		prf_putc(ps, s[i]);
	if (sp->left)
		prf_pad(ps, ' ', sp->width - n);
}

/* Parse the flags, width and precision at *fmtp. */
static void
prf_parse_spec(const char **fmtp, va_list *ap, struct prf_spec *sp)
{
	const char *fmt = *fmtp;

	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; fmt++) {
		if (*fmt == '-')
			sp->left = true;
		else if (*fmt == '+')
			sp->plus = true;
		else if (*fmt == ' ')
			sp->space = true;
		else if (*fmt == '#')
			sp->alt = true;
		else if (*fmt == '0')
			sp->zero = true;
		else
			break;
	}
	if (*fmt == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		fmt++;
	} else
		while (*fmt >= '0' && *fmt <= '9')
			sp->width = sp->width * 10 + (*fmt++ - '0');
	if (*fmt == '.') {
		fmt++;
		sp->prec = 0;
		if (*fmt == '*') {
			sp->prec = va_arg(*ap, int);
			fmt++;
		} else
			while (*fmt >= '0' && *fmt <= '9')
				sp->prec = sp->prec * 10 + (*fmt++ - '0');
	}
	*fmtp = fmt;
}

/* Parse a length modifier at *fmtp: H for hh, q for ll, else the letter. */
static int
prf_parse_length(const char **fmtp)
{
	const char *fmt = *fmtp;
	int lmod = 0;

	if (fmt[0] == 'h' && fmt[1] == 'h') {
		lmod = 'H';
		fmt += 2;
	} else if (fmt[0] == 'l' && fmt[1] == 'l') {
		lmod = 'q';
		fmt += 2;
	} else if (*fmt == 'h' || *fmt == 'l' || *fmt == 'j' || *fmt == 'z' ||
	    *fmt == 't' || *fmt == 'q')
		lmod = *fmt++;
	*fmtp = fmt;
	return lmod;
}

/* Format fmt with ap into ps. */
static void
kvprintf(struct prf_sink *ps, const char *fmt, va_list ap)
{
	struct prf_spec sp;
	uintmax_t v;
	int lmod, c;
	va_list aq;

	va_copy(aq, ap);
	while ((c = *fmt++) != '\0') {
		if (c != '%') {
			prf_putc(ps, c);
			continue;
		}
		prf_parse_spec(&fmt, &aq, &sp);
		lmod = prf_parse_length(&fmt);
		switch (c = *fmt++) {
		case 'd':
		case 'i':
			v = prf_arg(&aq, lmod, true);
			prf_int(ps, &sp, (intmax_t)v < 0 ? -v : v,
			    (intmax_t)v < 0, 10, false, "");
			break;
		case 'u':
			prf_int(ps, &sp, prf_arg(&aq, lmod, false), false, 10,
			    false, "");
			break;
		case 'o':
			prf_int(ps, &sp, prf_arg(&aq, lmod, false), false, 8,
			    false, sp.alt ? "0" : "");
			break;
		case 'x':
		case 'X':
			v = prf_arg(&aq, lmod, false);
			prf_int(ps, &sp, v, false, 16, c == 'X',
			    sp.alt && v != 0 ? (c == 'X' ? "0X" : "0x") : "");
			break;
		case 'p':
			prf_int(ps, &sp, (uintptr_t)va_arg(aq, void *), false,
			    16, false, "0x");
			break;
		case 'c':
			prf_putc(ps, va_arg(aq, int));
			break;
		case 's':
			prf_str(ps, &sp, va_arg(aq, const char *));
			break;
		case '%':
			prf_putc(ps, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			prf_putc(ps, '%');
			prf_putc(ps, c);
			break;
		}
	}
	va_end(aq);
}

/* ---- the console */

/* Take the console for this CPU; returns the IPL to restore. */
static int
cons_enter(void)
{
	u_int self;
	u_long spins = 0;
	int s;

	s = splhigh();
	self = curcpu()->ci_index + 1;
	while (atomic_cas_uint(&cons_owner, 0, self) != 0) {
		if (cons_owner == self)
			break;
		if (panicking && ++spins > CONS_PANIC_SPINS)
			break;
	}
	return s;
}

static void
cons_exit(int s)
{
	u_int self = curcpu()->ci_index + 1;

	(void)atomic_cas_uint(&cons_owner, self, 0);
	splx(s);
}

int
vprintf(const char *fmt, va_list ap)
{
	struct prf_sink ps = { NULL, 0, 0 };
	int s;

	s = cons_enter();
	kvprintf(&ps, fmt, ap);
	cons_exit(s);
	return (int)ps.ps_len;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct prf_sink ps = { buf, size, 0 };

	kvprintf(&ps, fmt, ap);
	if (size > 0)
		buf[MIN(ps.ps_len, size - 1)] = '\0';
	return (int)ps.ps_len;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- panic */

/*
 * Stop the kernel: print the message and let the test harness (or the
 * demo) report it, then power off with a failure status.  A CPU that
 * panics while another is already panicking just stops.
 */
void
panic(const char *fmt, ...)
{
	static char panicmsg[512];
	va_list ap;

	(void)splhigh();
	if (atomic_swap_uint(&panicking, 1) != 0)
		for (;;)
			continue;
	va_start(ap, fmt);
	vsnprintf(panicmsg, sizeof(panicmsg), fmt, ap);
	va_end(ap);
	printf("panic: cpu%u: %s\n", curcpu()->ci_index, panicmsg);
	cpu_halt_others();
	atf_kernel_panic(panicmsg);
}
